"""Models saved in format 1, the first saved format, still load and score as when saved."""

import json
import os

import numpy as np
import pytest
from pyspark.ml.feature import VectorAssembler

from sparkensemble import SampledEnsembleClassificationModel, SampledEnsembleClassifier

FORMAT1 = os.path.join(os.path.dirname(__file__), "fixtures", "format1")


@pytest.fixture(scope="module")
def saved_rows(spark):
    with open(os.path.join(FORMAT1, "rows.json")) as handle:
        data = json.load(handle)
    df = spark.createDataFrame([tuple(row) for row in data["rows"]], data["schema"])
    return VectorAssembler(inputCols=["a", "b", "c"], outputCol="features").transform(df)


@pytest.mark.parametrize("name", ["binary_stacked", "multiclass_categorical"])
def test_a_format1_classifier_loads_and_scores_as_when_it_was_saved(spark, saved_rows, name):
    with open(os.path.join(FORMAT1, "probabilities.json")) as handle:
        expected = np.array(json.load(handle)[name])
    model = SampledEnsembleClassificationModel.load(os.path.join(FORMAT1, name))
    assert len(model.members) == 2
    scored = model.transform(saved_rows).select("probability").collect()
    probability = np.array([row.probability.toArray() for row in scored])
    np.testing.assert_allclose(probability, expected, rtol=0, atol=1e-12)


def test_a_format1_stacker_reports_that_it_applies_its_learned_weights(spark):
    model = SampledEnsembleClassificationModel.load(os.path.join(FORMAT1, "binary_stacked"))
    assert model.stackerChoice == {
        "weights": "learned",
        "folds": 0,
        "learned": {},
        "equal": {},
        "standardError": None,
    }


def test_numeric_members_refit_from_the_saved_settings_are_byte_identical(spark, saved_rows):
    """The categorical encoding adds nothing without categorical features: refitting the
    format 1 numeric model with its own settings gives back its members, byte for byte."""
    saved = SampledEnsembleClassificationModel.load(os.path.join(FORMAT1, "binary_stacked"))
    settings = {p.name: v for p, v in saved.extractParamMap().items() if saved.isSet(p)}
    refit = SampledEnsembleClassifier(**settings).fit(saved_rows)
    assert refit.members == saved.members


def test_a_format1_categorical_model_reports_that_catboost_chose_its_encoding():
    model = SampledEnsembleClassificationModel.load(os.path.join(FORMAT1, "multiclass_categorical"))
    assert model.categoricalEncoding == {
        "catboostParams": {},
        "columns": [
            {"name": "colour", "position": 1, "levels": None, "encoding": "CatBoost's default"}
        ],
    }
