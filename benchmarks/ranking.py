"""Learning to rank New York's 2013 flights: the ranker ensemble against its two peers.

Each group is one route on one day (origin, destination, date) and each row one of its
flights; relevance grades the arrival delay: 3 for early or on time, 2 for up to 15
minutes late, 1 for up to 60, 0 beyond. The features are what is known before departure:
the scheduled departure and arrival times, the day, the weekday, the distance and the
categorical carrier, origin and destination. Groups of one flight are dropped, as there
is nothing to rank in them. January to September train, October to December test.

In one run, on one machine, each system fits on the training months and is scored on
NDCG@10 of the test groups (CatBoost's ``NDCG:top=10;type=Base``, the definition
``GroupNDCGEvaluator`` uses):

- ``SampledEnsembleRanker`` over a few settings (``--members`` members, YetiRank);
- centralized ``CatBoostRanker`` (YetiRank) on all training rows, on ``--slots`` threads;
- ``SparkXGBRanker`` (``rank:ndcg``) over a few settings, on ``--slots`` workers.
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Dict, List

import numpy as np
import pandas as pd
from _common import RESULTS, local_session, nyc_flights, write

NUMBERS = ["month", "day", "weekday", "sched_dep_time", "sched_arr_time", "distance"]
CATEGORIES = ["carrier", "origin", "dest"]
TRAIN_MONTHS, TEST_MONTHS = list(range(1, 10)), [10, 11, 12]
NDCG = "NDCG:top=10;type=Base"


def ranked_flights() -> pd.DataFrame:
    """One row per arrived flight, its group (route and date) and its graded relevance."""
    frame = nyc_flights().dropna(subset=["arr_delay"])
    date = pd.to_datetime(frame[["year", "month", "day"]])
    delay = frame["arr_delay"]
    relevance = np.select([delay <= 0, delay <= 15, delay <= 60], [3.0, 2.0, 1.0], 0.0)
    frame = frame.assign(weekday=date.dt.weekday, label=relevance)
    frame["query"] = frame.groupby(["origin", "dest", "year", "month", "day"]).ngroup()
    frame = frame[frame.groupby("query")["query"].transform("size") > 1]
    for column in CATEGORIES:  # integer codes for XGBoost, which reads numbers only
        frame[f"{column}_code"] = frame[column].astype("category").cat.codes.astype(float)
    frame = frame.sort_values(["query", "sched_dep_time", "carrier", "flight"])
    return frame.reset_index(drop=True)


def sample_groups(frame: pd.DataFrame, groups: int) -> pd.DataFrame:
    """The rows of at most ``groups`` groups, the same ones on every run (0: all)."""
    ids = frame["query"].unique()
    if not groups or groups >= len(ids):
        return frame
    keep = np.random.default_rng(0).choice(ids, size=groups, replace=False)
    return frame[frame["query"].isin(keep)]


def ndcg(labels: np.ndarray, scores: np.ndarray, groups: np.ndarray) -> float:
    """Mean NDCG@10 over groups; the rows need not be in group order."""
    from catboost.utils import eval_metric

    order = np.argsort(groups, kind="stable")
    value = eval_metric(labels[order], scores[order], NDCG, group_id=groups[order])[0]
    return round(float(value), 4)


def spark_ndcg(scored) -> float:
    rows = scored.select("query", "label", "prediction").toPandas()
    return ndcg(rows["label"].to_numpy(), rows["prediction"].to_numpy(), rows["query"].to_numpy())


def ensemble_points(spark, train, test, args) -> List[Dict[str, Any]]:
    from sparkensemble import SampledEnsembleRanker

    points = []
    for depth, learning_rate in ((6, args.learning_rate), (8, args.learning_rate)):
        ranker = SampledEnsembleRanker(
            groupCol="query",
            inputCols=[*NUMBERS, *CATEGORIES],
            categoricalCols=CATEGORIES,
            numMembers=args.members,
            iterations=args.iterations,
            depth=depth,
            learningRate=learning_rate,
        )
        started = time.perf_counter()
        model = ranker.fit(train)
        seconds = time.perf_counter() - started
        point = {
            "system": "ensemble",
            "members": args.members,
            "depth": depth,
            "learning_rate": learning_rate,
            "iterations": args.iterations,
            "ndcg": spark_ndcg(model.transform(test)),
            "fit_seconds": round(seconds, 2),
            "best_iterations": [int(i) for i in model.summary["best_iteration"]],
        }
        print(point, flush=True)
        points.append(point)
    return points


def centralized_point(train: pd.DataFrame, test: pd.DataFrame, args) -> Dict[str, Any]:
    from catboost import CatBoostRanker, Pool

    def pool(frame: pd.DataFrame) -> Pool:
        features = frame[[*NUMBERS, *CATEGORIES]]
        return Pool(features, frame["label"], cat_features=CATEGORIES, group_id=frame["query"])

    holdout = train["query"] % 10 == 0  # whole groups, a tenth, as each member holds out
    model = CatBoostRanker(
        loss_function="YetiRank",
        eval_metric=NDCG,
        iterations=args.iterations,
        depth=6,
        learning_rate=args.learning_rate,
        thread_count=args.slots,
        random_seed=0,
        verbose=False,
        allow_writing_files=False,
    )
    started = time.perf_counter()
    model.fit(
        pool(train[~holdout]),
        eval_set=pool(train[holdout]),
        use_best_model=True,
        early_stopping_rounds=100,
    )
    seconds = time.perf_counter() - started
    scores = model.predict(test[[*NUMBERS, *CATEGORIES]])
    point = {
        "system": "catboost",
        "depth": 6,
        "learning_rate": args.learning_rate,
        "iterations": args.iterations,
        "threads": args.slots,
        "ndcg": ndcg(test["label"].to_numpy(), scores, test["query"].to_numpy()),
        "fit_seconds": round(seconds, 2),
        "best_iteration": int(model.get_best_iteration()),
    }
    print(point, flush=True)
    return point


def xgboost_points(train, test, args) -> List[Dict[str, Any]]:
    from pyspark.ml.feature import VectorAssembler
    from xgboost.spark import SparkXGBRanker

    columns = [*NUMBERS, *[f"{c}_code" for c in CATEGORIES]]
    assemble = VectorAssembler(inputCols=columns, outputCol="features")
    train_v, test_v = assemble.transform(train), assemble.transform(test)
    points = []
    for depth, learning_rate in ((6, args.learning_rate), (8, args.learning_rate)):
        ranker = SparkXGBRanker(
            features_col="features",
            label_col="label",
            qid_col="query",
            num_workers=args.slots,
            n_estimators=args.iterations,
            max_depth=depth,
            learning_rate=learning_rate,
            random_state=0,
            verbosity=0,
        )
        started = time.perf_counter()
        model = ranker.fit(train_v)
        seconds = time.perf_counter() - started
        point = {
            "system": "xgboost",
            "depth": depth,
            "learning_rate": learning_rate,
            "trees": args.iterations,
            "workers": args.slots,
            "ndcg": spark_ndcg(model.transform(test_v)),
            "fit_seconds": round(seconds, 2),
        }
        print(point, flush=True)
        points.append(point)
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=2)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--groups", type=int, default=0, help="sample this many groups (0: all)")
    args = parser.parse_args()

    data = sample_groups(ranked_flights(), args.groups)
    train_rows = data[data["month"].isin(TRAIN_MONTHS)]
    test_rows = data[data["month"].isin(TEST_MONTHS)]
    spark = local_session(args.slots)
    train = spark.createDataFrame(train_rows).repartition(args.slots).cache()
    test = spark.createDataFrame(test_rows).cache()
    train.count(), test.count()

    points = ensemble_points(spark, train, test, args)
    centralized = centralized_point(train_rows, test_rows, args)
    xgboost = xgboost_points(train, test, args)
    best = max(points, key=lambda p: p["ndcg"])
    best_xgb = max(xgboost, key=lambda p: p["ndcg"])
    result = {
        "train_months": TRAIN_MONTHS,
        "test_months": TEST_MONTHS,
        "train_rows": len(train_rows),
        "train_groups": int(train_rows["query"].nunique()),
        "test_rows": len(test_rows),
        "test_groups": int(test_rows["query"].nunique()),
        "largest_group": int(data.groupby("query").size().max()),
        "sampled_groups": args.groups,
        "features": {"numeric": NUMBERS, "categorical": CATEGORIES},
        "slots": args.slots,
        "ensemble": points,
        "catboost": centralized,
        "xgboost": xgboost,
        "summary": {
            "best_ensemble_ndcg": best["ndcg"],
            "catboost_ndcg": centralized["ndcg"],
            "best_xgboost_ndcg": best_xgb["ndcg"],
            "ensemble_minus_catboost": round(best["ndcg"] - centralized["ndcg"], 4),
            "ensemble_minus_xgboost": round(best["ndcg"] - best_xgb["ndcg"], 4),
        },
    }
    write("ranking", result)
    plot(result)


def plot(result: Dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    series = (
        ("ensemble", result["ensemble"], "o"),
        ("CatBoostRanker", [result["catboost"]], "s"),
        ("SparkXGBRanker", result["xgboost"], "^"),
    )
    for label, points, marker in series:
        seconds = [p["fit_seconds"] for p in points]
        axes.scatter(seconds, [p["ndcg"] for p in points], marker=marker, label=label)
    axes.set(xlabel="fit seconds", ylabel="test NDCG@10 (Oct-Dec)")
    axes.set_xlim(left=0)
    axes.legend()
    figure.suptitle("Ranking flights within route and day: NDCG@10 against fit seconds")
    figure.tight_layout()
    figure.savefig(RESULTS / "ranking.png", dpi=110)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
