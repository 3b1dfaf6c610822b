"""sparkensemble on a real standalone cluster: a master and two workers on 127.0.0.1."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from standalone import standalone_cluster

from conftest import run_end_to_end_module

HERE = Path(__file__).parent
# Fit, transform, save and load with both strategies; the rest of test_end_to_end.py
# runs in the main, classic session.
CORE_JOURNEY = "test_fit_transform_evaluate_save_and_load"


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
    summary = run_end_to_end_module(
        {"SPARKENSEMBLE_TEST_MASTER": cluster}, tmp_path, "-k", CORE_JOURNEY
    )
    assert "2 passed" in summary and "failed" not in summary, summary


@pytest.mark.slow
def test_members_are_identical_on_the_cluster_in_local_mode_and_on_one_slot(cluster):
    # One slot also shows there is no barrier mode: members need not run at the same time.
    script = str(HERE / "fit_and_digest.py")

    def digests(master, partitions):
        out = run([sys.executable, script], {"MASTER": master, "PARTITIONS": partitions})
        return json.loads(out.strip().splitlines()[-1])

    local = digests("local[2]", "16")
    assert digests(cluster, "2") == local
    assert digests("local[1]", "3") == local
