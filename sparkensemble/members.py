"""Train and score single CatBoost members on numpy arrays. No Spark here.

Everything a Spark task does to build a member lives in this module, so it can be
tested directly and in milliseconds. The Spark glue only feeds it arrays.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd
import pyarrow as pa
from catboost import CatBoost, Pool

from sparkensemble.errors import MemberDataError
from sparkensemble.tasks import CLASSIFICATION, EnsembleTask, task_named

__all__ = ["MemberDataError"]  # raised here, defined with the other shared errors


def derive_member_seeds(seed: int, num_members: int) -> List[int]:
    """One independent, reproducible CatBoost seed per member, derived from ``seed``."""
    states = np.random.SeedSequence(seed & 0xFFFFFFFFFFFFFFFF).spawn(num_members)
    return [int(s.generate_state(1, dtype=np.uint32)[0]) & 0x7FFFFFFF for s in states]


def _mix64(row_hash: np.ndarray, salt: int = 0) -> np.ndarray:
    """splitmix64 of each hash (xor ``salt``): uniform 64-bit values, one stream per salt."""
    with np.errstate(over="ignore"):
        z = (row_hash.astype(np.int64) ^ np.int64(salt)).view(np.uint64)
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def holdout_mask(row_hash: np.ndarray, fraction: float) -> np.ndarray:
    """Rows held out for validation: a deterministic function of each row's hash.

    The hash is mixed before thresholding, because the fold assignment uses the same hash
    modulo the member count and the two must not be correlated.
    """
    uniform = (_mix64(row_hash) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return uniform < fraction


class RowCap:
    """Keeps at most ``max_rows`` of the Arrow rows added to it, whatever their order.

    It keeps the rows with the smallest row hashes. The smallest k of a set do not depend
    on the order rows arrive in, so the sample survives repartitioning and retries; and
    Spark can apply the same order before the shuffle (:func:`presample_threshold`), so
    only about the kept rows travel. The content hash is uniform, and independent of the
    holdout and stacker samples, which mix it first. It holds at most twice ``max_rows``
    plus one batch at any time.
    """

    def __init__(self, max_rows: int, hash_column: str) -> None:
        self.max_rows = max_rows
        self.hash_column = hash_column
        self.seen = 0
        self._tables: List[pa.Table] = []
        self._priorities: List[np.ndarray] = []
        self._held = 0

    def add(self, rows: Union[pa.RecordBatch, pa.Table]) -> None:
        table = pa.Table.from_batches([rows]) if isinstance(rows, pa.RecordBatch) else rows
        self.seen += table.num_rows
        self._tables.append(table)
        self._priorities.append(table.column(self.hash_column).to_numpy())
        self._held += table.num_rows
        if self._held > 2 * self.max_rows:
            self._compact()

    def rows(self) -> Optional[pa.Table]:
        """The kept rows: all of them, or the ``max_rows`` with the smallest hashes."""
        self._compact()
        return self._tables[0] if self._tables else None

    def _compact(self) -> None:
        if not self._tables:
            return
        table = pa.concat_tables(self._tables) if len(self._tables) > 1 else self._tables[0]
        priority = np.concatenate(self._priorities)
        if table.num_rows > self.max_rows:
            keep = np.argpartition(priority, self.max_rows - 1)[: self.max_rows]
            table, priority = table.take(pa.array(keep)), priority[keep]
        self._tables, self._priorities, self._held = [table], [priority], table.num_rows


def presample_threshold(rows: int, members: int, max_rows: int) -> Optional[int]:
    """A row hash below which Spark keeps rows before the shuffle, or None to keep all.

    Members of ``rows / members`` rows each keep their ``max_rows`` smallest hashes. The
    threshold keeps, in expectation, ``max_rows`` plus five standard deviations plus 100
    rows per member, so every member still holds its ``max_rows`` smallest (and the cap
    then keeps exactly those) except with odds far below one in a million.
    """
    expected = rows / members
    margin = max_rows + 5.0 * max_rows**0.5 + 100.0
    if expected <= margin:
        return None
    fraction = margin / expected
    return int(-(2**63) + fraction * 2.0**64)


def stacker_sample_mask(row_hash: np.ndarray, fraction: float) -> np.ndarray:
    """A deterministic sample of rows for the stacker, independent of the holdout choice."""
    if fraction >= 1.0:
        return np.ones(len(row_hash), dtype=bool)
    uniform = (_mix64(row_hash, 0x5DEECE66D) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return uniform < fraction


Features = Union[np.ndarray, pd.DataFrame]


def assemble_features(
    numeric: np.ndarray,
    categorical: Optional[np.ndarray],
    categorical_positions: Sequence[int],
) -> Features:
    """The features in model order: numeric and categorical blocks interleaved.

    ``categorical_positions`` says where each categorical column sits among all features,
    so importances and exported members follow the user's column order. Without
    categorical features this is the numeric matrix itself.
    """
    if not categorical_positions:
        return numeric
    total = numeric.shape[1] + len(categorical_positions)
    positions = set(categorical_positions)
    numeric_columns = iter(range(numeric.shape[1]))
    categorical_columns = iter(range(len(categorical_positions)))
    columns = {}
    for position in range(total):
        if position in positions:
            columns[position] = categorical[:, next(categorical_columns)].astype(str)
        else:
            columns[position] = numeric[:, next(numeric_columns)]
    return pd.DataFrame(columns)


def features_from_rows(
    numeric: Sequence[np.ndarray],
    categorical: Optional[Sequence[np.ndarray]],
    categorical_positions: Sequence[int],
) -> Features:
    """Model-order features from per-row arrays, as Spark's Arrow batches deliver them."""
    if not len(numeric):
        return np.empty((0, 0))
    matrix = np.stack(numeric)
    if not categorical_positions:
        return matrix
    return assemble_features(matrix, np.stack(categorical), categorical_positions)


ArrowRows = Union[pa.Array, pa.ChunkedArray]


def features_from_arrow(
    numeric: ArrowRows, categorical: Optional[ArrowRows], categorical_positions: Sequence[int]
) -> Features:
    """Model-order features from Arrow list arrays of equal-length rows, without a copy per row.

    The numeric matrix keeps the Arrow float width. Null elements of ``numeric`` become
    NaN, which CatBoost treats as missing.
    """
    if not len(numeric):
        return np.empty((0, 0))
    matrix = _rows_as_matrix(numeric)
    if not categorical_positions:
        return matrix
    return assemble_features(matrix, _rows_as_matrix(categorical), categorical_positions)


def _rows_as_matrix(rows: ArrowRows) -> np.ndarray:
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    values = rows.flatten().to_numpy(zero_copy_only=False)
    return values.reshape(len(rows), -1)


def _take(features: Features, rows: np.ndarray) -> Features:
    return features.iloc[rows] if isinstance(features, pd.DataFrame) else features[rows]


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
) -> TrainedMember:
    """Train one member on its rows; the result depends only on the rows, not their order."""
    # Row order changes CatBoost's result, and Spark gives no order: sort by content hash.
    # The sort stays a permutation of indices, so the feature matrix is copied only once,
    # straight into the training and holdout pools.
    task = task_named(settings.task)
    order = np.lexsort((labels, row_hash))
    labels, row_hash = labels[order].astype(task.label_dtype), row_hash[order]
    weights = None if weights is None else np.asarray(weights, dtype=np.float64)[order]
    holdout = holdout_mask(row_hash, settings.validation_fraction)
    train = ~holdout
    task.check_member_labels(labels, train)
    categorical = list(settings.categorical_positions) or None
    train_pool = _pool(features, order, labels, weights, train, categorical)
    holdout_pool = (
        _pool(features, order, labels, weights, holdout, categorical) if holdout.any() else None
    )

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
    best = model.get_best_iteration()
    importances = np.asarray(model.get_feature_importance(), dtype=np.float64)
    total = importances.sum()
    return TrainedMember(
        model=serialize_model(model),
        rows=len(labels),
        train_rows=int(train.sum()),
        holdout_rows=int(holdout.sum()),
        best_iteration=int(best if best is not None else model.tree_count_ - 1),
        train_started_at=started_at,
        train_seconds=train_seconds,
        feature_importances=(importances / total if total > 0 else importances).tolist(),
        metrics=metrics,
    )


def _pool(
    features: Features,
    order: np.ndarray,
    labels: np.ndarray,
    weights: Optional[np.ndarray],
    rows: np.ndarray,
    categorical: Optional[List[int]],
) -> Pool:
    """A pool of the sorted rows selected by ``rows``; ``order`` maps them to ``features``."""
    return Pool(
        _take(features, order[rows]),
        labels[rows],
        cat_features=categorical,
        weight=None if weights is None else weights[rows],
    )


def serialize_model(model: CatBoost) -> bytes:
    """Native CatBoost bytes, identical for identical models.

    CatBoost stamps each model with a random guid and its finish time. Dropping both
    makes the bytes a function of the trees alone, so two fits can be compared as files.
    """
    metadata = model.get_metadata()
    for key in ("model_guid", "train_finish_time"):
        if key in metadata:
            del metadata[key]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "member.cbm")
        model.save_model(path, format="cbm")
        with open(path, "rb") as handle:
            return handle.read()


def deserialize_model(blob: bytes, task: EnsembleTask = CLASSIFICATION) -> CatBoost:
    """Load a member from its native CatBoost bytes. This never runs Python code.

    Through a file, not ``load_model(blob=...)``: CatBoost restores a model's training
    params (its loss among them) only when it loads from a file, and without them a
    Poisson or Tweedie regressor's ``predict`` returns raw log-space scores.
    """
    model = task.model_class()()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "member.cbm")
        with open(path, "wb") as handle:
            handle.write(bytes(blob))
        model.load_model(path, format="cbm")
    return model
