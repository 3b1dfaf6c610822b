"""validationIndicatorCol: flagged rows train no member, and every member validates on them."""

from __future__ import annotations

import numpy as np
import pytest
from catboost import Pool
from helpers.data import make_classification, make_regression, to_frame
from pyspark.sql import functions as F

from sparkensemble import SampledEnsembleClassifier, SampledEnsembleRegressor
from sparkensemble.features import feature_blocks
from sparkensemble.members import MemberSettings, ValidationRows, train_member
from sparkensemble.model_bytes import deserialize_model
from sparkensemble.rows import FEATURES, LABEL, ROW_HASH, hashed_rows
from sparkensemble.tasks import CLASSIFICATION, REGRESSION
from sparkensemble.tasks.base import member_outputs

SMALL = {"iterations": 30, "depth": 3, "seed": 4}


def hashes(n, seed=0):
    return np.random.default_rng(seed).integers(-(2**63), 2**63 - 1, size=n, dtype=np.int64)


def test_a_member_trains_on_all_its_rows_and_early_stops_on_the_given_ones():
    x, y = make_classification(400, seed=3)
    settings = MemberSettings(
        width=2,
        seed=1,
        validation_fraction=0.3,
        early_stopping_rounds=5,
        catboost_kwargs={"iterations": 200, "depth": 3, "learning_rate": 0.3},
    )
    validation = ValidationRows(features=x[300:], labels=y[300:])
    trained = train_member(x[:300], y[:300], hashes(300), settings, validation=validation)
    assert (trained.rows, trained.train_rows, trained.holdout_rows) == (300, 300, 100)
    model = deserialize_model(trained.model, CLASSIFICATION)
    # The holdout metric is measured on the given rows, with the model early-stopping kept.
    logloss = model.eval_metrics(Pool(x[300:], y[300:]), ["Logloss"])["Logloss"][-1]
    assert trained.metrics["holdout_logloss"] == pytest.approx(logloss, rel=1e-9)
    assert trained.best_iteration < 199  # it stopped on the given rows


def flagged_frame(spark, x, y, flagged, partitions=2):
    return to_frame(spark, x, y, partitions=partitions, valid=[bool(f) for f in flagged]).cache()


@pytest.fixture(scope="module")
def flagged(spark):
    x, y = make_classification(600, seed=8)
    flags = np.arange(600) % 5 == 0  # 120 validation rows
    return x, y, flags, flagged_frame(spark, x, y, flags)


def test_flagged_rows_train_no_member_and_every_member_is_measured_on_all_of_them(flagged):
    x, y, flags, df = flagged
    model = SampledEnsembleClassifier(numMembers=3, validationIndicatorCol="valid", **SMALL).fit(df)
    summary = model.summary
    assert summary["rows"].sum() == (~flags).sum()
    assert list(summary["holdout_rows"]) == [flags.sum()] * 3
    # Each member's holdout metric is its own logloss on exactly the flagged rows.
    pool = Pool(x[flags], y[flags])
    for blob, logloss in zip(model.members, summary["holdout_logloss"]):
        member = deserialize_model(blob, CLASSIFICATION)
        expected = member.eval_metrics(pool, ["Logloss"], ntree_start=member.tree_count_ - 1)
        assert logloss == pytest.approx(expected["Logloss"][-1], rel=1e-9)


def test_validation_max_rows_keeps_the_same_flagged_rows_for_every_member(flagged):
    _, _, _, df = flagged
    model = SampledEnsembleClassifier(
        numMembers=2, validationIndicatorCol="valid", validationMaxRows=50, **SMALL
    ).fit(df)
    assert list(model.summary["holdout_rows"]) == [50, 50]


def test_members_do_not_depend_on_the_partitioning(spark, flagged):
    x, y, flags, df = flagged
    estimator = SampledEnsembleClassifier(
        numMembers=2, validationIndicatorCol="valid", validationMaxRows=80, **SMALL
    )
    other = flagged_frame(spark, x, y, flags, partitions=5)
    assert estimator.fit(df).members == estimator.fit(other).members


def test_unset_or_empty_keeps_the_hash_holdout(flagged):
    _, _, _, df = flagged
    plain = SampledEnsembleClassifier(numMembers=2, **SMALL).fit(df.drop("valid"))
    empty = SampledEnsembleClassifier(numMembers=2, validationIndicatorCol="", **SMALL)
    assert empty.fit(df.drop("valid")).members == plain.members


def test_the_stacker_fits_on_every_member_s_outputs_on_the_flagged_rows(spark):
    x, y = make_regression(900, seed=6)
    flags = np.arange(900) % 4 == 0
    df = flagged_frame(spark, x, y, flags)
    estimator = SampledEnsembleRegressor(
        numMembers=3,
        combiner="stacked",
        validationIndicatorCol="valid",
        **{**SMALL, "iterations": 60},
    )
    model = estimator.fit(df)
    # Rebuild the stacker's rows by hand: the flagged rows in row-hash order, scored by
    # every member, and fit the task's stacker on them.
    blocks = feature_blocks(estimator, df.schema)
    rows = hashed_rows(df.where(F.col("valid")), blocks, "label", None, None, SMALL["seed"])
    rows = rows.select(ROW_HASH, LABEL, FEATURES).toPandas().sort_values(ROW_HASH)
    features = np.stack(rows[FEATURES].to_numpy()).astype(np.float64)
    members = [deserialize_model(blob, REGRESSION) for blob in model.members]
    outputs = member_outputs(REGRESSION, members, features, 1)
    expected = REGRESSION.fit_stacker(outputs, rows[LABEL].to_numpy(), 1, None)
    fitted, expected = model._state.stacker.to_json(), expected.to_json()
    assert fitted["trainingRows"] == expected["trainingRows"] == flags.sum()
    np.testing.assert_allclose(fitted["learnedWeights"], expected["learnedWeights"], rtol=1e-9)
    assert fitted["choice"]["weights"] == expected["choice"]["weights"]


def test_partition_strategy_validates_on_the_flagged_rows_too(spark, flagged):
    _, _, flags, df = flagged
    model = SampledEnsembleClassifier(
        strategy="partition", validationIndicatorCol="valid", **SMALL
    ).fit(df)
    assert model.summary["rows"].sum() == (~flags).sum()
    assert set(model.summary["holdout_rows"]) == {flags.sum()}
