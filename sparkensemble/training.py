"""Spark glue for training: lay the rows out one member per partition, train each in its task.

The training itself is :func:`sparkensemble.members.train_member`; this module only
moves rows to the right task and results back to the driver, in one Spark job.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict
from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkensemble.assignment import RowCap
from sparkensemble.errors import MemberDataError
from sparkensemble.member_table import DRIVER_COLUMNS, member_columns
from sparkensemble.members import MemberSettings, ValidationRows, train_member
from sparkensemble.phases import phase
from sparkensemble.rows import (
    GROUP_HASH,
    LABEL,
    MEMBER,
    ROW_HASH,
    WEIGHT,
    batch_features,
    column_numpy,
)
from sparkensemble.task_context import task_partition, task_threads
from sparkensemble.tasks import EnsembleTask, task_named
from sparkensemble.validation_rows import from_arrow_ipc, validation_rows

logger = logging.getLogger(__name__)

_PARTITION_KEY = "__se_partition_key"
_ARROW_TYPES = {
    "int": pa.int32(),
    "long": pa.int64(),
    "double": pa.float64(),
    "binary": pa.binary(),
    "string": pa.string(),
    "array<double>": pa.list_(pa.float64()),
}


def result_schemas(task: EnsembleTask) -> Tuple[pa.Schema, str]:
    """What each training task returns per member, as Arrow and as Spark DDL: the member
    table's columns but those the driver adds, and the member's error, if any."""
    columns = [column for column in member_columns(task) if column[0] not in DRIVER_COLUMNS]
    columns += [("error_kind", "string"), ("error", "string")]
    arrow = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in columns])
    return arrow, ", ".join(f"{name} {kind}" for name, kind in columns)


def train_members(
    rows: DataFrame,
    strategy: str,
    member_seeds: List[int],
    base: MemberSettings,
    has_weight: bool,
    max_rows: int,
    presample: Optional[Tuple[int, int]] = None,
    validation: Optional[bytes] = None,
) -> pd.DataFrame:
    """Train one member per partition and collect the members table, by member.

    ``rows`` are :func:`~sparkensemble.rows.hashed_rows`. ``presample`` is ``(threshold,
    rows)`` when Spark keeps only the rows hashed below ``threshold`` (of ``rows``) before
    the shuffle. ``validation`` holds, as Arrow IPC, the rows every member validates on
    instead of its own holdout (:mod:`sparkensemble.validation_rows`). Failed or missing
    members raise one driver-side error.
    """
    num_members = len(member_seeds)
    threshold, sampled_from = presample if presample else (None, None)
    schema, ddl = result_schemas(task_named(base.task))
    grouped = GROUP_HASH in rows.columns
    trainer = _partition_trainer(
        member_seeds, asdict(base), has_weight, max_rows, schema, validation, grouped
    )
    text = f"train {num_members} members ({strategy})"
    with phase(rows.sparkSession, text, members=num_members):
        layout = member_frame(presampled(rows, threshold), strategy, num_members)
        results = layout.mapInArrow(trainer, ddl).toPandas()
    results = results.sort_values("member").reset_index(drop=True)
    raise_member_errors(results, num_members, strategy, sampled_from)
    results["seed"] = [member_seeds[m] for m in results["member"]]
    return results


def member_count(dataset: DataFrame, strategy: str, requested: Optional[int], default: int) -> int:
    """How many members to train: ``requested`` (numMembers when set), else ``default``,
    except that with strategy='partition' and numMembers unset, one per input partition.

    With strategy='partition', a request above the input's partition count is refused
    here, before any job: coalesce cannot add partitions.
    """
    if strategy != "partition":
        return default if requested is None else requested
    try:
        # Planning the RDD runs no job; Spark Connect has no RDDs at all.
        partitions = dataset.rdd.getNumPartitions()
    except Exception:
        if requested is not None:
            return requested  # a shortfall shows once members have trained
        raise ValueError(
            "strategy='partition' trains one member per input partition, but this "
            "session cannot tell how many partitions the input has without running it "
            "(Spark Connect); set numMembers."
        ) from None
    if requested is None:
        return partitions
    if partitions < requested:
        raise ValueError(
            f"strategy='partition' needs numMembers={requested} input partitions, but the "
            f"input has {partitions}; repartition it to at least {requested}, lower "
            f"numMembers, or use strategy='fold'."
        )
    return requested


_partition_keys_cache: Dict[int, List[int]] = {}
_partition_keys_lock = threading.Lock()


def member_partition_keys(spark: SparkSession, num_members: int) -> List[int]:
    """Keys ``k[m]`` such that ``repartition(n, k[m])`` sends member m to partition m.

    Hash-partitioning the member ids themselves lets two members collide in one task,
    where they would train one after the other. Spark places a key in partition
    ``pmod(hash(key), n)``, so we pick, once per ``n``, one integer per partition. The
    explicit partition count also keeps adaptive execution from coalescing the members.
    """
    with _partition_keys_lock:
        if num_members in _partition_keys_cache:
            return _partition_keys_cache[num_members]
    keys: Dict[int, int] = {}
    start, span = 0, 64 * num_members
    while len(keys) < num_members:
        candidates = spark.createDataFrame([(i,) for i in range(start, start + span)], "key int")
        rows = candidates.select(
            "key", F.expr(f"pmod(hash(key), {num_members})").alias("partition")
        ).collect()
        for row in rows:
            keys.setdefault(row.partition, row.key)
        start += span
    ordered = [keys[m] for m in range(num_members)]
    with _partition_keys_lock:
        _partition_keys_cache[num_members] = ordered
    return ordered


def presampled(rows: DataFrame, threshold: Optional[int]) -> DataFrame:
    """Drop, before the shuffle, rows that no capped member would keep: those hashed at or
    above ``threshold`` (see ``assignment.presample_threshold``)."""
    if threshold is None:
        return rows
    return rows.where(F.col(ROW_HASH) < F.lit(threshold))


def member_frame(rows: DataFrame, strategy: str, num_members: int) -> DataFrame:
    """``hashed_rows`` laid out so that each partition holds exactly one member's rows."""
    if strategy == "partition":
        # coalesce is narrow: the data stays where it is, which is the point of this strategy.
        return rows.coalesce(num_members).withColumn(MEMBER, F.spark_partition_id())
    if MEMBER not in rows.columns:
        # Grouped rows go by their group's hash, so that every group trains one member whole.
        by = GROUP_HASH if GROUP_HASH in rows.columns else ROW_HASH
        rows = rows.withColumn(MEMBER, F.pmod(F.col(by), F.lit(num_members)).cast("int"))
    keys = member_partition_keys(rows.sparkSession, num_members)
    key_of = F.create_map(*[F.lit(x) for m, key in enumerate(keys) for x in (m, key)])
    rows = rows.withColumn(_PARTITION_KEY, key_of[F.col(MEMBER)])
    return rows.repartition(num_members, _PARTITION_KEY).drop(_PARTITION_KEY)


def _partition_trainer(
    seeds: List[int],
    base: dict,
    has_weight: bool,
    max_rows: int,
    schema: pa.Schema,
    validation_ipc: Optional[bytes] = None,
    grouped: bool = False,
):
    # Only plain values are captured: this function is shipped to the executors.
    def train_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        # Rows are capped batch by batch, so an oversized member never becomes one frame;
        # grouped rows are capped by group hash, whole groups at a time.
        caps: Dict[int, RowCap] = {}
        priority = GROUP_HASH if grouped else ROW_HASH
        for batch in batches:
            for member, group in _by_member(batch):
                caps.setdefault(member, RowCap(max_rows, priority, grouped)).add(group)
        if not caps:
            return
        threads, partition = task_threads(), task_partition()
        validation = None
        if validation_ipc is not None:
            positions = list(base["categorical_positions"])
            validation = validation_rows(from_arrow_ipc(validation_ipc), positions, has_weight)
        for member in sorted(caps):
            settings = MemberSettings(**{**base, "seed": seeds[member], "thread_count": threads})
            cap = caps.pop(member)  # a trained member's rows are freed before the next starts
            yield _train_one(
                cap.rows(), member, partition, settings, has_weight, cap.seen, schema, validation
            )

    return train_partition


def _by_member(batch: pa.RecordBatch) -> Iterator[Tuple[int, pa.RecordBatch]]:
    """The batch's rows by member. A partition normally holds one member, and then the
    batch passes through whole: splitting would copy every row for nothing."""
    members = column_numpy(batch, MEMBER)
    if len(members) and members.min() == members.max():
        yield int(members[0]), batch
        return
    for member in np.unique(members):
        yield int(member), batch.filter(pa.array(members == member))


def _train_one(
    group: pa.Table,
    member: int,
    partition: int,
    settings: MemberSettings,
    has_weight: bool,
    input_rows: int,
    schema: pa.Schema,
    validation: Optional[ValidationRows] = None,
) -> pa.RecordBatch:
    row: Dict[str, Any] = dict.fromkeys(schema.names)
    row.update(member=member, partition=partition, rows=group.num_rows, input_rows=input_rows)
    try:
        trained = train_member(
            batch_features(group, list(settings.categorical_positions)),
            column_numpy(group, LABEL),
            column_numpy(group, ROW_HASH),
            settings,
            weights=column_numpy(group, WEIGHT) if has_weight else None,
            validation=validation,
            groups=column_numpy(group, GROUP_HASH) if GROUP_HASH in group.column_names else None,
        )
        trained_row = asdict(trained)
        row.update(trained_row.pop("metrics"), **trained_row)
    except MemberDataError as error:
        row.update(error_kind="data", error=str(error))
    except Exception as error:  # reported on the driver with the member id, not as a traceback
        row.update(error_kind=type(error).__name__, error=str(error))
    return pa.RecordBatch.from_pylist([row], schema=schema)


def raise_member_errors(
    results: pd.DataFrame, num_members: int, strategy: str, presampled_from: Optional[int] = None
) -> None:
    """Turn failed or missing members into one clear driver-side error; log down-sampling.

    ``presampled_from`` is the row count Spark sampled from before the shuffle, if it did.
    """
    failed = results[results["error"].notna()]
    if len(failed):
        first = failed.iloc[0]
        message = f"member {first['member']} could not train: {first['error']}"
        if len(failed) > 1:
            message += f" (and {len(failed) - 1} more members failed)"
        if first["error_kind"] == "data":
            raise ValueError(message)
        raise RuntimeError(f"{message} [{first['error_kind']}]")
    if presampled_from is not None:
        logger.warning(
            "each member was assigned about %d rows, more than maxRowsPerMember=%d: Spark kept "
            "a deterministic hash sample before the shuffle, and each member trained on %d "
            "rows. Raise maxRowsPerMember (with executor memory) or numMembers to use every "
            "row.",
            presampled_from // num_members,
            int(results["rows"].max()),
            int(results["rows"].max()),
        )
    else:
        for member in results[results["input_rows"] > results["rows"]].itertuples():
            logger.warning(
                "member %d was assigned %d rows, more than maxRowsPerMember=%d; it trained on "
                "a deterministic sample of %d. Raise maxRowsPerMember (with executor memory) "
                "or numMembers to use every row.",
                member.member,
                member.input_rows,
                member.rows,
                member.rows,
            )
    missing = sorted(set(range(num_members)) - set(results["member"].astype(int)))
    if missing:
        if strategy == "partition":
            raise ValueError(
                f"strategy='partition' needs {num_members} non-empty partitions, but only "
                f"{len(results)} held rows; repartition the input to at least numMembers="
                f"{num_members} partitions, lower numMembers, or use strategy='fold'."
            )
        raise ValueError(
            f"members {missing} received no rows; lower numMembers, or check that foldCol "
            f"uses every value in 0..{num_members - 1}."
        )
