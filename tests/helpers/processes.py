"""Processes of a running fit, found through /proc, and a fit run as a child process.

Shared by the fault-injection tests: they kill a training worker, or a whole standalone
worker, from outside the code under test.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
# Long enough that the training job is still running when a worker is killed.
SLOW_FIT = {"ROWS": "30000", "ITERATIONS": "400", "PARTITIONS": "2"}


def processes():
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


def training_workers(root: int):
    """Forked PySpark workers under ``root`` (and nobody else's) that have used 1s of CPU."""
    table = processes()

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


def descendants(root: int):
    table = processes()
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _, _) in table.items() if ppid == parent]
        found += children
        frontier += children
    return found


def fit_in_a_child(env, kill):
    """Run fit_and_digest.py; ``kill(fit_pid)`` is polled and returns a pid once it killed."""
    process = subprocess.Popen(
        [sys.executable, str(HERE / "fit_and_digest.py")],
        cwd=HERE.parents[1],
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


def kill_a_training_worker(fit_pid: int):
    # A forked PySpark worker of this fit that has used a second of CPU is training.
    busy = training_workers(fit_pid)
    if busy:
        os.kill(busy[0], signal.SIGKILL)
        return busy[0]
    return None
