"""Fit a sampled CatBoost ensemble on an embedded local Spark, save it and load it back.

    pip install "sparkensemble[spark]" && python examples/quickstart.py [--rows 200000]

Needs sparkensemble with pyspark (its ``spark`` extra; from a checkout, ``pip install
".[spark]"``) and Java 17.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from pyspark.ml.evaluation import (
    BinaryClassificationEvaluator,
    MulticlassClassificationEvaluator,
)
from pyspark.ml.functions import array_to_vector
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from sparkensemble import SampledEnsembleClassificationModel, SampledEnsembleClassifier


def synthetic(spark: SparkSession, rows: int, features: int = 20):
    """Rows made in Spark: the label depends on a few features, non-linearly, with noise."""
    x = [F.randn(seed=i) for i in range(features)]
    signal = x[0] * x[1] + F.sin(x[2] * 2) + 0.8 * x[3] - 0.5 * F.abs(x[4]) + 0.6 * F.randn(99)
    return spark.range(rows).select(
        array_to_vector(F.array(*x)).alias("features"),
        (signal > 0).cast("double").alias("label"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--iterations", type=int, default=300)
    args = parser.parse_args()

    # Python workers must run this interpreter, which has sparkensemble installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[*]")
        .appName("sparkensemble-quickstart")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")

    train, test = synthetic(spark, args.rows).randomSplit([0.7, 0.3], seed=7)
    # fit reads its input twice (once to check it, once to train), so cache what it reads
    train, test = train.cache(), test.cache()
    clf = SampledEnsembleClassifier(
        numMembers=args.members,
        strategy="fold",
        combiner="mean",
        iterations=args.iterations,
        seed=42,
    )
    started = time.perf_counter()
    model = clf.fit(train)
    print(f"Fitted {len(model.members)} members in {time.perf_counter() - started:.1f}s")
    print(
        model.summary[
            ["member", "rows", "holdout_accuracy", "holdout_auc", "best_iteration", "train_seconds"]
        ].to_string(index=False)
    )

    scored = model.transform(test)
    accuracy = MulticlassClassificationEvaluator(metricName="accuracy").evaluate(scored)
    auc = BinaryClassificationEvaluator().evaluate(scored)
    print(f"Test accuracy {accuracy:.4f}, AUC {auc:.4f}")

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "ensemble")
        model.write().overwrite().save(path)
        loaded = SampledEnsembleClassificationModel.load(path)
        same = (
            loaded.transform(test).select("prediction").collect()
            == scored.select("prediction").collect()
        )
        print(f"Saved to and reloaded from {path}: predictions identical = {same}")
    spark.stop()
    if not same:
        sys.exit("reloaded model predicts differently")


if __name__ == "__main__":
    main()
