"""Spark-side checks the tests share: which mode the suite runs in, that a block runs no
job, and the end-to-end module run in a fresh process."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator

# "connect" runs the session through a local Spark Connect server. Connect mode is
# process-wide once started, so test_connect_mode.py uses it in a subprocess.
SPARK_MODE = os.environ.get("SPARKENSEMBLE_TEST_SPARK_MODE", "classic")


@contextmanager
def no_spark_jobs(spark) -> Iterator[None]:
    """Assert that the block runs no Spark job: the error came from the driver's checks."""
    context = spark.sparkContext
    group = f"sparkensemble-no-jobs-{id(object())}"
    context.setJobGroup(group, "must run no job")
    try:
        yield
    finally:
        jobs = context.statusTracker().getJobIdsForGroup(group)
        context.setLocalProperty("spark.jobGroup.id", None)
        assert not jobs, f"expected no Spark job, but {len(jobs)} ran"


def run_end_to_end_module(env: dict, basetemp, *pytest_args: str) -> str:
    """Run test_end_to_end.py in a fresh process (one SparkContext or Connect mode each)
    with ``env`` added; return its closing summary line, failing on a non-zero exit."""
    import subprocess
    from pathlib import Path

    tests = Path(__file__).parents[1]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--basetemp",
            str(basetemp),
            str(tests / "journeys" / "test_end_to_end.py"),
            *pytest_args,
        ],
        cwd=tests.parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]
