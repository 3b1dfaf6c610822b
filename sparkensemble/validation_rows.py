"""Spark glue for ``validationIndicatorCol``: the flagged rows every member validates on.

The flagged rows train no member. One Spark job brings at most ``validationMaxRows`` of
them to the driver, those with the smallest row hashes, so the set is the same on every
run and partitioning; every member's task then receives the same rows, as Arrow IPC
bytes, to early-stop and measure itself on, and the stacker fits on them.
"""

from __future__ import annotations

from typing import Iterator, List, Tuple, Union

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkensemble.assignment import presample_threshold
from sparkensemble.members import ValidationRows
from sparkensemble.phases import phase
from sparkensemble.rows import (
    CATEGORIES,
    FEATURES,
    LABEL,
    ROW_HASH,
    VALIDATION,
    WEIGHT,
    batch_features,
    column_numpy,
)


def split_validation(
    rows: DataFrame,
    count: int,
    max_rows: int,
    categorical_positions: List[int],
    has_weight: bool,
) -> Tuple[DataFrame, ValidationRows, bytes]:
    """``hashed_rows`` with a ``VALIDATION`` flag, split into the rows members train on,
    and the ``count`` flagged ones' validation rows, with the same rows as Arrow IPC for
    the training tasks. Collecting the flagged rows is one Spark job."""
    flag = F.col(VALIDATION)
    table = collect_validation_rows(rows.where(flag).drop(VALIDATION), count, max_rows)
    validation = validation_rows(table, categorical_positions, has_weight)
    return rows.where(~flag).drop(VALIDATION), validation, arrow_ipc(table)


def collect_validation_rows(flagged: DataFrame, count: int, max_rows: int) -> pa.Table:
    """At most ``max_rows`` of the ``count`` flagged rows, by smallest row hash, in hash order.

    Spark first keeps the rows hashed below a threshold that leaves a little more than
    ``max_rows`` (:func:`~sparkensemble.assignment.presample_threshold`); the driver then
    keeps exactly the smallest ``max_rows``. The rows travel as Arrow IPC, which keeps
    their types exactly on classic and Connect sessions alike.
    """
    threshold = presample_threshold(count, 1, max_rows)
    kept = [c for c in (FEATURES, CATEGORIES, LABEL, WEIGHT, ROW_HASH) if c in flagged.columns]
    flagged = flagged.select(*kept)
    if threshold is not None:
        flagged = flagged.where(F.col(ROW_HASH) < F.lit(threshold))

    def as_ipc(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if batch.num_rows:
                yield pa.RecordBatch.from_arrays([pa.array([arrow_ipc(batch)])], ["ipc"])

    with phase(flagged.sparkSession, "collect the validation rows"):
        chunks = flagged.mapInArrow(as_ipc, "ipc binary").collect()
    tables: List[pa.Table] = [from_arrow_ipc(row.ipc) for row in chunks]
    table = pa.concat_tables(tables) if tables else None
    if table is None or table.num_rows == 0:
        raise ValueError(
            "validationIndicatorCol flags no row that reached the training job; check that "
            "the input is deterministic (the profile counted flagged rows)."
        )
    return table.sort_by(ROW_HASH).slice(0, max_rows)


def arrow_ipc(rows: Union[pa.RecordBatch, pa.Table]) -> bytes:
    """The rows as one Arrow IPC stream."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, rows.schema) as writer:
        writer.write(rows)
    return sink.getvalue().to_pybytes()


def from_arrow_ipc(data: bytes) -> pa.Table:
    """The rows of one Arrow IPC stream."""
    return pa.ipc.open_stream(data).read_all()


def validation_rows(
    table: pa.Table, categorical_positions: List[int], has_weight: bool
) -> ValidationRows:
    """The collected rows as the features, labels and weights a member validates on."""
    return ValidationRows(
        features=batch_features(table, categorical_positions),
        labels=column_numpy(table, LABEL),
        weights=column_numpy(table, WEIGHT) if has_weight else None,
    )
