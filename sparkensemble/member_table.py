"""The members table: one row per member, its native bytes and its summary. No Spark here.

Its columns are named here once, with their Spark types: training returns them (and an
error per member), persistence stores them, and ``model.summary`` shows all but the
bytes and the importances.
"""

from __future__ import annotations

from typing import List, Tuple

import pandas as pd

from sparkensemble.tasks import EnsembleTask

# Around the task's holdout metrics, which are doubles.
_HEAD = [
    ("member", "int"),
    ("generation", "int"),
    ("seed", "long"),
    ("model", "binary"),
    ("input_rows", "long"),
    ("rows", "long"),
    ("train_rows", "long"),
    ("holdout_rows", "long"),
]
_TAIL = [
    ("best_iteration", "int"),
    ("train_seconds", "double"),
    ("partition", "int"),
    ("train_started_at", "double"),
    ("feature_importances", "array<double>"),
    ("curve_metric", "string"),
    ("learn_curve", "array<double>"),
    ("holdout_curve", "array<double>"),
]
# The driver adds these to what the training job returns.
DRIVER_COLUMNS = ("seed", "generation")
# model.members, model.featureImportances and model.learningCurves show these; the summary
# leaves them out.
_NOT_IN_SUMMARY = ("model", "feature_importances", "curve_metric", "learn_curve", "holdout_curve")
_CURVES = ("learn_curve", "holdout_curve")
_PANDAS_TYPES = {"int": "int64", "long": "int64", "double": "float64"}


def member_columns(task: EnsembleTask) -> List[Tuple[str, str]]:
    """Each column's name and Spark type, in the stored order."""
    return [*_HEAD, *[(name, "double") for name in task.metric_names], *_TAIL]


def member_table_schema(task: EnsembleTask) -> str:
    """The member table as stored: one row per member, its native bytes and its summary."""
    return ", ".join(f"{name} {spark_type}" for name, spark_type in member_columns(task))


def member_table_columns(task: EnsembleTask) -> List[str]:
    return [name for name, _ in member_columns(task)]


def summary_columns(task: EnsembleTask) -> List[str]:
    """The columns of ``model.summary``: ``generation`` is 0 for the first fit's members
    and counts the growths after it; ``input_rows`` exceeds ``rows`` where
    maxRowsPerMember capped a member; ``partition`` and ``train_started_at`` show where
    and when each member trained, so members of one fit can be seen to overlap."""
    return [name for name in member_table_columns(task) if name not in _NOT_IN_SUMMARY]


def empty_member_table(task: EnsembleTask) -> pd.DataFrame:
    return pd.DataFrame(columns=member_table_columns(task))


def canonical_member_table(table: pd.DataFrame, task: EnsembleTask) -> pd.DataFrame:
    """The member table with fixed column order and dtypes, whether fitted or loaded.

    A model saved before members had generations holds generation 0 throughout.
    """
    table = table.reindex(columns=member_table_columns(task))
    table["generation"] = table["generation"].fillna(0)
    for column, spark_type in member_columns(task):
        if spark_type in _PANDAS_TYPES:
            table[column] = table[column].astype(_PANDAS_TYPES[spark_type])
    table["model"] = [bytes(blob) for blob in table["model"]]
    table["feature_importances"] = [
        [float(value) for value in row] for row in table["feature_importances"]
    ]
    # A model saved before members kept their learning curves has none.
    table["curve_metric"] = [
        value if isinstance(value, str) else "" for value in table["curve_metric"]
    ]
    for column in _CURVES:
        table[column] = [
            [] if _missing(row) else [float(value) for value in row] for row in table[column]
        ]
    return table.sort_values("member").reset_index(drop=True)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)
