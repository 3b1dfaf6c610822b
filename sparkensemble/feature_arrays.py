"""Features in model order, as numpy or pandas, from the Arrow rows Spark delivers. No Spark here.

Members and scoring read the same two blocks (numeric, categorical); these functions put
them back in the user's column order, so importances and exported members follow it.

Categorical columns become pandas ``Categorical`` columns: CatBoost then hashes each
distinct value once instead of once per row, and builds a pool an order of magnitude
faster. It hashes the values, not their codes, so a member's bytes and predictions are
those of the same strings given one by one.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
    columns = [pa.array(categorical[:, j].astype(str)) for j in range(categorical.shape[1])]
    return _interleaved(numeric, columns, categorical_positions)


def _interleaved(
    numeric: np.ndarray, categorical: Sequence[pa.Array], categorical_positions: Sequence[int]
) -> pd.DataFrame:
    """A frame of the numeric columns and the categorical ones, each at its position."""
    total = numeric.shape[1] + len(categorical_positions)
    positions = set(categorical_positions)
    numeric_columns = iter(range(numeric.shape[1]))
    categorical_columns = iter(categorical)
    columns = {}
    for position in range(total):
        if position in positions:
            columns[position] = _categorical(next(categorical_columns))
        else:
            columns[position] = numeric[:, next(numeric_columns)]
    return pd.DataFrame(columns)


def _categorical(values: pa.Array) -> pd.Categorical:
    """One column's strings as a pandas Categorical, levels in order of first appearance."""
    encoded = values.dictionary_encode()
    return pd.Categorical.from_codes(encoded.indices.to_numpy(), encoded.dictionary.to_pylist())


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
    return _interleaved(matrix, _rows_as_columns(categorical), categorical_positions)


def _flat_values(rows: ArrowRows) -> pa.Array:
    """The elements of all list rows, end to end, in one contiguous Arrow array."""
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    return rows.flatten()


def _rows_as_matrix(rows: ArrowRows) -> np.ndarray:
    return _flat_values(rows).to_numpy(zero_copy_only=False).reshape(len(rows), -1)


def _rows_as_columns(rows: ArrowRows) -> List[pa.Array]:
    """Equal-length list rows as one Arrow array per element position, still in Arrow."""
    values = _flat_values(rows)
    width = len(values) // len(rows)
    return [pc.take(values, pa.array(np.arange(j, len(values), width))) for j in range(width)]


def take_rows(features: Features, rows: np.ndarray) -> Features:
    """The selected rows of a numeric matrix or of a frame with categorical columns."""
    return features.iloc[rows] if isinstance(features, pd.DataFrame) else features[rows]
