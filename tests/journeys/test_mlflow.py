"""MLflow, for real, with a local store: Spark pipelines and the native model.

Runs are tracked in a SQLite file and artifacts kept in a local folder: MLflow 3 keeps its
plain-file tracking store only in maintenance mode.
"""

import numpy as np
import pandas as pd
import pytest
from helpers.data import make_classification, make_regression
from pyspark.ml import Pipeline
from pyspark.ml.feature import VectorAssembler

from sparkensemble import SampledEnsembleClassifier, SampledEnsembleRegressor

mlflow = pytest.importorskip("mlflow", reason="install the [mlflow] or [test] extra")
SMALL = {"iterations": 20, "depth": 3, "seed": 19, "numMembers": 2}
COLUMNS = ["a", "b", "c"]


@pytest.fixture
def tracking(tmp_path):
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    experiment = mlflow.create_experiment(
        "sparkensemble", artifact_location=(tmp_path / "artifacts").as_uri()
    )
    mlflow.set_experiment(experiment_id=experiment)
    yield tmp_path
    mlflow.set_tracking_uri(None)


def frame(spark, task):
    make = make_classification if task == "classification" else make_regression
    x, y = make(300, features=3, seed=41)
    rows = [(*map(float, row), float(label)) for row, label in zip(x, y)]
    return spark.createDataFrame(rows, [*COLUMNS, "label"]).cache()


def predictions(df):
    return np.array([row.prediction for row in df.select("prediction").collect()])


@pytest.mark.parametrize(
    "task, estimator",
    [
        ("classification", SampledEnsembleClassifier(**SMALL)),
        ("regression", SampledEnsembleRegressor(**SMALL)),
    ],
    ids=["classifier", "regressor"],
)
def test_a_pipeline_model_logs_and_loads_with_mlflow_spark(spark, tracking, task, estimator):
    df = frame(spark, task)
    fitted = Pipeline(
        stages=[VectorAssembler(inputCols=COLUMNS, outputCol="features"), estimator]
    ).fit(df)
    with mlflow.start_run():
        info = mlflow.spark.log_model(
            fitted, artifact_path="model", dfs_tmpdir=str(tracking / "dfs")
        )
    loaded = mlflow.spark.load_model(info.model_uri, dfs_tmpdir=str(tracking / "dfs-load"))
    np.testing.assert_array_equal(
        predictions(loaded.transform(df)), predictions(fitted.transform(df))
    )


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_native_model_logs_with_mlflow_catboost_and_scores_pandas_without_spark(
    spark, tracking, task
):
    df = frame(spark, task)
    estimator = SampledEnsembleClassifier if task == "classification" else SampledEnsembleRegressor
    model = estimator(inputCols=COLUMNS, combiner="geometric", **SMALL).fit(df)
    with mlflow.start_run():
        info = mlflow.catboost.log_model(model.nativeModel(), name="native")
    pyfunc = mlflow.pyfunc.load_model(info.model_uri)
    rows = model.transform(df).select(*COLUMNS, "prediction").collect()
    served = np.asarray(pyfunc.predict(pd.DataFrame([r[:3] for r in rows], columns=COLUMNS)))
    expected = np.array([r.prediction for r in rows])
    np.testing.assert_allclose(served.reshape(-1).astype(float), expected, rtol=1e-9, atol=1e-9)
