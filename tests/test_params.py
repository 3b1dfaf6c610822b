"""Params follow pyspark.ml conventions and reject bad values when they are set."""

import inspect

import pytest

from sparkensemble import (
    SampledEnsembleClassificationModel,
    SampledEnsembleClassifier,
    SampledEnsembleRegressionModel,
    SampledEnsembleRegressor,
)

ESTIMATORS = [SampledEnsembleClassifier, SampledEnsembleRegressor]


def test_defaults_are_fixed_and_documented():
    clf = SampledEnsembleClassifier()
    assert clf.getNumMembers() == 5
    assert clf.getStrategy() == "fold"
    assert clf.getCombiner() == "mean"
    assert clf.getValidationFraction() == 0.1
    assert clf.getSeed() == 0  # not pyspark's per-process hash of the class name
    assert clf.getCatboostParams() == {}
    assert not clf.isDefined(clf.learningRate)  # CatBoost chooses it
    assert "mean, median, max, geometric, stacked" in clf.explainParam("combiner")


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


def test_unset_params_keep_catboost_choosing_its_learning_rate():
    # CatBoost picks a learning rate from the data size only when neither learning_rate
    # nor l2_leaf_reg is given. Passing l2_leaf_reg, even at its default of 3, falls back
    # to a fixed 0.03, which learns far less in a few dozen iterations.
    from catboost import CatBoostClassifier
    from helpers.data import make_classification

    from sparkensemble.members import MemberSettings, catboost_model

    x, y = make_classification(3000, seed=8)
    kwargs = SampledEnsembleClassifier(iterations=40)._catboost_kwargs()
    settings = MemberSettings(2, 1, 0.1, 0, kwargs)
    ours = catboost_model(settings).fit(x, y)
    plain = CatBoostClassifier(iterations=40, random_seed=1, thread_count=1, verbose=False)
    assert ours.learning_rate_ == plain.fit(x, y).learning_rate_
    with_l2 = catboost_model(settings).set_params(l2_leaf_reg=3.0).fit(x, y)
    assert with_l2.learning_rate_ == pytest.approx(0.03)  # the fixed fallback
    assert ours.learning_rate_ != pytest.approx(0.03)


def test_model_has_no_required_constructor_arguments():
    model = SampledEnsembleClassificationModel()
    assert model.getCombiner() == "mean"
    with pytest.raises(ValueError, match="'combiner'"):
        model.setCombiner("vote")


@pytest.mark.parametrize("method", ["__init__", "setParams"])
@pytest.mark.parametrize("estimator_class", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_the_signature_has_one_keyword_per_param_with_the_params_default(estimator_class, method):
    estimator = estimator_class()
    keywords = list(inspect.signature(getattr(estimator_class, method)).parameters.values())[1:]
    assert all(keyword.kind is inspect.Parameter.KEYWORD_ONLY for keyword in keywords)
    assert sorted(k.name for k in keywords) == sorted(p.name for p in estimator.params)
    for keyword in keywords:
        param = estimator.getParam(keyword.name)
        # The defaults are read from the Params, so that changing one in params.py fails
        # here until the signature shows it too.
        expected = estimator.getOrDefault(param) if estimator.hasDefault(param) else None
        assert keyword.default == expected, keyword.name
        # As the class docstring says: each Param also has a getter and a setter.
        suffix = keyword.name[0].upper() + keyword.name[1:]
        assert hasattr(estimator, f"get{suffix}") and hasattr(estimator, f"set{suffix}")


@pytest.mark.parametrize("estimator_class", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_keywords_left_out_stay_unset_and_none_leaves_a_param_as_it_is(estimator_class):
    estimator = estimator_class(numMembers=3)
    assert estimator.isSet(estimator.numMembers) and not estimator.isSet(estimator.depth)
    # strategy="partition" reads isSet(numMembers), so a default must never count as set.
    default = estimator_class()
    assert not default.isSet(default.numMembers)
    assert estimator.setParams(numMembers=None, depth=4).getNumMembers() == 3
    assert estimator.getDepth() == 4


@pytest.mark.parametrize("estimator_class", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_an_unknown_keyword_fails_with_the_closest_and_all_valid_names(estimator_class):
    message = r"has no param 'numMembrs' \(did you mean 'numMembers'\?\); its params are \["
    with pytest.raises(TypeError, match=message + r".*'numMembers'"):
        estimator_class(numMembrs=3)
    with pytest.raises(TypeError, match=message):
        estimator_class().setParams(depth=3, numMembrs=3)
    with pytest.raises(TypeError, match=r"keyword arguments only.*got 1 positional"):
        estimator_class(3)


@pytest.mark.parametrize(
    "model_class",
    [SampledEnsembleClassificationModel, SampledEnsembleRegressionModel],
    ids=lambda cls: cls.__name__,
)
def test_models_take_no_constructor_arguments_as_pyspark_models(model_class):
    assert list(inspect.signature(model_class).parameters) == []


def test_setting_or_copying_params_builds_no_catboost_model(monkeypatch):
    # pyspark reruns every converter on copy(), once per grid point of a CrossValidator:
    # what needs CatBoost is checked at fit instead.
    import catboost

    def refuse(*args, **kwargs):
        raise AssertionError("a Param converter built a CatBoost model")

    monkeypatch.setattr(catboost.CatBoost, "__init__", refuse)
    regressor = SampledEnsembleRegressor(
        lossFunction="Quantile:alpha=0.9", catboostParams={"border_count": 32}
    )
    regressor.copy({regressor.lossFunction: "MAE", regressor.catboostParams: {"subsample": 0.5}})
    SampledEnsembleClassifier(catboostParams={"no_such_option": 1}).copy()
