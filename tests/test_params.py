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
    # nor l2_leaf_reg is given; passing its own default l2 once cost 0.013 accuracy.
    from catboost import CatBoostClassifier

    from conftest import make_classification
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
