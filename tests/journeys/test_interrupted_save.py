"""A save killed part-way never loads as a mix of two models.

A child process saves two different models over one path in a loop; the test kills its
whole process group (Python, JVM and workers) part-way through a save, then loads the
path here: either one of the two models comes back whole, or loading fails and says why.
"""

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sparkensemble import SampledEnsembleClassificationModel, SampledEnsembleClassifier
from sparkensemble.member_cache import ensemble_key

HELPERS = Path(__file__).parents[1] / "helpers"
LOUD = r"incomplete or corrupted|interrupted save"


def _lines(stream, sink: queue.Queue) -> None:
    for line in stream:
        sink.put((time.monotonic(), line.strip()))
    sink.put((time.monotonic(), None))


def _kill_during_a_save(path: str, fraction: float):
    """Kill the saving process ``fraction`` of a typical save after a save began."""
    env = {**os.environ, "SAVE_PATH": path, "PYSPARK_PYTHON": sys.executable}
    process = subprocess.Popen(
        [sys.executable, str(HELPERS / "save_in_a_loop.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group, so the JVM dies with it
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        _, first = lines.get(timeout=300)
        assert first is not None, "the saving process exited before saving"
        digests = json.loads(first)
        began, durations = {}, []
        while len(durations) < 2:  # time two whole saves first
            at, line = lines.get(timeout=120)
            kind, index = line.split()
            if kind == "begin":
                began[index] = at
            else:
                durations.append(at - began[index])
        _, line = lines.get(timeout=120)
        assert line.startswith("begin")
        time.sleep(fraction * sum(durations) / len(durations))
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    rest = []
    while (item := lines.get(timeout=60)[1]) is not None:
        rest.append(item)
    # The save in progress is the last one that began; it must not have ended.
    last = (rest or [line])[-1]
    return digests, last.startswith("begin")


def test_a_save_killed_part_way_loads_one_whole_model_or_fails_loudly(spark, tmp_path, binary_df):
    path = str(tmp_path / "model")
    # Half-way through a typical save, as timed on the two saves before it.
    digests, interrupted = _kill_during_a_save(path, 0.5)
    assert interrupted, "the kill landed between two saves, so it tested nothing"

    try:
        loaded = SampledEnsembleClassificationModel.load(path)
    except ValueError as error:
        assert re.search(LOUD, str(error)), str(error)
        assert path in str(error)
    else:
        key = ensemble_key(loaded.members)
        assert key in digests
        # The params, stacker and members all come from the same one of the two models.
        whole = {digests[0]: (2, False), digests[1]: (3, True)}
        assert (loaded.getNumMembers(), loaded.hasStacker) == whole[key]
        assert len(loaded.members) == loaded.getNumMembers()
        assert loaded.transform(binary_df).count() == binary_df.count()

    # Nothing is stuck: saving again over the debris gives a model that loads.
    model = SampledEnsembleClassifier(numMembers=2, iterations=5, depth=2, seed=1).fit(binary_df)
    model.write().overwrite().save(path)
    assert SampledEnsembleClassificationModel.load(path).members == model.members
