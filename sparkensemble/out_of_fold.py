"""Spark glue for the stacker's rows: every member's outputs on a sample of holdout rows.

Each row trains at most one member, and a holdout row trains none, so these outputs are
out-of-sample for the whole ensemble. One Spark job; the stacker itself is fitted by the
task (:meth:`~sparkensemble.tasks.base.EnsembleTask.fit_stacker`) on what it returns.
With ``validationIndicatorCol`` the flagged rows, already on the driver, are scored there
instead (:func:`validation_outputs`).
"""

from __future__ import annotations

from typing import Iterator, List, Optional, Tuple

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame

from sparkensemble.assignment import holdout_mask, stacker_sample_mask
from sparkensemble.feature_arrays import take_rows
from sparkensemble.member_cache import cached_members, ensemble_key
from sparkensemble.members import ValidationRows
from sparkensemble.phases import phase
from sparkensemble.rows import LABEL, ROW_HASH, WEIGHT, batch_features, column_numpy
from sparkensemble.tasks import EnsembleTask, task_named
from sparkensemble.tasks.base import member_outputs

OutOfFold = Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]


def out_of_fold_outputs(
    rows: DataFrame,
    blobs: List[bytes],
    task: EnsembleTask,
    width: int,
    validation_fraction: float,
    max_rows: int,
    total_rows: int,
    has_weight: bool,
    categorical_positions: List[int],
) -> OutOfFold:
    """The members' outputs (members, rows, width), labels and weights (None if unweighted)
    of at most ``max_rows`` holdout rows of ``rows`` (:func:`~sparkensemble.rows.hashed_rows`).

    The rows are those with the smallest hashes among a sample a little larger than
    ``max_rows``: a bound that is exact, and the same on every run.
    """
    sample = min(1.0, 1.2 * max_rows / max(1.0, total_rows * validation_fraction))
    oof = _holdout_outputs(
        rows, blobs, task, width, validation_fraction, sample, has_weight, categorical_positions
    )
    if oof.empty:
        raise ValueError(
            "combiner='stacked' found no holdout rows to fit the stacker on; "
            "raise validationFraction."
        )
    oof = oof.sort_values("row_hash", kind="stable").head(max_rows)
    outputs = np.stack(oof["outputs"].to_numpy()).reshape(len(oof), len(blobs), width)
    weights = oof["weight"].to_numpy() if has_weight else None
    return outputs.transpose(1, 0, 2), oof["label"].to_numpy(), weights


def validation_outputs(
    validation: ValidationRows,
    blobs: List[bytes],
    task: EnsembleTask,
    width: int,
    max_rows: int,
) -> OutOfFold:
    """The members' outputs, labels and weights of the first ``max_rows`` validation rows
    (those with the smallest hashes), scored on the driver: no member trained on them."""
    rows = min(len(validation), max_rows)
    models = cached_members(ensemble_key(blobs), blobs, task)
    outputs = member_outputs(task, models, take_rows(validation.features, np.arange(rows)), width)
    weights = None if validation.weights is None else validation.weights[:rows]
    return outputs, validation.labels[:rows], weights


def _holdout_outputs(
    rows: DataFrame,
    blobs: List[bytes],
    task: EnsembleTask,
    width: int,
    validation_fraction: float,
    sample_fraction: float,
    has_weight: bool,
    categorical_positions: List[int],
) -> pd.DataFrame:
    """Every member's outputs on the holdout rows in a hash sample of ``sample_fraction``."""
    key = ensemble_key(blobs)
    schema = "row_hash long, label double, weight double, outputs array<double>"
    task_name = task.name

    # Only plain values are captured: this function is shipped to the executors.
    def score_holdouts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        member_task = task_named(task_name)
        models = cached_members(key, blobs, member_task)
        for batch in batches:
            row_hash = column_numpy(batch, ROW_HASH)
            keep = holdout_mask(row_hash, validation_fraction) & stacker_sample_mask(
                row_hash, sample_fraction
            )
            if not keep.any():
                continue
            kept = batch.filter(pa.array(keep))
            features = batch_features(kept, categorical_positions)
            outputs = member_outputs(member_task, models, features, width)
            # One row per holdout row: every member's outputs, member by member.
            flat = outputs.transpose(1, 0, 2).reshape(-1)
            row_width = outputs.shape[0] * outputs.shape[2]
            offsets = np.arange(0, len(flat) + 1, row_width, dtype=np.int32)
            yield pa.RecordBatch.from_arrays(
                [
                    kept.column(ROW_HASH),
                    kept.column(LABEL),
                    kept.column(WEIGHT) if has_weight else pa.array(np.ones(kept.num_rows)),
                    pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat)),
                ],
                names=["row_hash", "label", "weight", "outputs"],
            )

    with phase(rows.sparkSession, "score the stacker's holdout rows"):
        return rows.mapInArrow(score_holdouts, schema).toPandas()
