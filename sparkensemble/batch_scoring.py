"""Score one batch of features with an ensemble's members. No Spark here.

Spark's scoring UDF (:mod:`sparkensemble.scoring`) and the single-row ``predict`` both call
:func:`score_batch`, so the two always agree. When the combiner is linear in the members'
raw scores (:meth:`~sparkensemble.tasks.base.EnsembleTask.blend`), the batch is scored by
one merged CatBoost model, one call for the whole ensemble; otherwise member by member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from catboost import CatBoost, Pool

from sparkensemble.feature_arrays import Features
from sparkensemble.merging import raw_scores
from sparkensemble.tasks import task_named
from sparkensemble.tasks.base import Blend, member_outputs, split_fields, vector_fields

CONTRIBUTIONS = "contributions"


@dataclass(frozen=True)
class ScoreSpec:
    """How to score: plain values, so Spark ships them to the executors as they are."""

    task: str
    width: int
    num_features: int
    combiner: str
    stacker: Any = None
    thresholds: Optional[Tuple[float, ...]] = None
    blend: Optional[Blend] = None  # set when the combiner merges the members
    loss: Optional[str] = None
    categorical_positions: Tuple[int, ...] = ()
    contributions: bool = False
    variance: bool = False

    def fields(self) -> List[str]:
        """The score's double fields, in order: the task's, then the contributions."""
        fields = task_named(self.task).score_fields(self.width)
        if self.contributions:
            fields += vector_fields(CONTRIBUTIONS, self.contributions_size())
        return fields

    def contributions_size(self) -> int:
        """Per-feature SHAP values and the expected value, one block per class if multiclass."""
        blocks = self.width if self.width > 2 else 1
        return blocks * (self.num_features + 1)


def score_batch(
    models: Sequence[CatBoost],
    features: Features,
    spec: ScoreSpec,
    threads: int = 1,
    merged: Optional[CatBoost] = None,
) -> Dict[str, np.ndarray]:
    """The score's fields for a batch; ``merged`` is the merged model when ``spec.blend``."""
    task = task_named(spec.task)
    if spec.blend is None:
        outputs = member_outputs(task, models, features, spec.width, threads)
        return task.score(outputs, spec.combiner, spec.stacker, spec.thresholds)
    if merged is None:
        raise ValueError("a blended score needs the merged model")
    raw = raw_scores(merged, features, threads)
    fields = task.score_raw(raw, spec.width, spec.loss, spec.thresholds)
    if spec.variance:
        outputs = member_outputs(task, models, features, spec.width, threads)
        fields["variance"] = outputs[:, :, 0].var(axis=0)
    if spec.contributions:
        values = shap_values(merged, features, spec.categorical_positions, threads)
        fields.update(split_fields(values, CONTRIBUTIONS))
    return fields


def shap_values(
    model: CatBoost, features: Features, categorical_positions: Sequence[int], threads: int = 1
) -> np.ndarray:
    """CatBoost's SHAP values in raw-score space, one row per input row.

    Each row is the features' contributions followed by the expected value; a multiclass
    model gives one such block per class, class after class.
    """
    pool = Pool(features, cat_features=list(categorical_positions) or None)
    values = model.get_feature_importance(pool, type="ShapValues", thread_count=threads)
    return np.asarray(values, dtype=np.float64).reshape(len(values), -1)
