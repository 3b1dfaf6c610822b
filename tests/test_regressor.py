"""SampledEnsembleRegressor end to end on a local[2] session."""

import numpy as np
import pytest
from helpers.data import make_regression, to_frame
from pyspark.ml.evaluation import RegressionEvaluator
from pyspark.ml.linalg import Vectors, VectorUDT
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder, TrainValidationSplit
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType

from sparkensemble import SampledEnsembleRegressionModel, SampledEnsembleRegressor
from sparkensemble.model_bytes import deserialize_model
from sparkensemble.tasks import REGRESSION
from sparkensemble.tasks.base import member_outputs

SMALL = {"iterations": 40, "depth": 3, "seed": 13}


def predictions(model, df, *columns):
    rows = model.transform(df).select("features", *columns).collect()
    x = np.array([r.features.toArray() for r in rows])
    return x, [np.array([r[c] for r in rows]) for c in columns]


@pytest.fixture(scope="module")
def fitted(regression_df):
    return SampledEnsembleRegressor(numMembers=3, **SMALL).fit(regression_df)


@pytest.mark.parametrize("strategy", ["fold", "partition"])
def test_fit_and_transform_give_a_double_prediction(regression_df, strategy):
    model = SampledEnsembleRegressor(numMembers=2, strategy=strategy, **SMALL).fit(regression_df)
    assert isinstance(model, SampledEnsembleRegressionModel)
    assert len(model.members) == 2 and model.numFeatures == 5
    scored = model.transform(regression_df)
    assert scored.columns == regression_df.columns + ["prediction"]
    assert isinstance(scored.schema["prediction"].dataType, DoubleType)
    assert RegressionEvaluator(metricName="r2").evaluate(scored) > 0.7


@pytest.mark.parametrize("combiner", ["mean", "median"])
def test_spark_output_equals_the_numpy_combination_of_the_members(fitted, regression_df, combiner):
    model = fitted.copy().setCombiner(combiner).setVarianceCol("variance")
    x, (prediction, variance) = predictions(model, regression_df, "prediction", "variance")
    members = [deserialize_model(blob, REGRESSION) for blob in model.members]
    outputs = member_outputs(REGRESSION, members, x, 1)[:, :, 0]
    combine = np.mean if combiner == "mean" else np.median
    np.testing.assert_allclose(prediction, combine(outputs, axis=0), rtol=1e-12)
    np.testing.assert_allclose(variance, outputs.var(axis=0), rtol=1e-9, atol=1e-12)
    assert model.predict(Vectors.dense(x[0])) == pytest.approx(prediction[0], rel=1e-12)


def test_the_summary_reports_each_members_holdout_rmse_mae_and_r2(fitted):
    summary = fitted.summary
    assert {"holdout_rmse", "holdout_mae", "holdout_r2"} <= set(summary.columns)
    assert "holdout_accuracy" not in summary.columns
    assert (summary["holdout_r2"] > 0.5).all()
    assert (summary["holdout_mae"] <= summary["holdout_rmse"]).all()
    assert len(fitted.featureImportances) == 5


def test_members_are_identical_across_partitionings(fitted, regression_df):
    # fitted was trained on regression_df as the fixture made it: 2 partitions.
    estimator = SampledEnsembleRegressor(numMembers=3, **SMALL)
    assert fitted.members == estimator.fit(regression_df.repartition(7)).members


def test_stacked_is_a_non_negative_linear_blend_and_survives_save(spark, tmp_path):
    x, y = make_regression(1500, seed=8)
    df = to_frame(spark, x, y, partitions=3).cache()
    model = SampledEnsembleRegressor(
        numMembers=3, combiner="stacked", validationFraction=0.3, **SMALL
    ).fit(df)
    stacker = model._state.stacker
    assert (stacker.weights >= 0).all() and stacker.num_members == 3
    rmse = RegressionEvaluator()
    stacked = rmse.evaluate(model.transform(df))
    mean = rmse.evaluate(model.copy().setCombiner("mean").transform(df))
    assert stacked <= mean * 1.05
    path = str(tmp_path / "stacked")
    model.save(path)
    loaded = SampledEnsembleRegressionModel.load(path)
    assert loaded.getCombiner() == "stacked"
    np.testing.assert_array_equal(loaded._state.stacker.weights, stacker.weights)
    assert rmse.evaluate(loaded.transform(df)) == stacked


def test_save_and_load_keep_uid_params_members_and_predictions(fitted, regression_df, tmp_path):
    model = fitted.copy().setVarianceCol("spread")
    path = str(tmp_path / "regressor")
    model.save(path)
    loaded = SampledEnsembleRegressionModel.load(path)
    assert loaded.uid == model.uid and loaded.members == model.members
    assert loaded.getLossFunction() == "RMSE" and loaded.getVarianceCol() == "spread"
    assert loaded.summary.equals(model.summary)
    _, (before,) = predictions(model, regression_df, "prediction")
    _, (after,) = predictions(loaded, regression_df, "prediction")
    np.testing.assert_array_equal(before, after)
    estimator_path = str(tmp_path / "estimator")
    SampledEnsembleRegressor(lossFunction="MAE", numMembers=4).save(estimator_path)
    again = SampledEnsembleRegressor.load(estimator_path)
    assert (again.getLossFunction(), again.getNumMembers()) == ("MAE", 4)


def test_a_quantile_loss_reaches_the_members(regression_df):
    high = SampledEnsembleRegressor(numMembers=2, lossFunction="Quantile:alpha=0.9", **SMALL)
    low = high.copy({high.lossFunction: "Quantile:alpha=0.1"})
    above = high.fit(regression_df).transform(regression_df)
    below = low.fit(regression_df).transform(regression_df)
    share = above.where(F.col("label") <= F.col("prediction")).count() / above.count()
    assert share > 0.75
    share = below.where(F.col("label") <= F.col("prediction")).count() / below.count()
    assert share < 0.25


def test_weights_reach_the_members(spark):
    # Heavy and light rows contradict each other (y = +x0 against y = -x0): weighted
    # members must follow the heavy rows, unweighted ones average the two away.
    rng = np.random.default_rng(9)
    x = rng.normal(size=(800, 3))
    heavy = rng.random(800) < 0.5
    y = np.where(heavy, x[:, 0], -x[:, 0])
    weight = np.where(heavy, 20.0, 1.0)
    df = to_frame(spark, x, y, weight=weight.tolist()).cache()
    plain = SampledEnsembleRegressor(numMembers=2, **SMALL).fit(df)
    weighted = SampledEnsembleRegressor(numMembers=2, weightCol="weight", **SMALL).fit(df)
    probe = spark.createDataFrame(
        [(Vectors.dense([v, 0.0, 0.0]),) for v in (-1.0, 1.0)], ["features"]
    )

    def slope(model):
        low, high = [r.prediction for r in model.transform(probe).collect()]
        return (high - low) / 2.0

    assert slope(weighted) > 0.6
    assert abs(slope(plain)) < 0.4


def test_raw_and_categorical_input_columns(spark):
    rng = np.random.default_rng(10)
    shop = rng.choice(["north", "south", "east", None], size=800)
    x = rng.normal(size=800)
    level = {"north": 5.0, "south": -3.0, "east": 1.0, None: 9.0}
    y = np.array([level[s] for s in shop]) + x + 0.2 * rng.normal(size=800)
    df = spark.createDataFrame(
        list(zip(shop.tolist(), x.tolist(), y.tolist())), "shop string, x double, label double"
    )
    model = SampledEnsembleRegressor(
        inputCols=["shop", "x"], categoricalCols=["shop"], numMembers=2, **SMALL
    ).fit(df)
    assert RegressionEvaluator(metricName="r2").evaluate(model.transform(df)) > 0.9


def test_partition_strategy_trains_one_member_per_input_partition(spark, regression_df):
    three = regression_df.repartition(3)
    model = SampledEnsembleRegressor(strategy="partition", **SMALL).fit(three)
    assert len(model.members) == 3 and model.getNumMembers() == 3
    chosen = SampledEnsembleRegressor(strategy="partition", numMembers=2, **SMALL).fit(three)
    assert len(chosen.members) == 2


def test_cross_validator_and_train_validation_split_tune_the_loss_and_combiner(regression_df):
    estimator = SampledEnsembleRegressor(numMembers=2, **SMALL)
    grid = (
        ParamGridBuilder()
        .addGrid(estimator.lossFunction, ["RMSE", "MAE"])
        .addGrid(estimator.combiner, ["mean", "median"])
        .build()
    )
    evaluator = RegressionEvaluator()
    cv = CrossValidator(
        estimator=estimator, estimatorParamMaps=grid, evaluator=evaluator, numFolds=2, seed=1
    ).fit(regression_df)
    assert len(cv.avgMetrics) == 4
    assert isinstance(cv.bestModel, SampledEnsembleRegressionModel)
    tvs = TrainValidationSplit(
        estimator=estimator, estimatorParamMaps=grid[:2], evaluator=evaluator, parallelism=2
    ).fit(regression_df)
    assert tvs.bestModel.getLossFunction() in {"RMSE", "MAE"}


def test_diabetes_ensemble_is_close_to_one_centralised_catboost(spark):
    from catboost import CatBoostRegressor
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split

    x, y = load_diabetes(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=0)
    settings = {"iterations": 300, "depth": 4}
    central = CatBoostRegressor(**settings, random_seed=0, verbose=False).fit(x_train, y_train)
    central_rmse = np.sqrt(np.mean((central.predict(x_test) - y_test) ** 2))
    model = SampledEnsembleRegressor(numMembers=2, seed=0, **settings).fit(
        to_frame(spark, x_train, y_train)
    )
    test = spark.createDataFrame([(Vectors.dense(row),) for row in x_test], ["features"])
    ensemble = np.array([r.prediction for r in model.transform(test).collect()])
    ensemble_rmse = np.sqrt(np.mean((ensemble - y_test) ** 2))
    # 2 members each see half of 309 rows; the README reports the figures at full size.
    assert ensemble_rmse < 1.10 * central_rmse
    assert ensemble_rmse < 0.85 * np.std(y_test)  # far better than predicting the mean


def test_the_vector_type_of_a_features_column_is_kept_by_transform(fitted, regression_df):
    assert isinstance(fitted.transform(regression_df).schema["features"].dataType, VectorUDT)
