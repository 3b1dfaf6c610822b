"""sparkensemble on a real standalone cluster: a master and two workers on 127.0.0.1."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.fit_and_digest import member_digests
from helpers.processes import SLOW_FIT, descendants, fit_in_a_child, training_workers
from helpers.spark import run_end_to_end_module
from helpers.standalone import standalone_cluster

HELPERS = Path(__file__).parents[1] / "helpers"
ROOT = Path(__file__).parents[2]
# Fit, transform, save and load with both strategies; the rest of test_end_to_end.py
# runs in the main, classic session.
CORE_JOURNEY = "test_fit_transform_evaluate_save_and_load"


def run(args, env, timeout=900):
    result = subprocess.run(
        args,
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-4000:]
    return result.stdout


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    with standalone_cluster(tmp_path_factory.mktemp("standalone")) as started:
        yield started


@pytest.fixture(scope="module")
def cluster(running):
    return running.url


@pytest.mark.slow
def test_end_to_end_module_passes_on_the_standalone_cluster(cluster, tmp_path):
    summary = run_end_to_end_module(
        {"SPARKENSEMBLE_TEST_MASTER": cluster}, tmp_path, "-k", CORE_JOURNEY
    )
    assert "2 passed" in summary and "failed" not in summary, summary


@pytest.mark.slow
def test_members_are_identical_on_the_cluster_and_in_local_mode(spark, cluster):
    script = str(HELPERS / "fit_and_digest.py")

    def digests(master, partitions):
        out = run([sys.executable, script], {"MASTER": master, "PARTITIONS": partitions})
        return json.loads(out.strip().splitlines()[-1])

    local = member_digests(spark, partitions=16)  # this suite's own local[2] session
    assert digests(cluster, "2") == local


# Last in this module: it kills one of the cluster's two workers, each with one core. The
# fit's 3 members then finish on a single slot: no barrier mode, nothing needs all members
# to run at once.
@pytest.mark.slow
def test_losing_a_worker_mid_fit_finishes_on_the_other_with_identical_members(
    running, slow_fit_digests
):
    victim = running.workers[0]

    def kill_the_worker(_fit_pid: int):
        # Once the victim's executor is training, kill the worker and all it started.
        if not training_workers(victim.pid):
            return None
        for pid in [*descendants(victim.pid), victim.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return victim.pid

    members, killed, log = fit_in_a_child({**SLOW_FIT, "MASTER": running.url}, kill_the_worker)
    assert killed == victim.pid
    markers = ("Lost executor", "ExecutorLostFailure", "Lost task", "Executor lost")
    assert any(marker in log for marker in markers), log[-4000:]
    assert members == slow_fit_digests
