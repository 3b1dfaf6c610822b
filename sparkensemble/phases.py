"""Named phases: each Spark job of a fit, save or load says which library and step ran it.

On a classic session a phase sets the job description and a job group of its own on
the calling thread (pyspark's local properties, on a copy that no other thread shares),
and puts back what the caller had. On Spark Connect it adds an operation tag
for the phase's duration. Either way it logs, at INFO on the ``sparkensemble`` logger,
when the phase starts and ends; a phase that trains members also logs each member that
finishes, read from Spark's status tracker (classic) or the progress handler (Connect).
At the default WARNING level none of that polling runs.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, Sequence

from sparkensemble.autologging import log_autologged_metrics

logger = logging.getLogger(__name__)

_DESCRIPTION = "spark.job.description"
_GROUP = "spark.jobGroup.id"
# How often the driver looks at the training job's finished tasks.
_POLL_SECONDS = 0.5


def is_connect(spark: Any) -> bool:
    """Whether ``spark`` is a Spark Connect session (which has no SparkContext)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


@contextmanager
def phase(spark: Any, text: str, members: Optional[int] = None) -> Iterator[None]:
    """Run the block's Spark jobs as the phase "sparkensemble: ``text``".

    With ``members``, the block's last stage of that many tasks trains one member per
    task, and each finished member is logged as "members trained: k/n".
    """
    description = f"sparkensemble: {text}"
    group = f"sparkensemble-{uuid.uuid4().hex[:12]}"
    started = time.perf_counter()
    logger.info("%s: started", description)
    with _labelled(spark, description, group):
        with _member_progress(spark, group, members):
            yield
    logger.info("%s: done in %.1f s", description, time.perf_counter() - started)


@contextmanager
def _labelled(spark: Any, description: str, group: str) -> Iterator[None]:
    if is_connect(spark):
        tag = description.replace(",", ";")  # Spark Connect refuses commas in tags
        spark.addTag(tag)
        try:
            yield
        finally:
            spark.removeTag(tag)
        return
    context = spark.sparkContext
    # CrossValidator's pool threads share one properties object: pyspark's
    # inheritable_thread_target sets the same copy of the parent's on each. So a phase
    # labels a copy of its own, and gives the caller's object back untouched.
    scala_context = context._jsc.sc()
    callers = scala_context.getLocalProperties()
    scala_context.setLocalProperties(callers.clone())
    context.setLocalProperty(_DESCRIPTION, description)
    context.setLocalProperty(_GROUP, group)
    try:
        yield
    finally:
        scala_context.setLocalProperties(callers)


@contextmanager
def _member_progress(spark: Any, group: str, members: Optional[int]) -> Iterator[None]:
    if members is None or not logger.isEnabledFor(logging.INFO):
        yield
        return
    report = _ProgressReport(members)
    if is_connect(spark):
        if not hasattr(spark, "registerProgressHandler"):  # pyspark 3.5's Connect client
            yield
            return
        handler = _connect_handler(report, threading.get_ident())
        spark.registerProgressHandler(handler)
        try:
            yield
        finally:
            spark.removeProgressHandler(handler)
        # The job has returned, so every member's task has finished; the server reports
        # progress at intervals, and a short job can end before its first report.
        report.update(members)
        return
    stop = threading.Event()
    tracker = spark.sparkContext.statusTracker()
    poller = threading.Thread(
        target=_poll, args=(tracker, group, report, stop), name="sparkensemble-progress"
    )
    poller.daemon = True
    poller.start()
    try:
        yield
    finally:
        stop.set()
        poller.join()
    report.update(members)  # the job has returned: every member's task has finished


class _ProgressReport:
    """Logs "members trained: k/n" each time the count of finished members grows."""

    def __init__(self, members: int) -> None:
        self.members = members
        self.reported = 0
        self._lock = threading.Lock()

    def update(self, finished: int) -> None:
        with self._lock:
            finished = min(finished, self.members)
            if finished > self.reported:
                self.reported = finished
                logger.info("members trained: %d/%d", finished, self.members)


def members_finished(stages: Any, members: int) -> Optional[int]:
    """The finished tasks of the latest stage with one task per member, if there is one.

    ``stages`` are ``(stage_id, num_tasks, num_completed_tasks)`` triples.
    """
    training = [stage for stage in stages if stage[1] == members]
    return max(training)[2] if training else None


def _read_tracker(tracker: Any, group: str, report: _ProgressReport) -> None:
    stages = []
    for job in tracker.getJobIdsForGroup(group):
        info = tracker.getJobInfo(job)
        for stage_id in info.stageIds if info else []:
            stage = tracker.getStageInfo(stage_id)
            if stage is not None:
                stages.append((stage_id, stage.numTasks, stage.numCompletedTasks))
    finished = members_finished(stages, report.members)
    if finished is not None:
        report.update(finished)


def _poll(tracker: Any, group: str, report: _ProgressReport, stop: threading.Event) -> None:
    while not stop.wait(_POLL_SECONDS):
        _read_tracker(tracker, group, report)


def _connect_handler(report: _ProgressReport, thread: int) -> Callable[..., None]:
    # The handler is the session's, called by whichever thread runs a query: count only
    # this fit's own, so that CrossValidator's parallel fits do not mix their progress.
    def on_progress(stages: Any, inflight_tasks: int, operation_id: Any, done: bool) -> None:
        if threading.get_ident() != thread or not stages:
            return
        triples = [(s.stage_id, s.num_tasks, s.num_completed_tasks) for s in stages]
        finished = members_finished(triples, report.members)
        if finished is not None:
            report.update(finished)

    return on_progress


def log_fitted(members: Any, metric_names: Sequence[str], seconds: float) -> None:
    """Report a finished fit: at INFO, its seconds and each member's best iteration and
    holdout metrics; under MLflow autologging, the same as run metrics.

    ``members`` is the members table (a pandas DataFrame).
    """
    log_autologged_metrics(members, metric_names, seconds)
    if not logger.isEnabledFor(logging.INFO):
        return
    logger.info("sparkensemble: fit %d members in %.1f s", len(members), seconds)
    for member in members.itertuples():
        metrics = ", ".join(f"{name} {getattr(member, name):.4f}" for name in metric_names)
        logger.info(
            "member %d (generation %d): best iteration %d, %s",
            member.member,
            member.generation,
            member.best_iteration,
            metrics,
        )
