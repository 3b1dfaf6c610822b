"""Train one CatBoost member on numpy arrays: its seed, its settings, its result. No Spark here.

What a Spark task does to build a member is this module's :func:`train_member`, so it
can be tested directly and in milliseconds; the Spark glue (:mod:`sparkensemble.training`)
only feeds it arrays.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from catboost import CatBoost, Pool

from sparkensemble.assignment import holdout_mask
from sparkensemble.errors import MemberDataError
from sparkensemble.feature_arrays import Features, take_rows
from sparkensemble.model_bytes import serialize_model
from sparkensemble.tasks import CLASSIFICATION, task_named

__all__ = ["MemberDataError"]  # raised here, defined with the other shared errors


def derive_member_seeds(
    seed: int, num_members: int, generation: int = 0, taken: Sequence[int] = ()
) -> List[int]:
    """One independent, reproducible CatBoost seed per member, derived from ``seed``.

    Members added to a fitted ensemble (``generation`` 1, 2, ...) draw from a stream of
    their own, skipping the ``taken`` seeds of the members already there.
    """
    entropy = seed & 0xFFFFFFFFFFFFFFFF
    sequence = np.random.SeedSequence(entropy if generation == 0 else [entropy, generation])
    seeds: List[int] = []
    while len(seeds) < num_members:
        for state in sequence.spawn(num_members - len(seeds)):
            value = int(state.generate_state(1, dtype=np.uint32)[0]) & 0x7FFFFFFF
            if generation == 0 or (value not in taken and value not in seeds):
                seeds.append(value)
    return seeds


@dataclass(frozen=True)
class MemberSettings:
    """What one member needs to train, all plain values so Spark can ship them.

    ``width`` is the number of values a member outputs per row: the number of classes
    for a classifier, 1 for a regressor. ``task`` names the :mod:`sparkensemble.tasks`
    entry that says how to train and measure the member.
    """

    width: int
    seed: int
    validation_fraction: float
    early_stopping_rounds: int
    catboost_kwargs: Dict[str, Any] = field(default_factory=dict)
    thread_count: int = 1
    categorical_positions: Tuple[int, ...] = ()
    task: str = CLASSIFICATION.name


@dataclass(frozen=True)
class ValidationRows:
    """Rows every member early-stops and is measured on instead of its own holdout
    (``validationIndicatorCol``), in row-hash order; ``weights`` is None if unweighted."""

    features: Features
    labels: np.ndarray
    weights: Optional[np.ndarray] = None

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class TrainedMember:
    """A trained member: its native CatBoost bytes and what it measured on its holdout."""

    model: bytes
    rows: int
    train_rows: int
    holdout_rows: int
    metrics: Dict[str, float]  # the task's holdout metrics, by name
    best_iteration: int
    train_started_at: float
    train_seconds: float
    feature_importances: List[float]
    # The loss at every iteration trained, on the training rows and on the holdout
    # (empty without one), as CatBoost recorded it: the member's learning curves.
    curve_metric: str = ""
    learn_curve: List[float] = field(default_factory=list)
    holdout_curve: List[float] = field(default_factory=list)


def catboost_model(settings: MemberSettings) -> CatBoost:
    """The CatBoost model a member trains, with the settings Spark manages filled in."""
    return task_named(settings.task).catboost_model(
        settings.width, settings.seed, settings.thread_count, settings.catboost_kwargs
    )


def train_member(
    features: Features,
    labels: np.ndarray,
    row_hash: np.ndarray,
    settings: MemberSettings,
    weights: Optional[np.ndarray] = None,
    validation: Optional[ValidationRows] = None,
    groups: Optional[np.ndarray] = None,
) -> TrainedMember:
    """Train one member on its rows; the result depends only on the rows, not their order.

    Given ``validation``, the member trains on all its rows and early-stops on those;
    otherwise it holds out ``settings.validation_fraction`` of its rows by row hash.

    Given ``groups`` (each row's group hash, as a ranker's query ids), the rows are
    ordered by group, so that each group is contiguous as CatBoost needs; the holdout
    takes whole groups, by group hash; and ``weights`` are the groups' weights.
    """
    # Row order changes CatBoost's result, and Spark gives no order: sort by content hash.
    # The sort stays a permutation of indices, so the feature matrix is copied only once,
    # straight into the training and holdout pools.
    task = task_named(settings.task)
    keys = (labels, row_hash) if groups is None else (labels, row_hash, groups)
    order = np.lexsort(keys)
    labels, row_hash = labels[order].astype(task.label_dtype), row_hash[order]
    weights = None if weights is None else np.asarray(weights, dtype=np.float64)[order]
    groups = None if groups is None else np.asarray(groups, dtype=np.int64)[order]
    if validation is None:
        chosen_by = row_hash if groups is None else groups
        holdout = holdout_mask(chosen_by, settings.validation_fraction)
        if holdout.all():  # a member of a few groups, all drawn: train on them, unvalidated
            holdout[:] = False
    else:
        holdout = np.zeros(len(row_hash), dtype=bool)
    train = ~holdout
    task.check_member_labels(labels, train)
    categorical = list(settings.categorical_positions) or None
    train_pool = _pool(features, order, labels, weights, train, categorical, groups)
    if validation is not None:
        holdout_pool: Optional[Pool] = Pool(
            validation.features,
            validation.labels.astype(task.label_dtype),
            cat_features=categorical,
            weight=validation.weights,
        )
    elif holdout.any():
        holdout_pool = _pool(features, order, labels, weights, holdout, categorical, groups)
    else:
        holdout_pool = None

    model = catboost_model(settings)
    started_at, started = time.time(), time.perf_counter()
    model.fit(
        train_pool,
        eval_set=holdout_pool,
        use_best_model=holdout_pool is not None,
        early_stopping_rounds=settings.early_stopping_rounds or None,
    )
    train_seconds = time.perf_counter() - started

    metrics = task.holdout_metrics(model, holdout_pool, settings.width)
    curves = model.get_evals_result()
    learn = curves.get("learn", {})
    # Some losses (a ranker's YetiRank, say) have no value of their own, and CatBoost
    # records only the holdout's eval metric: the curve is then that metric's.
    curve_metric = next(iter(learn), "") or next(iter(curves.get("validation", {})), "")
    best = model.get_best_iteration()
    # CatBoost's default for non-ranking losses, named: for ranking losses the default is
    # LossFunctionChange, which needs the training pool again.
    importance = model.get_feature_importance(type="PredictionValuesChange")
    importances = np.asarray(importance, dtype=np.float64)
    total = importances.sum()
    return TrainedMember(
        model=serialize_model(model),
        rows=len(labels),
        train_rows=int(train.sum()),
        holdout_rows=int(holdout.sum()) if validation is None else len(validation),
        best_iteration=int(best if best is not None else model.tree_count_ - 1),
        train_started_at=started_at,
        train_seconds=train_seconds,
        feature_importances=(importances / total if total > 0 else importances).tolist(),
        metrics=metrics,
        curve_metric=curve_metric,
        learn_curve=[float(v) for v in learn.get(curve_metric, [])],
        holdout_curve=[float(v) for v in curves.get("validation", {}).get(curve_metric, [])],
    )


def _pool(
    features: Features,
    order: np.ndarray,
    labels: np.ndarray,
    weights: Optional[np.ndarray],
    rows: np.ndarray,
    categorical: Optional[List[int]],
    groups: Optional[np.ndarray] = None,
) -> Pool:
    """A pool of the sorted rows selected by ``rows``; ``order`` maps them to ``features``.

    With ``groups``, the pool has group ids, and the weights are group weights.
    """
    selected = None if weights is None else weights[rows]
    taken = take_rows(features, order[rows])
    if groups is None:
        return Pool(taken, labels[rows], cat_features=categorical, weight=selected)
    return Pool(
        taken, labels[rows], cat_features=categorical, group_id=groups[rows], group_weight=selected
    )
