"""Merge an ensemble's members into one native CatBoost model. No Spark here.

A combiner that is linear in the members' raw scores (their log-odds, multiclass raw
scores, or a regressor's raw value) is exactly one CatBoost model: the members' trees,
each member's leaf values scaled by its weight, plus a bias. CatBoost's summing of
models builds it (:func:`sum_into`); the result predicts, explains (SHAP) and exports
like any CatBoost model.

Measured with CatBoost 1.2.10: the merged raw prediction equals the weighted sum of the
members' to 1e-14, categorical features included, with ``KeepAllTables``. The default
CTR policy is off by more than 1 in raw score with categorical features.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from catboost import CatBoost

from sparkensemble.tasks import EnsembleTask
from sparkensemble.tasks.base import Blend

CTR_MERGE_POLICY = "KeepAllTables"


def merge_members(models: Sequence[CatBoost], blend: Blend, task: EnsembleTask) -> Any:
    """One model of the task's CatBoost class whose raw score is ``blend`` of the members'.

    It carries the first member's training params, so that a regressor's loss (and with it
    ``predict``'s link: exp for Poisson and Tweedie) survives a save and load.
    """
    if len(blend.weights) != len(models):
        raise ValueError(f"{len(blend.weights)} weights for {len(models)} members")
    # predict() in this process reads the loss from the constructor's params: with it, a
    # merged Poisson or Tweedie regressor predicts exp(raw), as its members do.
    loss = models[0].get_params().get("loss_function")
    merged = task.model_class()(**({"loss_function": loss} if loss else {}))
    sum_into(merged, models, [float(w) for w in blend.weights])
    scale, bias = merged.get_scale_and_bias()
    if isinstance(bias, list):  # multiclass: one bias per class
        merged.set_scale_and_bias(scale, [value + float(blend.bias) for value in bias])
    else:
        merged.set_scale_and_bias(scale, bias + float(blend.bias))
    metadata = merged.get_metadata()
    params = models[0].get_metadata().get("params")
    # Per-member entries (model0:params, model1:model_guid, ...) and timestamps would make
    # two merges of the same members differ as files.
    for key in list(metadata.keys()):
        if ":" in key or key in ("model_guid", "train_finish_time"):
            del metadata[key]
    if params is not None:
        metadata["params"] = params  # read back when the merged model is loaded from a file
    return merged


def sum_into(target: CatBoost, models: Sequence[CatBoost], weights: Sequence[float]) -> None:
    """Make ``target`` the weighted sum of ``models``' trees, in place.

    The one use of a CatBoost private: public ``catboost.sum_models`` returns a bare
    ``CatBoost``, which has no ``predict_proba`` and cannot be told the class, and a
    save-and-load into the task's class is no way round it, since CatBoost cannot
    serialise a merge with categorical features. ``sum_models`` calls this same method
    on its bare model; ``tests/test_merging.py`` fails if CatBoost renames or changes it.
    """
    target._sum_models(list(models), list(weights), CTR_MERGE_POLICY)


def raw_scores(model: CatBoost, features: Any, threads: int = 1) -> np.ndarray:
    """The model's raw scores, (rows,) for one output or (rows, outputs) for multiclass."""
    # CatBoost's own predict: CatBoostRanker's override has no prediction_type (its
    # predictions are raw scores already); the classifier's and regressor's pass it on.
    raw = CatBoost.predict(model, features, prediction_type="RawFormulaVal", thread_count=threads)
    return np.asarray(raw, dtype=np.float64)
