"""The ensemble tasks, by name: what differs between a classifier and a regressor."""

from sparkensemble.tasks.base import EnsembleTask
from sparkensemble.tasks.classification import CLASSIFICATION
from sparkensemble.tasks.regression import REGRESSION

TASKS = {task.name: task for task in (CLASSIFICATION, REGRESSION)}


def task_named(name: str) -> EnsembleTask:
    return TASKS[name]


__all__ = ["CLASSIFICATION", "REGRESSION", "TASKS", "EnsembleTask", "task_named"]
