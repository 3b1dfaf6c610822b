"""sparkensemble on a real standalone cluster: a master and two workers on 127.0.0.1."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from standalone import standalone_cluster

HERE = Path(__file__).parent


def run(args, env, timeout=900):
    result = subprocess.run(
        args,
        cwd=HERE.parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-4000:]
    return result.stdout


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with standalone_cluster(tmp_path_factory.mktemp("standalone")) as running:
        yield running.url


@pytest.mark.slow
def test_end_to_end_module_passes_on_the_standalone_cluster(cluster, tmp_path):
    out = run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--basetemp",
            str(tmp_path),
            str(HERE / "test_end_to_end.py"),
        ],
        {"SPARKENSEMBLE_TEST_MASTER": cluster},
    )
    summary = out.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary and "failed" not in summary, summary


@pytest.mark.slow
def test_members_are_identical_in_local_mode_and_on_the_cluster(cluster):
    script = str(HERE / "fit_and_digest.py")
    on_cluster = run([sys.executable, script], {"MASTER": cluster, "PARTITIONS": "2"})
    local = run([sys.executable, script], {"MASTER": "local[2]", "PARTITIONS": "16"})
    assert json.loads(on_cluster.strip().splitlines()[-1]) == json.loads(
        local.strip().splitlines()[-1]
    )


@pytest.mark.slow
def test_a_single_task_slot_trains_every_member_with_identical_results():
    # No barrier mode: members need not run at the same time, so one slot is enough.
    script = str(HERE / "fit_and_digest.py")
    one_slot = run([sys.executable, script], {"MASTER": "local[1]", "PARTITIONS": "3"})
    two_slots = run([sys.executable, script], {"MASTER": "local[2]", "PARTITIONS": "2"})
    assert json.loads(one_slot.strip().splitlines()[-1]) == json.loads(
        two_slots.strip().splitlines()[-1]
    )
