"""The ensemble tasks, by name: what differs between a classifier, a regressor and a ranker."""

from sparkensemble.tasks.base import EnsembleTask
from sparkensemble.tasks.classification import CLASSIFICATION
from sparkensemble.tasks.ranking import RANKING
from sparkensemble.tasks.regression import REGRESSION

TASKS = {task.name: task for task in (CLASSIFICATION, REGRESSION, RANKING)}


def task_named(name: str) -> EnsembleTask:
    return TASKS[name]


__all__ = ["CLASSIFICATION", "RANKING", "REGRESSION", "TASKS", "EnsembleTask", "task_named"]
