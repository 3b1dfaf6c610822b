"""Every bad input the library rejects, in one table: the stage, the input, the message.

Stages: ``params`` (when a Param is set), ``fit``, ``transform``, ``save`` and ``load``.
A case marked ``before_jobs`` must fail on the driver before any Spark job runs; the
others (data problems) fail in fit's one profiling job, before any member trains, or in
Spark with our message. None may hang, pass silently or end in a raw worker traceback.

Inputs that look bad but are accepted by decision (NaN and infinite features) are pinned
at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Tuple, Type, Union

import numpy as np
import pytest
from helpers.data import files_under, make_classification, to_frame
from helpers.spark import no_spark_jobs
from py4j.protocol import Py4JJavaError
from pyspark.errors import PySparkException
from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import Vectors
from pyspark.sql import functions as F

from sparkensemble import (
    SampledEnsembleClassificationModel,
    SampledEnsembleClassifier,
    SampledEnsembleRanker,
    SampledEnsembleRegressionModel,
    SampledEnsembleRegressor,
)

SMALL = {"iterations": 10, "depth": 2, "seed": 3}
# pyspark 4 raises SparkRuntimeException for raise_error; 3.5 passes the JVM's exception on.
SPARK_ERROR = (PySparkException, Py4JJavaError)


@dataclass
class Context:
    spark: Any
    df: Any  # features (5 slots), label
    cities: Any  # city string, x double, label double
    model: SampledEnsembleClassificationModel  # fitted on df, no stacker
    city_model: SampledEnsembleClassificationModel  # inputCols=[city, x], city categorical
    other: SampledEnsembleClassificationModel  # fitted on df with another seed
    regression_model: SampledEnsembleRegressionModel  # fitted on df's features, no stacker
    tmp_path: Any
    estimator: SampledEnsembleClassifier = field(default_factory=SampledEnsembleClassifier)

    def saved(self, model=None) -> str:
        path = str(self.tmp_path / "model")
        (model or self.model).save(path)
        return path


@dataclass
class Case:
    stage: str
    name: str
    act: Callable[[Context], Any]
    message: str
    error: Union[Type[Exception], Tuple[Type[Exception], ...]] = ValueError
    before_jobs: bool = False


def fit(df, **kwargs):
    return SampledEnsembleClassifier(**{"numMembers": 2, **SMALL, **kwargs}).fit(df)


def city_frame(spark, rows=300, seed=4):
    rng = np.random.default_rng(seed)
    city = rng.integers(0, 6, size=rows)
    x = rng.normal(size=rows)
    label = ((city % 2 == 0) ^ (rng.random(rows) < 0.2)).astype(float)
    data = list(zip([f"c{c}" for c in city], x.tolist(), label.tolist()))
    return spark.createDataFrame(data, "city string, x double, label double").cache()


def fit_cities(df, **kwargs):
    return fit(df, **{"inputCols": ["city", "x"], "categoricalCols": ["city"], **kwargs})


# -- damaging a saved model, as a crash, a disk or a person might ----------------------


def load(path):
    return SampledEnsembleClassificationModel.load(path)


def _remove(path, prefix):
    for name in files_under(path):
        if name.startswith(prefix):
            os.remove(os.path.join(path, name))


def _edit_metadata(path, edit):
    for name in files_under(path):
        if name.startswith("metadata/part-"):
            full = os.path.join(path, name)
            text = open(full).read()
            open(full, "w").write(edit(text))
    _remove(path, "metadata/.")  # checksums, which would flag the edit


def missing_members(c):
    path = c.saved()
    _remove(path, "members/")
    return load(path)


def truncated_members(c):
    path = c.saved()
    for name in files_under(path):
        if name.startswith("members/") and name.endswith(".parquet"):
            full = os.path.join(path, name)
            data = open(full, "rb").read()
            open(full, "wb").write(data[: len(data) // 2])
    _remove(path, "members/.")
    return load(path)


def members_of_another_save(c):
    # As if an overwrite died after writing members/ but before metadata/.
    path, other = c.saved(), str(c.tmp_path / "other")
    c.other.save(other)
    _remove(path, "members/")
    for name in files_under(other):
        if name.startswith("members/"):
            open(os.path.join(path, name), "wb").write(open(os.path.join(other, name), "rb").read())
    return load(path)


def newer_format(c):
    path = c.saved()
    _edit_metadata(path, lambda text: json.dumps({**json.loads(text), "formatVersion": 99}))
    return load(path)


def metadata_edited_to(text):
    def act(c):
        path = c.saved()
        _edit_metadata(path, lambda _: text)
        return load(path)

    return act


def metadata_folder_lost(c):
    path = c.saved()
    _remove(path, "metadata/")
    return load(path)


def narrow_vectors(c):
    narrow = c.spark.createDataFrame([(Vectors.dense([1.0, 2.0]),)], ["features"])
    return c.model.transform(narrow).collect()


def vectors_of_two_sizes(c):
    rows = [(Vectors.dense([1.0, float(i)]), float(i % 2)) for i in range(20)]
    rows += [(Vectors.dense([1.0, 2.0, 3.0]), 0.0)]
    return fit(c.spark.createDataFrame(rows, ["features", "label"]))


def member_with_one_class(c):
    x, y = make_classification(200, seed=5)
    fold = np.where(y == 1, 0, np.arange(200) % 2)  # fold 1 holds only class 0
    return fit(to_frame(c.spark, x, y, fold=[int(f) for f in fold]), foldCol="fold")


def fit_regression(c, label, **kwargs):
    """Fit the regressor on the context's features with ``label`` as its label column."""
    estimator = SampledEnsembleRegressor(**{"numMembers": 2, **SMALL, **kwargs})
    return estimator.fit(with_label(c.df, label))


def real_label_or(bad_value):
    """A real-valued label, with ``bad_value`` on about a tenth of the rows."""
    return F.when(F.rand(1) < 0.9, F.col("label") * 3.0 + F.rand(2)).otherwise(bad_value)


def rank(df, **kwargs):
    """Fit the ranker on ``df``, whose groups are ``query`` unless told otherwise."""
    return SampledEnsembleRanker(**{"groupCol": "query", "numMembers": 2, **SMALL, **kwargs}).fit(
        df
    )


def with_query(c, value=None):
    """The context's rows with a ``query`` column: 40 groups by the features, or ``value``."""
    groups = F.pmod(F.hash(vector_to_array("features")), F.lit(40))
    return c.df.withColumn("query", groups if value is None else value)


def two_groups_of_one_member(c):
    """The rows in two groups whose hashes, under SMALL's seed, pick the same member of 2."""
    from sparkensemble.rows import group_hash

    ids = c.df.sparkSession.range(16).select(F.col("id").cast("int").alias("query"))
    member = F.pmod(group_hash("query", SMALL["seed"]), F.lit(2))
    first, second = [row.query for row in ids.where(member == 0).orderBy("query").take(2)]
    return with_query(c, F.when(F.col("label") == 1, first).otherwise(second))


def with_label(df, value):
    return df.withColumn("label", value)


def with_fold(c, value):
    return c.df.withColumn("fold", F.lit(value))


def with_flag(c, value):
    """The context's rows with a validation flag column ``valid`` set to ``value``."""
    return c.df.withColumn("valid", value)


PARAMS = (
    [
        Case(
            "params",
            f"{name}={value!r}",
            lambda c, n=name, v=value: SampledEnsembleClassifier(**{n: v}),
            message,
            error,
            True,
        )
        for name, value, message, error in [
            ("numMembers", 0, r"'numMembers'.*>= 1. Got 0", ValueError),
            ("numMembers", "five", r"numMembers", TypeError),
            ("strategy", "rows", r"'strategy'.*\['fold', 'partition'\]. Got 'rows'", ValueError),
            (
                "combiner",
                "avg",
                r"'combiner'.*\['mean', 'median', 'max', 'geometric', 'stacked'\]",
                ValueError,
            ),
            ("validationFraction", 0.0, r"'validationFraction'.*\(0, 1\)", ValueError),
            ("validationFraction", 1.0, r"'validationFraction'.*\(0, 1\)", ValueError),
            ("earlyStoppingRounds", -1, r"'earlyStoppingRounds'.*>= 0", ValueError),
            ("iterations", 0, r"'iterations'.*>= 1", ValueError),
            ("learningRate", 0.0, r"'learningRate'.*> 0", ValueError),
            ("maxRowsPerMember", 0, r"'maxRowsPerMember'.*>= 1", ValueError),
            ("stackerMaxRows", 99, r"'stackerMaxRows'.*>= 100. Got 99", ValueError),
            ("validationMaxRows", 0, r"'validationMaxRows'.*>= 1. Got 0", ValueError),
            ("maxMembers", 0, r"'maxMembers'.*>= 1. Got 0", ValueError),
            ("depth", 0, r"'depth'.*>= 1. Got 0", ValueError),
            ("l2LeafReg", -1.0, r"'l2LeafReg'.*> 0", ValueError),
            ("catboostParams", {"thread_count": 2}, r"spark.task.cpus", ValueError),
            ("catboostParams", {"random_seed": 2}, r"seed Param", ValueError),
            ("catboostParams", {"depth": 2}, r"depth Param", ValueError),
        ]
    ]
    + [
        Case(
            "params",
            f"regressor {name}={value!r}",
            lambda c, n=name, v=value: SampledEnsembleRegressor(**{n: v}),
            message,
            before_jobs=True,
        )
        for name, value, message in [
            (
                "combiner",
                "max",
                r"'combiner'.*\['mean', 'median', 'geometric', 'stacked'\]. Got 'max'",
            ),
            ("lossFunction", "Logloss", r"regression loss among \['RMSE', 'MAE'.*Got 'Logloss'"),
            ("catboostParams", {"loss_function": "MAE"}, r"use the lossFunction Param"),
        ]
    ]
    + [
        Case(
            "params",
            f"ranker {name}={value!r}",
            lambda c, n=name, v=value: SampledEnsembleRanker(**{n: v}),
            message,
            before_jobs=True,
        )
        for name, value, message in [
            ("combiner", "stacked", r"'stacked' is not offered for a ranker: its members .*"),
            ("combiner", "max", r"'combiner'.*\['mean', 'median'\]. Got 'max'"),
            ("lossFunction", "RMSE", r"ranking loss among \['YetiRank', .*Got 'RMSE'"),
            ("catboostParams", {"loss_function": "PairLogit"}, r"use the lossFunction Param"),
        ]
    ]
    + [
        Case(
            "params",
            "a grid value",
            lambda c: c.estimator.copy({c.estimator.combiner: "avg"}),
            r"'combiner'",
            before_jobs=True,
        ),
        Case(
            "params",
            "model combiner",
            lambda c: c.model.copy().setCombiner("vote"),
            r"'combiner'",
            before_jobs=True,
        ),
    ]
)

FIT_SCHEMA = [
    Case(
        "fit",
        "regressor lossFunction with a bad parameter",
        lambda c: SampledEnsembleRegressor(lossFunction="Quantile:alpha=2", **SMALL).fit(c.df),
        r"lossFunction='Quantile:alpha=2' is not valid",
        before_jobs=True,
    ),
    Case(
        "fit",
        "catboostParams key CatBoost does not know",
        lambda c: fit(c.df, catboostParams={"no_such_option": 1}),
        r"catboostParams has a key CatBoost does not know",
        before_jobs=True,
    ),
    Case(
        "fit",
        "missing label",
        lambda c: fit(c.df.drop("label")),
        r"labelCol='label' does not exist.*features",
    ),
    Case(
        "fit",
        "string label",
        lambda c: fit(with_label(c.df, F.when(F.col("label") == 1, "yes").otherwise("no"))),
        r"labelCol='label' is a string column.*StringIndexer",
    ),
    Case(
        "fit",
        "regression: string label",
        lambda c: fit_regression(c, F.col("label").cast("string")),
        r"labelCol='label' is a string column; a regression label must be numeric.*double",
    ),
    Case(
        "fit",
        "regression: partition strategy, numMembers above the input's partitions",
        lambda c: fit_regression(c, F.col("label"), strategy="partition", numMembers=9),
        r"needs numMembers=9 input partitions, but the input has \d+; repartition",
    ),
    Case(
        "fit",
        "boolean label",
        lambda c: fit(with_label(c.df, F.col("label") == 1)),
        r"labelCol='label' is boolean",
    ),
    Case(
        "fit",
        "missing features",
        lambda c: fit(c.df.drop("features")),
        r"featuresCol='features' does not exist",
    ),
    Case(
        "fit",
        "string features",
        lambda c: fit(c.df.withColumn("features", F.lit("x"))),
        r"featuresCol='features' has type string.*VectorAssembler",
    ),
    Case(
        "fit",
        "missing weight column",
        lambda c: fit(c.df, weightCol="nope"),
        r"weightCol='nope' does not exist",
    ),
    Case(
        "fit",
        "double foldCol",
        lambda c: fit(with_fold(c, 0.0), foldCol="fold"),
        r"foldCol='fold' has type double.*integer",
    ),
    Case(
        "fit",
        "foldCol with strategy='partition'",
        lambda c: fit(with_fold(c, 0), foldCol="fold", strategy="partition"),
        r"foldCol='fold'.*strategy='partition'",
    ),
    Case(
        "fit",
        "missing validationIndicatorCol",
        lambda c: fit(c.df, validationIndicatorCol="valid"),
        r"validationIndicatorCol='valid' does not exist",
        before_jobs=True,
    ),
    Case(
        "fit",
        "integer validationIndicatorCol",
        lambda c: fit(with_flag(c, F.lit(1)), validationIndicatorCol="valid"),
        r"validationIndicatorCol='valid' has type int; it must be a boolean column",
        before_jobs=True,
    ),
    Case("fit", "empty inputCols", lambda c: fit(c.cities, inputCols=[]), r"inputCols is empty"),
    Case(
        "fit",
        "inputCols names a column twice",
        lambda c: fit(c.cities, inputCols=["x", "x"]),
        r"names a column more than once",
    ),
    Case(
        "fit",
        "inputCols names a missing column",
        lambda c: fit(c.cities, inputCols=["x", "nope"]),
        r"inputCols names 'nope', which does not exist",
    ),
    Case(
        "fit",
        "string column not in categoricalCols",
        lambda c: fit(c.cities, inputCols=["city", "x"]),
        r"'city', a string column; add it to categoricalCols",
    ),
    Case(
        "fit",
        "categoricalCols outside inputCols",
        lambda c: fit(c.cities, inputCols=["x"], categoricalCols=["city"]),
        r"categoricalCols=\['city'\] are not among inputCols",
    ),
    Case(
        "fit",
        "double categorical column",
        lambda c: fit_cities(c.cities, categoricalCols=["city", "x"]),
        r"categoricalCols names 'x' of type double.*string, integer or boolean",
    ),
    Case(
        "fit",
        "categoricalCols without inputCols",
        lambda c: fit(c.cities, categoricalCols=["city"]),
        r"needs inputCols",
    ),
    Case(
        "fit",
        "ranker without groupCol",
        lambda c: SampledEnsembleRanker(**SMALL).fit(with_query(c)),
        r"groupCol is not set, and a ranker ranks rows within their group",
    ),
    Case(
        "fit",
        "ranker: missing groupCol",
        lambda c: rank(c.df),
        r"groupCol='query' does not exist in the input DataFrame",
    ),
    Case(
        "fit",
        "ranker: double groupCol",
        lambda c: rank(with_query(c, F.lit(1.5))),
        r"groupCol='query' has type double; it must be an integer or string column",
    ),
    Case(
        "fit",
        "ranker: string relevance",
        lambda c: rank(with_label(with_query(c), F.col("label").cast("string"))),
        r"labelCol='label' is a string column; relevance must be numeric",
    ),
    Case(
        "fit",
        "ranker: validationIndicatorCol",
        lambda c: rank(with_query(c).withColumn("v", F.lit(True)), validationIndicatorCol="v"),
        r"validationIndicatorCol='v' cannot be combined with groupCol.*whole groups",
    ),
    Case(
        "fit",
        "ranker: lossFunction with a bad parameter",
        lambda c: rank(with_query(c), lossFunction="StochasticRank"),
        r"lossFunction='StochasticRank' is not valid: StochasticRank requires metric",
    ),
]
for case in FIT_SCHEMA:
    case.before_jobs = True

FIT_DATA = [
    Case(
        "fit",
        "initModelPath with no saved model",
        lambda c: fit(c.df, initModelPath=str(c.tmp_path / "nothing")),
        r"initModelPath='.*nothing' cannot be grown: No saved sparkensemble stage",
    ),
    Case(
        "fit",
        "initModelPath of another task's model",
        lambda c: fit_regression(c, F.col("label"), initModelPath=c.saved()),
        r"cannot be grown: The stage .* is a .*SampledEnsembleClassificationModel, not a "
        r".*SampledEnsembleRegressionModel",
    ),
    Case(
        "fit",
        "initModelPath with other features",
        lambda c: fit_cities(c.cities, initModelPath=c.saved()),
        r"initModelPath=.* holds a model fitted on featuresCol, but this fit reads "
        r"inputCols=\['city', 'x'\]",
    ),
    Case(
        "fit",
        "initModelPath with a class its members never saw",
        lambda c: fit(
            with_label(c.df, F.when(F.rand(3) < 0.3, 2.0).otherwise(F.col("label"))),
            initModelPath=c.saved(),
        ),
        r"holds class 2, which the members of the model at initModelPath=.* never saw",
    ),
    Case(
        "fit",
        "maxMembers below numMembers",
        lambda c: fit(c.df, maxMembers=1),
        r"maxMembers=1 is below numMembers=2",
        before_jobs=True,
    ),
    Case(
        "fit",
        "null validation flags",
        lambda c: fit(
            with_flag(c, F.when(F.rand(1) < 0.2, None).otherwise(F.rand(2) < 0.2)),
            validationIndicatorCol="valid",
        ),
        r"validationIndicatorCol='valid' has \d+ null values; fill them with false",
    ),
    Case(
        "fit",
        "no row flagged for validation",
        lambda c: fit(with_flag(c, F.lit(False)), validationIndicatorCol="valid"),
        r"validationIndicatorCol='valid' is false on every row.*unset it",
    ),
    Case(
        "fit",
        "every row flagged for validation",
        lambda c: fit(with_flag(c, F.lit(True)), validationIndicatorCol="valid"),
        r"validationIndicatorCol='valid' is true on every row, so no row is left to train",
    ),
    Case("fit", "empty DataFrame", lambda c: fit(c.df.limit(0)), r"empty"),
    Case(
        "fit",
        "fewer rows than members",
        lambda c: fit(c.df.limit(3), numMembers=4),
        r"3 rows, fewer than numMembers=4",
    ),
    Case(
        "fit",
        "null labels",
        lambda c: fit(with_label(c.df, F.when(F.rand(1) < 0.1, None).otherwise(F.col("label")))),
        r"labelCol='label' has \d+ null values",
    ),
    Case(
        "fit",
        "non-integral labels",
        lambda c: fit(with_label(c.df, F.col("label") + 0.5)),
        r"labelCol='label' must hold class indices.*StringIndexer",
    ),
    Case(
        "fit",
        "negative labels",
        lambda c: fit(with_label(c.df, F.col("label") - 1)),
        r"labelCol='label' must hold class indices.*min -1.0",
    ),
    Case("fit", "a single class", lambda c: fit(with_label(c.df, F.lit(0.0))), r"single class"),
    Case(
        "fit",
        "negative weights",
        lambda c: fit(c.df.withColumn("w", F.lit(-1.0)), weightCol="w"),
        r"weightCol='w' has negative values",
    ),
    Case(
        "fit",
        "null weights",
        lambda c: fit(
            c.df.withColumn("w", F.when(F.col("label") == 1, None).otherwise(1.0)), weightCol="w"
        ),
        r"weightCol='w' has \d+ null or NaN values",
    ),
    Case(
        "fit",
        "all-zero weights",
        lambda c: fit(c.df.withColumn("w", F.lit(0.0)), weightCol="w"),
        r"weightCol='w' is zero on every row",
    ),
    Case(
        "fit",
        "foldCol outside 0..numMembers-1",
        lambda c: fit(with_fold(c, 5), foldCol="fold"),
        r"foldCol='fold' has values from 5 to 5, outside 0..1",
    ),
    Case(
        "fit",
        "vectors of different sizes",
        vectors_of_two_sizes,
        r"vectors of different sizes \(2 to 3\)",
    ),
    Case(
        "fit",
        "a member whose rows hold one class",
        member_with_one_class,
        r"member 1 could not train.*single class.*foldCol",
    ),
    # Empty partitions show only once the rows are read, so training finds this one.
    Case(
        "fit",
        "fewer non-empty partitions than members",
        lambda c: fit(c.df.repartition(3, F.lit(1)), strategy="partition", numMembers=3),
        r"needs 3 non-empty partitions, but only \d held rows.*repartition",
    ),
    *[
        Case("fit", f"regression: {name}", lambda c, label=label: fit_regression(c, label()), error)
        for name, label, error in [
            ("null labels", lambda: real_label_or(None), r"labelCol='label' has \d+ null values"),
            ("NaN labels", lambda: real_label_or(float("nan")), r"has \d+ NaN and 0 infinite"),
            ("inf labels", lambda: real_label_or(float("inf")), r"0 NaN and \d+ infinite values"),
            ("a constant label", lambda: F.lit(2.0), r"labelCol='label' is constant \(2.0\)"),
        ]
    ],
    *[
        Case("fit", f"ranker: {name}", act, error)
        for name, act, error in [
            (
                "null group ids",
                lambda c: rank(
                    with_query(c, F.when(F.col("label") == 1, F.lit(None)).otherwise(1))
                ),
                r"groupCol='query' is null on \d+ rows",
            ),
            (
                "negative relevance",
                lambda c: rank(with_label(with_query(c), F.col("label") - 1)),
                r"negative values \(min -1.0\); relevance must be >= 0",
            ),
            (
                "NaN relevance",
                lambda c: rank(with_label(with_query(c), real_label_or(float("nan")))),
                r"\d+ NaN and 0 infinite values; relevance must be a finite number",
            ),
            (
                "a constant relevance",
                lambda c: rank(with_label(with_query(c), F.lit(1.0))),
                r"labelCol='label' is 1.0 on every row.*nothing to rank",
            ),
            (
                "a group larger than a member can hold",
                lambda c: rank(with_query(c), maxRowsPerMember=5),
                r"has a group of \d+ rows \('\d+'\), more than maxRowsPerMember=5",
            ),
            (
                "fewer groups than members",
                lambda c: rank(with_query(c, F.col("label").cast("int")), numMembers=3),
                r"groupCol='query' has 2 groups, fewer than numMembers=3",
            ),
            (
                "groups that leave a member without rows",
                lambda c: rank(two_groups_of_one_member(c)),
                r"the 2 groups of groupCol='query' reach only 1 of numMembers=2 members "
                r"under seed=3.*Lower numMembers, set another seed",
            ),
            (
                "every group a single row",
                lambda c: rank(with_query(c, F.monotonically_increasing_id())),
                r"every group of groupCol='query' has a single row",
            ),
            (
                "weights that vary within a group",
                lambda c: rank(with_query(c).withColumn("w", F.rand(4) + 1), weightCol="w"),
                r"weightCol='w' varies within \d+ groups.*one value for all the rows of a group",
            ),
            (
                "a foldCol that varies within a group",
                lambda c: rank(
                    with_query(c).withColumn("f", F.col("label").cast("int")), foldCol="f"
                ),
                r"foldCol='f' varies within \d+ groups of groupCol='query'",
            ),
            (
                "partition strategy with groups across partitions",
                lambda c: rank(with_query(c), strategy="partition"),
                r"groups of groupCol='query' span more than one partition.*"
                r"repartition\(n, 'query'\)",
            ),
        ]
    ],
]

TRANSFORM = [
    Case(
        "transform",
        "vector size differs from fit",
        narrow_vectors,
        r"has a row with 2 features.*fitted on 5 features",
        SPARK_ERROR,
    ),
    Case(
        "transform",
        "output column exists",
        lambda c: c.model.transform(c.df.withColumn("prediction", F.lit(1.0))),
        r"'prediction' already exists",
        before_jobs=True,
    ),
    Case(
        "transform",
        "features column dropped",
        lambda c: c.model.transform(c.df.drop("features")),
        r"featuresCol='features' does not exist",
        before_jobs=True,
    ),
    Case(
        "transform",
        "features became a string",
        lambda c: c.model.transform(c.df.withColumn("features", F.lit("x"))),
        r"featuresCol='features' has type string",
        before_jobs=True,
    ),
    Case(
        "transform",
        "one threshold per class",
        lambda c: c.model.copy().setThresholds([0.3, 0.3, 0.4]).transform(c.df),
        r"thresholds has 3 values.*2 classes",
        before_jobs=True,
    ),
    Case(
        "transform",
        "stacked without a stacker",
        lambda c: c.model.copy().setCombiner("stacked").transform(c.df),
        r"fitted without one.*refit with combiner='stacked'",
        before_jobs=True,
    ),
    Case(
        "transform",
        "regression: varianceCol names an existing column",
        lambda c: c.regression_model.copy().setVarianceCol("label").transform(c.df),
        r"Output column 'label' already exists",
        before_jobs=True,
    ),
    Case(
        "transform",
        "regression: stacked without a stacker",
        lambda c: c.regression_model.copy().setCombiner("stacked").transform(c.df),
        r"fitted without one; refit with combiner='stacked', or choose mean, median, geometric\.",
        before_jobs=True,
    ),
    Case(
        "transform",
        "contributionsCol with a combiner that does not merge",
        lambda c: c.model.copy().setContributionsCol("why").transform(c.df),
        r"contributionsCol='why' needs a combiner that merges.*these do: geometric",
        before_jobs=True,
    ),
    Case(
        "transform",
        "nativeModel with a combiner that does not merge",
        lambda c: c.model.copy().setCombiner("median").nativeModel(),
        r"nativeModel\(\) needs a combiner that merges.*combiner='median' does not",
        before_jobs=True,
    ),
    Case(
        "save",
        "saveNativeModel in an unknown format",
        lambda c: c.model.copy().setCombiner("geometric").saveNativeModel("m.bin", format="bin"),
        r"format must be one of \['cbm', 'json', 'onnx'.*Got 'bin'",
        before_jobs=True,
    ),
    Case(
        "save",
        "saveNativeModel of a categorical model",
        lambda c: c.city_model.copy().setCombiner("geometric").saveNativeModel("m.cbm"),
        r"cannot write a merged model with categorical features",
        before_jobs=True,
    ),
    Case(
        "transform",
        "input column dropped",
        lambda c: c.city_model.transform(c.cities.drop("x")),
        r"'x', which does not exist",
        before_jobs=True,
    ),
    Case(
        "transform",
        "numeric column became a string",
        lambda c: c.city_model.transform(c.cities.withColumn("x", F.lit("high"))),
        r"'x', a string column",
        before_jobs=True,
    ),
    Case(
        "transform",
        "categorical column became a double",
        lambda c: c.city_model.transform(c.cities.withColumn("city", F.lit(1.5))),
        r"'city' of type double",
        before_jobs=True,
    ),
    Case(
        "transform",
        "categorical string became an integer",
        lambda c: c.city_model.transform(c.cities.withColumn("city", F.lit(3))),
        r"'city', a string column when the model was fitted and int now.*Cast it back to string",
        before_jobs=True,
    ),
]

SAVE = [
    Case(
        "save",
        "existing path without overwrite",
        lambda c: c.model.save(c.saved()),
        r"already exists; nothing was written.*overwrite",
        FileExistsError,
    ),
    Case(
        "save",
        "estimator onto an existing path",
        lambda c: SampledEnsembleClassifier().save(c.saved()),
        r"already exists",
        FileExistsError,
    ),
    Case(
        "save",
        "a path that is not a string",
        lambda c: c.model.write().save(c.tmp_path),
        r"path should be a string",
        TypeError,
    ),
]

LOAD = [
    Case(
        "load",
        "nothing at the path",
        lambda c: load(str(c.tmp_path / "none")),
        r"No saved sparkensemble stage at .*none",
    ),
    Case(
        "load",
        "an estimator loaded as a model",
        lambda c: load(c.saved(SampledEnsembleClassifier())),
        r"is a sparkensemble.classifier.SampledEnsembleClassifier",
    ),
    Case("load", "members/ missing", missing_members, r"model at .* is incomplete or corrupted"),
    Case("load", "members/ truncated", truncated_members, r"incomplete or corrupted"),
    Case(
        "load",
        "members of another save",
        members_of_another_save,
        r"do not match.*interrupted or mixed save",
    ),
    Case(
        "load",
        "metadata/ lost",
        metadata_folder_lost,
        r"incomplete or corrupted: metadata/ is empty",
    ),
    Case(
        "load",
        "metadata not JSON",
        metadata_edited_to("{not json"),
        r"not valid JSON; it is corrupted",
    ),
    Case(
        "load", "a newer format", newer_format, r"format 99, newer than this release reads.*upgrade"
    ),
]

CASES = PARAMS + FIT_SCHEMA + FIT_DATA + TRANSFORM + SAVE + LOAD


@pytest.fixture(scope="module")
def fitted(spark, binary_df):
    cities = city_frame(spark)
    regression = SampledEnsembleRegressor(numMembers=2, **SMALL).fit(binary_df)
    return cities, fit(binary_df), fit_cities(cities), fit(binary_df, seed=4), regression


@pytest.fixture
def context(spark, binary_df, fitted, tmp_path):
    cities, model, city_model, other, regression = fitted
    return Context(spark, binary_df, cities, model, city_model, other, regression, tmp_path)


def checked_params(estimator_class) -> dict:
    """The estimator's Params whose converter is one of the library's own checks."""
    return {
        param.name: param.typeConverter
        for param in estimator_class().params
        if getattr(param.typeConverter, "__module__", "") == "sparkensemble.param_checks"
    }


def params_cases(prefix: str) -> set:
    names = [case.name for case in CASES if case.stage == "params" and case.name.startswith(prefix)]
    return {name[len(prefix) :].split("=")[0] for name in names}


def test_the_catalogue_covers_every_stage_and_every_param_the_library_checks():
    assert {case.stage for case in CASES} == {"params", "fit", "transform", "save", "load"}
    classifier, regressor = (
        checked_params(SampledEnsembleClassifier),
        checked_params(SampledEnsembleRegressor),
    )
    assert set(classifier) - params_cases("") == set()
    # A regressor Param with the classifier's own check is covered by the classifier's case.
    own = {name for name, check in regressor.items() if classifier.get(name) is not check}
    assert own and own - params_cases("regressor ") == set()
    ranker = checked_params(SampledEnsembleRanker)
    own = {name for name, check in ranker.items() if classifier.get(name) is not check}
    assert own and own - params_cases("ranker ") == set()


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.stage}: {case.name}")
def test_bad_input_is_rejected_with_a_message_naming_the_fix(spark, context, case):
    guard = no_spark_jobs(spark) if case.before_jobs else contextlib.nullcontext()
    with pytest.raises(case.error, match=case.message), guard:
        case.act(context)


def test_nan_is_missing_and_infinities_are_extreme_values(spark):
    x, y = make_classification(300, seed=12)
    x[::15, 0], x[3::15, 0], x[6::15, 1] = np.inf, -np.inf, np.nan
    model = fit(to_frame(spark, x, y))

    def p(first):
        return model.predictProbability(Vectors.dense([first, 0.1, 0.0, 0.0, 0.0]))[1]

    # CatBoost bins +inf above every border and treats NaN as missing, ordered below all.
    assert p(np.inf) == p(1e300)
    assert p(np.nan) == p(-np.inf) == p(-1e300)
    rows = [(Vectors.dense([v, 0.1, 0.0, 0.0, 0.0]),) for v in (np.inf, -np.inf, np.nan)]
    scored = model.transform(spark.createDataFrame(rows, ["features"])).collect()
    assert all(np.isfinite(r.probability.toArray()).all() for r in scored)
