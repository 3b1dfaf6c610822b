"""Features in model order, as numpy or pandas, from the Arrow rows Spark delivers. No Spark here.

Members and scoring read the same two blocks (numeric, categorical); these functions put
them back in the user's column order, so importances and exported members follow it.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np
import pandas as pd
import pyarrow as pa

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
    total = numeric.shape[1] + len(categorical_positions)
    positions = set(categorical_positions)
    numeric_columns = iter(range(numeric.shape[1]))
    categorical_columns = iter(range(len(categorical_positions)))
    columns = {}
    for position in range(total):
        if position in positions:
            columns[position] = categorical[:, next(categorical_columns)].astype(str)
        else:
            columns[position] = numeric[:, next(numeric_columns)]
    return pd.DataFrame(columns)


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
    return assemble_features(matrix, _rows_as_matrix(categorical), categorical_positions)


def _rows_as_matrix(rows: ArrowRows) -> np.ndarray:
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    values = rows.flatten().to_numpy(zero_copy_only=False)
    return values.reshape(len(rows), -1)


def take_rows(features: Features, rows: np.ndarray) -> Features:
    """The selected rows of a numeric matrix or of a frame with categorical columns."""
    return features.iloc[rows] if isinstance(features, pd.DataFrame) else features[rows]
