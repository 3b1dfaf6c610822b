"""Checks of the input DataFrame's schema: column presence and types, with no Spark job.

Fit and transform call these before they build any column, so a wrong column name or
type fails on the driver, naming the Param and the fix. What needs the data (nulls,
label values, vector sizes) is the profile's job (:mod:`sparkensemble.profile`).
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional, Sequence, Tuple, Union

from pyspark.errors import IllegalArgumentException
from pyspark.ml.linalg import VectorUDT
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DataType,
    IntegralType,
    NumericType,
    StringType,
    StructField,
    StructType,
)

from sparkensemble.tasks import EnsembleTask


class MissingColumnError(ValueError, IllegalArgumentException):
    """A Param names a column the DataFrame does not have.

    It is the ``IllegalArgumentException`` that pyspark.ml's own stages raise for a missing
    column, so tools that drop columns to find a model's inputs (MLflow's signature
    inference) read it as they read theirs; to everyone else it is a ``ValueError``.
    """

    def __init__(self, message: str) -> None:
        IllegalArgumentException.__init__(self, message=message)
        ValueError.__init__(self, message)


def check_feature_columns(
    schema: StructType,
    features_col: str,
    input_cols: Optional[Sequence[str]],
    categorical_cols: Sequence[str],
) -> None:
    """The feature columns of whichever mode the Params select: ``inputCols`` or the vector."""
    if input_cols is not None:  # an empty list is set, and wrong; check_input_columns says so
        check_input_columns(schema, input_cols, categorical_cols)
        return
    if categorical_cols:
        raise ValueError(
            f"categoricalCols={list(categorical_cols)} names raw columns, which needs inputCols; "
            f"with featuresCol, mark categorical slots with StringIndexer metadata instead."
        )
    check_features_column(schema, features_col)


def check_input_columns(
    schema: StructType, input_cols: Sequence[str], categorical_cols: Sequence[str]
) -> None:
    """Every input column exists and has a type its role accepts."""
    if not input_cols:
        raise ValueError("inputCols is empty; name at least one feature column.")
    if len(set(input_cols)) != len(input_cols):
        raise ValueError(f"inputCols={list(input_cols)} names a column more than once.")
    unknown = [c for c in categorical_cols if c not in input_cols]
    if unknown:
        raise ValueError(
            f"categoricalCols={unknown} are not among inputCols={list(input_cols)}; "
            f"add them to inputCols."
        )
    for column in input_cols:
        if column not in schema.fieldNames():
            raise MissingColumnError(
                f"inputCols names {column!r}, which does not exist in the input DataFrame; "
                f"its columns are {schema.fieldNames()}."
            )
        data_type = schema[column].dataType
        if column in categorical_cols:
            if not isinstance(data_type, (StringType, IntegralType, BooleanType)):
                raise ValueError(
                    f"categoricalCols names {column!r} of type {data_type.simpleString()}; "
                    f"categories must be string, integer or boolean. Cast it first."
                )
        elif isinstance(data_type, StringType):
            raise ValueError(
                f"inputCols names {column!r}, a string column; add it to categoricalCols to "
                f"use it as a categorical feature."
            )
        elif not isinstance(data_type, (NumericType, BooleanType)):
            raise ValueError(
                f"inputCols names {column!r} of type {data_type.simpleString()}; feature "
                f"columns must be numeric, boolean or (in categoricalCols) string."
            )


def check_features_column(schema: StructType, column: str) -> None:
    """The features column must be a Vector or an array of numbers."""
    data_type = input_field(schema, column, "featuresCol").dataType
    if isinstance(data_type, VectorUDT):
        return
    if isinstance(data_type, ArrayType) and isinstance(data_type.elementType, NumericType):
        return
    raise ValueError(
        f"featuresCol={column!r} has type {data_type.simpleString()}; it must be a Vector or "
        f"an array of numbers. Assemble numeric columns with "
        f"pyspark.ml.feature.VectorAssembler, or name raw columns in inputCols."
    )


def input_field(schema: StructType, column: str, param: str) -> StructField:
    if column not in schema.fieldNames():
        raise MissingColumnError(
            f"{param}={column!r} does not exist in the input DataFrame; "
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
    validation_col: Optional[str] = None,
    group_col: Optional[str] = None,
) -> None:
    """Check the label, weight, fold, validation and group columns' presence and type,
    with no Spark job.

    The feature columns are :func:`check_feature_columns`'s.
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
        _check_type(
            schema,
            fold_col,
            "foldCol",
            IntegralType,
            "an integer column with values in 0..numMembers-1.",
        )
    if validation_col:
        _check_type(
            schema,
            validation_col,
            "validationIndicatorCol",
            BooleanType,
            f"a boolean column, true on the rows to validate on (for example "
            f"F.col({validation_col!r}) == 1).",
        )
    if group_col:
        _check_type(
            schema,
            group_col,
            "groupCol",
            (IntegralType, StringType),
            "an integer or string column holding each row's group (query) id.",
        )


def _check_type(
    schema: StructType,
    column: str,
    param: str,
    expected: Union[type, Tuple[type, ...]],
    must_be: str,
) -> None:
    """The column exists and is of the ``expected`` Spark type; ``must_be`` says what it
    must be, for the error."""
    data_type = input_field(schema, column, param).dataType
    if not isinstance(data_type, expected):
        raise ValueError(
            f"{param}={column!r} has type {data_type.simpleString()}; it must be {must_be}"
        )


def check_output_columns(schema: StructType, columns: Iterable[str]) -> None:
    """Refuse to overwrite input columns, as pyspark.ml's own models do."""
    for column in columns:
        if column and column in schema.fieldNames():
            raise ValueError(
                f"Output column {column!r} already exists in the input DataFrame; "
                f"drop it or set a different output column name."
            )


def _category_kind(data_type) -> str:
    if isinstance(data_type, StringType):
        return "string"
    return "boolean" if isinstance(data_type, BooleanType) else "integer"


def category_kinds(schema: StructType, categorical_cols: Sequence[str]) -> Dict[str, str]:
    """Each categorical column's kind (string, integer or boolean), recorded at fit."""
    return {column: _category_kind(schema[column].dataType) for column in categorical_cols}


def check_category_kinds(schema: StructType, fitted: Dict[str, str]) -> None:
    """A categorical column must keep its kind: "3" and 3 are different categories."""
    for column, kind in fitted.items():
        data_type = schema[column].dataType
        if _category_kind(data_type) != kind:
            raise ValueError(
                f"categoricalCols names {column!r}, a {kind} column when the model was "
                f"fitted and {data_type.simpleString()} now; its values would not match the "
                f"fitted categories. Cast it back to {kind}."
            )
