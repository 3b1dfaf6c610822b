"""The profile job: one aggregate Spark job over the training data, checked on the driver.

It runs before any member trains. It counts the rows, checks labels, weights, folds,
validation flags and feature vectors for what the schema cannot show (nulls, values,
sizes), counts each categorical feature's levels and the distinct rows, and refuses bad
data with an error that names the column and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, DecimalType, FractionalType, StructField

from sparkensemble.features import FeatureBlocks
from sparkensemble.phases import phase
from sparkensemble.tasks import EnsembleTask
from sparkensemble.tasks.base import LabelStats

# Below this share of distinct rows, repeated rows are spread over members and holdouts.
# The count is HyperLogLog's, with a 5% standard error: three of them below all-distinct.
# A table misjudged as repeating pays for one window, and trains the same members.
DUPLICATE_SHARE = 0.85


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
    of distinct rows. ``validation_rows`` counts the rows ``validationIndicatorCol`` flags,
    which no member trains on.
    """

    rows: int
    width: int
    num_features: int
    category_levels: Tuple[int, ...] = ()
    distinct_rows: int = 0
    validation_rows: int = 0

    @property
    def training_rows(self) -> int:
        """The rows members train on: all but the flagged validation rows."""
        return self.rows - self.validation_rows

    @property
    def has_duplicates(self) -> bool:
        """Whether more rows repeat another row exactly than the count's error explains."""
        return self.distinct_rows < DUPLICATE_SHARE * self.rows


def profile_training_data(
    df: DataFrame,
    blocks: FeatureBlocks,
    label_col: str,
    weight_col: Optional[str],
    fold_col: Optional[str],
    num_members: int,
    task: EnsembleTask,
    content: Sequence[Column] = (),
    validation_col: Optional[str] = None,
) -> TrainingProfile:
    """Run one aggregate job over the training data and check what it finds.

    The same job counts each categorical feature's levels, and the distinct rows of
    ``content`` (HyperLogLog, so the counts do not depend on how the rows are
    partitioned).
    """
    features = blocks.check
    categories = blocks.categories()
    labels = label_aggregates(label_col, df.schema[label_col].dataType)
    aggregates = [
        F.count(F.lit(1)).alias("rows"),
        *[column.alias(name) for name, column in labels.items()],
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
    if validation_col:
        aggregates += [
            F.count_if(F.col(validation_col).isNull()).alias("null_flags"),
            F.count_if(F.col(validation_col)).alias("validation_rows"),
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
    with phase(df.sparkSession, "profile the training data"):
        stats = df.select(*aggregates).first().asDict()
    label_stats = LabelStats(**{name: stats[name] for name in labels})
    if validation_col:
        _check_validation_flags(stats, validation_col, num_members)
    width = _check_profile(
        stats, label_stats, df.schema[label_col], label_col, weight_col, fold_col, num_members, task
    )
    rows = stats["rows"]
    return TrainingProfile(
        rows=rows,
        width=width,
        # With inputCols the vector check sees only the numeric block.
        num_features=blocks.num_features or stats["max_size"],
        category_levels=tuple(int(stats[f"levels_{i}"]) for i in range(len(categories))),
        distinct_rows=int(stats["distinct_rows"]) if content else rows,
        validation_rows=int(stats["validation_rows"]) if validation_col else 0,
    )


def label_aggregates(label_col: str, label_type: DataType) -> Dict[str, Column]:
    """The :class:`~sparkensemble.tasks.base.LabelStats` every task checks, as aggregates."""
    label = F.col(label_col).cast("double")
    if isinstance(label_type, (FractionalType, DecimalType)):
        nan, inf = F.isnan(label), F.abs(label) == F.lit(float("inf"))
        non_integral = ~nan & ~inf & (label != F.floor(label))
        finite = F.when(~nan & ~inf, label)
    else:
        nan = inf = non_integral = F.lit(False)
        finite = label
    return {
        "null_labels": F.count_if(F.col(label_col).isNull()),
        "nan_labels": F.count_if(nan),
        "inf_labels": F.count_if(inf),
        "non_integral_labels": F.count_if(non_integral),
        "min_label": F.min(finite),
        "max_label": F.max(finite),
    }


def _check_profile(
    stats: dict,
    labels: LabelStats,
    label_field: StructField,
    label_col: str,
    weight_col: Optional[str],
    fold_col: Optional[str],
    num_members: int,
    task: EnsembleTask,
) -> int:
    """Refuse what the profile found wrong; return the members' output width."""
    rows = stats["rows"]
    if rows == 0:
        raise ValueError("The training DataFrame is empty; there is nothing to fit.")
    if rows < num_members:
        raise ValueError(
            f"The training DataFrame has {rows} rows, fewer than numMembers={num_members}; "
            f"lower numMembers or add data."
        )
    if labels.null_labels:
        raise ValueError(
            f"labelCol={label_col!r} has {labels.null_labels} null values; drop or fill them."
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
    return task.check_labels(labels, label_col, num_classes_from_metadata(label_field))


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


def _check_validation_flags(stats: dict, validation_col: str, num_members: int) -> None:
    if stats["null_flags"]:
        raise ValueError(
            f"validationIndicatorCol={validation_col!r} has {stats['null_flags']} null values; "
            f"fill them with false (train) or true (validate)."
        )
    flagged, rows = stats["validation_rows"], stats["rows"]
    if rows and not flagged:
        raise ValueError(
            f"validationIndicatorCol={validation_col!r} is false on every row, so there is "
            f"nothing to validate on; flag some rows true, or unset it to hold out "
            f"validationFraction of each member's rows."
        )
    if rows and flagged == rows:
        raise ValueError(
            f"validationIndicatorCol={validation_col!r} is true on every row, so no row is "
            f"left to train on; flag only the validation rows true."
        )
    if rows and rows - flagged < num_members:
        raise ValueError(
            f"validationIndicatorCol={validation_col!r} leaves {rows - flagged} training rows, "
            f"fewer than numMembers={num_members}; lower numMembers or flag fewer rows."
        )
