"""Growing a fitted ensemble: new members on new data beside the old ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers.data import make_classification, make_regression, to_frame
from pyspark.ml.functions import vector_to_array

from sparkensemble import (
    SampledEnsembleClassificationModel,
    SampledEnsembleClassifier,
    SampledEnsembleRegressor,
)
from sparkensemble.growth import grown_members
from sparkensemble.members import derive_member_seeds

SMALL = {"iterations": 20, "depth": 3, "seed": 6}


def test_a_first_fit_s_seeds_are_unchanged_and_new_generations_avoid_taken_seeds():
    first = derive_member_seeds(6, 3)
    assert first == derive_member_seeds(6, 3, generation=0, taken=[first[0]])
    second = derive_member_seeds(6, 3, generation=1, taken=first)
    assert second == derive_member_seeds(6, 3, generation=1, taken=first)
    assert not set(second) & set(first) and len(set(second)) == 3
    third = derive_member_seeds(6, 3, generation=2, taken=first + second)
    assert not set(third) & set(first + second)
    # A seed taken by an existing member is skipped, and the rest keep their values.
    skipped = derive_member_seeds(6, 3, generation=1, taken=[second[1]])
    assert second[1] not in skipped and skipped[0] == second[0]


def table(generation, members):
    return pd.DataFrame(
        {
            "member": range(members),
            "generation": generation,
            "seed": range(10 * generation, 10 * generation + members),
        }
    )


def test_grown_members_are_oldest_first_renumbered_and_windowed():
    old = pd.concat([table(0, 2), table(1, 2)], ignore_index=True)
    grown = grown_members(old, table(2, 2), None)
    assert list(grown["generation"]) == [0, 0, 1, 1, 2, 2]
    assert list(grown["member"]) == list(range(6))
    windowed = grown_members(old, table(2, 2), 3)
    assert list(windowed["generation"]) == [1, 2, 2]
    assert list(windowed["seed"]) == [11, 20, 21]
    assert list(windowed["member"]) == [0, 1, 2]


@pytest.fixture(scope="module")
def halves(spark):
    x, y = make_classification(800, seed=14)
    old = to_frame(spark, x[:400], y[:400]).cache()
    new = to_frame(spark, x[400:], y[400:]).cache()
    return old, new


@pytest.fixture(scope="module")
def saved_first(halves, tmp_path_factory):
    old, _ = halves
    model = SampledEnsembleClassifier(numMembers=2, **SMALL).fit(old)
    path = str(tmp_path_factory.mktemp("growth") / "first")
    model.save(path)
    return model, path


def test_growing_keeps_the_old_members_and_adds_new_ones_on_the_new_data(
    halves, saved_first, tmp_path
):
    _, new = halves
    first, path = saved_first
    grower = SampledEnsembleClassifier(numMembers=2, initModelPath=path, **SMALL)
    grown = grower.fit(new)
    assert grown.members[:2] == first.members
    summary = grown.summary
    assert list(summary["generation"]) == [0, 0, 1, 1]
    assert list(summary["member"]) == [0, 1, 2, 3]
    assert len(set(grown.memberSeeds)) == 4
    assert summary["rows"].iloc[2:].sum() == new.count()
    assert grown.getNumMembers() == 4
    # The same data and seed grow the same members.
    assert grower.fit(new.repartition(3)).members == grown.members
    # It saves, loads, merges and scores like any model.
    grown.save(str(tmp_path / "grown"))
    loaded = SampledEnsembleClassificationModel.load(str(tmp_path / "grown"))
    assert loaded.members == grown.members
    assert list(loaded.summary["generation"]) == [0, 0, 1, 1]
    native = loaded.setCombiner("geometric").nativeModel()
    rows = new.limit(20).toPandas()
    features = np.stack([v.toArray() for v in rows["features"]])
    merged = native.predict(features, prediction_type="Probability")[:, 1]
    scored = loaded.transform(new.limit(20)).toPandas()
    np.testing.assert_allclose([p[1] for p in scored["probability"]], merged, atol=1e-9)


def test_max_members_keeps_only_the_newest(halves, saved_first):
    _, new = halves
    first, path = saved_first
    grown = SampledEnsembleClassifier(numMembers=2, initModelPath=path, maxMembers=3, **SMALL).fit(
        new
    )
    assert list(grown.summary["generation"]) == [0, 1, 1]
    assert grown.members[0] == first.members[1]


def test_stacked_refits_its_stacker_over_every_member(halves, saved_first):
    _, new = halves
    _, path = saved_first
    grown = SampledEnsembleClassifier(
        numMembers=2, initModelPath=path, combiner="stacked", **SMALL
    ).fit(new)
    assert grown.hasStacker
    assert grown._state.stacker.to_json()["numMembers"] == 4


def test_an_estimator_with_init_model_path_saves_and_loads(tmp_path, saved_first):
    _, path = saved_first
    estimator = SampledEnsembleClassifier(initModelPath=path, maxMembers=4)
    estimator.save(str(tmp_path / "estimator"))
    loaded = SampledEnsembleClassifier.load(str(tmp_path / "estimator"))
    assert (loaded.getInitModelPath(), loaded.getMaxMembers()) == (path, 4)


def test_differences_from_the_grown_model_are_refused(spark, halves, saved_first, tmp_path):
    old, new = halves
    _, path = saved_first
    grow = dict(numMembers=2, initModelPath=path, **SMALL)
    x, y = make_classification(300, classes=3, seed=3)
    with pytest.raises(ValueError, match=r"holds class 2, which the members .* never saw"):
        SampledEnsembleClassifier(**grow).fit(to_frame(spark, x, y))
    x, y = make_classification(300, features=4, seed=3)
    with pytest.raises(ValueError, match=r"fitted on 5 features, but this fit's rows have 4"):
        SampledEnsembleClassifier(**grow).fit(to_frame(spark, x, y))
    frame = new.select(vector_to_array("features")[0].alias("a"), "label")
    with pytest.raises(ValueError, match=r"fitted on featuresCol, but this fit reads inputCols"):
        SampledEnsembleClassifier(inputCols=["a"], **grow).fit(frame)
    with pytest.raises(ValueError, match=r"cannot be grown: The stage .* is a .*Classification"):
        SampledEnsembleRegressor(numMembers=2, initModelPath=path, **SMALL).fit(new)
    with pytest.raises(ValueError, match=r"maxMembers=1 is below numMembers=2"):
        SampledEnsembleClassifier(maxMembers=1, **grow).fit(new)


def test_a_regressor_grows_only_with_its_own_loss(spark, tmp_path):
    x, y = make_regression(400, seed=2)
    df = to_frame(spark, x, y)
    path = str(tmp_path / "regressor")
    SampledEnsembleRegressor(numMembers=2, **SMALL).fit(df).save(path)
    with pytest.raises(
        ValueError, match=r"lossFunction='RMSE', but this fit has lossFunction='MAE'"
    ):
        SampledEnsembleRegressor(numMembers=2, initModelPath=path, lossFunction="MAE", **SMALL).fit(
            df
        )
    grown = SampledEnsembleRegressor(numMembers=1, initModelPath=path, **SMALL).fit(df)
    assert list(grown.summary["generation"]) == [0, 0, 1]
