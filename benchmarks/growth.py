"""Growing a fitted ensemble month by month, against refitting on every month so far.

New York's 2013 flights, "arrives more than 15 minutes late", from what is known when
the flight is booked: day, weekday, scheduled times, distance, and the categorical
carrier, origin and destination. The first model trains on January to March; each later
month (April to September) then

- grows the ensemble by ``--members`` members trained on that month alone
  (``initModelPath``), keeping every member;
- grows a second ensemble the same way with ``maxMembers``, a sliding window;
- refits from scratch, with ``--members`` members, on every month so far;

and every model is scored on October to December (AUC). Each step's fit seconds are
recorded with the save that a user growing a model keeps, and the first model alone is
scored as the baseline. One process, 2 slots, the library's defaults otherwise.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pandas as pd
from _common import RESULTS, local_session, nyc_flights, write

NUMBERS = ["day", "weekday", "sched_dep_time", "sched_arr_time", "distance"]
CATEGORIES = ["carrier", "origin", "dest"]


def flights() -> pd.DataFrame:
    frame = nyc_flights().dropna(subset=["arr_delay"])
    frame = frame.assign(
        weekday=pd.to_datetime(frame[["year", "month", "day"]]).dt.weekday,
        label=(frame["arr_delay"] > 15).astype(float),
    )
    return frame[["month", *NUMBERS, *CATEGORIES, "label"]].reset_index(drop=True)


def auc(model, test) -> float:
    from sklearn.metrics import roc_auc_score

    scored = model.transform(test).select("label", "probability").toPandas()
    return round(float(roc_auc_score(scored["label"], [p[1] for p in scored["probability"]])), 4)


def timed_fit(estimator, frame, path: str):
    """Fit and save, as a user who grows the model next month does; the seconds of each."""
    started = time.perf_counter()
    model = estimator.fit(frame)
    fitted = time.perf_counter()
    model.write().overwrite().save(path)
    return model, fitted - started, time.perf_counter() - fitted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=2)
    parser.add_argument("--max-members", type=int, default=6)
    parser.add_argument("--first-months", type=int, default=3)
    parser.add_argument("--last-month", type=int, default=9)
    parser.add_argument("--rows", type=int, default=0, help="sample this many rows (0: all)")
    parser.add_argument("--iterations", type=int, default=300, help="the library's default")
    args = parser.parse_args()
    from sparkensemble import SampledEnsembleClassifier

    spark = local_session(2)
    data = flights()
    if args.rows:
        data = data.sample(args.rows, random_state=0)
    months = {m: part.drop(columns="month") for m, part in data.groupby("month")}
    test = spark.createDataFrame(pd.concat([months[m] for m in (10, 11, 12)])).cache()
    test.count()

    def frame_of(month_numbers: List[int]):
        rows = pd.concat([months[m] for m in month_numbers])
        frame = spark.createDataFrame(rows).repartition(2).cache()
        frame.count()
        return frame

    def estimator(**extra: Any):
        return SampledEnsembleClassifier(
            inputCols=[*NUMBERS, *CATEGORIES],
            categoricalCols=CATEGORIES,
            numMembers=args.members,
            iterations=args.iterations,
            **extra,
        )

    work = Path(tempfile.mkdtemp(prefix="growth-"))
    first_months = list(range(1, args.first_months + 1))
    first_frame = frame_of(first_months)
    first_path = str(work / "first")
    first, first_fit, first_save = timed_fit(estimator(), first_frame, first_path)
    first_auc = auc(first, test)
    grown_path = window_path = first_path
    steps: List[Dict[str, Any]] = []
    for month in range(args.first_months + 1, args.last_month + 1):
        new = frame_of([month])
        # Each month's model is saved beside the last, which the next month grows.
        grown, grow_s, grow_save = timed_fit(
            estimator(initModelPath=grown_path), new, str(work / f"grown-{month}")
        )
        window, window_s, _ = timed_fit(
            estimator(initModelPath=window_path, maxMembers=args.max_members),
            new,
            str(work / f"window-{month}"),
        )
        grown_path, window_path = str(work / f"grown-{month}"), str(work / f"window-{month}")
        so_far = frame_of(list(range(1, month + 1)))
        refit, refit_s, refit_save = timed_fit(estimator(), so_far, str(work / "refit"))
        step = {
            "month": month,
            "new_rows": new.count(),
            "rows_so_far": so_far.count(),
            "grown": {
                "members": len(grown.members),
                "auc": auc(grown, test),
                "fit_seconds": round(grow_s, 2),
                "save_seconds": round(grow_save, 2),
            },
            "window": {
                "members": len(window.members),
                "auc": auc(window, test),
                "fit_seconds": round(window_s, 2),
            },
            "refit": {
                "members": len(refit.members),
                "auc": auc(refit, test),
                "fit_seconds": round(refit_s, 2),
                "save_seconds": round(refit_save, 2),
            },
        }
        step["grow_over_refit_seconds"] = round(grow_s / refit_s, 3)
        step["grown_minus_refit_auc"] = round(step["grown"]["auc"] - step["refit"]["auc"], 4)
        step["window_minus_refit_auc"] = round(step["window"]["auc"] - step["refit"]["auc"], 4)
        print(step, flush=True)
        steps.append(step)
        for frame in (new, so_far):
            frame.unpersist()
    last = steps[-1]
    result = {
        "members_per_fit": args.members,
        "iterations": args.iterations,
        "max_members": args.max_members,
        "first_months": first_months,
        "test_months": [10, 11, 12],
        "test_rows": test.count(),
        "features": {"numeric": NUMBERS, "categorical": CATEGORIES},
        "first": {
            "rows": first_frame.count(),
            "auc": first_auc,
            "fit_seconds": round(first_fit, 2),
            "save_seconds": round(first_save, 2),
        },
        "steps": steps,
        "summary": {
            "last_month": last["month"],
            "grown_auc": last["grown"]["auc"],
            "window_auc": last["window"]["auc"],
            "refit_auc": last["refit"]["auc"],
            "first_auc": first_auc,
            "grown_minus_refit_auc": last["grown_minus_refit_auc"],
            "worst_grown_minus_refit_auc": min(s["grown_minus_refit_auc"] for s in steps),
            "largest_grow_over_refit_seconds": max(s["grow_over_refit_seconds"] for s in steps),
            "last_grow_over_refit_seconds": last["grow_over_refit_seconds"],
        },
    }
    write("growth", result)
    plot(result)


def plot(result: Dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = result["steps"]
    months = [s["month"] for s in steps]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in (("grown", "grown"), ("window", "grown, maxMembers"), ("refit", "refit")):
        left.plot(months, [s[key]["auc"] for s in steps], marker="o", label=label)
        right.plot(months, [s[key]["fit_seconds"] for s in steps], marker="o", label=label)
    left.axhline(result["first"]["auc"], color="grey", linestyle=":", label="first model")
    left.set(xlabel="last training month", ylabel="test AUC (Oct-Dec)")
    right.set(xlabel="last training month", ylabel="fit seconds of the step")
    right.set_ylim(bottom=0)
    left.legend()
    figure.suptitle("Growing by one month against refitting on every month so far")
    figure.tight_layout()
    figure.savefig(RESULTS / "growth.png", dpi=110)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
