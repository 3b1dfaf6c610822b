"""Fit, score, save and reload an ensemble from a Spark Connect client.

    python examples/spark_connect.py sc://localhost:15002 [--rows 20000] [--path DIR]

The client needs only sparkensemble and a Connect client: ``pyspark-client`` (or
``databricks-connect``), with no full pyspark. The members train and score in the
server's Python workers, so the server's Python needs sparkensemble, catboost, pandas and
pyarrow installed, at the client's Python version. The saved model is written by the
server, so ``--path`` is a path the server can write (a local folder for a local server).
"""

from __future__ import annotations

import argparse
import tempfile
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from sparkensemble import SampledEnsembleClassificationModel, SampledEnsembleClassifier


def synthetic(spark: SparkSession, rows: int, features: int = 8):
    """Rows made on the server: the label depends on a few features, with noise."""
    x = [F.randn(seed=i) for i in range(features)]
    signal = x[0] * x[1] + F.sin(x[2] * 2) + 0.8 * x[3] + 0.6 * F.randn(99)
    # An array of numbers is a features column too, and needs no pyspark.ml.linalg here.
    return spark.range(rows).select(
        F.array(*x).alias("features"), (signal > 0).cast("double").alias("label")
    )


def accuracy(scored) -> float:
    return scored.where(F.col("label") == F.col("prediction")).count() / scored.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("remote", help="the Spark Connect URL, such as sc://localhost:15002")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--path", help="where the server saves the model (default: a temp dir)")
    args = parser.parse_args()

    spark = SparkSession.builder.remote(args.remote).getOrCreate()
    print(f"Connected to Spark {spark.version} at {args.remote}")
    # Cached on the server: fit reads its input twice, once to check it and once to train.
    train, test = (df.cache() for df in synthetic(spark, args.rows).randomSplit([0.8, 0.2], 7))

    clf = SampledEnsembleClassifier(numMembers=2, iterations=100, depth=4, seed=42)
    started = time.perf_counter()
    model = clf.fit(train)
    print(f"Fitted {len(model.members)} members in {time.perf_counter() - started:.1f}s")
    scored = model.transform(test).select("label", "probability", "prediction").cache()
    print(f"Test accuracy {accuracy(scored):.4f}")

    path = args.path or tempfile.mkdtemp(prefix="sparkensemble-connect-")
    model.write().overwrite().save(f"{path}/model")
    clf.write().overwrite().save(f"{path}/estimator")
    loaded = SampledEnsembleClassificationModel.load(f"{path}/model")
    same = (
        loaded.transform(test).select("prediction").collect()
        == scored.select("prediction").collect()
    )
    estimator = SampledEnsembleClassifier.load(f"{path}/estimator")
    print(f"Saved to and reloaded from {path}: predictions identical = {same}")
    spark.stop()
    if not same or loaded.members != model.members or estimator.getNumMembers() != 2:
        raise SystemExit("the reloaded model or estimator differs from the saved one")


if __name__ == "__main__":
    main()
