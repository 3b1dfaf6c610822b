"""Input checks that run on the driver, so bad input fails before any member trains.

Schema checks need no Spark job. Data checks (nulls, label values, vector sizes) run as
one aggregate job before training, and each error names the column and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, List, Optional, Sequence, Tuple

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DataType,
    DecimalType,
    FractionalType,
    IntegralType,
    NumericType,
    StringType,
    StructField,
    StructType,
)

from sparkensemble.tasks import EnsembleTask

# Below this share of distinct rows, repeated rows are spread over members and holdouts.
# The count is HyperLogLog's, with a 5% standard error: three of them below all-distinct.
# A table misjudged as repeating pays for one window, and trains the same members.
DUPLICATE_SHARE = 0.85


def input_field(schema: StructType, column: str, param: str) -> StructField:
    if column not in schema.fieldNames():
        raise ValueError(
            f"{param}={column!r} is not a column of the input DataFrame; "
            f"its columns are {schema.fieldNames()}."
        )
    return schema[column]


def _check_numeric(data_type: DataType, column: str, param: str, fix: str) -> None:
    if isinstance(data_type, StringType):
        raise ValueError(f"{param}={column!r} is a string column; {fix}")
    if isinstance(data_type, BooleanType):
        raise ValueError(f"{param}={column!r} is boolean; cast it to double first.")
    if not isinstance(data_type, NumericType):
        raise ValueError(
            f"{param}={column!r} has type {data_type.simpleString()}; it must be numeric."
        )


def check_fit_schema(
    schema: StructType,
    label_col: str,
    weight_col: Optional[str],
    fold_col: Optional[str],
    task: EnsembleTask,
) -> None:
    """Check the label, weight and fold columns' presence and type, with no Spark job.

    The feature columns are checked where they are read, in :mod:`sparkensemble.features`.
    """
    _check_numeric(
        input_field(schema, label_col, "labelCol").dataType,
        label_col,
        "labelCol",
        task.string_label_fix,
    )
    if weight_col:
        _check_numeric(
            input_field(schema, weight_col, "weightCol").dataType,
            weight_col,
            "weightCol",
            "weights must be numbers; cast the column to double.",
        )
    if fold_col:
        data_type = input_field(schema, fold_col, "foldCol").dataType
        if not isinstance(data_type, IntegralType):
            raise ValueError(
                f"foldCol={fold_col!r} has type {data_type.simpleString()}; it must be an "
                f"integer column with values in 0..numMembers-1."
            )


def check_output_columns(schema: StructType, columns: Iterable[str]) -> None:
    """Refuse to overwrite input columns, as pyspark.ml's own models do."""
    for column in columns:
        if column and column in schema.fieldNames():
            raise ValueError(
                f"Output column {column!r} already exists in the input DataFrame; "
                f"drop it or set a different output column name."
            )


def num_classes_from_metadata(field: StructField) -> Optional[int]:
    """The class count StringIndexer records in the label's ML attribute, if any."""
    attr = (field.metadata or {}).get("ml_attr", {})
    if attr.get("type") == "binary":
        return 2
    if attr.get("type") == "nominal":
        if "num_vals" in attr:
            return int(attr["num_vals"])
        if "vals" in attr:
            return len(attr["vals"])
    return None


@dataclass(frozen=True)
class TrainingProfile:
    """What the driver learns about the training data before training.

    ``width`` is what each member outputs per row: the number of classes, or 1.
    ``category_levels`` holds each categorical feature's approximate count of distinct
    values, in the order of the categorical block; ``distinct_rows`` the approximate count
    of distinct rows.
    """

    rows: int
    width: int
    num_features: int
    category_levels: Tuple[int, ...] = ()
    distinct_rows: int = 0

    @property
    def has_duplicates(self) -> bool:
        """Whether more rows repeat another row exactly than the count's error explains."""
        return self.distinct_rows < DUPLICATE_SHARE * self.rows


def profile_training_data(
    df: DataFrame,
    features: Column,
    label_col: str,
    weight_col: Optional[str],
    fold_col: Optional[str],
    num_members: int,
    task: EnsembleTask,
    categories: Sequence[Column] = (),
    content: Sequence[Column] = (),
) -> TrainingProfile:
    """Run one aggregate job over the training data and check what it finds.

    ``categories`` are the categorical features; the same job counts each one's levels,
    and the distinct rows of ``content`` (HyperLogLog, so the counts do not depend on how
    the rows are partitioned).
    """
    aggregates = [
        F.count(F.lit(1)).alias("rows"),
        *_label_aggregates(label_col, df.schema[label_col].dataType),
        F.count_if(features.isNull()).alias("null_features"),
        F.min(F.size(features)).alias("min_size"),
        F.max(F.size(features)).alias("max_size"),
    ]
    if weight_col:
        weight = F.col(weight_col).cast("double")
        aggregates += [
            F.count_if(weight.isNull() | F.isnan(weight)).alias("null_weights"),
            F.min(weight).alias("min_weight"),
            F.max(weight).alias("max_weight"),
        ]
    if fold_col:
        aggregates += [
            F.count_if(F.col(fold_col).isNull()).alias("null_folds"),
            F.min(fold_col).alias("min_fold"),
            F.max(fold_col).alias("max_fold"),
        ]
    aggregates += [
        # HyperLogLog's default 5% error: a 1% error costs 7 times a count in this job,
        # and the members apply the threshold to their own exact counts anyway.
        F.approx_count_distinct(category).alias(f"levels_{i}")
        for i, category in enumerate(categories)
    ]
    if content:
        distinct = F.approx_count_distinct(F.xxhash64(*content))
        aggregates.append(distinct.alias("distinct_rows"))
    stats = df.select(*aggregates).first().asDict()
    profile = _check_profile(
        stats, df.schema[label_col], label_col, weight_col, fold_col, num_members, task
    )
    levels = tuple(int(stats[f"levels_{i}"]) for i in range(len(categories)))
    distinct_rows = int(stats["distinct_rows"]) if content else profile.rows
    return replace(profile, category_levels=levels, distinct_rows=distinct_rows)


def _label_aggregates(label_col: str, label_type: DataType) -> List[Column]:
    """The label statistics every task checks (see ``tasks.base.LABEL_STATS``)."""
    label = F.col(label_col).cast("double")
    if isinstance(label_type, (FractionalType, DecimalType)):
        nan, inf = F.isnan(label), F.abs(label) == F.lit(float("inf"))
        non_integral = ~nan & ~inf & (label != F.floor(label))
        finite = F.when(~nan & ~inf, label)
    else:
        nan = inf = non_integral = F.lit(False)
        finite = label
    return [
        F.count_if(F.col(label_col).isNull()).alias("null_labels"),
        F.count_if(nan).alias("nan_labels"),
        F.count_if(inf).alias("inf_labels"),
        F.count_if(non_integral).alias("non_integral_labels"),
        F.min(finite).alias("min_label"),
        F.max(finite).alias("max_label"),
    ]


def _check_profile(
    stats: dict,
    label_field: StructField,
    label_col: str,
    weight_col: Optional[str],
    fold_col: Optional[str],
    num_members: int,
    task: EnsembleTask,
) -> TrainingProfile:
    rows = stats["rows"]
    if rows == 0:
        raise ValueError("The training DataFrame is empty; there is nothing to fit.")
    if rows < num_members:
        raise ValueError(
            f"The training DataFrame has {rows} rows, fewer than numMembers={num_members}; "
            f"lower numMembers or add data."
        )
    if stats["null_labels"]:
        raise ValueError(
            f"labelCol={label_col!r} has {stats['null_labels']} null values; drop or fill them."
        )
    if stats["null_features"]:
        raise ValueError(
            f"featuresCol has {stats['null_features']} null values; drop or fill those rows."
        )
    if stats["min_size"] != stats["max_size"]:
        raise ValueError(
            f"featuresCol holds vectors of different sizes ({stats['min_size']} to "
            f"{stats['max_size']}); every row needs the same number of features."
        )
    if weight_col:
        _check_weights(stats, weight_col)
    if fold_col:
        _check_folds(stats, fold_col, num_members)
    width = task.check_labels(stats, label_col, num_classes_from_metadata(label_field))
    return TrainingProfile(rows=rows, width=width, num_features=stats["max_size"])


def _check_weights(stats: dict, weight_col: str) -> None:
    if stats["null_weights"]:
        raise ValueError(
            f"weightCol={weight_col!r} has {stats['null_weights']} null or NaN values; "
            f"fill them (for example with 1.0)."
        )
    if stats["min_weight"] < 0:
        raise ValueError(
            f"weightCol={weight_col!r} has negative values (min {stats['min_weight']}); "
            f"sample weights must be >= 0."
        )
    if stats["max_weight"] == 0:
        raise ValueError(f"weightCol={weight_col!r} is zero on every row; nothing would be learnt.")


def _check_folds(stats: dict, fold_col: str, num_members: int) -> None:
    if stats["null_folds"]:
        raise ValueError(f"foldCol={fold_col!r} has {stats['null_folds']} null values.")
    if stats["min_fold"] < 0 or stats["max_fold"] >= num_members:
        raise ValueError(
            f"foldCol={fold_col!r} has values from {stats['min_fold']} to {stats['max_fold']}, "
            f"outside 0..{num_members - 1}; set numMembers to the number of folds."
        )
