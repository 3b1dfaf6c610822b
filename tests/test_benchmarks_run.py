"""Each benchmark script still runs, at a tiny size, writing to a temporary folder.

The figures themselves are not checked here: speed is measured by the benchmarks, never
asserted by the test suite.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
pytest.importorskip("sklearn", reason="the benchmarks need the [benchmarks] extra")


@pytest.mark.slow
@pytest.mark.parametrize(
    "script, args",
    [
        ("partition_paths.py", ["--rows", "3000", "--iterations", "5"]),
        ("stacking_blog_data.py", ["--rows", "3000", "--iterations", "10"]),
    ],
    ids=["partition_paths", "stacking_blog_data"],
)
def test_benchmark_runs_and_writes_json(tmp_path, script, args):
    env = {**os.environ, "SPARKENSEMBLE_BENCHMARK_RESULTS": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=BENCHMARKS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    written = json.loads((tmp_path / script.replace(".py", ".json")).read_text())
    assert written["machine"]["cpus"] >= 1
