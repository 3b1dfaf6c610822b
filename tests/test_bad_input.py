"""Bad input fails with an error that names the column or param and the fix.

Schema problems fail before any Spark job runs; data problems fail in the profiling
job, before any member trains.
"""

import numpy as np
import pytest
from pyspark.ml.linalg import Vectors
from pyspark.sql import functions as F

from conftest import make_classification, no_spark_jobs, to_frame
from sparkensemble import SampledEnsembleClassifier

SMALL = {"iterations": 10, "depth": 2, "seed": 3}


def fit(df, **kwargs):
    return SampledEnsembleClassifier(**{"numMembers": 2, **SMALL, **kwargs}).fit(df)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda df: df.drop("label"), r"labelCol='label' is not a column.*features"),
        (
            lambda df: df.withColumn("label", F.when(F.col("label") == 1, "yes").otherwise("no")),
            r"labelCol='label' is a string column.*StringIndexer",
        ),
        (lambda df: df.withColumn("label", F.col("label") == 1), r"labelCol='label' is boolean"),
        (lambda df: df.drop("features"), r"featuresCol='features' is not a column"),
        (
            lambda df: df.withColumn("features", F.lit("x")),
            r"featuresCol='features' has type string.*VectorAssembler",
        ),
    ],
    ids=["missing label", "string label", "boolean label", "missing features", "string features"],
)
def test_schema_errors_raise_before_any_spark_job(spark, binary_df, change, message):
    bad = change(binary_df)
    with pytest.raises(ValueError, match=message), no_spark_jobs(spark):
        fit(bad)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"weightCol": "nope"}, r"weightCol='nope' is not a column"),
        ({"foldCol": "label"}, r"foldCol='label' has type double.*integer"),
        ({"foldCol": "fold", "strategy": "partition"}, r"foldCol='fold'.*strategy='partition'"),
    ],
    ids=["missing weight", "double fold", "fold with partition"],
)
def test_param_and_schema_combinations_raise_before_any_spark_job(
    spark, binary_df, kwargs, message
):
    df = binary_df.withColumn("fold", F.lit(0))
    with pytest.raises(ValueError, match=message), no_spark_jobs(spark):
        fit(df, **kwargs)


@pytest.mark.parametrize(
    "change, kwargs, message",
    [
        (lambda df: df.limit(0), {}, r"empty"),
        (lambda df: df.limit(3), {"numMembers": 4}, r"3 rows, fewer than numMembers=4"),
        (
            lambda df: df.withColumn(
                "label", F.when(F.rand(1) < 0.1, None).otherwise(F.col("label"))
            ),
            {},
            r"labelCol='label' has \d+ null values",
        ),
        (
            lambda df: df.withColumn("label", F.col("label") + 0.5),
            {},
            r"labelCol='label' must hold class indices.*StringIndexer",
        ),
        (
            lambda df: df.withColumn("label", F.col("label") - 1),
            {},
            r"labelCol='label' must hold class indices.*min -1.0",
        ),
        (lambda df: df.withColumn("label", F.lit(0.0)), {}, r"single class"),
        (
            lambda df: df.withColumn("w", F.lit(-1.0)),
            {"weightCol": "w"},
            r"weightCol='w' has negative values",
        ),
        (
            lambda df: df.withColumn("w", F.when(F.col("label") == 1, None).otherwise(1.0)),
            {"weightCol": "w"},
            r"weightCol='w' has \d+ null or NaN values",
        ),
        (
            lambda df: df.withColumn("w", F.lit(0.0)),
            {"weightCol": "w"},
            r"weightCol='w' is zero on every row",
        ),
        (
            lambda df: df.withColumn("fold", F.lit(5)),
            {"foldCol": "fold"},
            r"foldCol='fold' has values from 5 to 5, outside 0..1",
        ),
    ],
    ids=[
        "empty",
        "fewer rows than members",
        "null label",
        "non-integral label",
        "negative label",
        "one class",
        "negative weight",
        "null weight",
        "all-zero weight",
        "fold out of range",
    ],
)
def test_data_errors_raise_clearly_before_training(binary_df, change, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit(change(binary_df), **kwargs)


def test_partition_strategy_with_too_few_partitions_names_the_fix(binary_df):
    # Counting partitions would execute the input's plan, so this is found by training.
    with pytest.raises(ValueError, match=r"needs 9 non-empty partitions, but only 2.*repartition"):
        fit(binary_df.repartition(2), strategy="partition", numMembers=9)


def test_vectors_of_different_sizes_are_rejected(spark):
    rows = [(Vectors.dense([1.0, float(i)]), float(i % 2)) for i in range(20)]
    rows += [(Vectors.dense([1.0, 2.0, 3.0]), 0.0)]
    with pytest.raises(ValueError, match=r"vectors of different sizes \(2 to 3\)"):
        fit(spark.createDataFrame(rows, ["features", "label"]))


def test_a_member_with_a_single_class_names_the_member_and_the_fix(spark):
    x, y = make_classification(200, seed=5)
    # Fold 1 holds only class 0 rows.
    fold = np.where(y == 1, 0, np.arange(200) % 2)
    df = to_frame(spark, x, y, fold=[int(f) for f in fold])
    with pytest.raises(ValueError, match=r"member 1 could not train.*single class.*foldCol"):
        fit(df, foldCol="fold")


def test_transform_rejects_a_different_feature_count_with_a_spark_error(spark, binary_df):
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    model = fit(binary_df)
    narrow = spark.createDataFrame([(Vectors.dense([1.0, 2.0]),)], ["features"])
    # pyspark 4 raises SparkRuntimeException; 3.5 passes the JVM's exception through as-is.
    raised = (PySparkException, Py4JJavaError)
    with pytest.raises(raised, match=r"has a row with 2 features.*fitted on 5 features"):
        model.transform(narrow).collect()


def test_transform_schema_errors_raise_before_any_spark_job(spark, binary_df):
    model = fit(binary_df)
    with pytest.raises(ValueError, match=r"'prediction' already exists"), no_spark_jobs(spark):
        model.transform(binary_df.withColumn("prediction", F.lit(1.0)))
    with (
        pytest.raises(ValueError, match=r"featuresCol='features' is not a column"),
        no_spark_jobs(spark),
    ):
        model.transform(binary_df.drop("features"))
    with (
        pytest.raises(ValueError, match=r"thresholds has 3 values.*2 classes"),
        no_spark_jobs(spark),
    ):
        model.copy().setThresholds([0.3, 0.3, 0.4]).transform(binary_df)
