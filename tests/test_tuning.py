"""fitMultiple: maps that differ only in transform-time Params share one training."""

import numpy as np
import pytest
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

from sparkensemble import SampledEnsembleClassifier
from sparkensemble.tuning import training_key

SMALL = {"iterations": 15, "seed": 23, "numMembers": 2}


def probabilities(model, df):
    return np.array([r.probability.toArray() for r in model.transform(df).collect()])


def grid(estimator):
    return (
        ParamGridBuilder()
        .addGrid(estimator.combiner, ["mean", "median", "geometric", "stacked"])
        .addGrid(estimator.depth, [2, 3])
        .build()
    )


@pytest.fixture(scope="module")
def shared(binary_df):
    """The estimator, its grid, and the models one fitMultiple call returns for it."""
    estimator = SampledEnsembleClassifier(**SMALL)
    maps = grid(estimator)
    return estimator, maps, dict(estimator.fitMultiple(binary_df, maps))


def test_only_training_params_make_a_training_key():
    estimator = SampledEnsembleClassifier()
    keys = {training_key(m) for m in grid(estimator)}
    assert len(keys) == 2


def test_a_grid_of_four_combiners_and_two_depths_trains_members_twice(shared):
    estimator, maps, models = shared
    assert sorted(models) == list(range(8))
    # Each training stamps its members' start times: two trainings, not eight.
    trainings = {tuple(m.summary["train_started_at"]) for m in models.values()}
    assert len(trainings) == 2
    for index, param_map in enumerate(maps):
        model = models[index]
        assert model.getCombiner() == param_map[estimator.combiner]
        assert model.getDepth() == param_map[estimator.depth]
        assert model.hasStacker == (model.getCombiner() == "stacked")


def test_fit_multiple_returns_the_models_separate_fits_return(binary_df, shared):
    estimator, maps, models = shared
    for index in (0, 3, 7):  # mean/depth 2, geometric/depth 3, stacked/depth 3
        alone = estimator.fit(binary_df, maps[index])
        assert models[index].members == alone.members
        assert models[index].extractParamMap() == {
            models[index].getParam(p.name): v for p, v in alone.extractParamMap().items()
        }
        np.testing.assert_array_equal(
            probabilities(models[index], binary_df), probabilities(alone, binary_df)
        )


def test_cross_validator_runs_on_shared_fits_in_parallel(binary_df):
    estimator = SampledEnsembleClassifier(**SMALL)
    cv = CrossValidator(
        estimator=estimator,
        estimatorParamMaps=grid(estimator),
        evaluator=BinaryClassificationEvaluator(),
        numFolds=2,
        parallelism=3,
        seed=2,
    ).fit(binary_df)
    assert len(cv.avgMetrics) == 8 and min(cv.avgMetrics) > 0.8
