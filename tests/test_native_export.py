"""One native model from the ensemble: equal to transform, exportable, explainable."""

from dataclasses import replace

import numpy as np
import pytest
from helpers.data import make_classification, make_regression, to_frame
from helpers.spark import no_spark_jobs
from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import Vectors
from pyspark.sql import functions as F

from sparkensemble import SampledEnsembleClassifier, SampledEnsembleRegressor
from sparkensemble.merging import raw_scores
from sparkensemble.weight_choice import WeightChoice

SMALL = {"iterations": 25, "depth": 3, "seed": 17}


def column(model, df, name):
    rows = model.transform(df).select("features", name).collect()
    x = np.array([r.features.toArray() for r in rows])
    values = [r[name] for r in rows]
    return x, np.array([v.toArray() if hasattr(v, "toArray") else v for v in values])


@pytest.fixture(scope="module")
def binary(spark):
    x, y = make_classification(600, seed=31)
    df = to_frame(spark, x, y, partitions=3).cache()
    model = SampledEnsembleClassifier(
        numMembers=3, combiner="stacked", validationFraction=0.3, **SMALL
    ).fit(df)
    # On 180 holdout rows the stacker chooses equal weights, the mean of probabilities,
    # which no single model scores. These tests merge the logistic regression it learned,
    # as a stacker that keeps its learned weights (or was saved before the choice) applies.
    assert model.stackerChoice["weights"] == "equal"
    learned = replace(model._state.stacker, choice=WeightChoice())
    return df, model._with_state(replace(model._state, stacker=learned))


@pytest.mark.parametrize("combiner", ["geometric", "stacked"])
def test_the_binary_native_model_equals_transform(binary, combiner):
    df, fitted = binary
    model = fitted.copy().setCombiner(combiner)
    x, probability = column(model, df, "probability")
    native = model.nativeModel()
    np.testing.assert_allclose(native.predict_proba(x), probability, rtol=0, atol=1e-9)


def test_the_multiclass_native_model_equals_transform(spark, multiclass_df):
    model = SampledEnsembleClassifier(numMembers=3, combiner="geometric", **SMALL).fit(
        multiclass_df
    )
    x, probability = column(model, multiclass_df, "probability")
    np.testing.assert_allclose(model.nativeModel().predict_proba(x), probability, atol=1e-9)
    # Multiclass stacking is a softmax over log-probabilities: not linear in raw scores.
    with pytest.raises(ValueError, match=r"combiner='mean' does not.*these do: geometric\b"):
        model.copy().setCombiner("mean").nativeModel()


def test_the_categorical_native_model_equals_transform(spark):
    rng = np.random.default_rng(32)
    city = rng.choice([f"c{i}" for i in range(12)], size=900)
    x = rng.normal(size=900)
    odd = np.array([name[-1] in "135" for name in city])
    label = (odd | (x > 1)) ^ (rng.random(900) < 0.1)
    df = spark.createDataFrame(
        list(zip(city.tolist(), x.tolist(), label.astype(float).tolist())),
        "city string, x double, label double",
    ).cache()
    model = SampledEnsembleClassifier(
        inputCols=["city", "x"],
        categoricalCols=["city"],
        numMembers=2,
        combiner="geometric",
        contributionsCol="shap",
        **SMALL,
    ).fit(df)
    rows = model.transform(df).select("city", "x", "probability", "rawPrediction", "shap").collect()
    import pandas as pd

    frame = pd.DataFrame({"city": [r.city for r in rows], "x": [r.x for r in rows]})
    probability = np.array([r.probability.toArray() for r in rows])
    np.testing.assert_allclose(model.nativeModel().predict_proba(frame), probability, atol=1e-9)
    shap = np.array([r.shap.toArray() for r in rows])
    margin = np.array([r.rawPrediction[1] * 2 for r in rows])  # raw vector is [-m/2, m/2]
    assert shap.shape == (900, 3)
    np.testing.assert_allclose(shap.sum(axis=1), margin, atol=1e-9)
    with pytest.raises(ValueError, match="categorical features.*nativeModel\\(\\) in this process"):
        model.saveNativeModel("unused.cbm")


@pytest.mark.parametrize(
    "combiner, loss",
    [("mean", "RMSE"), ("stacked", "RMSE"), ("geometric", "Poisson"), ("mean", "MAE")],
)
def test_the_regression_native_model_equals_transform(spark, combiner, loss):
    x, y = make_regression(600, seed=33)
    if loss == "Poisson":
        y = np.random.default_rng(33).poisson(np.exp(0.4 * x[:, 0])).astype(float)
    df = to_frame(spark, x, y, partitions=2).cache()
    model = SampledEnsembleRegressor(
        numMembers=2, lossFunction=loss, combiner=combiner, validationFraction=0.3, **SMALL
    ).fit(df)
    x, prediction = column(model, df, "prediction")
    np.testing.assert_allclose(model.nativeModel().predict(x), prediction, rtol=1e-12, atol=1e-9)
    assert model.predict(Vectors.dense(x[0])) == pytest.approx(prediction[0], rel=1e-12)


def test_poisson_mean_does_not_merge_and_says_which_combiners_do(spark):
    x, _ = make_regression(300, seed=34)
    counts = np.random.default_rng(34).poisson(np.exp(0.3 * x[:, 0])).astype(float)
    model = SampledEnsembleRegressor(numMembers=2, lossFunction="Poisson", **SMALL).fit(
        to_frame(spark, x, counts)
    )
    with pytest.raises(ValueError, match=r"combiner='mean' does not. .*these do: geometric\b"):
        model.nativeModel()


def test_contributions_sum_to_the_raw_prediction(binary, multiclass_df, regression_df, spark):
    df, fitted = binary
    model = fitted.copy().setCombiner("stacked").setContributionsCol("shap")
    rows = model.transform(df).select("rawPrediction", "shap").collect()
    shap = np.array([r.shap.toArray() for r in rows])
    assert shap.shape == (600, 5 + 1)
    np.testing.assert_allclose(shap.sum(axis=1), [r.rawPrediction[1] * 2 for r in rows], atol=1e-9)
    multi = SampledEnsembleClassifier(
        numMembers=2, combiner="geometric", contributionsCol="shap", **SMALL
    ).fit(multiclass_df)
    x, blocks = column(multi, multiclass_df, "shap")
    assert blocks.shape == (len(x), 3 * 6)  # per class: 5 features, then the expected value
    raw = raw_scores(multi.nativeModel(), x)
    np.testing.assert_allclose(blocks.reshape(len(x), 3, 6).sum(axis=2), raw, atol=1e-9)
    regression = SampledEnsembleRegressor(numMembers=2, contributionsCol="shap", **SMALL).fit(
        regression_df
    )
    rows = regression.transform(regression_df).select("prediction", "shap").collect()
    np.testing.assert_allclose([sum(r.shap) for r in rows], [r.prediction for r in rows], atol=1e-9)


def test_contributions_with_a_combiner_that_does_not_merge_are_refused_before_any_job(
    spark, binary
):
    df, fitted = binary
    model = fitted.copy().setCombiner("mean").setContributionsCol("shap")
    with (
        pytest.raises(
            ValueError,
            match=r"contributionsCol='shap' needs a combiner that merges.*"
            r"these do: geometric, stacked",
        ),
        no_spark_jobs(spark),
    ):
        model.transform(df)


@pytest.mark.parametrize("format", ["cbm", "json", "onnx", "cpp", "python", "coreml", "pmml"])
def test_save_native_model_writes_every_catboost_format(binary, tmp_path, format):
    _, fitted = binary
    path = tmp_path / f"model.{format}"
    fitted.copy().setCombiner("geometric").saveNativeModel(str(path), format=format)
    assert path.stat().st_size > 0


def test_an_onnx_export_scores_like_transform(binary, tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime", reason="in the [test] extra")
    df, fitted = binary
    model = fitted.copy().setCombiner("geometric")
    path = str(tmp_path / "model.onnx")
    model.saveNativeModel(path, format="onnx")
    x, probability = column(model, df, "probability")
    session = onnxruntime.InferenceSession(path)
    outputs = session.run(None, {session.get_inputs()[0].name: x.astype(np.float32)})
    onnx_probability = np.array([[row[0], row[1]] for row in outputs[1]])
    np.testing.assert_allclose(onnx_probability, probability, atol=1e-5)


def test_save_native_model_refuses_an_unknown_format(binary):
    with pytest.raises(ValueError, match=r"format must be one of \['cbm', 'json'.*Got 'xml'"):
        binary[1].copy().setCombiner("geometric").saveNativeModel("m.xml", format="xml")


def test_a_contributions_column_survives_save_and_load(binary, tmp_path):
    from sparkensemble import SampledEnsembleClassificationModel

    df, fitted = binary
    model = fitted.copy().setCombiner("geometric").setContributionsCol("why")
    model.save(str(tmp_path / "m"))
    loaded = SampledEnsembleClassificationModel.load(str(tmp_path / "m"))
    assert loaded.getContributionsCol() == "why"
    sizes = loaded.transform(df).select(F.size(vector_to_array("why")).alias("n")).distinct()
    assert [row.n for row in sizes.collect()] == [6]
