"""Small data makers: numpy rows with a known signal, and the Spark frames of them."""

from __future__ import annotations

import os
from typing import Tuple

import numpy as np


def make_classification(
    rows: int, classes: int = 2, features: int = 5, seed: int = 0
) -> Tuple[np.ndarray, np.ndarray]:
    """Rows whose class depends on the first features, with some noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features))
    score = x[:, 0] + 0.5 * x[:, 1] + 0.4 * rng.normal(size=rows)
    edges = np.quantile(score, np.linspace(0, 1, classes + 1)[1:-1])
    return x, np.digitize(score, edges).astype(np.float64)


def make_regression(rows: int, features: int = 5, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """Rows whose label is a smooth function of the first features, plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features))
    y = 2.0 * x[:, 0] + np.sin(2.0 * x[:, 1]) + 0.5 * x[:, 2] ** 2 + 0.3 * rng.normal(size=rows)
    return x, y


def make_ranking(
    groups: int, per_group: int = 8, features: int = 4, seed: int = 0
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups of rows whose graded relevance (0 to 3) rises with the first feature."""
    rng = np.random.default_rng(seed)
    rows = groups * per_group
    x = rng.normal(size=(rows, features))
    score = x[:, 0] + 0.5 * x[:, 1] + 0.5 * rng.normal(size=rows)
    relevance = np.clip(np.round(score + 1.0), 0, 3)
    return x, relevance, np.repeat(np.arange(groups), per_group)


def to_frame(spark, x: np.ndarray, y: np.ndarray, partitions: int = 2, **extra):
    from pyspark.ml.linalg import Vectors

    names = ["features", "label", *extra]
    columns = [list(values) for values in extra.values()]
    data = [
        (Vectors.dense(row), float(label), *(column[i] for column in columns))
        for i, (row, label) in enumerate(zip(x, y))
    ]
    return spark.createDataFrame(data, names).repartition(partitions)


def files_under(path: str) -> list:
    """Every file below ``path``, relative to it, sorted."""
    return sorted(
        os.path.relpath(os.path.join(folder, name), path)
        for folder, _, names in os.walk(path)
        for name in names
    )
