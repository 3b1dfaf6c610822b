"""MLflow, for real, with a local store (the ``tracking`` fixture): Spark pipelines,
autologging and the native model."""

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


def logged_run():
    run = mlflow.last_active_run()
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id)}
    return run, artifacts


def test_an_autologged_pipeline_logs_the_ensemble_s_params_metrics_and_model(spark, autologging):
    df = frame(spark, "regression")
    fitted = Pipeline(
        stages=[
            VectorAssembler(inputCols=COLUMNS, outputCol="features"),
            SampledEnsembleRegressor(**SMALL),
        ]
    ).fit(df)
    run, artifacts = logged_run()
    params, metrics = run.data.params, run.data.metrics
    assert params["SampledEnsembleRegressor.numMembers"] == "2"
    assert params["VectorAssembler.inputCols"] == str(COLUMNS)
    assert metrics["members"] == 2
    assert {"member_0.holdout_rmse", "member_1.holdout_rmse", "holdout_rmse_mean"} <= set(metrics)
    assert "model" in artifacts
    loaded = mlflow.spark.load_model(
        f"runs:/{run.info.run_id}/model", dfs_tmpdir=str(autologging / "dfs")
    )
    np.testing.assert_array_equal(
        predictions(loaded.transform(df)), predictions(fitted.transform(df))
    )


def test_an_autologged_cross_validation_logs_the_search_and_the_best_model(spark, autologging):
    from pyspark.ml.evaluation import BinaryClassificationEvaluator
    from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

    estimator = SampledEnsembleClassifier(inputCols=COLUMNS, **SMALL)
    grid = ParamGridBuilder().addGrid(estimator.depth, [2, 3]).build()
    CrossValidator(
        estimator=estimator,
        estimatorParamMaps=grid,
        evaluator=BinaryClassificationEvaluator(),
        numFolds=2,
        seed=3,
    ).fit(frame(spark, "classification"))
    run, artifacts = logged_run()
    assert {"model", "best_model", "best_parameters.json"} <= artifacts
    assert run.data.params["best_SampledEnsembleClassifier.depth"] in {"2", "3"}
    children = mlflow.search_runs(filter_string=f"tags.mlflow.parentRunId = '{run.info.run_id}'")
    assert len(children) == 2 and children["metrics.avg_areaUnderROC"].notna().all()
    # The best map's refit on all rows runs in the run's own thread, so its members'
    # metrics are the run's; the folds' fits, in CrossValidator's pool, log none.
    assert run.data.metrics["members"] == 2 and "holdout_auc_mean" in run.data.metrics
    history = mlflow.MlflowClient().get_metric_history(run.info.run_id, "holdout_auc_mean")
    assert len(history) == 1
