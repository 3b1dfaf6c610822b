"""MLflow autologging: the model allowlist it reads, and the members' metrics it cannot see.

``mlflow.pyspark.ml.autolog()`` logs a fit's Params by itself. It logs a fitted model only
when the model's class is on its allowlist, which names pyspark's own models; the file
shipped here adds sparkensemble's. It logs no training metric, so a fit under
autologging logs the members' holdout metrics into the run that autologging opened.

MLflow is never imported here: a fit looks for it only if the user's code already has.
"""

from __future__ import annotations

import logging
import math
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

logger = logging.getLogger(__name__)

AUTOLOG_FLAVOR = "pyspark.ml"

# The allowlist file's path, for Spark's spark.mlflow.pysparkml.autolog.logModelAllowlistFile.
MLFLOW_MODEL_ALLOWLIST = str(Path(__file__).with_name("mlflow_model_allowlist.txt"))


def mlflow_model_allowlist() -> List[str]:
    """The class names of :data:`MLFLOW_MODEL_ALLOWLIST`, for ``autolog(log_model_allowlist=...)``.

    Spark Connect sessions have no Spark conf that MLflow can read, so there the list is
    passed to ``mlflow.pyspark.ml.autolog`` directly.

    Returns
    -------
    list of str
        Fully qualified model class names; a trailing ``*`` matches a prefix.
    """
    lines = Path(MLFLOW_MODEL_ALLOWLIST).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def member_metrics(members: Any, metric_names: Sequence[str], seconds: float) -> Dict[str, float]:
    """The run metrics of one fit: each metric's mean over members, then each member's.

    ``members`` is the members table (a pandas DataFrame). Metrics a member could not
    measure (no holdout) are NaN and left out.
    """
    metrics: Dict[str, float] = {"fit_seconds": float(seconds), "members": float(len(members))}
    for name in metric_names:
        values = [float(v) for v in members[name] if not math.isnan(float(v))]
        if values:
            metrics[f"{name}_mean"] = sum(values) / len(values)
    for member in members.itertuples():
        metrics[f"member_{member.member}.best_iteration"] = float(member.best_iteration)
        for name in metric_names:
            value = float(getattr(member, name))
            if not math.isnan(value):
                metrics[f"member_{member.member}.{name}"] = value
    return metrics


def _autologged_run_id() -> Optional[str]:
    """The active run's id when pyspark.ml autologging is on and would log to it, else None."""
    mlflow = sys.modules.get("mlflow")
    if mlflow is None:
        return None
    from mlflow.utils.autologging_utils import autologging_is_disabled, get_autologging_config

    if autologging_is_disabled(AUTOLOG_FLAVOR):
        return None
    # The active run is thread-local: a CrossValidator's fits in its pool threads see none.
    run = mlflow.active_run()
    if run is None:
        return None
    if get_autologging_config(AUTOLOG_FLAVOR, "exclusive", False):
        # An exclusive autolog writes only to runs it created, which it tags.
        from mlflow.utils.mlflow_tags import MLFLOW_AUTOLOGGING

        tags = mlflow.get_run(run.info.run_id).data.tags
        if tags.get(MLFLOW_AUTOLOGGING) != AUTOLOG_FLAVOR:
            return None
    return run.info.run_id


def log_autologged_metrics(members: Any, metric_names: Sequence[str], seconds: float) -> None:
    """Log :func:`member_metrics` to the run of an autologged fit; do nothing otherwise.

    The members are trained by then, so a tracking server that fails (unreachable, full,
    refusing) costs a warning, never the fit, as MLflow's own autologging treats its errors.
    """
    try:
        run_id = _autologged_run_id()
        if run_id is None:
            return
        import mlflow

        mlflow.log_metrics(member_metrics(members, metric_names, seconds), run_id=run_id)
    except Exception as error:  # noqa: BLE001 - any tracking failure must spare the fit
        logger.warning("sparkensemble: could not log the members' metrics to MLflow: %s", error)
