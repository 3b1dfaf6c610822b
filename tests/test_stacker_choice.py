"""The stacker's choice between learned and equal weights: pure numpy, no Spark."""

import json

import numpy as np
import pytest

from sparkensemble.combiners import combine
from sparkensemble.linear_stacking import LinearStacker
from sparkensemble.logistic_stacking import Stacker
from sparkensemble.stacker_choice import (
    FOLDS,
    MARGIN,
    choose_linear_stacker,
    choose_stacker,
    keeps_learned,
    paired_gain,
)
from sparkensemble.tasks import CLASSIFICATION, REGRESSION
from sparkensemble.weight_choice import WeightChoice


def regression_members(rows, noise, seed):
    """Member predictions of a true signal, one noise scale per member."""
    rng = np.random.default_rng(seed)
    truth = 3.0 * rng.normal(size=rows) + 10.0
    members = np.stack([truth + rng.normal(scale=s, size=rows) for s in noise])
    return members, truth + rng.normal(scale=1.0, size=rows)


def softmax(logits):
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def class_members(rows, num_classes, noise, seed):
    """Labels drawn from known class probabilities, and members that estimate those
    probabilities with one noise scale each: with small noise, their mean is calibrated."""
    rng = np.random.default_rng(seed)
    logits = 2.0 * rng.normal(size=(rows, num_classes))
    truth = softmax(logits)
    labels = (rng.random((rows, 1)) > truth.cumsum(axis=1)).sum(axis=1)
    members = [softmax(logits + s * rng.normal(size=logits.shape)) for s in noise]
    return np.stack(members), labels


def log_loss(probability, labels):
    return -np.mean(np.log(probability[np.arange(len(labels)), labels]))


def test_equally_good_members_on_few_rows_get_equal_weights_and_score_as_the_mean():
    members, labels = regression_members(60, noise=(2.0, 2.0, 2.0), seed=1)
    stacker = choose_linear_stacker(members, labels)
    assert stacker.choice.weights == "equal" and stacker.choice.folds == FOLDS
    fresh, _ = regression_members(50, noise=(2.0, 2.0, 2.0), seed=2)
    np.testing.assert_allclose(stacker.apply(fresh), fresh.mean(axis=0), rtol=1e-12)
    assert REGRESSION.blend("stacked", stacker, 3, 1, "RMSE").weights == (1 / 3,) * 3


@pytest.mark.parametrize("num_classes", [2, 3], ids=["binary", "multiclass"])
def test_a_classifier_on_few_rows_gets_the_mean_of_probabilities(num_classes):
    proba, labels = class_members(60, num_classes, noise=(0.3, 0.3, 0.3), seed=3)
    stacker = choose_stacker(proba, labels, num_classes)
    assert stacker.choice.weights == "equal"
    fresh, _ = class_members(40, num_classes, noise=(0.3, 0.3, 0.3), seed=4)
    raw, probability = stacker.apply(fresh)
    mean_raw, mean_probability = combine(fresh, "mean")
    np.testing.assert_array_equal(raw, mean_raw)
    np.testing.assert_allclose(probability, mean_probability, rtol=1e-15)
    # The mean of probabilities is not a sum of trees: nothing to merge.
    assert CLASSIFICATION.blend("stacked", stacker, 3, num_classes, None) is None


def test_many_rows_and_one_bad_member_keep_learned_weights_that_beat_the_mean():
    members, labels = regression_members(5000, noise=(0.5, 0.5, 6.0), seed=5)
    stacker = choose_linear_stacker(members, labels)
    choice = stacker.choice
    assert choice.weights == "learned"
    gain = choice.equal["squaredError"] - choice.learned["squaredError"]
    assert gain > MARGIN * choice.standard_error
    assert stacker.weights[2] < 0.05
    fresh, truth = regression_members(5000, noise=(0.5, 0.5, 6.0), seed=6)
    stacked_mse = np.mean((stacker.apply(fresh) - truth) ** 2)
    assert stacked_mse < 0.8 * np.mean((fresh.mean(axis=0) - truth) ** 2)
    blend = REGRESSION.blend("stacked", stacker, 3, 1, "RMSE")
    assert blend.weights == tuple(stacker.weights) and blend.bias == stacker.intercept


@pytest.mark.parametrize("num_classes", [2, 3], ids=["binary", "multiclass"])
def test_a_classifier_with_many_rows_and_one_bad_member_keeps_learned_weights(num_classes):
    proba, labels = class_members(4000, num_classes, noise=(0.3, 0.3, 6.0), seed=7)
    stacker = choose_stacker(proba, labels, num_classes)
    assert stacker.choice.weights == "learned"
    fresh, truth = class_members(4000, num_classes, noise=(0.3, 0.3, 6.0), seed=8)
    _, stacked = stacker.apply(fresh)
    _, mean = combine(fresh, "mean")
    assert log_loss(stacked, truth) < log_loss(mean, truth)
    assert (stacked.argmax(1) == truth).mean() > (mean.argmax(1) == truth).mean()


def test_too_few_rows_to_cross_validate_get_equal_weights():
    members, labels = regression_members(2 * FOLDS - 1, noise=(0.1, 5.0), seed=9)
    choice = choose_linear_stacker(members, labels).choice
    assert choice == WeightChoice("equal", folds=0)


def test_a_fold_holding_one_class_gives_equal_weights():
    proba, _ = class_members(40, 2, noise=(0.5, 0.5), seed=10)
    labels = np.zeros(40, dtype=int)
    labels[-3:] = 1  # the training rows of the last fold hold class 0 only
    assert choose_stacker(proba, labels, 2).choice.weights == "equal"


def test_the_gain_is_paired_row_by_row_with_its_standard_error():
    equal = np.ones(101)
    # Learned saves 0.9 on 50 rows, 0.1 on one, and loses 0.7 on 50: 10.1 / 101 = 0.1.
    learned = np.where(np.arange(101) % 2 == 0, 0.1, 1.7)
    learned[-1] = 0.9
    gain, standard_error = paired_gain(learned, equal, None)
    assert gain == pytest.approx(0.1)
    assert standard_error == pytest.approx(np.std(equal - learned) / 10.0, rel=1e-12)
    # The same rows with weights of 2 and 1 per row: only their ratios matter.
    halves = np.where(np.arange(101) % 2 == 0, 2.0, 1.0)
    assert paired_gain(learned, equal, halves) == pytest.approx(
        paired_gain(learned, equal, halves * 1000)
    )


@pytest.mark.parametrize(
    "gains, auc, kept",
    [
        ([(0.10, 0.01), (0.04, 0.01)], 0.95, True),
        ([(0.10, 0.01), (0.02, 0.01)], 0.95, False),
        ([(0.02, 0.01), (0.04, 0.01)], 0.95, False),
        ([(0.10, 0.01), (0.04, 0.01)], 0.94, False),
    ],
    ids=["wins", "accuracy-within-the-margin", "log-loss-within-the-margin", "loses-auc"],
)
def test_a_classifier_keeps_learned_weights_only_if_it_wins_clearly_and_loses_no_auc(
    gains, auc, kept
):
    assert MARGIN == 3.0  # the cases sit on either side of three standard errors
    assert keeps_learned(gains, {"auc": auc}, {"auc": 0.95}) is kept


def test_the_choice_does_not_depend_on_the_units_of_the_weights():
    members, labels = regression_members(300, noise=(1.0, 1.5, 3.0), seed=11)
    weights = np.random.default_rng(12).uniform(0.5, 2.0, size=300)
    small = choose_linear_stacker(members, labels, weights).choice
    large = choose_linear_stacker(members, labels, weights * 1000).choice
    assert small.weights == large.weights
    assert small.standard_error == pytest.approx(large.standard_error, rel=1e-6)


def test_the_same_rows_give_the_same_stacker():
    proba, labels = class_members(500, 3, noise=(0.5, 1.0, 2.0), seed=13)
    first, again = choose_stacker(proba, labels, 3), choose_stacker(proba, labels, 3)
    assert first.choice == again.choice
    np.testing.assert_array_equal(first.coefficients, again.coefficients)


def test_an_equal_weight_linear_stacker_saves_the_weights_it_applies():
    members, labels = regression_members(60, noise=(2.0, 2.0, 2.0), seed=1)
    stacker = choose_linear_stacker(members, labels)
    saved = json.loads(json.dumps(stacker.to_json()))
    # A reader that knows nothing of the choice applies "weights" and "intercept": the mean.
    assert saved["weights"] == [1 / 3] * 3 and saved["intercept"] == 0.0
    loaded = LinearStacker.from_json(saved)
    assert loaded.choice == stacker.choice and loaded.intercept == stacker.intercept
    np.testing.assert_array_equal(loaded.weights, stacker.weights)
    assert stacker.format_version == 1


def test_a_classifier_stacker_round_trips_its_choice_and_needs_format_2_for_equal():
    proba, labels = class_members(60, 2, noise=(0.3, 0.3, 0.3), seed=3)
    stacker = choose_stacker(proba, labels, 2)
    loaded = Stacker.from_json(json.loads(json.dumps(stacker.to_json())))
    assert loaded.choice == stacker.choice and loaded.format_version == 2
    np.testing.assert_array_equal(loaded.apply(proba)[1], stacker.apply(proba)[1])


def test_a_stacker_saved_without_a_choice_applies_its_learned_weights():
    saved = {
        "coefficients": [[1.0, 1.0]],
        "intercepts": [0.5],
        "numClasses": 2,
        "numMembers": 2,
        "trainingRows": 40,
    }
    stacker = Stacker.from_json(saved)
    assert stacker.choice == WeightChoice("learned", folds=0)
    assert stacker.format_version == 1
    margins, _ = stacker.apply(np.array([[[0.5, 0.5]], [[0.2, 0.8]]]))
    np.testing.assert_allclose(margins[0, 1] - margins[0, 0], 0.5 + np.log(4.0))
