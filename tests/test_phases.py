"""Named phases and progress: what a fit tells the Spark UI and the log while it runs."""

from __future__ import annotations

import logging

import pytest
from helpers.spark import SPARK_MODE

from sparkensemble import SampledEnsembleClassificationModel, SampledEnsembleClassifier
from sparkensemble.phases import _ProgressReport, members_finished

SMALL = {"iterations": 15, "depth": 3, "seed": 2}


def test_members_finished_reads_the_latest_stage_with_one_task_per_member():
    # (stage id, tasks, finished tasks): the shuffle's map stage, then the training stage.
    assert members_finished([(4, 3, 3), (5, 3, 1)], 3) == 1
    assert members_finished([(4, 2, 2), (5, 3, 2)], 3) == 2
    assert members_finished([(4, 2, 2)], 3) is None


def test_the_progress_report_logs_each_new_count_once(caplog):
    report = _ProgressReport(3)
    with caplog.at_level(logging.INFO, logger="sparkensemble"):
        for finished in (0, 1, 1, 3, 2, 5):
            report.update(finished)
    assert [r.getMessage() for r in caplog.records] == [
        "members trained: 1/3",
        "members trained: 3/3",
    ]


def messages(caplog):
    return [r.getMessage() for r in caplog.records if r.name.startswith("sparkensemble")]


def test_a_fit_is_silent_at_the_default_level(binary_df, caplog):
    with caplog.at_level(logging.WARNING, logger="sparkensemble"):
        SampledEnsembleClassifier(numMembers=2, **SMALL).fit(binary_df)
    assert messages(caplog) == []


@pytest.mark.skipif(SPARK_MODE == "connect", reason="descriptions are classic; see test_end_to_end")
def test_every_job_of_fit_save_and_load_is_named_and_the_caller_s_description_kept(
    spark, binary_df, tmp_path
):
    context = spark.sparkContext
    # The application's status store, as the Spark UI reads it (pyspark has no public
    # call for a job's description).
    store = context._jsc.sc().statusStore()

    def jobs():
        listed = store.jobsList(None)  # a Scala Seq of JobData
        for index in range(listed.size()):
            job = listed.apply(index)
            described = job.description()
            yield job.jobId(), described.get() if described.isDefined() else None

    first = max((job_id for job_id, _ in jobs()), default=-1) + 1
    context.setJobDescription("the caller's own")
    model = SampledEnsembleClassifier(numMembers=2, combiner="stacked", **SMALL).fit(binary_df)
    path = str(tmp_path / "model")
    model.save(path)
    SampledEnsembleClassificationModel.load(path)
    assert context.getLocalProperty("spark.job.description") == "the caller's own"
    context.setJobDescription(None)
    names = [description for job_id, description in jobs() if job_id >= first]
    assert names and all(name.startswith("sparkensemble: ") for name in names), names
    assert {
        "sparkensemble: profile the training data",
        "sparkensemble: train 2 members (fold)",
        "sparkensemble: score the stacker's holdout rows",
        f"sparkensemble: save SampledEnsembleClassificationModel to {path}",
        f"sparkensemble: load SampledEnsembleClassificationModel from {path}",
    } <= set(names)


@pytest.mark.skipif(SPARK_MODE == "connect", reason="descriptions are classic")
def test_cross_validator_s_parallel_fits_keep_their_own_descriptions(spark, binary_df):
    from pyspark.ml.evaluation import BinaryClassificationEvaluator
    from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

    store = spark.sparkContext._jsc.sc().statusStore()

    def jobs():
        listed = store.jobsList(None)  # a Scala Seq of JobData
        return [listed.apply(index) for index in range(listed.size())]

    first = max((job.jobId() for job in jobs()), default=-1) + 1
    estimator = SampledEnsembleClassifier(**SMALL)
    grid = ParamGridBuilder().addGrid(estimator.numMembers, [2, 3]).build()
    CrossValidator(
        estimator=estimator,
        estimatorParamMaps=grid,
        evaluator=BinaryClassificationEvaluator(),
        numFolds=2,
        parallelism=2,
        seed=5,
    ).fit(binary_df)
    phases = {}  # job group -> (descriptions, the tasks of each job's last stage)
    for job in jobs():
        described, group = job.description(), job.jobGroup()
        text = described.get() if described.isDefined() else ""
        if job.jobId() >= first and text.startswith("sparkensemble: train "):
            stages = job.stageIds()
            last = max(stages.apply(index) for index in range(stages.size()))
            texts, tasks = phases.setdefault(group.get(), (set(), []))
            texts.add(text)
            tasks.append(store.lastStageAttempt(last).numTasks())
    # Two maps on two folds, fitted two at a time, and the best map refitted: five
    # training phases, each with one description, whose widest stage has one task per
    # member it names.
    assert len(phases) == 5, phases
    for texts, tasks in phases.values():
        assert texts == {f"sparkensemble: train {max(tasks)} members (fold)"}, phases
    assert {max(tasks) for _, tasks in phases.values()} == {2, 3}
