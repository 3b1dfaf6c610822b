"""The pure half of MLflow autologging: the shipped allowlist and the metrics of a fit."""

from __future__ import annotations

import math
from importlib import resources

import pandas as pd
import pytest

from sparkensemble import mlflow_model_allowlist
from sparkensemble.autologging import member_metrics


def test_the_allowlist_names_sparkensemble_and_every_entry_of_mlflow_s_own():
    pytest.importorskip("mlflow", reason="install the [mlflow] or [test] extra")
    builtin = resources.files("mlflow.pyspark.ml").joinpath("log_model_allowlist.txt")
    own = {line.strip() for line in builtin.read_text().splitlines()}
    own = {line for line in own if line and not line.startswith("#")}
    listed = mlflow_model_allowlist()
    assert "sparkensemble.*" in listed
    # A PipelineModel is logged only when each of its stages is allowlisted.
    assert own <= set(listed), sorted(own - set(listed))
    assert not any(line.startswith("#") for line in listed)


def test_member_metrics_give_means_and_each_member_s_and_skip_what_was_not_measured():
    members = pd.DataFrame(
        {
            "member": [0, 1],
            "best_iteration": [9, 14],
            "holdout_rmse": [2.0, 4.0],
            "holdout_r2": [0.5, math.nan],
        }
    )
    metrics = member_metrics(members, ["holdout_rmse", "holdout_r2"], seconds=3.5)
    assert metrics == {
        "fit_seconds": 3.5,
        "members": 2.0,
        "holdout_rmse_mean": 3.0,
        "holdout_r2_mean": 0.5,
        "member_0.best_iteration": 9.0,
        "member_0.holdout_rmse": 2.0,
        "member_0.holdout_r2": 0.5,
        "member_1.best_iteration": 14.0,
        "member_1.holdout_rmse": 4.0,
    }


def test_a_tracking_store_that_refuses_the_metrics_costs_a_warning_not_the_fit(autologging, caplog):
    import mlflow

    from sparkensemble.autologging import log_autologged_metrics

    members = pd.DataFrame({"member": [0], "best_iteration": [3], "holdout_auc": [0.75]})
    client = mlflow.tracking.MlflowClient()
    with mlflow.start_run() as run:
        # A deleted run refuses every write: a real store failing as a server might.
        client.delete_run(run.info.run_id)
        with caplog.at_level("WARNING", logger="sparkensemble.autologging"):
            log_autologged_metrics(members, ["holdout_auc"], seconds=1.0)
        client.restore_run(run.info.run_id)  # so that the run can end
    assert "could not log the members' metrics to MLflow" in caplog.text
    assert mlflow.get_run(run.info.run_id).data.metrics == {}
