"""Models saved in format 1, the first saved format, still load and score as when saved."""

import json
import os

import numpy as np
import pytest
from pyspark.ml.feature import VectorAssembler

from sparkensemble import SampledEnsembleClassificationModel

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
