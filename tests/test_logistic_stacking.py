"""The stacked combiner's pure logic: features, fit and apply, binary and multiclass."""

import numpy as np
import pytest

from sparkensemble.combiners import combine
from sparkensemble.logistic_stacking import Stacker, fit_logistic_stacker, stacker_features


def noisy_members(labels, num_classes, members=3, noise=1.0, seed=0):
    """Member probabilities that lean to the true class, each with its own noise."""
    rng = np.random.default_rng(seed)
    onehot = np.eye(num_classes)[labels]
    logits = 1.5 * onehot[None] + noise * rng.normal(size=(members, len(labels), num_classes))
    exp = np.exp(logits)
    return exp / exp.sum(axis=2, keepdims=True)


def log_loss(probability, labels):
    return -np.mean(np.log(np.clip(probability[np.arange(len(labels)), labels], 1e-12, 1)))


def test_binary_features_are_member_log_odds_and_drop_the_redundant_column():
    proba = np.array([[[0.8, 0.2], [0.5, 0.5]], [[0.1, 0.9], [0.25, 0.75]]])
    features = stacker_features(proba)
    np.testing.assert_allclose(features, [[np.log(0.25), np.log(9)], [0.0, np.log(3)]])


def test_multiclass_features_are_every_members_log_probabilities():
    proba = noisy_members(np.array([0, 1, 2, 1]), 3, members=2)
    features = stacker_features(proba)
    assert features.shape == (4, 6)
    np.testing.assert_allclose(features[1, 3:], np.log(proba[1, 1]))


@pytest.mark.parametrize("num_classes", [2, 3], ids=["binary", "multiclass"])
def test_stacker_learns_on_one_sample_and_beats_the_mean_on_another(num_classes):
    rng = np.random.default_rng(1)

    # Member 0 is informative, members 1 and 2 are mostly noise: a stacker should notice.
    def sample(n, seed):
        labels = np.random.default_rng(seed).integers(0, num_classes, size=n)
        good = noisy_members(labels, num_classes, members=1, noise=0.5, seed=seed)
        bad = noisy_members(labels, num_classes, members=2, noise=4.0, seed=seed + 1)
        return np.concatenate([good, bad]), labels

    train_proba, train_labels = sample(3000, int(rng.integers(1000)))
    test_proba, test_labels = sample(3000, 7)
    stacker = fit_logistic_stacker(train_proba, train_labels, num_classes)
    _, stacked = stacker.apply(test_proba)
    _, mean = combine(test_proba, "mean")
    np.testing.assert_allclose(stacked.sum(axis=1), 1.0)
    assert log_loss(stacked, test_labels) < log_loss(mean, test_labels)
    assert (stacked.argmax(1) == test_labels).mean() >= (mean.argmax(1) == test_labels).mean()
    weights = np.abs(stacker.coefficients).sum(axis=0)
    per_member = weights.reshape(3, -1).sum(axis=1)
    assert per_member[0] > per_member[1] and per_member[0] > per_member[2]


def test_combine_dispatches_to_the_stacker_and_requires_one():
    labels = np.array([0, 1] * 50)
    proba = noisy_members(labels, 2, seed=3)
    stacker = fit_logistic_stacker(proba, labels, 2)
    raw, probability = combine(proba, "stacked", stacker)
    np.testing.assert_allclose(probability, stacker.apply(proba)[1])
    np.testing.assert_allclose(probability[:, 1], 1 / (1 + np.exp(-(raw[:, 1] - raw[:, 0]))))
    with pytest.raises(ValueError, match="fitted without one"):
        combine(proba, "stacked")


def test_a_class_missing_from_the_stacker_rows_gets_no_probability():
    labels = np.array([0, 2] * 60)
    proba = noisy_members(labels, 3, seed=4)
    stacker = fit_logistic_stacker(proba, labels, 3)
    _, probability = stacker.apply(proba)
    assert probability.shape == (120, 3)
    assert probability[:, 1].max() < 1e-6
    assert (probability.argmax(1) == labels).mean() > 0.8


def test_single_class_rows_cannot_fit_a_stacker():
    with pytest.raises(ValueError, match="single class"):
        fit_logistic_stacker(noisy_members(np.zeros(10, dtype=int), 2), np.zeros(10), 2)


def test_weights_reach_the_regression():
    labels = np.array([0, 1] * 100)
    proba = noisy_members(labels, 2, noise=2.0, seed=5)
    plain = fit_logistic_stacker(proba, labels, 2)
    weighted = fit_logistic_stacker(proba, labels, 2, weights=np.where(labels == 1, 10.0, 1.0))
    assert weighted.intercepts[0] > plain.intercepts[0]


def test_stacker_round_trips_through_json():
    import json

    labels = np.array([0, 1, 2] * 30)
    proba = noisy_members(labels, 3, seed=6)
    stacker = fit_logistic_stacker(proba, labels, 3)
    again = Stacker.from_json(json.loads(json.dumps(stacker.to_json())))
    np.testing.assert_array_equal(again.apply(proba)[1], stacker.apply(proba)[1])
    assert again.training_rows == 90
