"""Run the end-to-end module again on a Spark Connect session, in its own process."""

import os
import subprocess
import sys
from pathlib import Path

import pyspark
import pytest

HERE = Path(__file__).parent


@pytest.mark.slow
@pytest.mark.skipif(
    int(pyspark.__version__.split(".")[0]) < 4,
    reason="sparkensemble supports Spark Connect from pyspark 4.0; this is pyspark "
    + pyspark.__version__,
)
def test_end_to_end_module_passes_on_spark_connect(tmp_path):
    env = {**os.environ, "SPARKENSEMBLE_TEST_SPARK_MODE": "connect"}
    result = subprocess.run(
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
        cwd=HERE.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in summary and "skipped" not in summary, summary
