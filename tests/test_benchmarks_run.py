"""Each benchmark script and the comparison example still run, at a tiny size.

The benchmarks share one process (and so one Spark start), writing to a temporary folder.
The figures themselves are not checked: speed is measured by the benchmarks, never
asserted by the test suite.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BENCHMARKS = ROOT / "benchmarks"
for extra_module in ("sklearn", "xgboost", "matplotlib"):
    pytest.importorskip(extra_module, reason="install the [test] extra, which includes it")

TINY = {
    "partition_paths.py": ["--rows", "3000", "--iterations", "5"],
    "stacking_blog_data.py": ["--rows", "3000", "--iterations", "10"],
    "fit_overhead.py": ["--rows", "3000", "--iterations", "5"],
    "transform_throughput.py": ["--rows", "3000", "--repeats", "1"],
    "peers.py": ["--rows", "3000"],
    "scaling.py": ["--rows", "2000", "4000", "--iterations", "5"],
}
RUN_ALL = """
import runpy, sys
sys.path.insert(0, sys.argv[1])
for script, args in {runs!r}.items():
    sys.argv = [script, *args]
    runpy.run_path(f"{{sys.path[0]}}/{{script}}", run_name="__main__")
"""


def run(args, env):
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.mark.slow
def test_every_benchmark_runs_and_writes_json_naming_the_machine(tmp_path):
    assert sorted(TINY) == sorted(p.name for p in BENCHMARKS.glob("[!_]*.py"))
    env = {**os.environ, "SPARKENSEMBLE_BENCHMARK_RESULTS": str(tmp_path)}
    run(["-c", RUN_ALL.format(runs=TINY), str(BENCHMARKS)], env)
    for script in TINY:
        written = json.loads((tmp_path / script.replace(".py", ".json")).read_text())
        assert written["machine"]["cpus"] >= 1, script


@pytest.mark.slow
def test_the_comparison_example_writes_its_table_and_plots(tmp_path):
    result = run(
        [
            str(ROOT / "examples" / "compare_strategies.py"),
            "--rows",
            "3000",
            "--iterations",
            "30",
            "--out",
            str(tmp_path),
        ],
        {**os.environ},
    )
    assert "catboost-spark skipped: " in result.stdout  # no JAR can be fetched here
    table = json.loads((tmp_path / "results.json").read_text())
    approaches = {r["approach"] for r in table["results"]}
    expected = {"centralized CatBoost", "xgboost.spark", "Spark MLlib GBT", "mean", "median"}
    assert expected | {"max", "stacked"} | {f"member {m}" for m in range(5)} <= approaches
    assert all(0.5 < r["accuracy"] <= 1 for r in table["results"])
    assert (tmp_path / "results.md").read_text().count("\n") == len(table["results"]) + 2
    pngs = {p.name for p in tmp_path.glob("*.png")}
    assert {"accuracy_vs_fit_time.png", "kde_mean.png", "kde_centralized_CatBoost.png"} <= pngs
