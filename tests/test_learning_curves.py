"""Learning curves: each member's loss per iteration, kept, saved and drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from catboost import Pool
from helpers.data import make_classification, make_regression, to_frame

from sparkensemble import (
    SampledEnsembleClassificationModel,
    SampledEnsembleClassifier,
    SampledEnsembleRegressor,
)
from sparkensemble.learning_curves import curves_frame
from sparkensemble.members import MemberSettings, ValidationRows, train_member
from sparkensemble.model_bytes import deserialize_model
from sparkensemble.tasks import CLASSIFICATION


def test_a_member_s_holdout_curve_is_catboost_s_own_evaluation():
    x, y = make_classification(500, seed=4)
    settings = MemberSettings(
        width=2,
        seed=3,
        validation_fraction=0.2,
        early_stopping_rounds=10,
        catboost_kwargs={"iterations": 120, "depth": 3, "learning_rate": 0.3},
    )
    validation = ValidationRows(features=x[400:], labels=y[400:])
    hashes = np.arange(400, dtype=np.int64) * 7919
    trained = train_member(x[:400], y[:400], hashes, settings, validation=validation)
    assert trained.curve_metric == "Logloss"
    assert len(trained.learn_curve) == len(trained.holdout_curve) > trained.best_iteration
    # The saved member keeps the trees up to its best iteration; scoring the holdout with
    # each prefix of them gives the recorded curve.
    member = deserialize_model(trained.model, CLASSIFICATION)
    own = member.eval_metrics(Pool(x[400:], y[400:]), ["Logloss"])["Logloss"]
    np.testing.assert_allclose(trained.holdout_curve[: len(own)], own, rtol=1e-9)
    assert trained.learn_curve[-1] < trained.learn_curve[0]


def test_curves_frame_is_long_and_skips_missing_curves():
    members = pd.DataFrame(
        {
            "member": [0, 1],
            "curve_metric": ["RMSE", ""],
            "learn_curve": [[3.0, 2.0], []],
            "holdout_curve": [[3.5, 2.5], []],
        }
    )
    frame = curves_frame(members)
    assert list(frame.columns) == ["member", "iteration", "split", "metric", "value"]
    assert frame.to_dict("list") == {
        "member": [0, 0, 0, 0],
        "iteration": [0, 1, 0, 1],
        "split": ["learn", "learn", "holdout", "holdout"],
        "metric": ["RMSE"] * 4,
        "value": [3.0, 2.0, 3.5, 2.5],
    }
    assert curves_frame(members.iloc[1:]).empty


def test_curves_survive_save_and_load_and_plot(spark, tmp_path):
    x, y = make_classification(400, seed=9)
    model = SampledEnsembleClassifier(numMembers=2, iterations=25, depth=3, seed=1).fit(
        to_frame(spark, x, y)
    )
    curves = model.learningCurves
    assert set(curves["split"]) == {"learn", "holdout"}
    assert set(curves["member"]) == {0, 1} and set(curves["metric"]) == {"Logloss"}
    assert curves.groupby(["member", "split"]).size().min() > model.summary["best_iteration"].min()
    model.save(str(tmp_path / "model"))
    loaded = SampledEnsembleClassificationModel.load(str(tmp_path / "model"))
    pd.testing.assert_frame_equal(loaded.learningCurves, curves)
    import matplotlib

    matplotlib.use("Agg")
    ax = loaded.plotLearningCurves()
    assert len(ax.lines) == 4 and ax.get_ylabel() == "Logloss"


def test_a_regressor_records_its_own_loss(spark):
    x, y = make_regression(300, seed=3)
    model = SampledEnsembleRegressor(
        numMembers=2, iterations=20, depth=3, lossFunction="Quantile:alpha=0.8", seed=1
    ).fit(to_frame(spark, x, y))
    assert set(model.learningCurves["metric"]) == {"Quantile:alpha=0.8"}


def test_a_model_saved_before_curves_has_none(spark):
    fixture = Path(__file__).parent / "fixtures" / "format1" / "binary_stacked"
    model = SampledEnsembleClassificationModel.load(str(fixture))
    assert model.learningCurves.empty
    with pytest.raises(ValueError, match="saved before members kept them"):
        model.plotLearningCurves()
