"""Categorical features: raw string columns, Vector metadata, and null categories."""

import numpy as np
import pytest
from catboost import CatBoost
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import StringIndexer, VectorAssembler
from pyspark.sql import functions as F

from sparkensemble import SampledEnsembleClassificationModel, SampledEnsembleClassifier
from sparkensemble.encoding import MAX_CTR_COMPLEXITY, MAX_ONE_HOT_LEVELS
from sparkensemble.leaf_steps import ONE_STEP_RATE_SHARE, catboost_logloss_learning_rate

SETTINGS = {"numMembers": 3, "iterations": 80, "depth": 4, "seed": 9}
CITIES = 300
# Each city's share of positives, fixed across train and test: the signal is the city.
PROPENSITY = np.random.default_rng(99).beta(0.4, 0.4, size=CITIES)


def city_data(spark, rows, seed, null_share=0.03):
    rng = np.random.default_rng(seed)
    city = rng.integers(0, CITIES, size=rows)
    x = rng.normal(size=rows)
    positive = rng.random(rows) < 0.85 * PROPENSITY[city] + 0.15 * (x > 0)
    is_null = rng.random(rows) < null_share
    label = np.where(is_null, 1.0, positive.astype(float))  # a missing city means positive
    names = [None if n else f"city_{c:03d}" for c, n in zip(city, is_null)]
    data = list(zip(names, x.tolist(), label.tolist()))
    return spark.createDataFrame(data, "city string, x double, label double").repartition(3).cache()


@pytest.fixture(scope="module")
def cities(spark):
    return city_data(spark, 6000, seed=1), city_data(spark, 3000, seed=2)


@pytest.fixture(scope="module")
def native(cities):
    train, _ = cities
    clf = SampledEnsembleClassifier(inputCols=["city", "x"], categoricalCols=["city"], **SETTINGS)
    return clf.fit(train)


def auc(model, df):
    return BinaryClassificationEvaluator().evaluate(model.transform(df))


def test_native_categorical_beats_the_index_treated_as_a_number(cities, native):
    train, test = cities
    indexer = StringIndexer(inputCol="city", outputCol="city_index", handleInvalid="keep").fit(
        train
    )

    def as_number(df):
        # Arithmetic drops the nominal metadata, so the index is an ordinary number.
        indexed = indexer.transform(df).withColumn("city_number", F.col("city_index") + 0.0)
        return VectorAssembler(inputCols=["city_number", "x"], outputCol="features").transform(
            indexed
        )

    numeric = SampledEnsembleClassifier(**SETTINGS).fit(as_number(train))
    assert numeric._state.categorical_positions == []
    assert auc(native, test) > auc(numeric, as_number(test)) + 0.02


def test_nominal_vector_slots_from_string_indexer_are_categorical(cities, native):
    train, test = cities
    pipeline_input = StringIndexer(
        inputCol="city", outputCol="city_index", handleInvalid="keep"
    ).fit(train)

    def assemble(df):
        return VectorAssembler(inputCols=["city_index", "x"], outputCol="features").transform(
            pipeline_input.transform(df)
        )

    model = SampledEnsembleClassifier(**SETTINGS).fit(assemble(train))
    assert model._state.categorical_positions == [0]
    assert abs(auc(model, assemble(test)) - auc(native, test)) < 0.02


def test_null_is_a_category_of_its_own(spark, native):
    rows = [(None, 0.0), ("city_000", 0.0), ("city_001", 0.0)]
    scored = native.transform(spark.createDataFrame(rows, "city string, x double")).collect()
    # Every null city in training was positive, and the model learnt it.
    assert scored[0].probability[1] > 0.8


def test_an_unseen_category_is_scored_like_any_other(spark, native):
    scored = native.transform(spark.createDataFrame([("nowhere", 0.1)], "city string, x double"))
    probability = scored.first().probability
    assert 0.0 < probability[1] < 1.0


def test_feature_importances_follow_input_column_order(native):
    importances = native.featureImportances.toArray()
    assert len(importances) == 2 and importances[0] > importances[1]  # city, then x


def test_stacked_categorical_model_round_trips(tmp_path, cities):
    train, test = cities
    clf = SampledEnsembleClassifier(
        inputCols=["city", "x"], categoricalCols=["city"], combiner="stacked", **SETTINGS
    )
    model = clf.fit(train)
    path = str(tmp_path / "categorical")
    model.save(path)
    loaded = SampledEnsembleClassificationModel.load(path)
    assert loaded.getInputCols() == ["city", "x"] and loaded.getCategoricalCols() == ["city"]
    assert loaded.hasStacker
    expected = model.transform(test).select("probability").collect()
    assert loaded.transform(test).select("probability").collect() == expected


def test_raw_numeric_input_columns_without_categories_fit_and_score(spark):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 2))
    label = (x[:, 0] + 0.3 * rng.normal(size=300) > 0).astype(float)
    df = spark.createDataFrame(
        [(float(a), float(b), float(y)) for (a, b), y in zip(x, label)],
        "a double, b double, y double",
    )
    model = SampledEnsembleClassifier(
        inputCols=["a", "b"], labelCol="y", numMembers=2, iterations=20, seed=1
    ).fit(df.withColumn("b", F.col("b").cast("int")))
    scored = model.transform(df.withColumn("b", F.col("b").cast("int")))
    assert BinaryClassificationEvaluator(labelCol="y").evaluate(scored) > 0.8


def member_params(model):
    """The CatBoost settings each member trained with, as CatBoost reports them."""
    return [CatBoost().load_model(blob=bytes(blob)).get_all_params() for blob in model.members]


@pytest.fixture(scope="module")
def mixed(cities):
    """The cities with a second, three-level categorical column."""
    train, _ = cities
    size = F.concat(F.lit("size_"), (F.abs(F.hash("x")) % 3).cast("string"))
    return train.withColumn("size", size).cache()


MIXED = {"inputCols": ["city", "size", "x"], "categoricalCols": ["city", "size"]}
QUICK = {"numMembers": 2, "iterations": 20, "depth": 3, "seed": 4}


@pytest.fixture(scope="module")
def automatic(mixed):
    return SampledEnsembleClassifier(**MIXED, **QUICK).fit(mixed)


def test_a_small_column_is_one_hot_and_a_large_one_keeps_target_statistics(automatic, mixed):
    encoding = automatic.categoricalEncoding
    columns = {c["name"]: c for c in encoding["columns"]}
    assert columns["size"]["encoding"] == "one-hot" and columns["size"]["levels"] == 3
    assert columns["city"]["encoding"] == "target statistics"
    assert abs(columns["city"]["levels"] - (CITIES + 1)) <= 0.05 * CITIES  # approximate
    assert [c["position"] for c in encoding["columns"]] == [0, 1]
    # A member's share of the rows, less its 10% holdout, sets the learning rate.
    rate = ONE_STEP_RATE_SHARE * catboost_logloss_learning_rate(mixed.count() / 2 * 0.9, 20)
    assert encoding["catboostParams"] == {
        "one_hot_max_size": MAX_ONE_HOT_LEVELS,
        "max_ctr_complexity": MAX_CTR_COMPLEXITY,
        "leaf_estimation_iterations": 1,
        "learning_rate": round(rate, 6),
    }
    # CatBoost's own default is 2; below 200 iterations it limits combinations itself, so
    # the user-override test below is the one that shows max_ctr_complexity reaching members.
    for params in member_params(automatic):
        assert params["one_hot_max_size"] == MAX_ONE_HOT_LEVELS
        assert params["leaf_estimation_iterations"] == 1
        assert params["learning_rate"] == pytest.approx(rate, rel=1e-5)


def test_the_users_catboost_params_win_over_the_automatic_encoding(mixed):
    mine = {"one_hot_max_size": 2, "max_ctr_complexity": 3}
    model = SampledEnsembleClassifier(catboostParams=mine, **MIXED, **QUICK).fit(mixed)
    encoding = model.categoricalEncoding
    assert not set(encoding["catboostParams"]) & {"one_hot_max_size", "max_ctr_complexity"}
    assert {c["name"]: c["encoding"] for c in encoding["columns"]} == {
        "city": "target statistics",
        "size": "target statistics",
    }
    for params in member_params(model):
        assert params["one_hot_max_size"] == 2 and params["max_ctr_complexity"] == 3


def test_a_learning_rate_of_the_user_keeps_catboost_s_leaf_estimation(mixed):
    model = SampledEnsembleClassifier(learningRate=0.2, **MIXED, **QUICK).fit(mixed)
    assert "leaf_estimation_iterations" not in model.categoricalEncoding["catboostParams"]
    for params in member_params(model):
        assert params["learning_rate"] == pytest.approx(0.2)


def test_the_encoding_and_members_do_not_depend_on_the_partitioning(mixed, automatic):
    other = SampledEnsembleClassifier(**MIXED, **QUICK).fit(mixed.repartition(7))
    assert other.categoricalEncoding == automatic.categoricalEncoding
    assert other.members == automatic.members


def test_the_encoding_is_saved_with_the_model(tmp_path, automatic):
    path = str(tmp_path / "encoded")
    automatic.save(path)
    loaded = SampledEnsembleClassificationModel.load(path)
    assert loaded.categoricalEncoding == automatic.categoricalEncoding


def test_numeric_features_get_no_encoding_settings(binary_df):
    model = SampledEnsembleClassifier(**QUICK).fit(binary_df)
    assert model.categoricalEncoding == {"catboostParams": {}, "columns": []}


def test_vector_slots_are_named_from_their_metadata(cities):
    train, _ = cities
    indexed = StringIndexer(inputCol="city", outputCol="city_index", handleInvalid="keep")
    assembled = VectorAssembler(inputCols=["x", "city_index"], outputCol="features").transform(
        indexed.fit(train).transform(train)
    )
    model = SampledEnsembleClassifier(**QUICK).fit(assembled)
    [column] = model.categoricalEncoding["columns"]
    assert (column["name"], column["position"]) == ("city_index", 1)
    assert column["encoding"] == "target statistics"


def test_the_regressor_chooses_the_encoding_too(mixed):
    from sparkensemble import SampledEnsembleRegressor

    model = SampledEnsembleRegressor(**MIXED, **QUICK).fit(mixed)
    encodings = {c["name"]: c["encoding"] for c in model.categoricalEncoding["columns"]}
    assert encodings == {"city": "target statistics", "size": "one-hot"}


def repeated_cells(spark, copies, seed):
    """Few distinct feature rows, each repeated many times with a label drawn per copy."""
    rng = np.random.default_rng(seed)
    cell = rng.integers(0, 24, size=24 * copies)
    colour, size = cell % 4, cell // 4
    positive = rng.random(len(cell)) < np.linspace(0.1, 0.9, 24)[cell]
    rows = [(f"c{c}", f"s{s}", float(y)) for c, s, y in zip(colour, size, positive)]
    return spark.createDataFrame(rows, "colour string, size string, label double")


def test_repeated_rows_are_spread_over_members_and_holdouts(spark):
    """Identical rows share a content hash: unspread, a cell's positives and negatives
    land in different members, and a member's holdout holds whole cells of one label."""
    train = repeated_cells(spark, 300, seed=1).repartition(3).cache()
    test = repeated_cells(spark, 100, seed=2)
    inputs = {"inputCols": ["colour", "size"], "categoricalCols": ["colour", "size"]}
    model = SampledEnsembleClassifier(**inputs, **QUICK).fit(train)
    assert auc(model, test) > 0.75
    # Each member's holdout mixes the labels as the data does, instead of whole cells.
    assert all(0.6 < acc < 0.8 for acc in model.summary["holdout_accuracy"])
    again = SampledEnsembleClassifier(**inputs, **QUICK).fit(train.repartition(5))
    assert again.members == model.members
