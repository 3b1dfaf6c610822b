"""Time to accuracy: each system over its main knobs, on the same data and task slots.

For every setting: fit seconds (each system's own overhead included) and test accuracy
and AUC on a 70/30 split. Systems:

- sparkensemble: members = slots (and 5 on a few settings), over iterations x depth x
  learning rate, and CatBoost's border_count (catboostParams) where it buys speed;
- xgboost.spark (num_workers = slots): n_estimators x max_depth, and on five settings its
  own speed knobs, a higher learning_rate and fewer bins (max_bin);
- centralized CatBoost and LightGBM on all cores; collecting the rows to the driver is
  timed once and reported apart.

Data: the post's make_classification at --rows, and a real one with categorical columns,
ggplot2's diamonds (from plotnine's wheel, offline): is a stone's cut "Ideal", from its
carat, colour, clarity, price and depth/table proportions. xgboost.spark gets the two
categorical columns as StringIndexer codes, as a user would give them.

Writes JSON and one PNG per dataset: every point, and each system's Pareto front. The
lead check: for every accuracy that an xgboost.spark setting reaches, the fastest
sparkensemble setting that reaches it, as a ratio of fit seconds.

    pip install -e ".[benchmarks,examples]" lightgbm
    python benchmarks/frontier.py [--rows 1000000] [--datasets blog diamonds]
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from _common import (
    RESULTS,
    blog_data,
    diamonds,
    frontier_grids,
    ideal_makespan,
    local_session,
    to_spark,
    write,
)

BORDERS_32 = {"border_count": 32}
# (members, iterations, depth, learning rate or None for CatBoost's choice, catboostParams
# or None). "slots" is the session's task slots.
OURS = [
    ("slots", 100, 6, None, None),
    ("slots", 300, 6, None, None),
    ("slots", 1000, 6, None, None),
    ("slots", 100, 8, 0.3, None),
    ("slots", 100, 8, 0.5, BORDERS_32),
    ("slots", 150, 8, 0.3, None),
    ("slots", 200, 8, 0.3, BORDERS_32),
    ("slots", 300, 8, 0.3, None),
    ("slots", 100, 9, 0.4, BORDERS_32),
    ("slots", 100, 10, 0.5, BORDERS_32),
    ("slots", 150, 10, 0.3, BORDERS_32),
    ("slots", 200, 10, 0.4, BORDERS_32),
    ("slots", 300, 10, 0.3, BORDERS_32),
    ("slots", 300, 10, 0.3, None),
    (5, 100, 8, 0.3, None),
    (5, 300, 8, 0.3, None),
    (5, 1000, 6, None, None),
]
# (n_estimators, max_depth, other xgboost parameters or None). The others mirror the
# ensemble's speed knobs: a higher learning rate and fewer histogram bins.
XGB = [(n, d, None) for n in (100, 300, 1000) for d in (6, 8)] + [
    (100, 8, {"learning_rate": 0.5, "max_bin": 32}),
    (100, 10, {"learning_rate": 0.5, "max_bin": 32}),
    (300, 8, {"max_bin": 64}),
    (300, 10, {"max_bin": 64}),
    (1000, 8, {"max_bin": 64}),
]
CENTRAL = [(1000, 6, None), (300, 8, 0.3), (300, 10, 0.3)]
LGBM = [(n, leaves) for n in (300, 1000) for leaves in (63, 255)]
DIAMOND_CATEGORIES = ["color", "clarity"]
DIAMOND_NUMBERS = ["carat", "depth", "table", "price", "x", "y", "z"]


def blog(spark, rows: int, slots: int):
    from sklearn.model_selection import train_test_split

    x, y = blog_data(rows)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=123)
    return {
        "train": to_spark(spark, x_train, y_train, slots),
        "test": to_spark(spark, x_test, y_test, slots),
        "inputs": {},
        "vector": None,
    }


def stones(spark, slots: int):
    from sklearn.model_selection import train_test_split

    frame = diamonds()
    frame["label"] = (frame["cut"] == "Ideal").astype(float)
    frame = frame[[*DIAMOND_NUMBERS, *DIAMOND_CATEGORIES, "label"]]
    train, test = train_test_split(frame, test_size=0.3, random_state=123)
    return with_categories(spark, train, test, DIAMOND_NUMBERS, DIAMOND_CATEGORIES, slots)


def with_categories(spark, train, test, numbers, categories, slots: int) -> Dict[str, Any]:
    """Cached Spark train and test sets with the categorical columns both as they are, for
    sparkensemble, and as StringIndexer codes in a features vector, for xgboost.spark."""
    from pyspark.ml.feature import StringIndexer, VectorAssembler

    codes = [f"{c}_code" for c in categories]
    indexer = StringIndexer(inputCols=categories, outputCols=codes, handleInvalid="keep")
    assembler = VectorAssembler(inputCols=numbers + codes, outputCol="features")
    spark_train = spark.createDataFrame(train).repartition(slots)
    fitted = indexer.fit(spark_train)

    def prepared(df):
        out = assembler.transform(fitted.transform(df)).cache()
        out.count()
        return out

    return {
        "train": prepared(spark_train),
        "test": prepared(spark.createDataFrame(test).repartition(slots)),
        "inputs": {"inputCols": numbers + categories, "categoricalCols": categories},
        "vector": None,
    }


def scores(scored) -> Dict[str, float]:
    from pyspark.ml.evaluation import (
        BinaryClassificationEvaluator,
        MulticlassClassificationEvaluator,
    )

    return {
        "accuracy": MulticlassClassificationEvaluator(metricName="accuracy").evaluate(scored),
        "auc": BinaryClassificationEvaluator().evaluate(scored),
    }


def timed_fit(estimator, data, score: Callable, slots: int) -> Dict[str, Any]:
    """A fit's seconds and test scores; for sparkensemble, also its members' makespan: their
    own CatBoost seconds placed on the slots, the least the fit could take."""
    started = time.perf_counter()
    model = estimator.fit(data["train"])
    seconds = time.perf_counter() - started
    timing = {"fit_seconds": round(seconds, 2)}
    if hasattr(model, "memberSeeds"):
        members = list(model.summary["train_seconds"])
        timing["members_makespan_seconds"] = round(ideal_makespan(members, slots), 2)
    return {
        **timing,
        **{k: round(v, 5) for k, v in score(model.transform(data["test"])).items()},
    }


def spark_systems(
    data,
    slots: int,
    ensemble: type,
    xgboost: type,
    ours: Sequence[tuple],
    peers: Sequence[tuple],
    score: Callable,
) -> List[Dict[str, Any]]:
    """Every setting of sparkensemble's and xgboost.spark's estimators, timed and scored."""
    points = []
    ensemble(numMembers=slots, iterations=10, **data["inputs"]).fit(
        data["train"]
    )  # warm the Python workers once, as any session that has run a job has them
    for members, iterations, depth, rate, catboost_params in ours:
        settings: Dict[str, Any] = {
            "numMembers": slots if members == "slots" else members,
            "iterations": iterations,
            "depth": depth,
        }
        if rate is not None:
            settings["learningRate"] = rate
        if catboost_params is not None:
            settings["catboostParams"] = catboost_params
        estimator = ensemble(seed=1, **settings, **data["inputs"])
        points.append(
            {"system": "sparkensemble", **settings, **timed_fit(estimator, data, score, slots)}
        )
        print(points[-1], flush=True)
    for trees, depth, others in peers:
        settings = {"n_estimators": trees, "max_depth": depth, **(others or {})}
        estimator = xgboost(num_workers=slots, seed=1, verbosity=0, **settings)
        points.append(
            {"system": "xgboost.spark", **settings, **timed_fit(estimator, data, score, slots)}
        )
        print(points[-1], flush=True)
    return points


def automatic_encoding(train, categories: List[str]) -> Dict[str, Any]:
    """The CatBoost settings sparkensemble's automatic encoding gives a pandas table."""
    from sparkensemble.encoding import choose_encoding

    levels = [int(train[c].nunique(dropna=False)) for c in categories]
    return choose_encoding(categories, range(len(categories)), levels, {}).catboost_params


def centralized(
    data,
    central: Sequence[tuple] = (),
    lgbm: Sequence[tuple] = (),
    catboost_params: Optional[Dict[str, Any]] = None,
) -> Tuple[List[Dict[str, Any]], float]:
    """Centralized CatBoost over ``central`` and LightGBM over ``lgbm`` (this module's
    grids when empty); ``catboost_params`` go to every CatBoost fit."""
    import lightgbm
    from catboost import CatBoostClassifier
    from sklearn.metrics import accuracy_score, roc_auc_score

    columns = data["inputs"].get("inputCols")
    categories = data["inputs"].get("categoricalCols", [])
    started = time.perf_counter()
    frames = {}
    for part in ("train", "test"):
        if columns:
            frames[part] = data[part].select(*columns, "label").toPandas()
        else:
            pdf = data[part].select("features", "label").toPandas()
            matrix = np.stack([v.toArray() for v in pdf["features"]])
            frames[part] = (matrix, pdf["label"].to_numpy())
    collect_seconds = time.perf_counter() - started

    def xy(part):
        if columns:
            frame = frames[part]
            return frame[columns], frame["label"].to_numpy()
        return frames[part]

    (x_train, y_train), (x_test, y_test) = xy("train"), xy("test")
    points = []

    def record(system, settings, model, seconds):
        proba = model.predict_proba(x_test)[:, 1]
        points.append(
            {
                "system": system,
                **settings,
                "fit_seconds": round(seconds, 2),
                "accuracy": round(accuracy_score(y_test, proba > 0.5), 5),
                "auc": round(roc_auc_score(y_test, proba), 5),
            }
        )
        print(points[-1], flush=True)

    for iterations, depth, rate in central or CENTRAL:
        settings = {"iterations": iterations, "depth": depth, "learning_rate": rate}
        model = CatBoostClassifier(
            thread_count=-1,
            random_seed=1,
            verbose=False,
            cat_features=categories or None,
            **{k: v for k, v in settings.items() if v is not None},
            **(catboost_params or {}),
        )
        started = time.perf_counter()
        model.fit(x_train, y_train)
        record("centralized CatBoost", settings, model, time.perf_counter() - started)
    light_train = x_train.astype({c: "category" for c in categories}) if columns else x_train
    if columns:
        x_test = x_test.astype({c: "category" for c in categories})
    for trees, leaves in lgbm or LGBM:
        model = lightgbm.LGBMClassifier(
            n_estimators=trees, num_leaves=leaves, random_state=1, verbose=-1
        )
        started = time.perf_counter()
        model.fit(light_train, y_train)
        record(
            "centralized LightGBM",
            {"n_estimators": trees, "num_leaves": leaves},
            model,
            time.perf_counter() - started,
        )
    return points, round(collect_seconds, 2)


def pareto(points: List[Dict[str, Any]], metric: str) -> List[Dict[str, Any]]:
    """The settings no other setting of the same system beats on both time and metric."""
    front, best = [], -np.inf
    for point in sorted(points, key=lambda p: (p["fit_seconds"], -p[metric])):
        if point[metric] > best:
            front.append(point)
            best = point[metric]
    return front


def _settings(point: Dict[str, Any], metric: str) -> Dict[str, Any]:
    """A point's settings, its seconds and the metric asked for."""
    other = {"accuracy", "auc", "r2", "rmse"} - {metric}
    return {k: v for k, v in point.items() if k != "system" and k not in other}


def lead(points: List[Dict[str, Any]], metric: str) -> List[Dict[str, Any]]:
    """For each xgboost.spark setting: the fastest sparkensemble setting as good or better."""
    ours = [p for p in points if p["system"] == "sparkensemble"]
    rows = []
    for peer in (p for p in points if p["system"] == "xgboost.spark"):
        good = [p for p in ours if p[metric] >= peer[metric]]
        fastest = min(good, key=lambda p: p["fit_seconds"]) if good else None
        rows.append(
            {
                "xgboost": _settings(peer, metric),
                "sparkensemble": None if fastest is None else _settings(fastest, metric),
                "time_ratio": None
                if fastest is None
                else round(fastest["fit_seconds"] / peer["fit_seconds"], 3),
            }
        )
    return rows


def plot(name: str, points: List[Dict[str, Any]], metric: str, title: str = "") -> None:
    """``frontier_<name>.png``: every point, and each system's Pareto front."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    figure, axes = plt.subplots(figsize=(8, 5))
    for system in dict.fromkeys(p["system"] for p in points):
        mine = [p for p in points if p["system"] == system]
        line = axes.plot(
            *zip(*[(p["fit_seconds"], p[metric]) for p in pareto(mine, metric)]),
            marker="o",
            label=system,
        )[0]
        axes.scatter(
            [p["fit_seconds"] for p in mine],
            [p[metric] for p in mine],
            color=line.get_color(),
            alpha=0.3,
            s=15,
        )
    axes.set_xscale("log")
    # Plain numbers at 1, 2, 5, 10, ...: the default minor labels overlap on short spans.
    axes.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axes.xaxis.set_major_formatter(ScalarFormatter())
    axes.xaxis.set_minor_formatter(NullFormatter())
    axes.set_xlabel("fit seconds (log scale), 2 task slots")
    axes.set_ylabel(f"test {metric}")
    axes.set_title(f"{title or name}: Pareto front per system; faint dots are every setting")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    RESULTS.mkdir(parents=True, exist_ok=True)
    figure.savefig(RESULTS / f"frontier_{name}.png", dpi=110)
    plt.close(figure)


def frontier_session():
    """A local[2] session and its task slots, with xgboost.spark's per-round log quietened."""
    import logging

    logging.getLogger("XGBoost-PySpark").setLevel(logging.WARNING)
    spark = local_session(2)
    return spark, spark.sparkContext.defaultParallelism


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--datasets", nargs="+", default=["blog", "diamonds"])
    parser.add_argument("--quick", action="store_true", help="two settings per system")
    args = parser.parse_args()
    ours, xgb, central, lgbm = frontier_grids(args.quick, OURS, XGB, CENTRAL, LGBM)

    from xgboost.spark import SparkXGBClassifier

    from sparkensemble import SampledEnsembleClassifier

    spark, slots = frontier_session()
    results = {}
    for name in args.datasets:
        data = blog(spark, args.rows, slots) if name == "blog" else stones(spark, slots)
        points = spark_systems(
            data, slots, SampledEnsembleClassifier, SparkXGBClassifier, ours, xgb, scores
        )
        centralized_points, collect_seconds = centralized(data, central, lgbm)
        points += centralized_points
        metric = "accuracy"
        plot(name, points, metric)
        results[name] = {
            "train_rows": data["train"].count(),
            "collect_to_driver_seconds": collect_seconds,
            "points": points,
            "pareto": {
                s: pareto([p for p in points if p["system"] == s], metric)
                for s in dict.fromkeys(p["system"] for p in points)
            },
            "lead_on_accuracy": lead(points, "accuracy"),
            "lead_on_auc": lead(points, "auc"),
        }
    write("frontier", {"rows": args.rows, "slots": slots, **results})


if __name__ == "__main__":
    main()
