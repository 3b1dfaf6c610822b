"""The training rows under fixed column names, each with its content hash. Spark glue.

The hash is the row's identity: members take their rows by it (``strategy="fold"``),
order them by it, and pick their holdout and the stacker's sample from it
(:mod:`sparkensemble.assignment`), so all of it survives repartitioning and retries.

With a group column (a ranker's query id), each row also carries its group's hash, and
the group takes over what must keep groups whole: the member, the holdout, the row cap
and the order of a member's rows (group first, then row).
"""

from __future__ import annotations

from typing import List, Optional, Union

import numpy as np
import pyarrow as pa
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from sparkensemble.feature_arrays import Features, features_from_arrow
from sparkensemble.features import FeatureBlocks

FEATURES = "__se_features"
LABEL = "__se_label"
CATEGORIES = "__se_categories"
WEIGHT = "__se_weight"
ROW_HASH = "__se_row_hash"
MEMBER = "__se_member"
VALIDATION = "__se_validation"
GROUP_HASH = "__se_group_hash"


def row_content(
    blocks: FeatureBlocks,
    label_col: str,
    weight_col: Optional[str],
    group_col: Optional[str] = None,
) -> List[Column]:
    """What makes two training rows the same row: features, label, weight and group."""
    content = [blocks.numeric, F.col(label_col).cast("double")]
    if blocks.categorical is not None:
        content.append(blocks.categorical)
    if weight_col:
        content.append(F.col(weight_col).cast("double"))
    if group_col:
        content.append(F.col(group_col))
    return content


def group_hash(group_col: str, seed: int) -> Column:
    """A group's 64-bit hash: of its id and the seed, the same for every row of the group."""
    return F.xxhash64(F.lit(seed), F.col(group_col))


def hashed_rows(
    df: DataFrame,
    blocks: FeatureBlocks,
    label_col: str,
    weight_col: Optional[str],
    fold_col: Optional[str],
    seed: int,
    spread_duplicates: bool = False,
    validation_col: Optional[str] = None,
    group_col: Optional[str] = None,
) -> DataFrame:
    """The training columns under fixed names, with each row's content hash.

    With ``group_col``, a ``GROUP_HASH`` column carries :func:`group_hash`, and the group
    is part of the row's content: the same features in two queries are two rows.

    With ``validation_col``, a ``VALIDATION`` column carries its flag; the flag is not
    part of the row's content, so it leaves the hash unchanged.

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
    if validation_col:
        columns.append(F.col(validation_col).alias(VALIDATION))
    if group_col:
        columns.append(group_hash(group_col, seed).alias(GROUP_HASH))
    rows = df.select(*columns)
    # The content hash orders rows inside a member and picks its holdout, so both survive
    # repartitioning and task retries; rand() would not.
    hashed = [c for c in (FEATURES, CATEGORIES, LABEL, WEIGHT, GROUP_HASH) if c in rows.columns]
    rows = rows.withColumn(ROW_HASH, F.xxhash64(F.lit(seed), *hashed))
    if spread_duplicates:
        copy = F.row_number().over(Window.partitionBy(ROW_HASH).orderBy(ROW_HASH)) - 1
        spread = F.when(copy == 0, F.col(ROW_HASH)).otherwise(F.xxhash64(F.col(ROW_HASH), copy))
        rows = rows.withColumn(ROW_HASH, spread)
    # CatBoost keeps float features as float32, so members train on exactly what they would
    # from doubles; moving float32 halves the shuffle and the Arrow transfer to the workers.
    return rows.withColumn(FEATURES, F.col(FEATURES).cast("array<float>"))


def batch_features(
    rows: Union[pa.RecordBatch, pa.Table], categorical_positions: List[int]
) -> Features:
    """The rows' features in model order, from their numeric and categorical blocks."""
    categorical = rows.column(CATEGORIES) if categorical_positions else None
    return features_from_arrow(rows.column(FEATURES), categorical, categorical_positions)


def column_numpy(rows: Union[pa.RecordBatch, pa.Table], column: str) -> np.ndarray:
    return rows.column(column).to_numpy()
