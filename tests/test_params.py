"""Params follow pyspark.ml conventions and reject bad values when they are set."""

import pytest

from sparkensemble import SampledEnsembleClassificationModel, SampledEnsembleClassifier


def test_defaults_are_fixed_and_documented():
    clf = SampledEnsembleClassifier()
    assert clf.getNumMembers() == 5
    assert clf.getStrategy() == "fold"
    assert clf.getCombiner() == "mean"
    assert clf.getValidationFraction() == 0.1
    assert clf.getSeed() == 0  # not pyspark's per-process hash of the class name
    assert clf.getCatboostParams() == {}
    assert not clf.isDefined(clf.learningRate)  # CatBoost chooses it
    assert "mean, median, max, stacked" in clf.explainParam("combiner")


def test_constructor_set_params_and_setters_agree():
    by_constructor = SampledEnsembleClassifier(numMembers=3, depth=4, learningRate=0.05)
    by_setters = SampledEnsembleClassifier().setNumMembers(3).setDepth(4).setLearningRate(0.05)
    by_set_params = SampledEnsembleClassifier().setParams(numMembers=3, depth=4, learningRate=0.05)
    for clf in (by_setters, by_set_params):
        assert clf.extractParamMap() == {
            clf.getParam(p.name): v for p, v in by_constructor.extractParamMap().items()
        }


def test_catboost_kwargs_combine_first_class_params_and_the_dict():
    clf = SampledEnsembleClassifier(
        iterations=50, depth=4, l2LeafReg=2.0, catboostParams={"border_count": 32}
    )
    assert clf._catboost_kwargs() == {
        "iterations": 50,
        "depth": 4,
        "l2_leaf_reg": 2.0,
        "border_count": 32,
    }
    assert "learning_rate" in clf.setLearningRate(0.1)._catboost_kwargs()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"numMembers": 0}, ValueError, r"'numMembers'.*>= 1. Got 0"),
        ({"strategy": "rows"}, ValueError, r"'strategy'.*\['fold', 'partition'\]. Got 'rows'"),
        (
            {"combiner": "avg"},
            ValueError,
            r"'combiner'.*\['mean', 'median', 'max', 'stacked'\]. Got 'avg'",
        ),
        ({"validationFraction": 0.0}, ValueError, r"'validationFraction'.*\(0, 1\)"),
        ({"validationFraction": 1.0}, ValueError, r"'validationFraction'.*\(0, 1\)"),
        ({"earlyStoppingRounds": -1}, ValueError, r"'earlyStoppingRounds'.*>= 0"),
        ({"iterations": 0}, ValueError, r"'iterations'.*>= 1"),
        ({"learningRate": 0.0}, ValueError, r"'learningRate'.*> 0"),
        ({"numMembers": "five"}, TypeError, r"numMembers"),
        ({"catboostParams": {"thread_count": 2}}, ValueError, r"spark.task.cpus"),
        ({"catboostParams": {"random_seed": 2}}, ValueError, r"seed Param"),
        ({"catboostParams": {"depth": 2}}, ValueError, r"depth Param"),
    ],
    ids=lambda value: str(value) if not isinstance(value, dict) else None,
)
def test_bad_param_values_fail_when_set(kwargs, error, message):
    with pytest.raises(error, match=message):
        SampledEnsembleClassifier(**kwargs)
    with pytest.raises(error, match=message):
        SampledEnsembleClassifier().setParams(**kwargs)


def test_grid_values_are_checked_too():
    clf = SampledEnsembleClassifier()
    with pytest.raises(ValueError, match="'combiner'"):
        clf.copy({clf.combiner: "avg"})


def test_model_has_no_required_constructor_arguments():
    model = SampledEnsembleClassificationModel()
    assert model.getCombiner() == "mean"
    with pytest.raises(ValueError, match="'combiner'"):
        model.setCombiner("vote")
