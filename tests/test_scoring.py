"""The per-worker member cache that keeps transform from deserialising per batch."""

import numpy as np
import pytest
from helpers.data import make_classification

from sparkensemble import member_cache, scoring
from sparkensemble.members import MemberSettings, train_member
from sparkensemble.tasks import CLASSIFICATION


def blobs(count, seed=0):
    x, y = make_classification(120, seed=seed)
    row_hash = np.arange(120, dtype=np.int64) * 7919
    settings = MemberSettings(
        width=2,
        seed=seed,
        validation_fraction=0.2,
        early_stopping_rounds=0,
        catboost_kwargs={"iterations": 5, "depth": 2},
    )
    return [train_member(x, y, row_hash + i, settings).model for i in range(count)]


def test_members_are_deserialised_once_per_process_and_key():
    members = blobs(2)
    key = member_cache.ensemble_key(members)
    first = member_cache.cached_members(key, members, CLASSIFICATION)
    again = member_cache.cached_members(key, members, CLASSIFICATION)
    assert again is first  # the same objects: no second deserialisation
    assert len(first) == 2


def test_the_key_identifies_the_members_and_their_order():
    members = blobs(2)
    assert member_cache.ensemble_key(members) == member_cache.ensemble_key(list(members))
    assert member_cache.ensemble_key(members) != member_cache.ensemble_key(members[::-1])
    # Length-prefixed, so splitting the same bytes differently gives another key.
    joined = members[0] + members[1]
    assert member_cache.ensemble_key([joined]) != member_cache.ensemble_key(members)


def test_the_cache_keeps_only_the_most_recent_ensembles():
    members = blobs(1, seed=3)
    keys = [f"key-{i}" for i in range(member_cache._MAX_CACHED_ENSEMBLES + 2)]
    for key in keys:
        member_cache.cached_members(key, members, CLASSIFICATION)
    assert keys[0] not in member_cache._ensembles
    assert keys[-1] in member_cache._ensembles
    assert len(member_cache._ensembles) <= member_cache._MAX_CACHED_ENSEMBLES


@pytest.mark.skipif(scoring._arrow_udf is None, reason="arrow_udf needs pyspark >= 4.1")
def test_the_arrow_and_pandas_udfs_score_alike(spark):

    from sparkensemble import SampledEnsembleClassifier
    from sparkensemble.features import feature_blocks

    rng = np.random.default_rng(4)
    x = rng.normal(size=300)
    city = rng.choice(["a", "b", "c", None], size=300)
    label = ((x + (city == "a")) > 0.5).astype(float)
    x_with_nulls = [None if i % 50 == 0 else v for i, v in enumerate(x.tolist())]
    data = list(zip(x_with_nulls, city.tolist(), label.tolist()))
    df = spark.createDataFrame(data, "x double, city string, label double")
    model = SampledEnsembleClassifier(
        inputCols=["x", "city"], categoricalCols=["city"], numMembers=2, iterations=20, seed=1
    ).fit(df)
    state = model._state
    blocks = feature_blocks(model, df.schema, state.categorical_positions, state.num_features)

    def scores(arrow):
        column = scoring.score_column(
            blocks, blocks.numeric, state.blobs, state.key, model._score_spec(), arrow=arrow
        )
        rows = df.select(column.alias("s")).select("s.*").collect()
        return np.array([list(row) for row in rows])

    from_arrow, from_pandas = scores(True), scores(False)
    assert from_arrow.shape == (300, 5)
    assert np.array_equal(from_arrow, from_pandas)
    assert len(np.unique(from_arrow[:, 3])) > 2  # probabilities vary with the inputs
