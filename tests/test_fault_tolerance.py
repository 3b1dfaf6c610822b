"""A member's task dies mid-training: Spark retries it and the members come out identical."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def _digests(output: str):
    return json.loads(output.strip().splitlines()[-1])


def _fit(env, kill_a_worker: bool):
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
    while kill_a_worker and killed is None and process.poll() is None:
        # A worker of this fit that has used a second of CPU is training a member.
        busy = _training_workers(process.pid)
        if busy:
            os.kill(busy[0], signal.SIGKILL)
            killed = busy[0]
        assert time.monotonic() < deadline, "no training worker appeared"
        time.sleep(0.2)
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stdout[-3000:] + stderr[-5000:]
    return _digests(stdout), killed, stderr


@pytest.mark.slow
def test_a_killed_training_task_is_retried_and_the_members_are_identical():
    # local[2,4]: two slots, and a failed task is retried up to 4 times, as on a cluster.
    clean, _, _ = _fit({**SLOW_FIT, "MASTER": "local[2,4]"}, kill_a_worker=False)
    retried, killed, log = _fit({**SLOW_FIT, "MASTER": "local[2,4]"}, kill_a_worker=True)
    assert killed is not None
    assert "Lost task" in log or "Python worker exited unexpectedly" in log
    assert retried == clean
