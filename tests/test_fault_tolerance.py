"""A member's task dies mid-training: Spark retries it and the members come out identical."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from standalone import standalone_cluster

HERE = Path(__file__).parent
# Long enough that the training job is still running when a worker is killed.
SLOW_FIT = {"ROWS": "30000", "ITERATIONS": "400", "PARTITIONS": "2"}


def _processes():
    """pid -> (parent pid, cpu ticks, is a pyspark.daemon process), from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry.name)] = (
            int(stat[1]),
            int(stat[11]) + int(stat[12]),
            b"pyspark.daemon" in cmdline,
        )
    return table


def _training_workers(root: int):
    """Forked PySpark workers under ``root`` (and nobody else's) that have used 1s of CPU."""
    table = _processes()

    def descends_from_root(pid):
        while pid in table and pid > 1:
            if pid == root:
                return True
            pid = table[pid][0]
        return False

    busy = os.sysconf("SC_CLK_TCK")
    return [
        pid
        for pid, (parent, ticks, is_daemon) in table.items()
        if is_daemon
        and table.get(parent, (0, 0, False))[2]
        and ticks > busy
        and descends_from_root(pid)
    ]


def _descendants(root: int):
    table = _processes()
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _, _) in table.items() if ppid == parent]
        found += children
        frontier += children
    return found


def _fit(env, kill):
    """Run fit_and_digest.py; ``kill(fit_pid)`` is polled and returns a pid once it killed."""
    process = subprocess.Popen(
        [sys.executable, str(HERE / "fit_and_digest.py")],
        cwd=HERE.parent,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed = None
    deadline = time.monotonic() + 300
    while kill is not None and killed is None and process.poll() is None:
        killed = kill(process.pid)
        assert time.monotonic() < deadline, "no training worker appeared"
        time.sleep(0.2)
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stdout[-3000:] + stderr[-5000:]
    return json.loads(stdout.strip().splitlines()[-1]), killed, stderr


def _kill_a_training_worker(fit_pid: int):
    # A forked PySpark worker of this fit that has used a second of CPU is training.
    busy = _training_workers(fit_pid)
    if busy:
        os.kill(busy[0], signal.SIGKILL)
        return busy[0]
    return None


@pytest.fixture(scope="module")
def clean_members():
    members, _, _ = _fit({**SLOW_FIT, "MASTER": "local[2,4]"}, kill=None)
    return members


@pytest.mark.slow
def test_a_killed_training_task_is_retried_and_the_members_are_identical(clean_members):
    # local[2,4]: two slots, and a failed task is retried up to 4 times, as on a cluster.
    members, killed, log = _fit({**SLOW_FIT, "MASTER": "local[2,4]"}, _kill_a_training_worker)
    assert killed is not None
    assert "Lost task" in log or "Python worker exited unexpectedly" in log
    assert members == clean_members


@pytest.mark.slow
def test_losing_a_worker_mid_fit_finishes_on_the_other_with_identical_members(
    clean_members, tmp_path
):
    with standalone_cluster(tmp_path) as cluster:
        victim = cluster.workers[0]

        def kill_the_worker(_fit_pid: int):
            # Once the victim's executor is training, kill the worker and all it started.
            if not _training_workers(victim.pid):
                return None
            for pid in [*_descendants(victim.pid), victim.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            return victim.pid

        members, killed, log = _fit({**SLOW_FIT, "MASTER": cluster.url}, kill_the_worker)
    assert killed == victim.pid
    markers = ("Lost executor", "ExecutorLostFailure", "Lost task", "Executor lost")
    assert any(marker in log for marker in markers), log[-4000:]
    assert members == clean_members
