"""Spark glue for training: split rows among members and train each in its own task.

The training itself is :func:`sparkensemble.members.train_member`; this module only
moves rows to the right task and results back to the driver.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from sparkensemble.assignment import RowCap, holdout_mask, stacker_sample_mask
from sparkensemble.errors import MemberDataError
from sparkensemble.feature_arrays import Features, features_from_arrow
from sparkensemble.features import FeatureBlocks
from sparkensemble.members import MemberSettings, train_member
from sparkensemble.scorer import cached_members, ensemble_key
from sparkensemble.tasks import EnsembleTask, task_named
from sparkensemble.tasks.base import member_outputs

logger = logging.getLogger(__name__)

FEATURES = "__se_features"
LABEL = "__se_label"
CATEGORIES = "__se_categories"
WEIGHT = "__se_weight"
ROW_HASH = "__se_row_hash"
MEMBER = "__se_member"
_PARTITION_KEY = "__se_partition_key"

_SPARK_TYPES = {
    pa.int32(): "int",
    pa.int64(): "long",
    pa.float64(): "double",
    pa.binary(): "binary",
    pa.string(): "string",
    pa.list_(pa.float64()): "array<double>",
}


def result_arrow_schema(task: EnsembleTask) -> pa.Schema:
    """What each training task returns: one row per member, with the task's metrics."""
    return pa.schema(
        [
            ("member", pa.int32()),
            ("partition", pa.int32()),
            ("model", pa.binary()),
            *[(name, pa.int64()) for name in ("input_rows", "rows", "train_rows", "holdout_rows")],
            *[(name, pa.float64()) for name in task.metric_names],
            ("best_iteration", pa.int32()),
            ("train_started_at", pa.float64()),
            ("train_seconds", pa.float64()),
            ("feature_importances", pa.list_(pa.float64())),
            ("error_kind", pa.string()),
            ("error", pa.string()),
        ]
    )


def spark_schema(schema: pa.Schema) -> str:
    """The DDL string Spark needs for an Arrow schema of the types above."""
    return ", ".join(f"{f.name} {_SPARK_TYPES[f.type]}" for f in schema)


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


def row_content(blocks: FeatureBlocks, label_col: str, weight_col: Optional[str]) -> List[Column]:
    """What makes two training rows the same row: features, label and weight."""
    content = [blocks.numeric, F.col(label_col).cast("double")]
    if blocks.categorical is not None:
        content.append(blocks.categorical)
    if weight_col:
        content.append(F.col(weight_col).cast("double"))
    return content


def hashed_rows(
    df: DataFrame,
    blocks: FeatureBlocks,
    label_col: str,
    weight_col: Optional[str],
    fold_col: Optional[str],
    seed: int,
    spread_duplicates: bool = False,
) -> DataFrame:
    """The training columns under fixed names, with each row's content hash.

    Identical rows share a content hash, so they would all go to one member and all to its
    holdout or all to its training rows. With ``spread_duplicates``, the second and later
    copies of a row get hashes of their own: a window numbers the copies, and since they
    are identical, which copy gets which number changes nothing, on any partitioning.
    """
    columns = [blocks.numeric.alias(FEATURES), F.col(label_col).cast("double").alias(LABEL)]
    if blocks.categorical is not None:
        columns.append(blocks.categorical.alias(CATEGORIES))
    if weight_col:
        columns.append(F.col(weight_col).cast("double").alias(WEIGHT))
    if fold_col:
        columns.append(F.col(fold_col).cast("int").alias(MEMBER))
    rows = df.select(*columns)
    # The content hash orders rows inside a member and picks its holdout, so both survive
    # repartitioning and task retries; rand() would not.
    hashed = [c for c in (FEATURES, CATEGORIES, LABEL, WEIGHT) if c in rows.columns]
    rows = rows.withColumn(ROW_HASH, F.xxhash64(F.lit(seed), *hashed))
    if spread_duplicates:
        copy = F.row_number().over(Window.partitionBy(ROW_HASH).orderBy(ROW_HASH)) - 1
        spread = F.when(copy == 0, F.col(ROW_HASH)).otherwise(F.xxhash64(F.col(ROW_HASH), copy))
        rows = rows.withColumn(ROW_HASH, spread)
    # CatBoost keeps float features as float32, so members train on exactly what they would
    # from doubles; moving float32 halves the shuffle and the Arrow transfer to the workers.
    return rows.withColumn(FEATURES, F.col(FEATURES).cast("array<float>"))


def presampled(rows: DataFrame, threshold: Optional[int]) -> DataFrame:
    """Drop, before the shuffle, rows that no capped member would keep: those hashed at or
    above ``threshold`` (see ``members.presample_threshold``)."""
    if threshold is None:
        return rows
    return rows.where(F.col(ROW_HASH) < F.lit(threshold))


def batch_features(
    rows: Union[pa.RecordBatch, pa.Table], categorical_positions: List[int]
) -> Features:
    """The rows' features in model order, from their numeric and categorical blocks."""
    categorical = rows.column(CATEGORIES) if categorical_positions else None
    return features_from_arrow(rows.column(FEATURES), categorical, categorical_positions)


def _numpy(rows: Union[pa.RecordBatch, pa.Table], column: str) -> np.ndarray:
    return rows.column(column).to_numpy()


def member_frame(rows: DataFrame, strategy: str, num_members: int) -> DataFrame:
    """``hashed_rows`` laid out so that each partition holds exactly one member's rows."""
    if strategy == "partition":
        # coalesce is narrow: the data stays where it is, which is the point of this strategy.
        return rows.coalesce(num_members).withColumn(MEMBER, F.spark_partition_id())
    if MEMBER not in rows.columns:
        rows = rows.withColumn(MEMBER, F.pmod(F.col(ROW_HASH), F.lit(num_members)).cast("int"))
    keys = member_partition_keys(rows.sparkSession, num_members)
    key_of = F.create_map(*[F.lit(x) for m, key in enumerate(keys) for x in (m, key)])
    rows = rows.withColumn(_PARTITION_KEY, key_of[F.col(MEMBER)])
    return rows.repartition(num_members, _PARTITION_KEY).drop(_PARTITION_KEY)


def train_members(
    rows: DataFrame,
    member_seeds: List[int],
    base: MemberSettings,
    has_weight: bool,
    max_rows: int,
) -> pd.DataFrame:
    """Train one member per partition of ``rows`` and collect the results, by member."""
    schema = result_arrow_schema(task_named(base.task))
    trainer = _partition_trainer(member_seeds, asdict(base), has_weight, max_rows, schema)
    results = rows.mapInArrow(trainer, spark_schema(schema)).toPandas()
    return results.sort_values("member").reset_index(drop=True)


def _partition_trainer(
    seeds: List[int], base: dict, has_weight: bool, max_rows: int, schema: pa.Schema
):
    # Only plain values are captured: this function is shipped to the executors.
    def train_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        # Rows are capped batch by batch, so an oversized member never becomes one frame.
        caps: Dict[int, RowCap] = {}
        for batch in batches:
            for member, group in _by_member(batch):
                caps.setdefault(member, RowCap(max_rows, ROW_HASH)).add(group)
        if not caps:
            return
        context = TaskContext.get()
        threads = max(1, context.cpus()) if context else 1
        partition = context.partitionId() if context else -1
        for member in sorted(caps):
            settings = MemberSettings(**{**base, "seed": seeds[member], "thread_count": threads})
            cap = caps.pop(member)  # a trained member's rows are freed before the next starts
            yield _train_one(cap.rows(), member, partition, settings, has_weight, cap.seen, schema)

    return train_partition


def _by_member(batch: pa.RecordBatch) -> Iterator[Tuple[int, pa.RecordBatch]]:
    """The batch's rows by member. A partition normally holds one member, and then the
    batch passes through whole: splitting would copy every row for nothing."""
    members = _numpy(batch, MEMBER)
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
) -> pa.RecordBatch:
    row: Dict[str, Any] = dict.fromkeys(schema.names)
    row.update(member=member, partition=partition, rows=group.num_rows, input_rows=input_rows)
    try:
        trained = train_member(
            batch_features(group, list(settings.categorical_positions)),
            _numpy(group, LABEL),
            _numpy(group, ROW_HASH),
            settings,
            weights=_numpy(group, WEIGHT) if has_weight else None,
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


def out_of_fold_predictions(
    rows: DataFrame,
    blobs: List[bytes],
    task: EnsembleTask,
    width: int,
    validation_fraction: float,
    sample_fraction: float,
    has_weight: bool,
    categorical_positions: List[int],
) -> pd.DataFrame:
    """Every member's outputs on a sample of the holdout rows.

    Each row trains at most one member, and a holdout row trains none, so these
    predictions are out-of-sample for the whole ensemble. The sample is chosen by row
    hash, so it is the same on every run.
    """
    key = ensemble_key(blobs)
    schema = "row_hash long, label double, weight double, outputs array<double>"
    task_name = task.name

    # Only plain values are captured: this function is shipped to the executors.
    def score_holdouts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        member_task = task_named(task_name)
        models = cached_members(key, blobs, member_task)
        for batch in batches:
            row_hash = _numpy(batch, ROW_HASH)
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

    return rows.mapInArrow(score_holdouts, schema).toPandas()
