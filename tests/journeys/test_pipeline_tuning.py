"""sparkensemble as a stage: Pipeline, CrossValidator and TrainValidationSplit."""

import numpy as np
import pytest
from helpers.data import make_classification
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.evaluation import BinaryClassificationEvaluator, MulticlassClassificationEvaluator
from pyspark.ml.feature import StringIndexer, VectorAssembler
from pyspark.ml.tuning import (
    CrossValidator,
    CrossValidatorModel,
    ParamGridBuilder,
    TrainValidationSplit,
)

from sparkensemble import SampledEnsembleClassificationModel, SampledEnsembleClassifier

SMALL = {"iterations": 15, "depth": 3, "seed": 2}


@pytest.fixture(scope="module")
def raw_df(spark):
    """Plain columns and a string label, as users hold them before any feature stage."""
    x, y = make_classification(300, seed=7)
    rows = [(*map(float, row), "churn" if label else "stay") for row, label in zip(x, y)]
    return spark.createDataFrame(rows, ["a", "b", "c", "d", "e", "outcome"]).cache()


def pipeline(**kwargs):
    return Pipeline(
        stages=[
            StringIndexer(inputCol="outcome", outputCol="label"),
            VectorAssembler(inputCols=["a", "b", "c", "d", "e"], outputCol="features"),
            SampledEnsembleClassifier(**{"numMembers": 2, **SMALL, **kwargs}),
        ]
    )


def probabilities(df):
    return np.array([r.probability.toArray() for r in df.select("probability").collect()])


def test_pipeline_fits_transforms_and_round_trips(tmp_path, raw_df):
    fitted = pipeline().fit(raw_df)
    assert isinstance(fitted.stages[-1], SampledEnsembleClassificationModel)
    scored = fitted.transform(raw_df)
    assert BinaryClassificationEvaluator().evaluate(scored) > 0.85

    path = str(tmp_path / "pipeline")
    fitted.write().overwrite().save(path)
    loaded = PipelineModel.load(path)
    assert isinstance(loaded.stages[-1], SampledEnsembleClassificationModel)
    assert loaded.stages[-1].uid == fitted.stages[-1].uid
    np.testing.assert_array_equal(probabilities(loaded.transform(raw_df)), probabilities(scored))


def test_unfitted_pipeline_round_trips(tmp_path):
    path = str(tmp_path / "unfitted")
    original = pipeline(combiner="median")
    original.save(path)
    stage = Pipeline.load(path).getStages()[-1]
    assert isinstance(stage, SampledEnsembleClassifier)
    assert stage.uid == original.getStages()[-1].uid
    assert stage.getCombiner() == "median"


def test_cross_validator_tunes_ensemble_and_catboost_params_in_parallel(tmp_path, raw_df):
    estimator = pipeline()
    clf = estimator.getStages()[-1]
    grid = ParamGridBuilder().addGrid(clf.numMembers, [2, 3]).addGrid(clf.depth, [2, 4]).build()
    cv = CrossValidator(
        estimator=estimator,
        estimatorParamMaps=grid,
        evaluator=BinaryClassificationEvaluator(),
        numFolds=2,
        parallelism=2,
        seed=1,
    )
    model = cv.fit(raw_df)
    assert len(model.avgMetrics) == len(grid)
    assert all(0.7 < metric <= 1.0 for metric in model.avgMetrics)
    best = model.bestModel.stages[-1]
    best_params = grid[int(np.argmax(model.avgMetrics))]
    assert len(best.members) == best_params[clf.numMembers]
    assert best.getDepth() == best_params[clf.depth]

    path = str(tmp_path / "cv")
    model.save(path)
    loaded = CrossValidatorModel.load(path)
    assert loaded.avgMetrics == model.avgMetrics
    np.testing.assert_array_equal(
        probabilities(loaded.bestModel.transform(raw_df)),
        probabilities(model.bestModel.transform(raw_df)),
    )


def test_train_validation_split_with_a_multiclass_evaluator(multiclass_df):
    clf = SampledEnsembleClassifier(numMembers=2, **SMALL)
    grid = (
        ParamGridBuilder()
        .addGrid(clf.strategy, ["fold", "partition"])
        .addGrid(clf.combiner, ["mean", "max"])
        .addGrid(clf.learningRate, [0.05, 0.3])
        .build()
    )
    tvs = TrainValidationSplit(
        estimator=clf,
        estimatorParamMaps=grid,
        evaluator=MulticlassClassificationEvaluator(metricName="accuracy"),
        trainRatio=0.7,
        parallelism=2,
        seed=3,
    )
    model = tvs.fit(multiclass_df)
    assert len(model.validationMetrics) == 8
    assert max(model.validationMetrics) > 0.6
    assert model.bestModel.numClasses == 3


def test_fitting_with_a_param_map_does_not_change_the_estimator(binary_df):
    clf = SampledEnsembleClassifier(numMembers=2, **SMALL)
    model = clf.fit(binary_df, {clf.numMembers: 3, clf.combiner: "median"})
    assert len(model.members) == 3 and model.getCombiner() == "median"
    assert clf.getNumMembers() == 2 and clf.getCombiner() == "mean"
