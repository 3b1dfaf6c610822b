"""The regression task's pure parts: losses, label checks, combiners, stacker, metrics."""

import numpy as np
import pytest
from catboost import Pool
from helpers.data import make_regression

from sparkensemble.combiners import combine_predictions
from sparkensemble.errors import MemberDataError
from sparkensemble.linear_stacking import LinearStacker, fit_linear_stacker
from sparkensemble.members import MemberSettings, train_member
from sparkensemble.model_bytes import deserialize_model
from sparkensemble.tasks import REGRESSION
from sparkensemble.tasks.base import LabelStats, member_outputs
from sparkensemble.tasks.regression import (
    check_loss_function,
    check_loss_name,
)

STATS = {"null_labels": 0, "nan_labels": 0, "inf_labels": 0, "non_integral_labels": 7}


def regression_settings(loss="RMSE", seed=3):
    return MemberSettings(
        width=1,
        seed=seed,
        validation_fraction=0.2,
        early_stopping_rounds=0,
        catboost_kwargs={"iterations": 40, "depth": 3, "loss_function": loss},
        task="regression",
    )


def hashes(n, seed=0):
    return np.random.default_rng(seed).integers(-(2**63), 2**63 - 1, size=n, dtype=np.int64)


@pytest.mark.parametrize(
    "loss",
    ["RMSE", "MAE", "Quantile:alpha=0.9", "Huber:delta=1.0", "Poisson", "Expectile:alpha=0.3"],
)
def test_every_documented_loss_is_accepted(loss):
    assert check_loss_function(loss) == loss


@pytest.mark.parametrize(
    "loss, message",
    [
        ("Logloss", r"regression loss among \['RMSE', 'MAE'"),
        ("MultiClass", r"Got 'MultiClass' instead"),
        ("Quantile:alpha=2", r"(?i)lossFunction='Quantile:alpha=2' is not valid: .*alpha"),
        ("Quantile:alhpa=0.5", r"is not valid: .*alhpa"),
    ],
)
def test_a_classification_loss_or_a_bad_parameter_is_refused(loss, message):
    with pytest.raises(ValueError, match=message):
        check_loss_function(loss)


def test_the_name_check_refuses_a_classification_loss_and_leaves_parameters_to_fit():
    with pytest.raises(ValueError, match=r"Got 'Logloss' instead"):
        check_loss_name("Logloss")
    assert check_loss_name("Quantile:alhpa=0.5") == "Quantile:alhpa=0.5"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"nan_labels": 2}, r"2 NaN and 0 infinite values; .* must be finite"),
        ({"inf_labels": 1}, r"0 NaN and 1 infinite values"),
        ({"min_label": 4.0, "max_label": 4.0}, r"labelCol='y' is constant \(4.0\)"),
    ],
)
def test_label_checks_name_the_column_and_the_problem(change, message):
    stats = {**STATS, "min_label": -1.5, "max_label": 3.5, **change}
    with pytest.raises(ValueError, match=message):
        REGRESSION.check_labels(LabelStats(**stats), "y", None)


def test_real_valued_labels_pass_and_give_one_output():
    stats = LabelStats(**{**STATS, "min_label": -1.5, "max_label": 3.5})
    assert REGRESSION.check_labels(stats, "y", None) == 1


def test_combiners_match_their_definitions():
    predictions = np.array([[1.0, 10.0], [2.0, 30.0], [6.0, 20.0]])
    np.testing.assert_allclose(combine_predictions(predictions, "mean"), [3.0, 20.0])
    np.testing.assert_allclose(combine_predictions(predictions, "median"), [2.0, 20.0])
    stacker = LinearStacker(np.array([0.5, 0.0, 0.5]), 1.0, 3, 10)
    np.testing.assert_allclose(combine_predictions(predictions, "stacked", stacker), [4.5, 16.0])
    with pytest.raises(
        ValueError, match=r"\['mean', 'median', 'geometric', 'stacked'\]. Got 'max'"
    ):
        combine_predictions(predictions, "max")
    with pytest.raises(ValueError, match="needs a stacker"):
        combine_predictions(predictions, "stacked")


def test_score_gives_the_prediction_and_the_members_variance():
    outputs = np.array([[[1.0], [10.0]], [[3.0], [30.0]]])
    scored = REGRESSION.score(outputs, "mean", None, None)
    np.testing.assert_allclose(scored["prediction"], [2.0, 20.0])
    np.testing.assert_allclose(scored["variance"], [1.0, 100.0])


def test_the_stacker_keeps_weights_non_negative_and_fits_an_intercept():
    rng = np.random.default_rng(5)
    truth = rng.normal(size=500) * 3
    good = truth + rng.normal(scale=0.3, size=500)
    # A member anti-correlated with the noise of the others: least squares would give it
    # a negative weight; the stacker must not.
    bad = truth - 5 * (good - truth) + rng.normal(scale=2.0, size=500)
    stacker = fit_linear_stacker(np.stack([good, bad]), truth + 2.0)
    assert (stacker.weights >= 0).all()
    assert stacker.intercept == pytest.approx(2.0, abs=0.2)
    again = LinearStacker.from_json(stacker.to_json())
    np.testing.assert_array_equal(again.weights, stacker.weights)
    assert again.intercept == stacker.intercept


def test_a_regression_member_trains_on_real_values_and_reports_rmse_mae_r2():
    x, y = make_regression(400, seed=1)
    trained = train_member(x, y, hashes(400), regression_settings())
    assert set(trained.metrics) == {"holdout_rmse", "holdout_mae", "holdout_r2"}
    assert trained.metrics["holdout_r2"] > 0.5
    assert 0 < trained.metrics["holdout_mae"] <= trained.metrics["holdout_rmse"]
    model = deserialize_model(trained.model, REGRESSION)
    outputs = member_outputs(REGRESSION, [model], x[:20], 1)
    assert outputs.shape == (1, 20, 1)
    np.testing.assert_array_equal(outputs[0, :, 0], model.predict(x[:20]))


def test_holdout_metrics_agree_with_their_definitions():
    x, y = make_regression(300, seed=2)
    model = REGRESSION.catboost_model(1, 1, 1, {"iterations": 20, "depth": 2}).fit(x, y)
    metrics = REGRESSION.holdout_metrics(model, Pool(x, y), 1)
    errors = model.predict(x) - y
    assert metrics["holdout_rmse"] == pytest.approx(np.sqrt(np.mean(errors**2)))
    assert metrics["holdout_mae"] == pytest.approx(np.mean(np.abs(errors)))
    assert metrics["holdout_r2"] == pytest.approx(1 - np.mean(errors**2) / np.var(y))


def test_a_poisson_member_predicts_in_response_space():
    x, y = make_regression(300, seed=4)
    counts = np.random.default_rng(4).poisson(np.exp(0.3 * x[:, 0]))
    trained = train_member(x, counts.astype(float), hashes(300), regression_settings("Poisson"))
    model = deserialize_model(trained.model, REGRESSION)
    output = member_outputs(REGRESSION, [model], x, 1)[0, :, 0]
    raw = model.predict(x, prediction_type="RawFormulaVal")
    np.testing.assert_allclose(output, np.exp(raw))


def test_a_member_whose_rows_share_one_label_reports_a_data_error():
    x, _ = make_regression(100, seed=3)
    with pytest.raises(MemberDataError, match=r"training rows all have the label 2.5"):
        train_member(x, np.full(100, 2.5), hashes(100), regression_settings())


def test_the_profile_gathers_the_label_statistics_tasks_check(spark):
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType

    from sparkensemble.profile import label_aggregates

    frame = spark.createDataFrame([(1.5,), (float("nan"),), (None,)], "y double")
    aggregates = label_aggregates("y", DoubleType())
    row = frame.select(*[F.struct(c).alias(n) for n, c in aggregates.items()]).first()
    stats = LabelStats(**{name: row[name][0] for name in aggregates})
    assert stats == LabelStats(1, 1, 0, 1, 1.5, 1.5)


def test_the_stacker_shrinks_toward_equal_weights_when_its_rows_are_few():
    rng = np.random.default_rng(7)
    truth = rng.normal(size=30) * 3
    # Two equally good members: on 30 rows least squares favours whichever got lucky.
    members = np.stack([truth + rng.normal(scale=2.0, size=30) for _ in range(2)])
    stacker = fit_linear_stacker(members, truth)
    assert stacker.shrinkage > 0
    np.testing.assert_allclose(stacker.weights, [0.5, 0.5], atol=0.1)
    assert abs(stacker.intercept) < 0.5


def test_the_stacker_learns_unequal_weights_when_its_rows_are_many():
    rng = np.random.default_rng(8)
    truth = rng.normal(size=5000) * 3
    good = truth + rng.normal(scale=0.3, size=5000)
    noisy = truth + rng.normal(scale=3.0, size=5000)
    stacker = fit_linear_stacker(np.stack([good, noisy]), truth)
    assert stacker.weights[0] > 0.85
    assert stacker.weights[1] < 0.15


def test_a_stacker_saved_before_shrinkage_was_recorded_still_loads():
    saved = {"weights": [0.5, 0.5], "intercept": 1.0, "numMembers": 2, "trainingRows": 40}
    stacker = LinearStacker.from_json(saved)
    assert stacker.shrinkage == 0.0
    np.testing.assert_allclose(stacker.apply(np.array([[2.0], [4.0]])), [4.0])


def test_the_stacker_does_not_depend_on_the_units_of_the_weights():
    rng = np.random.default_rng(9)
    truth = rng.normal(size=60) * 3
    members = np.stack([truth + rng.normal(scale=s, size=60) for s in (1.0, 2.0)])
    weights = rng.uniform(0.5, 2.0, size=60)
    small = fit_linear_stacker(members, truth, weights)
    large = fit_linear_stacker(members, truth, weights * 1000)
    assert small.shrinkage == large.shrinkage
    np.testing.assert_allclose(small.weights, large.weights, rtol=1e-6, atol=1e-9)


def test_the_unshrunk_stacker_is_the_weighted_non_negative_fit_on_every_row():
    from scipy.optimize import lsq_linear

    rng = np.random.default_rng(10)
    truth = rng.normal(size=20_000) * 3 + 10
    members = np.stack([truth + rng.normal(scale=s, size=20_000) for s in (0.5, 1.0, 4.0)])
    weights = rng.uniform(0.5, 2.0, size=20_000)
    stacker = fit_linear_stacker(members, truth, weights)
    assert stacker.shrinkage == 0.0
    # The same problem solved directly on all 20,000 rows, with no reduction.
    root = np.sqrt(weights)[:, None]
    design = np.column_stack([members.T, np.ones(20_000)]) * root
    direct = lsq_linear(design, truth * root[:, 0], bounds=([0, 0, 0, -np.inf], np.inf)).x
    np.testing.assert_allclose(stacker.weights, direct[:3], atol=1e-6)
    assert stacker.intercept == pytest.approx(direct[3], abs=1e-5)
