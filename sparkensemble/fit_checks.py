"""The checks ``fit`` makes of its Params, on the driver, before any Spark job.

A Param's converter sees one value only, and pyspark runs it again on every ``copy()``;
what depends on several Params, or on CatBoost accepting a setting, is checked here, once
per fit. No Spark here.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from sparkensemble.tasks import EnsembleTask


def check_fit_params(estimator: Any, task: EnsembleTask) -> None:
    """Refuse combinations of ``estimator``'s Params, and what CatBoost would not take."""
    combiner = estimator.getCombiner()
    if combiner == "stacked" and importlib.util.find_spec("sklearn") is None:
        raise ImportError(
            "combiner='stacked' fits its stacker with scikit-learn, which is not installed; "
            "pip install 'sparkensemble[stacking]'."
        )
    if estimator.isDefined(estimator.foldCol) and estimator.getStrategy() != "fold":
        raise ValueError(
            f"foldCol={estimator.getFoldCol()!r} assigns rows to folds, but "
            f"strategy={estimator.getStrategy()!r}; use strategy='fold' or unset foldCol."
        )
    members = estimator.getNumMembers()
    if estimator.isDefined(estimator.maxMembers) and estimator.getMaxMembers() < members:
        raise ValueError(
            f"maxMembers={estimator.getMaxMembers()} is below numMembers={members}: "
            f"the fit would drop members it has just trained; raise maxMembers or lower "
            f"numMembers."
        )
    if task.grouped and not estimator._group_col():
        raise ValueError(
            "groupCol is not set, and a ranker ranks rows within their group; set groupCol "
            "to the column of group (query) ids."
        )
    validation_col = estimator._validation_col()
    if estimator._group_col() and validation_col:
        raise ValueError(
            f"validationIndicatorCol={validation_col!r} cannot be combined with groupCol: the "
            f"flagged rows are capped row by row, which would split groups. Unset it; "
            f"validationFraction holds out whole groups."
        )
    task.check_catboost_kwargs(estimator._catboost_kwargs())
