"""What a Spark task knows of itself, read inside the task: its CPUs and its partition."""

from __future__ import annotations


def task_threads() -> int:
    """The threads a member may use: ``spark.task.cpus``, or 1 outside a Spark task."""
    from pyspark import TaskContext

    context = TaskContext.get()
    return max(1, context.cpus()) if context else 1


def task_partition() -> int:
    """The partition this task reads, or -1 outside a Spark task."""
    from pyspark import TaskContext

    context = TaskContext.get()
    return context.partitionId() if context else -1
