"""The suite's fixtures: one local[2] Spark session and the small frames built on it.

What tests share besides fixtures is in ``helpers/``, imported as ``helpers.data`` and
``helpers.spark``, never from this file.
"""

from __future__ import annotations

import os
import sys

import pytest

# Workers must run the interpreter that has sparkensemble and catboost installed.
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable


from helpers.data import make_classification, make_regression, to_frame
from helpers.spark import SPARK_MODE

from sparkensemble import MLFLOW_MODEL_ALLOWLIST


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
        # SPARKENSEMBLE_TEST_MASTER points the suite at a real cluster (see helpers/standalone.py).
        SparkSession.builder.master(os.environ.get("SPARKENSEMBLE_TEST_MASTER", "local[2]"))
        .appName("sparkensemble-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # The one line the docs give for MLflow autologging to log sparkensemble's models.
        .config("spark.mlflow.pysparkml.autolog.logModelAllowlistFile", MLFLOW_MODEL_ALLOWLIST)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def binary_df(spark):
    x, y = make_classification(400, classes=2, seed=1)
    return to_frame(spark, x, y).cache()


@pytest.fixture(scope="session")
def multiclass_df(spark):
    x, y = make_classification(450, classes=3, seed=2)
    return to_frame(spark, x, y).cache()


@pytest.fixture(scope="session")
def slow_fit_digests(spark):
    """Member digests of ``processes.SLOW_FIT`` fitted in this suite's own session: the
    clean fit that each fault-injection test's members must equal."""
    from helpers.fit_and_digest import member_digests
    from helpers.processes import SLOW_FIT

    return member_digests(
        spark,
        partitions=int(SLOW_FIT["PARTITIONS"]),
        rows=int(SLOW_FIT["ROWS"]),
        iterations=int(SLOW_FIT["ITERATIONS"]),
    )


@pytest.fixture(scope="session")
def regression_df(spark):
    x, y = make_regression(400, seed=3)
    return to_frame(spark, x, y).cache()


@pytest.fixture
def tracking(tmp_path):
    """A real MLflow tracking store for the test: runs in SQLite, artifacts in a folder.

    MLflow 3 keeps its plain-file tracking store only in maintenance mode.
    """
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    experiment = mlflow.create_experiment(
        "sparkensemble", artifact_location=(tmp_path / "artifacts").as_uri()
    )
    mlflow.set_experiment(experiment_id=experiment)
    yield tmp_path
    mlflow.set_tracking_uri(None)


@pytest.fixture
def autologging(tracking, spark):
    """pyspark.ml autologging, on for the test only: it patches every Estimator's fit.

    A classic session reads the allowlist from its Spark conf (set above); a Spark
    Connect client passes the list itself, as the docs say.
    """
    import mlflow

    from sparkensemble import mlflow_model_allowlist

    allowlist = mlflow_model_allowlist() if SPARK_MODE == "connect" else None
    mlflow.pyspark.ml.autolog(log_model_allowlist=allowlist, silent=True)
    yield tracking
    mlflow.pyspark.ml.autolog(disable=True)
