import numpy as np
import pytest

from sparkensemble.combiners import align_probabilities, combine, normalize_rows, predict_labels

# Three members, two rows, three classes; row sums are 1 for each member.
MEMBERS = np.array(
    [
        [[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]],
        [[0.5, 0.4, 0.1], [0.1, 0.8, 0.1]],
        [[0.1, 0.1, 0.8], [0.3, 0.3, 0.4]],
    ]
)


@pytest.mark.parametrize(
    "combiner, expected_raw",
    [
        ("mean", [[0.4, 0.8 / 3, 1.0 / 3], [0.2, 1.3 / 3, 1.1 / 3]]),
        ("median", [[0.5, 0.3, 0.1], [0.2, 0.3, 0.4]]),
        ("max", [[0.6, 0.4, 0.8], [0.3, 0.8, 0.6]]),
    ],
    ids=["mean", "median", "max"],
)
def test_combine_matches_hand_computed_values(combiner, expected_raw):
    raw, probability = combine(MEMBERS, combiner)
    expected_raw = np.array(expected_raw)
    np.testing.assert_allclose(raw, expected_raw)
    np.testing.assert_allclose(probability, expected_raw / expected_raw.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(probability.sum(axis=1), 1.0)


def test_median_and_max_rows_are_renormalised_but_mean_needs_no_scaling():
    raw_mean, prob_mean = combine(MEMBERS, "mean")
    np.testing.assert_allclose(raw_mean, prob_mean)
    raw_max, prob_max = combine(MEMBERS, "max")
    assert np.all(raw_max.sum(axis=1) > 1.0)
    np.testing.assert_allclose(prob_max.sum(axis=1), 1.0)


def test_single_member_is_returned_unchanged():
    for combiner in ("mean", "median", "max"):
        _, probability = combine(MEMBERS[:1], combiner)
        np.testing.assert_allclose(probability, MEMBERS[0])


def test_unknown_combiner_names_the_allowed_values():
    with pytest.raises(
        ValueError, match=r"'combiner'.*'mean', 'median', 'max', 'geometric', 'stacked'.*'avg'"
    ):
        combine(MEMBERS, "avg")


def test_combine_rejects_a_wrongly_shaped_input():
    with pytest.raises(ValueError, match="shape"):
        combine(MEMBERS[0], "mean")


def test_align_places_columns_under_the_member_classes():
    proba = np.array([[0.7, 0.3], [0.2, 0.8]])
    aligned = align_probabilities(proba, [0, 2], 3)
    np.testing.assert_allclose(aligned, [[0.7, 0.0, 0.3], [0.2, 0.0, 0.8]])


def test_align_keeps_a_full_member_as_is_and_rejects_foreign_classes():
    proba = np.array([[0.1, 0.2, 0.7]])
    np.testing.assert_allclose(align_probabilities(proba, [0, 1, 2], 3), proba)
    with pytest.raises(ValueError, match="outside"):
        align_probabilities(np.array([[0.5, 0.5]]), [0, 3], 3)


def test_zero_rows_become_uniform_when_normalised():
    np.testing.assert_allclose(
        normalize_rows(np.array([[0.0, 0.0], [1.0, 3.0]])), [[0.5, 0.5], [0.25, 0.75]]
    )


def test_predict_labels_argmax_and_spark_thresholds():
    probability = np.array([[0.6, 0.4], [0.3, 0.7]])
    np.testing.assert_array_equal(predict_labels(probability), [0.0, 1.0])
    # p / t: row 0 is 0.6/0.9 = 0.67 against 0.4/0.1 = 4, so class 1 wins.
    np.testing.assert_array_equal(predict_labels(probability, [0.9, 0.1]), [1.0, 1.0])
    # A zero threshold always wins, as in Spark.
    np.testing.assert_array_equal(predict_labels(probability, [0.0, 1.0]), [0.0, 0.0])
    assert predict_labels(probability).dtype == np.float64
