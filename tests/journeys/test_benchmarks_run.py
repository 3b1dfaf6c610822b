"""Each benchmark script and each local example runs, at a tiny size.

They share one process, and so one Spark start, writing to a temporary folder. The
figures themselves are not checked: speed is measured by the benchmarks, never asserted
by the test suite.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
BENCHMARKS = ROOT / "benchmarks"
for extra_module in ("sklearn", "xgboost", "matplotlib", "plotnine", "lightgbm"):
    pytest.importorskip(extra_module, reason="install the [test] extra, which includes it")

TINY = {
    "partition_paths.py": ["--rows", "3000", "--iterations", "5"],
    "stacking_blog_data.py": ["--rows", "3000", "--iterations", "10"],
    "fit_overhead.py": ["--rows", "3000", "--iterations", "5", "--repeats", "1"],
    "transform_throughput.py": ["--rows", "3000", "--repeats", "1", "--iterations", "10"],
    "peers.py": ["--rows", "3000", "--iterations", "10"],
    "scaling.py": ["--rows", "2000", "4000", "--iterations", "5"],
    "regression_accuracy.py": [
        "--iterations",
        "10",
        "--diamond-rows",
        "2000",
        "--flight-rows",
        "2000",
        "--members",
        "2",
    ],
    "cheap_tuning.py": ["--rows", "2000", "--iterations", "5"],
    "stacker_choice.py": [
        "--iterations",
        "10",
        "--fractions",
        "0.3",
        "--tables",
        "diabetes",
        "breast_cancer",
    ],
    # One table each is enough to show the script runs; their loaders are shared.
    "frontier.py": ["--rows", "3000", "--quick", "--datasets", "blog"],
    "categorical_frontier.py": ["--rows", "3000", "--quick", "--tables", "flights", "military"],
    "regression_frontier.py": ["--rows", "3000", "--quick"],
    "default_seed_spread.py": ["--rows", "3000", "--seeds", "1", "2", "--tables", "diamonds"],
    "fit_fixed_cost.py": ["--rows", "2000", "--iterations", "5", "--fits", "1"],
    "member_count_overhead.py": ["--rows", "3000", "--cases", "2:5", "4:5", "--table", "military"],
    "growth.py": ["--rows", "6000", "--iterations", "10", "--last-month", "4"],
    "ranking.py": ["--groups", "300", "--iterations", "10"],
    "capped_scaling.py": [
        "--rows",
        "3000",
        "6000",
        "--caps",
        "1000",
        "--iterations",
        "5",
        "--depth",
        "4",
        "--learning-rate",
        "0.3",
        "--border-count",
        "32",
        "--xgb-trees",
        "5",
    ],
}
EXAMPLE = ["--rows", "3000", "--iterations", "30", "--out"]
REGRESSION_EXAMPLE = ["--iterations", "20"]
QUICKSTART = ["--rows", "3000", "--members", "2", "--iterations", "20"]
# The examples go last: each stops the Spark session when it is done. Each script's output
# starts after a marker line, and log records name their logger, so that what the
# examples print can be told apart.
MARKER = "=== running "
RUN_ALL = f"""
import json, logging, runpy, sys, time
logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
runs = json.loads(sys.argv[1])
sys.path.insert(0, runs["benchmarks"])
seconds = {{}}
for script, args in runs["scripts"]:
    for stream in (sys.stdout, sys.stderr):
        print("{MARKER}" + script, file=stream, flush=True)
    sys.argv = [script, *args]
    started = time.perf_counter()
    runpy.run_path(script, run_name="__main__")
    seconds[script.rsplit("/", 1)[-1]] = round(time.perf_counter() - started, 1)
print("{MARKER}seconds " + json.dumps(seconds))
"""


def output_of(text: str, script: Path) -> str:
    """What ``script`` printed to one stream, between its marker and the next one."""
    return text.split(MARKER + str(script), 1)[1].split(MARKER, 1)[0]


@pytest.mark.slow
def test_every_benchmark_and_example_runs_and_writes_its_output(tmp_path):
    assert sorted(TINY) == sorted(p.name for p in BENCHMARKS.glob("[!_]*.py"))
    example_out = tmp_path / "example"
    quickstart, regression_example = (
        ROOT / "examples" / "quickstart.py",
        ROOT / "examples" / "regression.py",
    )
    scripts = [(str(BENCHMARKS / name), args) for name, args in TINY.items()]
    scripts.append((str(quickstart), QUICKSTART))
    scripts.append((str(regression_example), REGRESSION_EXAMPLE))
    scripts.append((str(ROOT / "examples" / "compare_strategies.py"), [*EXAMPLE, str(example_out)]))
    runs = json.dumps({"benchmarks": str(BENCHMARKS), "scripts": scripts})
    result = subprocess.run(
        [sys.executable, "-c", RUN_ALL, runs],
        cwd=ROOT,
        env={**os.environ, "SPARKENSEMBLE_BENCHMARK_RESULTS": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # Where this test's time goes, for `pytest -s` or `-rP`.
    print("seconds per script:", result.stdout.rsplit(MARKER + "seconds ", 1)[1].strip())

    for script in TINY:
        written = json.loads((tmp_path / script.replace(".py", ".json")).read_text())
        assert written["machine"]["cpus"] >= 1, script

    # catboost-spark runs only where its JAR is on the classpath; the JAR carries the
    # catboost_spark module, so without the module the example must say why, in one line.
    notices = [line for line in result.stdout.splitlines() if "catboost-spark skipped: " in line]
    if importlib.util.find_spec("catboost_spark") is None:
        assert len(notices) == 1, result.stdout[-3000:]
    else:
        assert len(notices) <= 1
    for example in (quickstart, regression_example):
        assert "predictions identical = True" in output_of(result.stdout, example)
        # What a new user runs first prints no warning of this library's about its own data.
        assert " sparkensemble." not in output_of(result.stderr, example), example.name
    regression = json.loads((tmp_path / "regression_accuracy.json").read_text())
    assert {"diabetes", "diamonds", "flights"} <= set(regression)
    frontier = json.loads((tmp_path / "frontier.json").read_text())
    systems = {p["system"] for p in frontier["blog"]["points"]}
    assert systems == {
        "sparkensemble",
        "xgboost.spark",
        "centralized CatBoost",
        "centralized LightGBM",
    }
    assert (tmp_path / "frontier_blog.png").stat().st_size > 0
    categorical = json.loads((tmp_path / "categorical_frontier.json").read_text())
    assert set(categorical) >= {"flights", "military"}
    for table in ("flights", "military"):
        assert {p["system"] for p in categorical[table]["points"]} == systems, table
        assert (tmp_path / f"frontier_categorical_{table}.png").stat().st_size > 0
    assert categorical["flights"]["automatic_encoding"]["max_ctr_complexity"] == 1
    regression_frontier = json.loads((tmp_path / "regression_frontier.json").read_text())
    assert {p["system"] for p in regression_frontier["points"]} == systems
    assert (tmp_path / "frontier_flights.png").stat().st_size > 0
    table = json.loads((example_out / "results.json").read_text())
    approaches = {r["approach"] for r in table["results"]}
    expected = {"centralized CatBoost", "xgboost.spark", "Spark MLlib GBT", "mean", "median"}
    assert expected | {"max", "stacked"} | {f"member {m}" for m in range(5)} <= approaches
    assert all(0.5 < r["accuracy"] <= 1 for r in table["results"])
    assert (example_out / "results.md").read_text().count("\n") == len(table["results"]) + 2
    pngs = {p.name for p in example_out.glob("*.png")}
    assert {"accuracy_vs_fit_time.png", "kde_mean.png", "kde_centralized_CatBoost.png"} <= pngs
