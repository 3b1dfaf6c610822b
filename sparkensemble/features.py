"""How input columns become the members' features: a numeric block and a categorical block.

Two input modes, both ending in the same two Spark columns:

- ``featuresCol``: a Vector or numeric array. Slots that the column's ML attribute
  metadata declares nominal (as ``StringIndexer`` + ``VectorAssembler`` produce) are
  categorical, as catboost-spark treats them.
- ``inputCols``: raw numeric and string columns; those named in ``categoricalCols`` are
  categorical, passed to CatBoost as they are, with no indexing or one-hot encoding.

Categorical values travel as strings. A null category becomes the category
``NULL_CATEGORY``, so CatBoost learns from missingness rather than failing on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import (
    StructField,
    StructType,
)

NULL_CATEGORY = "__null__"


@dataclass(frozen=True)
class FeatureBlocks:
    """The Spark columns members read, and where the categorical features sit."""

    numeric: Column  # array<double>
    categorical: Optional[Column]  # array<string>, or None without categorical features
    categorical_positions: List[int]
    check: Column  # what the data checks inspect for nulls and sizes
    categorical_names: List[str] = field(default_factory=list)  # one per categorical position
    num_features: Optional[int] = None  # known from the columns with inputCols, else from data

    def categories(self) -> List[Column]:
        """Each categorical feature as its own string column."""
        if self.categorical is None:
            return []
        return [self.categorical[i] for i in range(len(self.categorical_positions))]


def features_as_array(schema: StructType, column: str) -> Column:
    """The features column as array<double>, whichever accepted type it has."""
    if isinstance(schema[column].dataType, VectorUDT):
        return vector_to_array(F.col(column), "float64")
    return F.col(column).cast("array<double>")


def nominal_slots(field: StructField) -> List[int]:
    """Vector slots declared nominal in the column's ML attribute metadata."""
    attrs = (field.metadata or {}).get("ml_attr", {}).get("attrs", {})
    return sorted(int(attr["idx"]) for attr in attrs.get("nominal", []))


def vector_size_from_metadata(field: StructField) -> Optional[int]:
    attr = (field.metadata or {}).get("ml_attr", {})
    return int(attr["num_attrs"]) if "num_attrs" in attr else None


def _as_category(value: Column) -> Column:
    return F.coalesce(value.cast("string"), F.lit(NULL_CATEGORY))


def _slot_as_category(value: Column) -> Column:
    # Index values arrive as doubles (3.0); CatBoost wants "3". NaN is missing, like null.
    return F.when(value.isNull() | F.isnan(value), F.lit(NULL_CATEGORY)).otherwise(
        value.cast("long").cast("string")
    )


def slot_names(field: StructField) -> Dict[int, str]:
    """Each vector slot's name in the column's ML attribute metadata, where it has one."""
    groups = (field.metadata or {}).get("ml_attr", {}).get("attrs", {})
    return {
        int(attr["idx"]): str(attr["name"])
        for attrs in groups.values()
        for attr in attrs
        if "name" in attr
    }


def vector_blocks(
    schema: StructType, column: str, positions: Sequence[int], num_features: Optional[int]
) -> FeatureBlocks:
    """Blocks for ``featuresCol``; ``positions`` are its categorical slots."""
    array = features_as_array(schema, column)
    if not positions:
        return FeatureBlocks(array, None, [], array)
    numeric = [array[i] for i in range(num_features) if i not in set(positions)]
    names = slot_names(schema[column])
    return FeatureBlocks(
        numeric=F.array(*numeric).cast("array<double>"),
        categorical=F.array(*[_slot_as_category(array[i]) for i in positions]),
        categorical_positions=list(positions),
        check=array,
        categorical_names=[names.get(i, f"{column}[{i}]") for i in positions],
    )


def column_blocks(input_cols: Sequence[str], categorical_cols: Sequence[str]) -> FeatureBlocks:
    """Blocks for ``inputCols``, keeping the columns' order among all features."""
    categorical = set(categorical_cols)
    numeric = [F.col(c).cast("double") for c in input_cols if c not in categorical]
    numeric_block = F.array(*numeric).cast("array<double>")
    categories = [_as_category(F.col(c)) for c in input_cols if c in categorical]
    return FeatureBlocks(
        numeric=numeric_block,
        # None, not an empty array, when no column is categorical: scoring reads one block.
        categorical=F.array(*categories) if categories else None,
        categorical_positions=[i for i, c in enumerate(input_cols) if c in categorical],
        check=numeric_block,
        categorical_names=[c for c in input_cols if c in categorical],
        num_features=len(input_cols),
    )


def input_blocks(
    schema: StructType,
    features_col: str,
    input_cols: Optional[Sequence[str]],
    categorical_cols: Sequence[str],
    positions: Optional[Sequence[int]] = None,
    num_features: Optional[int] = None,
) -> FeatureBlocks:
    """The blocks, in whichever mode the Params select, of columns that
    :func:`sparkensemble.schema.check_feature_columns` has checked.

    A fitted model passes the ``positions`` and ``num_features`` it was fitted with, so
    transform reads the vector exactly as fit did, whatever its metadata says now.
    """
    if input_cols is not None:
        return column_blocks(input_cols, categorical_cols)
    if positions is None:
        field = schema[features_col]
        positions = nominal_slots(field)
        num_features = vector_size_from_metadata(field)
    return vector_blocks(schema, features_col, positions, num_features)


def feature_blocks(
    params: Any,
    schema: StructType,
    positions: Optional[Sequence[int]] = None,
    num_features: Optional[int] = None,
) -> FeatureBlocks:
    """:func:`input_blocks` for the feature Params of an estimator or model ``params``."""
    input_cols = params.getInputCols() if params.isDefined(params.inputCols) else None
    return input_blocks(
        schema,
        params.getFeaturesCol(),
        input_cols,
        params.getCategoricalCols(),
        positions,
        num_features,
    )
