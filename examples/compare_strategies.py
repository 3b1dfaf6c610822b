"""The comparison from "Distributed Training with PySpark", reproduced on an embedded local Spark.

    pip install -e ".[examples]"
    python examples/compare_strategies.py [--rows 1000000] [--out compare_strategies_output]

Four strategies on the post's synthetic data (70/30 split, 5 folds of the training rows):

1. centralized CatBoost: one model per fold (trained on the other four, early stopping on
   that fold), the five averaged, as in the post;
2. fully distributed training: xgboost.spark's SparkXGBClassifier and Spark MLlib's
   GBTClassifier, each one model on all training rows, plus catboost-spark when its JAR
   is on the classpath;
3. sparkensemble members: one CatBoost member per fold, each on that fold alone;
4. the members ensembled with every combiner (mean, median, max, stacked).

Writes results.json, results.md, one KDE plot per approach and accuracy_vs_fit_time.png
to --out.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

FOLDS = 5
SEED = 123
STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", flush=True)


@dataclass
class Result:
    strategy: str
    approach: str
    accuracy: float
    fit_seconds: float
    predict_seconds: float
    note: str = ""


def blog_dataset(rows: int) -> Tuple[np.ndarray, ...]:
    """The post's data and splits: make_classification with its exact arguments, 70/30, 5 folds."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import KFold, train_test_split

    x, y = make_classification(
        n_samples=rows,
        n_features=20,
        n_informative=10,
        n_redundant=5,
        n_repeated=5,
        n_classes=2,
        n_clusters_per_class=4,
        flip_y=0.1,
        class_sep=0.75,
        random_state=SEED,
        shuffle=True,
    )
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=SEED)
    fold = np.empty(len(y_train), dtype=np.int32)
    for index, (_, held_out) in enumerate(
        KFold(n_splits=FOLDS, shuffle=True, random_state=SEED).split(x_train)
    ):
        fold[held_out] = index
    return x_train, x_test, y_train, y_test, fold


def accuracy(y_true: np.ndarray, positive_proba: np.ndarray) -> float:
    # np.rint, as the post does: 0.5 rounds to class 0, like Spark's argmax on a tie.
    return float(np.mean(np.rint(positive_proba) == y_true))


def timed(step: Callable[[], object]) -> Tuple[object, float]:
    started = time.perf_counter()
    value = step()
    return value, time.perf_counter() - started


def centralized_catboost(
    x_train, y_train, fold, x_test, y_test, iterations: int
) -> Tuple[Result, np.ndarray]:
    from catboost import CatBoostClassifier

    models, fit_seconds = [], 0.0
    for index in range(FOLDS):
        progress(f"centralized CatBoost: fold {index + 1}/{FOLDS}")
        train, held_out = fold != index, fold == index
        model = CatBoostClassifier(iterations=iterations, random_seed=SEED, verbose=0)
        started = time.perf_counter()
        model.fit(
            x_train[train],
            y_train[train],
            eval_set=(x_train[held_out], y_train[held_out]),
            use_best_model=True,
            early_stopping_rounds=100,
        )
        fit_seconds += time.perf_counter() - started
        models.append(model)
    proba, predict_seconds = timed(
        lambda: np.mean([m.predict_proba(x_test)[:, 1] for m in models], axis=0)
    )
    note = f"{FOLDS} models on 4 folds each, averaged; all cores"
    result = Result(
        "1 centralized",
        "centralized CatBoost",
        accuracy(y_test, proba),
        fit_seconds,
        predict_seconds,
        note,
    )
    return result, proba


def spark_frame(spark, x: np.ndarray, y: np.ndarray, fold: Optional[np.ndarray] = None):
    """A cached DataFrame of (features vector, label[, fold]), built through Arrow."""
    from pyspark.ml.functions import array_to_vector

    frame = pd.DataFrame({"features": list(x.astype(np.float64)), "label": y.astype(np.float64)})
    schema = "features array<double>, label double"
    if fold is not None:
        frame["fold"] = fold
        schema += ", fold int"
    df = spark.createDataFrame(frame, schema).withColumn("features", array_to_vector("features"))
    df = df.repartition(spark.sparkContext.defaultParallelism).cache()
    df.count()
    return df


Curve = Tuple[np.ndarray, np.ndarray]  # P(class 1) and the true label, per test row


def spark_positive_proba(model, test_df) -> Tuple[Curve, float]:
    """Score the test rows and bring P(class 1) back to the driver, timed together."""
    from pyspark.ml.functions import vector_to_array

    def score() -> pd.DataFrame:
        scored = model.transform(test_df).select(
            vector_to_array("probability")[1].alias("p"), "label"
        )
        return scored.toPandas()

    frame, seconds = timed(score)
    return (frame["p"].to_numpy(), frame["label"].to_numpy()), seconds


def spark_result(
    strategy: str, approach: str, estimator, train_df, test_df, note: str
) -> Tuple[Result, Curve]:
    progress(f"{approach}: fitting")
    model, fit_seconds = timed(lambda: estimator.fit(train_df))
    (proba, labels), predict_seconds = spark_positive_proba(model, test_df)
    result = Result(strategy, approach, accuracy(labels, proba), fit_seconds, predict_seconds, note)
    return result, (proba, labels)


def catboost_spark_missing(spark) -> Optional[str]:
    """Why catboost-spark cannot run here, or None when it can."""
    import importlib.util

    how = "add ai.catboost:catboost-spark_<spark>_<scala> to spark.jars.packages"
    # The JAR carries the catboost_spark Python module; Spark puts it on the path.
    if importlib.util.find_spec("catboost_spark") is None:
        return f"the catboost_spark module is not importable, so its JAR is not loaded ({how})"
    # py4j answers a JavaPackage, not a JavaClass, for a class the JVM cannot load.
    jvm_class = spark._jvm.ai.catboost.spark.CatBoostClassifier
    if type(jvm_class).__name__ != "JavaClass":
        return f"its JAR is not on the Spark classpath ({how})"
    return None


def distributed_peers(spark, train_df, test_df) -> List[Tuple[Result, Curve]]:
    from pyspark.ml.classification import GBTClassifier
    from xgboost.spark import SparkXGBClassifier

    slots = spark.sparkContext.defaultParallelism
    peers = [
        spark_result(
            "2 distributed",
            "xgboost.spark",
            SparkXGBClassifier(num_workers=slots, seed=SEED, verbosity=0, verbose=False),
            train_df,
            test_df,
            f"one model on all training rows; num_workers={slots}",
        ),
        spark_result(
            "2 distributed",
            "Spark MLlib GBT",
            GBTClassifier(seed=SEED),
            train_df,
            test_df,
            "one model on all training rows; defaults (20 trees)",
        ),
    ]
    missing = catboost_spark_missing(spark)
    if missing:
        progress(f"catboost-spark skipped: {missing}")
    else:
        import catboost_spark

        class PooledCatBoost:  # catboost-spark fits a Pool, not a DataFrame
            def fit(self, df):
                pool = catboost_spark.Pool(df.select("features", "label"))
                return catboost_spark.CatBoostClassifier(randomSeed=SEED).fit(pool)

        peers.append(
            spark_result(
                "2 distributed",
                "catboost-spark",
                PooledCatBoost(),
                train_df,
                test_df,
                "one model on all training rows",
            )
        )
    return peers


def sampled_ensemble(train_df, test_df, x_test, y_test, slots: int, iterations: int):
    from catboost import CatBoostClassifier

    from sparkensemble import SampledEnsembleClassifier

    estimator = SampledEnsembleClassifier(
        numMembers=FOLDS,
        strategy="fold",
        foldCol="fold",
        combiner="stacked",
        # each member trains on 70% of its fold and stops early on the rest, as in the post
        validationFraction=0.3,
        earlyStoppingRounds=100,
        iterations=iterations,
        seed=SEED,
    )
    progress(f"sparkensemble: fitting {FOLDS} members on {slots} task slots")
    model, fit_seconds = timed(lambda: estimator.fit(train_df))
    summary = model.summary
    results, curves = [], {}
    for member, blob in enumerate(model.members):
        booster = CatBoostClassifier().load_model(blob=blob)
        started = time.perf_counter()
        proba = booster.predict_proba(x_test)[:, 1]
        seconds = time.perf_counter() - started
        row = summary.iloc[member]
        results.append(
            Result(
                "3 members",
                f"member {member}",
                accuracy(y_test, proba),
                float(row["train_seconds"]),
                seconds,
                f"holdout accuracy {row['holdout_accuracy']:.4f} "
                f"on {int(row['holdout_rows']):,} rows",
            )
        )
    shared = "one fit (members + stacker) serves all four combiners"
    for combiner in ("mean", "median", "max", "stacked"):
        progress(f"sparkensemble: scoring with combiner={combiner}")
        scored = model.copy().setCombiner(combiner)
        (proba, labels), predict_seconds = spark_positive_proba(scored, test_df)
        note = shared if combiner != "stacked" else shared + "; logistic regression on holdouts"
        results.append(
            Result(
                "4 ensemble", combiner, accuracy(labels, proba), fit_seconds, predict_seconds, note
            )
        )
        curves[combiner] = (proba, labels)
    return results, curves


def markdown_table(results: List[Result]) -> str:
    lines = [
        "| strategy | approach | accuracy | fit s | predict s | note |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.strategy} | {r.approach} | {r.accuracy:.4f} | {r.fit_seconds:.1f} "
            f"| {r.predict_seconds:.2f} | {r.note} |"
        )
    return "\n".join(lines) + "\n"


def kde_plots(curves: Dict[str, Curve], out: Path) -> None:
    """The post's plots: the density of P(class 1), one curve per true class, per approach."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.stats import gaussian_kde

    grid = np.linspace(0, 1, 201)
    rng = np.random.default_rng(SEED)
    for approach, (proba, labels) in curves.items():
        figure, axes = plt.subplots(figsize=(8, 3.5))
        for label in (0, 1):
            values = proba[labels == label]
            # a fixed 20k-point sample per class keeps each estimate to a second
            values = rng.choice(values, size=min(len(values), 20_000), replace=False)
            axes.plot(grid, gaussian_kde(values)(grid), label=f"label {label}")
        axes.set(title=f"{approach}: P(class 1) by true class", xlabel="P(class 1)")
        axes.legend()
        figure.tight_layout()
        figure.savefig(out / f"kde_{approach.replace(' ', '_').replace('.', '_')}.png", dpi=90)
        plt.close(figure)


def accuracy_vs_fit_time(results: List[Result], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in results if r.strategy != "3 members"]
    names = [r.approach for r in shown]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    left.barh(names, [r.accuracy for r in shown], color="tab:blue")
    accuracies = [r.accuracy for r in shown]
    left.set(xlim=(min(accuracies) - 0.01, max(accuracies) + 0.015), xlabel="accuracy")
    left.invert_yaxis()
    right.barh(names, [r.fit_seconds for r in shown], color="tab:orange")
    right.set(xlabel="fit seconds")
    for axes, values, fmt in (
        (left, [r.accuracy for r in shown], "{:.4f}"),
        (right, [r.fit_seconds for r in shown], "{:.0f}"),
    ):
        for y, value in enumerate(values):
            axes.text(value, y, " " + fmt.format(value), va="center", fontsize=8)
    figure.suptitle("Test accuracy against fit time")
    figure.tight_layout()
    figure.savefig(out / "accuracy_vs_fit_time.png", dpi=90)
    plt.close(figure)


def machine(spark) -> Dict[str, object]:
    import platform

    import catboost
    import pyspark

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "task_slots": spark.sparkContext.defaultParallelism,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pyspark": pyspark.__version__,
        "catboost": catboost.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("compare_strategies_output"))
    parser.add_argument("--master", default="local[*]")
    parser.add_argument(
        "--iterations", type=int, default=1000, help="CatBoost iterations (its default: 1000)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    # Python workers must run this interpreter, which has sparkensemble installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(args.master)
        .appName("sparkensemble-compare-strategies")
        .config("spark.driver.memory", "6g")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    logging.getLogger("XGBoost-PySpark").setLevel(logging.WARNING)  # it logs per-task INFO
    slots = spark.sparkContext.defaultParallelism

    progress(f"generating the post's data at {args.rows:,} rows")
    x_train, x_test, y_train, y_test, fold = blog_dataset(args.rows)
    results: List[Result] = []
    curves: Dict[str, Curve] = {}

    central, proba = centralized_catboost(x_train, y_train, fold, x_test, y_test, args.iterations)
    results.append(central)
    curves[central.approach] = (proba, y_test)

    progress("loading the training and test rows into Spark")
    train_df = spark_frame(spark, x_train, y_train, fold)
    test_df = spark_frame(spark, x_test, y_test)
    for result, curve in distributed_peers(spark, train_df, test_df):
        results.append(result)
        curves[result.approach] = curve

    members, ensemble_curves = sampled_ensemble(
        train_df, test_df, x_test, y_test, slots, args.iterations
    )
    results.extend(members)
    curves.update(ensemble_curves)

    table = markdown_table(results)
    print("\n" + table)
    (args.out / "results.md").write_text(table)
    (args.out / "results.json").write_text(
        json.dumps(
            {
                "rows": args.rows,
                "machine": machine(spark),
                "results": [asdict(r) for r in results],
            },
            indent=2,
        )
        + "\n"
    )
    kde_plots(curves, args.out)
    accuracy_vs_fit_time(results, args.out)
    progress(f"wrote the table and plots to {args.out}/")
    spark.stop()


if __name__ == "__main__":
    main()
