"""One local[2] Spark session for the whole suite, and small data makers."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator, Tuple

import numpy as np
import pytest

# Workers must run the interpreter that has sparkensemble and catboost installed.
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable


# "connect" runs the session through a local Spark Connect server. Connect mode is
# process-wide once started, so test_connect_mode.py uses it in a subprocess.
SPARK_MODE = os.environ.get("SPARKENSEMBLE_TEST_SPARK_MODE", "classic")


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    if SPARK_MODE == "connect":
        session = (
            SparkSession.builder.remote("local[2]")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate()
        )
        yield session
        session.stop()
        return
    session = (
        # SPARKENSEMBLE_TEST_MASTER points the suite at a real cluster (see standalone.py).
        SparkSession.builder.master(os.environ.get("SPARKENSEMBLE_TEST_MASTER", "local[2]"))
        .appName("sparkensemble-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def make_classification(
    rows: int, classes: int = 2, features: int = 5, seed: int = 0
) -> Tuple[np.ndarray, np.ndarray]:
    """Rows whose class depends on the first features, with some noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features))
    score = x[:, 0] + 0.5 * x[:, 1] + 0.4 * rng.normal(size=rows)
    edges = np.quantile(score, np.linspace(0, 1, classes + 1)[1:-1])
    return x, np.digitize(score, edges).astype(np.float64)


def to_frame(spark, x: np.ndarray, y: np.ndarray, partitions: int = 2, **extra):
    from pyspark.ml.linalg import Vectors

    names = ["features", "label", *extra]
    columns = [list(values) for values in extra.values()]
    data = [
        (Vectors.dense(row), float(label), *(column[i] for column in columns))
        for i, (row, label) in enumerate(zip(x, y))
    ]
    return spark.createDataFrame(data, names).repartition(partitions)


@pytest.fixture(scope="session")
def binary_df(spark):
    x, y = make_classification(400, classes=2, seed=1)
    return to_frame(spark, x, y).cache()


@pytest.fixture(scope="session")
def multiclass_df(spark):
    x, y = make_classification(450, classes=3, seed=2)
    return to_frame(spark, x, y).cache()


def files_under(path: str) -> list:
    """Every file below ``path``, relative to it, sorted."""
    return sorted(
        os.path.relpath(os.path.join(folder, name), path)
        for folder, _, names in os.walk(path)
        for name in names
    )


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

    here = Path(__file__).parent
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
            str(here / "test_end_to_end.py"),
            *pytest_args,
        ],
        cwd=here.parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def slow_fit_digests(spark):
    """Member digests of ``processes.SLOW_FIT`` fitted in this suite's own session: the
    clean fit that each fault-injection test's members must equal."""
    from fit_and_digest import member_digests
    from processes import SLOW_FIT

    return member_digests(
        spark,
        partitions=int(SLOW_FIT["PARTITIONS"]),
        rows=int(SLOW_FIT["ROWS"]),
        iterations=int(SLOW_FIT["ITERATIONS"]),
    )


def make_regression(rows: int, features: int = 5, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """Rows whose label is a smooth function of the first features, plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features))
    y = 2.0 * x[:, 0] + np.sin(2.0 * x[:, 1]) + 0.5 * x[:, 2] ** 2 + 0.3 * rng.normal(size=rows)
    return x, y


@pytest.fixture(scope="session")
def regression_df(spark):
    x, y = make_regression(400, seed=3)
    return to_frame(spark, x, y).cache()
