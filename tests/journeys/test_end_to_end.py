"""The core user journey. This module also runs on Spark Connect (see test_connect_mode.py)."""

import logging

import numpy as np
import pandas as pd
import pytest
from helpers.data import make_classification, make_ranking, make_regression, to_frame
from helpers.spark import SPARK_MODE
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.evaluation import (
    BinaryClassificationEvaluator,
    MulticlassClassificationEvaluator,
    RegressionEvaluator,
)
from pyspark.ml.feature import VectorAssembler

from sparkensemble import (
    GroupNDCGEvaluator,
    SampledEnsembleClassificationModel,
    SampledEnsembleClassifier,
    SampledEnsembleRanker,
    SampledEnsembleRankingModel,
    SampledEnsembleRegressionModel,
    SampledEnsembleRegressor,
)

SMALL = {"iterations": 15, "depth": 3, "seed": 8}


def probabilities(df):
    return np.array([r.probability.toArray() for r in df.select("probability").collect()])


@pytest.mark.parametrize("strategy", ["fold", "partition"])
def test_fit_transform_evaluate_save_and_load(spark, tmp_path, strategy):
    x, y = make_classification(300, seed=21)
    # Cached, so both transforms read rows in the same order: on a multi-executor cluster
    # an uncached shuffle returns them in a different order each time.
    df = to_frame(spark, x, y, partitions=2).cache()
    model = SampledEnsembleClassifier(numMembers=2, strategy=strategy, **SMALL).fit(df)
    scored = model.transform(df)
    assert BinaryClassificationEvaluator().evaluate(scored) > 0.85

    path = str(tmp_path / "model")
    model.save(path)
    with pytest.raises(FileExistsError):
        model.save(path)
    model.write().overwrite().save(path)
    loaded = SampledEnsembleClassificationModel.load(path)
    assert loaded.uid == model.uid and loaded.members == model.members
    np.testing.assert_array_equal(probabilities(loaded.transform(df)), probabilities(scored))


def test_multiclass_members_are_reproducible(spark):
    x, y = make_classification(300, classes=3, seed=22)
    df = to_frame(spark, x, y, partitions=3)
    clf = SampledEnsembleClassifier(numMembers=3, **SMALL)
    first, second = clf.fit(df), clf.fit(df.repartition(5))
    assert first.members == second.members
    accuracy = MulticlassClassificationEvaluator(metricName="accuracy").evaluate(
        first.transform(df)
    )
    assert accuracy > 0.6


def test_pipeline_model_round_trip(spark, tmp_path):
    x, y = make_classification(240, seed=23)
    rows = [(*map(float, row[:3]), float(label)) for row, label in zip(x, y)]
    df = spark.createDataFrame(rows, ["a", "b", "c", "label"])
    fitted = Pipeline(
        stages=[
            VectorAssembler(inputCols=["a", "b", "c"], outputCol="features"),
            SampledEnsembleClassifier(numMembers=2, **SMALL),
        ]
    ).fit(df)
    path = str(tmp_path / "pipeline")
    fitted.write().overwrite().save(path)
    loaded = PipelineModel.load(path)
    np.testing.assert_array_equal(
        probabilities(loaded.transform(df)), probabilities(fitted.transform(df))
    )


def predictions(df):
    return np.array([r.prediction for r in df.select("prediction").collect()])


def test_regressor_fit_stack_save_load_in_a_pipeline(spark, tmp_path):
    x, y = make_regression(300, seed=24)
    rows = [(*map(float, row[:3]), float(label)) for row, label in zip(x, y)]
    df = spark.createDataFrame(rows, ["a", "b", "c", "label"]).cache()
    fitted = Pipeline(
        stages=[
            VectorAssembler(inputCols=["a", "b", "c"], outputCol="features"),
            SampledEnsembleRegressor(numMembers=2, combiner="stacked", varianceCol="var", **SMALL),
        ]
    ).fit(df)
    scored = fitted.transform(df)
    assert RegressionEvaluator(metricName="r2").evaluate(scored) > 0.6
    assert scored.where("var < 0").count() == 0
    path = str(tmp_path / "regression-pipeline")
    fitted.write().overwrite().save(path)
    loaded = PipelineModel.load(path)
    assert isinstance(loaded.stages[-1], SampledEnsembleRegressionModel)
    np.testing.assert_array_equal(predictions(loaded.transform(df)), predictions(scored))
    # The stacker's choice between learned and equal weights is saved with it.
    choice = fitted.stages[-1].stackerChoice
    assert choice["weights"] in ("learned", "equal") and choice["folds"] > 0
    assert loaded.stages[-1].stackerChoice == choice


def test_ranker_fit_evaluate_save_load_and_merge(spark, tmp_path):
    x, y, groups = make_ranking(40, seed=23)
    df = to_frame(spark, x, y, query=[int(g) for g in groups]).cache()
    model = SampledEnsembleRanker(groupCol="query", numMembers=2, **SMALL).fit(df)
    evaluator = GroupNDCGEvaluator(groupCol="query")
    ndcg = evaluator.evaluate(model.transform(df))
    assert ndcg > 0.85
    path = str(tmp_path / "ranker")
    model.save(path)
    loaded = SampledEnsembleRankingModel.load(path)
    assert loaded.uid == model.uid and loaded.members == model.members
    rows = loaded.transform(df).select("features", "prediction").collect()
    features = np.array([r.features.toArray() for r in rows])
    prediction = np.array([r.prediction for r in rows])
    np.testing.assert_allclose(loaded.nativeModel().predict(features), prediction, atol=1e-9)
    assert evaluator.evaluate(loaded.transform(df)) == ndcg


def test_partition_strategy_with_num_members_unset(spark):
    x, y = make_regression(200, seed=25)
    df = to_frame(spark, x, y, partitions=3)
    estimator = SampledEnsembleRegressor(strategy="partition", **SMALL)
    if SPARK_MODE == "connect":
        with pytest.raises(ValueError, match=r"one member per input partition.*set numMembers"):
            estimator.fit(df)
    else:
        assert len(estimator.fit(df).members) == 3


def test_geometric_merges_into_one_native_model_with_shap_contributions(spark):
    x, y = make_classification(300, seed=26)
    df = to_frame(spark, x, y, partitions=2).cache()
    model = SampledEnsembleClassifier(
        numMembers=2, combiner="geometric", contributionsCol="shap", **SMALL
    ).fit(df)
    rows = model.transform(df).select("features", "probability", "rawPrediction", "shap").collect()
    features = np.array([r.features.toArray() for r in rows])
    native = model.nativeModel().predict_proba(features)
    np.testing.assert_allclose(native, [r.probability.toArray() for r in rows], atol=1e-9)
    margins = np.array([r.rawPrediction[1] * 2 for r in rows])  # raw vector is [-m/2, m/2]
    np.testing.assert_allclose([sum(r.shap) for r in rows], margins, atol=1e-9)


def test_categorical_columns_get_an_encoding_that_is_saved_and_repeated_rows_spread(
    spark, tmp_path
):
    rng = np.random.default_rng(23)
    shop = rng.integers(0, 150, size=900)  # target statistics
    day = rng.integers(0, 7, size=900)  # one-hot
    label = (rng.random(900) < 0.2 + 0.6 * (shop % 2)).astype(float)
    rows = [(f"shop{s}", f"day{d}", float(y)) for s, d, y in zip(shop, day, label)]
    rows += rows[:300]  # a third of the rows repeat another exactly
    df = spark.createDataFrame(rows, "shop string, day string, label double").cache()
    clf = SampledEnsembleClassifier(
        numMembers=2, inputCols=["shop", "day"], categoricalCols=["shop", "day"], **SMALL
    )
    model = clf.fit(df)
    encodings = {c["name"]: c["encoding"] for c in model.categoricalEncoding["columns"]}
    assert encodings == {"shop": "target statistics", "day": "one-hot"}
    assert clf.fit(df.repartition(3)).members == model.members
    path = str(tmp_path / "categorical")
    model.save(path)
    loaded = SampledEnsembleClassificationModel.load(path)
    assert loaded.categoricalEncoding == model.categoricalEncoding
    assert BinaryClassificationEvaluator().evaluate(loaded.transform(df)) > 0.75


def test_a_grown_model_on_validation_rows_saves_loads_merges_and_scores(spark, tmp_path):
    x, y = make_classification(600, seed=27)
    flags = [bool(i % 5 == 0) for i in range(300)]
    old = to_frame(spark, x[:300], y[:300]).cache()
    new = to_frame(spark, x[300:], y[300:], valid=flags).cache()
    first = str(tmp_path / "first")
    SampledEnsembleClassifier(numMembers=2, **SMALL).fit(old).save(first)
    grower = SampledEnsembleClassifier(
        numMembers=2,
        initModelPath=first,
        maxMembers=3,
        validationIndicatorCol="valid",
        combiner="geometric",
        **SMALL,
    )
    grown = grower.fit(new)
    assert list(grown.summary["generation"]) == [0, 1, 1]
    assert list(grown.summary["holdout_rows"].iloc[1:]) == [sum(flags)] * 2
    path = str(tmp_path / "grown")
    grown.save(path)
    loaded = SampledEnsembleClassificationModel.load(path)
    assert loaded.members == grown.members
    rows = loaded.transform(new).select("features", "probability").collect()
    features = np.array([r.features.toArray() for r in rows])
    native = loaded.nativeModel().predict_proba(features)
    np.testing.assert_allclose(native, [r.probability.toArray() for r in rows], atol=1e-9)


class TagsAtProgress(logging.Handler):
    """Records the Spark Connect operation tags in force at each member-progress line."""

    def __init__(self, spark):
        super().__init__(logging.INFO)
        self.spark, self.tags = spark, []

    def emit(self, record):
        if SPARK_MODE == "connect" and record.getMessage().startswith("members trained"):
            self.tags.append(set(self.spark.getTags()))  # a copy: it is the live set


def test_a_fit_logs_its_phases_and_members_and_keeps_the_caller_s_labels(spark, binary_df, caplog):
    if SPARK_MODE == "connect":
        spark.addTag("mine")
    else:
        spark.sparkContext.setJobDescription("mine")
    seen = TagsAtProgress(spark)
    logging.getLogger("sparkensemble").addHandler(seen)
    try:
        with caplog.at_level(logging.INFO, logger="sparkensemble"):
            SampledEnsembleClassifier(numMembers=2, **SMALL).fit(binary_df)
    finally:
        logging.getLogger("sparkensemble").removeHandler(seen)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("sparkensemble")]
    expected = [
        "sparkensemble: profile the training data: started",
        "sparkensemble: train 2 members (fold): started",
        "members trained: 2/2",
        "sparkensemble: train 2 members (fold): done in",
        "sparkensemble: fit 2 members in",
        "member 1 (generation 0): best iteration",
    ]
    positions = [next(i for i, line in enumerate(lines) if line.startswith(e)) for e in expected]
    assert positions == sorted(positions), lines
    assert [line for line in lines if line.startswith("members trained")][-1].endswith("2/2")
    if SPARK_MODE == "connect":
        # Progress is reported on the thread that runs the training job, under its tags.
        assert seen.tags and all("sparkensemble: train 2 members (fold)" in t for t in seen.tags)
        assert spark.getTags() == {"mine"}
        spark.removeTag("mine")
    else:
        assert spark.sparkContext.getLocalProperty("spark.job.description") == "mine"
        spark.sparkContext.setJobDescription(None)


def test_learning_curves_survive_save_and_load(spark, binary_df, tmp_path):
    model = SampledEnsembleClassifier(numMembers=2, **SMALL).fit(binary_df)
    curves = model.learningCurves
    assert set(curves["member"]) == {0, 1} and set(curves["split"]) == {"learn", "holdout"}
    path = str(tmp_path / "model")
    model.save(path)
    loaded = SampledEnsembleClassificationModel.load(path)
    pd.testing.assert_frame_equal(loaded.learningCurves, curves)


def test_an_autologged_fit_logs_its_params_metrics_and_a_model_that_loads(spark, autologging):
    import mlflow

    # A frame of its own: autologging unpersists the frame a fit was given.
    x, y = make_classification(300, seed=31)
    binary_df = to_frame(spark, x, y).cache()
    model = SampledEnsembleClassifier(numMembers=2, **SMALL).fit(binary_df)
    run = mlflow.last_active_run()
    assert run.data.params["numMembers"] == "2" and run.data.params["depth"] == "3"
    metrics = run.data.metrics
    for member in model.summary.itertuples():
        assert metrics[f"member_{member.member}.holdout_auc"] == pytest.approx(member.holdout_auc)
    assert metrics["holdout_auc_mean"] == pytest.approx(model.summary["holdout_auc"].mean())
    loaded = mlflow.spark.load_model(
        f"runs:/{run.info.run_id}/model", dfs_tmpdir=str(autologging / "dfs")
    )
    np.testing.assert_array_equal(
        probabilities(loaded.transform(binary_df)), probabilities(model.transform(binary_df))
    )
