"""combiner='stacked' on Spark: out-of-fold fitting, switching, bounds and persistence."""

import numpy as np
import pytest
from helpers.data import make_classification, make_regression, to_frame
from pyspark.ml.evaluation import MulticlassClassificationEvaluator

from sparkensemble import SampledEnsembleClassificationModel, SampledEnsembleClassifier
from sparkensemble.model_bytes import deserialize_model
from sparkensemble.tasks.classification import member_probabilities

SETTINGS = {"iterations": 60, "depth": 4, "seed": 4, "validationFraction": 0.2}


def realistic(spark, rows, seed):
    """A non-linear signal with label noise, as in the post's synthetic data."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 6))
    score = x[:, 0] * x[:, 1] + np.sin(2 * x[:, 2]) + 0.7 * x[:, 3] + 0.6 * rng.normal(size=rows)
    y = (score > 0).astype(float)
    flip = rng.random(rows) < 0.05
    return to_frame(spark, x, np.where(flip, 1 - y, y), partitions=4).cache()


@pytest.fixture(scope="module")
def data(spark):
    return realistic(spark, 6000, seed=10), realistic(spark, 3000, seed=11)


@pytest.fixture(scope="module")
def stacked(data):
    train, _ = data
    return SampledEnsembleClassifier(numMembers=5, combiner="stacked", **SETTINGS).fit(train)


def evaluate(model, df, metric):
    return MulticlassClassificationEvaluator(metricName=metric).evaluate(model.transform(df))


def test_stacked_beats_or_matches_mean_on_held_out_data(stacked, data):
    _, test = data
    mean = stacked.copy().setCombiner("mean")
    # Equal weights score as the mean, up to the order in which floats are summed.
    assert evaluate(stacked, test, "logLoss") <= evaluate(mean, test, "logLoss") * (1 + 1e-12)
    assert evaluate(stacked, test, "accuracy") >= evaluate(mean, test, "accuracy") - 0.005


def test_spark_output_equals_the_stacker_applied_to_the_members(stacked, data):
    _, test = data
    rows = stacked.transform(test).select("features", "probability").limit(200).collect()
    x = np.array([r.features.toArray() for r in rows])
    members = [deserialize_model(blob) for blob in stacked.members]
    expected = stacked._state.stacker.apply(member_probabilities(members, x, 2))[1]
    got = np.array([r.probability.toArray() for r in rows])
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_the_stacker_learns_only_from_holdout_rows_and_respects_the_bound(data):
    train, _ = data
    clf = SampledEnsembleClassifier(
        numMembers=3, combiner="stacked", stackerMaxRows=150, **SETTINGS
    )
    model = clf.fit(train)
    assert model._state.stacker.training_rows == 150
    assert model.summary["holdout_rows"].sum() > 150
    again = clf.fit(train)
    np.testing.assert_array_equal(
        again._state.stacker.coefficients, model._state.stacker.coefficients
    )


def test_combiner_switches_after_fitting_in_both_directions(stacked, data):
    _, test = data
    outputs = {}
    for combiner in ("mean", "median", "max", "stacked"):
        scored = stacked.copy().setCombiner(combiner).transform(test).limit(50)
        outputs[combiner] = np.array([r.probability[1] for r in scored.collect()])
    distinct = {tuple(np.round(v, 12)) for v in outputs.values()}
    # With equal weights "stacked" is the mean; with learned ones it is a combiner of its own.
    learned = stacked.stackerChoice["weights"] == "learned"
    assert len(distinct) == (4 if learned else 3)
    assert learned or tuple(np.round(outputs["stacked"], 12)) == tuple(
        np.round(outputs["mean"], 12)
    )


def test_stacked_model_round_trips_with_its_stacker(tmp_path, stacked, data):
    _, test = data
    path = str(tmp_path / "stacked")
    stacked.save(path)
    loaded = SampledEnsembleClassificationModel.load(path)
    assert loaded.hasStacker and loaded.getCombiner() == "stacked"
    original = stacked.transform(test).select("probability").collect()
    assert loaded.transform(test).select("probability").collect() == original


def test_multiclass_stacking(spark, multiclass_df):
    model = SampledEnsembleClassifier(numMembers=3, combiner="stacked", **SETTINGS).fit(
        multiclass_df
    )
    scored = model.transform(multiclass_df)
    assert model._state.stacker.coefficients.shape == (3, 9)  # 3 classes x (3 members x 3 classes)
    probability = np.array(
        [r.probability.toArray() for r in scored.select("probability").collect()]
    )
    np.testing.assert_allclose(probability.sum(axis=1), 1.0)
    assert evaluate(model, multiclass_df, "accuracy") > 0.6


def _held_out_scores(model, test, task):
    """(stacked, mean) on ``test``: RMSE for a regressor; accuracy and AUC for a classifier."""
    from pyspark.ml.evaluation import BinaryClassificationEvaluator, RegressionEvaluator

    scores = []
    for combiner in ("stacked", "mean"):
        scored = model.copy().setCombiner(combiner).transform(test).cache()
        if task == "regression":
            scores.append({"rmse": RegressionEvaluator().evaluate(scored)})
        else:
            accuracy = MulticlassClassificationEvaluator(metricName="accuracy").evaluate(scored)
            if task == "binary":
                auc = BinaryClassificationEvaluator(rawPredictionCol="probability")
                scores.append({"accuracy": accuracy, "auc": auc.evaluate(scored)})
            else:
                scores.append({"accuracy": accuracy})
    return scores


@pytest.mark.parametrize("fraction", [0.05, 0.5], ids=["small-holdout", "large-holdout"])
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_stacked_never_loses_to_the_mean_on_held_out_rows(spark, task, fraction):
    from sparkensemble import SampledEnsembleRegressor

    if task == "regression":
        x, y = make_regression(1500, seed=20)
        estimator = SampledEnsembleRegressor
    else:
        x, y = make_classification(1500, classes=2 if task == "binary" else 3, seed=20)
        estimator = SampledEnsembleClassifier
    train, test = to_frame(spark, x[:1000], y[:1000]), to_frame(spark, x[1000:], y[1000:])
    settings = {**SETTINGS, "validationFraction": fraction}
    model = estimator(numMembers=3, combiner="stacked", **settings).fit(train)
    choice = model.stackerChoice
    assert choice["weights"] in ("learned", "equal") and choice["folds"] == 5
    assert model._state.stacker.training_rows == pytest.approx(1000 * fraction, rel=0.3)
    stacked, mean = _held_out_scores(model, test, task)
    if task == "regression":
        assert stacked["rmse"] <= 1.01 * mean["rmse"]
    else:
        assert all(stacked[name] >= mean[name] - 0.002 for name in mean)
    if choice["weights"] == "equal":
        assert stacked == pytest.approx(mean, rel=1e-12)


def test_a_binary_stacker_on_few_rows_scores_as_the_mean_and_saves_as_format_2(
    spark, binary_df, tmp_path
):
    import json
    import os

    model = SampledEnsembleClassifier(numMembers=3, combiner="stacked", **SETTINGS).fit(binary_df)
    assert model.stackerChoice["weights"] == "equal"  # 80 holdout rows, three like members
    stacked = model.transform(binary_df).select("probability").collect()
    mean = model.copy().setCombiner("mean").transform(binary_df).select("probability").collect()
    np.testing.assert_allclose(
        [r.probability.toArray() for r in stacked], [r.probability.toArray() for r in mean]
    )
    # The mean of probabilities is no single CatBoost model.
    assert "stacked" not in model._merging_combiners()
    path = str(tmp_path / "equal")
    model.save(path)
    metadata_folder = os.path.join(path, "metadata")
    part = next(name for name in os.listdir(metadata_folder) if name.startswith("part-"))
    with open(os.path.join(metadata_folder, part)) as handle:
        assert json.load(handle)["formatVersion"] == 2
    loaded = SampledEnsembleClassificationModel.load(path)
    assert loaded.stackerChoice == model.stackerChoice
    assert loaded.transform(binary_df).select("probability").collect() == stacked
