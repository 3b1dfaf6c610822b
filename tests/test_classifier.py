"""End-to-end behaviour of the estimator and model on a local[2] session."""

import json

import numpy as np
import pytest
from helpers.data import make_classification, to_frame
from pyspark.ml.evaluation import BinaryClassificationEvaluator, MulticlassClassificationEvaluator
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType

from sparkensemble import SampledEnsembleClassificationModel, SampledEnsembleClassifier
from sparkensemble.combiners import combine
from sparkensemble.model_bytes import deserialize_model
from sparkensemble.tasks.classification import member_probabilities

SMALL = {"iterations": 20, "depth": 3, "seed": 11}


@pytest.fixture(scope="module")
def fitted():
    """``fitted(df, **params)``: one model per DataFrame and params, fitted once per module.

    Tests that only read a model share it; a test that changes one works on a ``copy()``.
    """
    models = {}

    def fit(df, **params):
        key = (id(df), json.dumps(params, sort_keys=True))
        if key not in models:
            models[key] = SampledEnsembleClassifier(**{**SMALL, **params}).fit(df)
        return models[key]

    return fit


def scored_arrays(model, df):
    rows = (
        model.transform(df)
        .select("features", "rawPrediction", "probability", "prediction")
        .collect()
    )
    x = np.array([r.features.toArray() for r in rows])
    raw = np.array([r.rawPrediction.toArray() for r in rows])
    probability = np.array([r.probability.toArray() for r in rows])
    prediction = np.array([r.prediction for r in rows])
    return x, raw, probability, prediction


@pytest.mark.parametrize("strategy", ["fold", "partition"])
def test_binary_fit_and_transform_give_the_spark_ml_columns(binary_df, fitted, strategy):
    model = fitted(binary_df, numMembers=2, strategy=strategy)
    assert isinstance(model, SampledEnsembleClassificationModel)
    assert model.numClasses == 2 and model.numFeatures == 5
    assert len(model.members) == 2 and len(model.memberSeeds) == 2
    assert model.summary["rows"].sum() == binary_df.count()

    scored = model.transform(binary_df)
    schema = scored.schema
    assert isinstance(schema["rawPrediction"].dataType, VectorUDT)
    assert isinstance(schema["probability"].dataType, VectorUDT)
    assert isinstance(schema["prediction"].dataType, DoubleType)
    assert scored.columns == binary_df.columns + ["rawPrediction", "probability", "prediction"]
    accuracy = scored.where(F.col("label") == F.col("prediction")).count() / binary_df.count()
    assert accuracy > 0.8


def test_multiclass_fit_scores_three_classes(multiclass_df, fitted):
    model = fitted(multiclass_df, numMembers=3)
    assert model.numClasses == 3
    _, _, probability, prediction = scored_arrays(model, multiclass_df)
    assert probability.shape[1] == 3
    np.testing.assert_allclose(probability.sum(axis=1), 1.0)
    assert set(prediction) == {0.0, 1.0, 2.0}


@pytest.mark.parametrize("combiner", ["mean", "median", "max"])
def test_spark_output_equals_the_numpy_combination_of_the_members(multiclass_df, fitted, combiner):
    # The combiner acts at transform time: the same members serve every combiner.
    model = fitted(multiclass_df, numMembers=3).copy().setCombiner(combiner)
    x, raw, probability, prediction = scored_arrays(model, multiclass_df)
    members = [deserialize_model(blob) for blob in model.members]
    expected_raw, expected_probability = combine(member_probabilities(members, x, 3), combiner)
    np.testing.assert_allclose(raw, expected_raw, rtol=1e-12)
    np.testing.assert_allclose(probability, expected_probability, rtol=1e-12)
    np.testing.assert_array_equal(prediction, expected_probability.argmax(axis=1))
    # The single-row API agrees with the DataFrame API.
    from pyspark.ml.linalg import Vectors

    np.testing.assert_allclose(
        model.predictProbability(Vectors.dense(x[0])).toArray(), probability[0]
    )
    assert model.predict(Vectors.dense(x[0])) == prediction[0]


def test_both_evaluators_work_unchanged(binary_df, multiclass_df, fitted):
    binary = fitted(binary_df, numMembers=2).transform(binary_df)
    assert BinaryClassificationEvaluator().evaluate(binary) > 0.85
    multi = fitted(multiclass_df, numMembers=2).transform(multiclass_df)
    assert MulticlassClassificationEvaluator(metricName="accuracy").evaluate(multi) > 0.6
    assert MulticlassClassificationEvaluator(metricName="logLoss").evaluate(multi) < 1.0


def test_same_seed_gives_identical_members_and_another_seed_does_not(binary_df):
    clf = SampledEnsembleClassifier(numMembers=2, catboostParams={"rsm": 0.5}, **SMALL)
    first, second = clf.fit(binary_df), clf.fit(binary_df)
    assert first.members == second.members
    assert first.memberSeeds == second.memberSeeds
    other = clf.copy().setSeed(12).fit(binary_df)
    assert other.members != first.members


def test_fold_members_do_not_depend_on_the_input_partitioning(spark, binary_df):
    clf = SampledEnsembleClassifier(numMembers=3, **SMALL)
    two = clf.fit(binary_df.repartition(2))
    seven = clf.fit(binary_df.repartition(7))
    assert two.members == seven.members
    assert list(two.summary["rows"]) == list(seven.summary["rows"])


def test_fold_col_assigns_rows_and_a_member_lacking_a_class_is_aligned(spark):
    x, y = make_classification(450, classes=3, seed=3)
    # Member 1 sees only classes 0 and 2; the others see all three.
    fold = np.where(y == 1, np.arange(450) % 2 * 2, np.arange(450) % 3)
    df = to_frame(spark, x, y, fold=[int(f) for f in fold])
    model = SampledEnsembleClassifier(numMembers=3, foldCol="fold", **SMALL).fit(df)
    assert list(model.summary["rows"]) == [int((fold == m).sum()) for m in range(3)]
    member_one = deserialize_model(model.members[1])
    assert member_one.predict_proba(x[:5]).shape == (5, 3)
    np.testing.assert_allclose(member_one.predict_proba(x[:20])[:, 1], 0.0)
    _, _, probability, _ = scored_arrays(model, df)
    assert probability.shape == (450, 3)
    assert np.all(probability[:, 1] > 0)  # the other members still give class 1 mass


def test_each_member_trains_in_its_own_task_concurrently(spark):
    x, y = make_classification(4000, seed=4)
    df = to_frame(spark, x, y, partitions=3)
    clf = SampledEnsembleClassifier(numMembers=2, iterations=300, depth=6, earlyStoppingRounds=0)
    summary = clf.fit(df).summary
    assert summary["partition"].nunique() == 2  # never two members queued in one task
    start = summary["train_started_at"].to_numpy()
    end = start + summary["train_seconds"].to_numpy()
    # With 2 slots, the two members' training intervals must overlap.
    assert start.max() < end.min(), summary[["partition", "train_started_at", "train_seconds"]]


def test_five_members_on_two_slots_still_get_one_task_each(binary_df):
    summary = SampledEnsembleClassifier(numMembers=5, **SMALL).fit(binary_df).summary
    assert sorted(summary["member"]) == [0, 1, 2, 3, 4]
    assert summary["partition"].nunique() == 5


def test_partition_strategy_trains_one_member_per_input_partition(binary_df):
    df = binary_df.repartition(3)
    sizes = sorted(r["count"] for r in df.groupBy(F.spark_partition_id()).count().collect())
    model = SampledEnsembleClassifier(numMembers=3, strategy="partition", **SMALL).fit(df)
    assert sorted(model.summary["rows"]) == sizes


def test_combiner_can_be_changed_on_the_fitted_model(multiclass_df, fitted):
    model = fitted(multiclass_df, numMembers=3)
    _, _, mean_probability, _ = scored_arrays(model, multiclass_df)
    _, raw_max, max_probability, _ = scored_arrays(model.copy().setCombiner("max"), multiclass_df)
    assert not np.allclose(mean_probability, max_probability)
    assert np.all(raw_max.sum(axis=1) >= 1.0 - 1e-12)


def test_empty_output_column_names_skip_those_columns(binary_df, fitted):
    model = fitted(binary_df, numMembers=2)
    only_prediction = (
        model.copy().setRawPredictionCol("").setProbabilityCol("").transform(binary_df)
    )
    assert only_prediction.columns == binary_df.columns + ["prediction"]
    nothing = model.copy().setRawPredictionCol("").setProbabilityCol("").setPredictionCol("")
    assert nothing.transform(binary_df).columns == binary_df.columns


def test_thresholds_shift_predictions_like_spark(binary_df, fitted):
    model = fitted(binary_df, numMembers=2)
    default = model.transform(binary_df).where("prediction = 1").count()
    favour_one = model.copy().setThresholds([0.9, 0.1]).transform(binary_df)
    assert favour_one.where("prediction = 1").count() > default


def test_array_features_are_accepted(binary_df, fitted):
    from pyspark.ml.functions import vector_to_array

    arrays = binary_df.withColumn("features", vector_to_array("features"))
    model = SampledEnsembleClassifier(numMembers=2, **SMALL).fit(arrays)
    vectors = fitted(binary_df, numMembers=2)
    assert model.members == vectors.members
    assert model.transform(arrays).count() == binary_df.count()


def test_model_exposes_summary_and_feature_importances(binary_df, fitted):
    model = fitted(binary_df, numMembers=2)
    summary = model.summary
    assert list(summary["member"]) == [0, 1]
    for column in ("holdout_accuracy", "holdout_logloss", "holdout_auc", "best_iteration"):
        assert summary[column].notna().all(), column
    importances = model.featureImportances
    assert len(importances) == 5
    assert importances.toArray().sum() == pytest.approx(1.0)
    assert int(np.argmax(importances.toArray())) == 0  # the signal is in feature 0


def test_copy_does_not_share_member_state(binary_df, fitted):
    model = fitted(binary_df, numMembers=2)
    copied = model.copy({model.combiner: "max"})
    assert copied.getCombiner() == "max" and model.getCombiner() == "mean"
    assert copied.members == model.members
    copied._state.members.loc[0, "rows"] = -1
    assert model.summary.loc[0, "rows"] != -1


def test_fit_warns_when_the_input_is_not_cached(binary_df, caplog):
    clf = SampledEnsembleClassifier(numMembers=2, **SMALL)
    with caplog.at_level("WARNING", logger="sparkensemble.classifier"):
        clf.fit(binary_df)
    assert "not directly cached" not in caplog.text
    with caplog.at_level("WARNING", logger="sparkensemble.classifier"):
        clf.fit(binary_df.where("label >= 0"))
    assert "not directly cached" in caplog.text


def test_weights_reach_every_member_and_shift_probabilities(binary_df, fitted):
    weighted_df = binary_df.withColumn("w", F.when(F.col("label") == 1, 5.0).otherwise(1.0))
    plain = fitted(binary_df, numMembers=2)  # the same rows, without their weights
    weighted = SampledEnsembleClassifier(numMembers=2, weightCol="w", **SMALL).fit(weighted_df)
    assert all(a != b for a, b in zip(plain.members, weighted.members))
    _, _, p_plain, _ = scored_arrays(plain, binary_df)
    _, _, p_weighted, _ = scored_arrays(weighted, binary_df)
    assert p_weighted[:, 1].mean() > p_plain[:, 1].mean() + 0.05


def test_max_rows_per_member_samples_deterministically_and_warns(binary_df, caplog):
    clf = SampledEnsembleClassifier(numMembers=2, maxRowsPerMember=120, **SMALL)
    with caplog.at_level("WARNING", logger="sparkensemble.training"):
        model = clf.fit(binary_df.repartition(2).cache())
    summary = model.summary
    assert list(summary["rows"]) == [120, 120]
    assert summary["input_rows"].sum() == binary_df.count()
    assert "more than maxRowsPerMember=120" in caplog.text
    again = clf.fit(binary_df.repartition(5).cache())
    assert again.members == model.members


def test_a_cap_that_binds_samples_in_spark_and_keeps_members_identical(spark):
    x, y = make_classification(6000, seed=14)
    clf = SampledEnsembleClassifier(numMembers=2, maxRowsPerMember=500, **SMALL)
    first = clf.fit(to_frame(spark, x, y, partitions=2).cache())
    summary = first.summary
    assert list(summary["rows"]) == [500, 500]
    # Spark pre-sampled: far fewer than the 3,000 rows each member was assigned arrived.
    assert (summary["input_rows"] < 1000).all() and (summary["input_rows"] >= 500).all()
    again = clf.fit(to_frame(spark, x, y, partitions=7).cache())
    assert again.members == first.members


def test_an_uncapped_fit_is_not_presampled(binary_df, fitted):
    model = fitted(binary_df, numMembers=2)
    assert model.summary["input_rows"].sum() == binary_df.count()


def test_the_presample_trains_the_same_members_as_moving_every_row(spark):
    from pyspark.ml.functions import vector_to_array

    x, y = make_classification(6000, seed=15)
    df = to_frame(spark, x, y, partitions=2)
    seed, members = SMALL["seed"], 2
    # The fold the content hash gives each row, as training computes it; a foldCol turns
    # the presample off, so this fit moves every row and caps only in the workers.
    row_hash = F.xxhash64(F.lit(seed), vector_to_array("features", "float64"), F.col("label"))
    df = df.withColumn("fold", F.pmod(row_hash, F.lit(members)).cast("int")).cache()
    clf = SampledEnsembleClassifier(numMembers=members, maxRowsPerMember=400, **SMALL)
    presampled = clf.fit(df)
    moved = clf.copy({clf.foldCol: "fold"}).fit(df)
    assert list(moved.summary["input_rows"]) == [
        int(n) for n in np.bincount([r.fold for r in df.select("fold").collect()])
    ]
    assert (presampled.summary["input_rows"] < moved.summary["input_rows"]).all()
    assert presampled.members == moved.members


def test_one_row_predictions_follow_a_replaced_members_table(binary_df, fitted):
    from pyspark.ml.linalg import Vectors

    model = fitted(binary_df, numMembers=2).copy()  # its members table is replaced below
    other = SampledEnsembleClassifier(numMembers=2, **{**SMALL, "seed": 99}).fit(binary_df)
    row = Vectors.dense(binary_df.first()["features"].toArray())
    before = model.predictProbability(row).toArray()  # caches the members' key
    model = model._with_state(other._state)  # as loading does: a new state, not an edit
    np.testing.assert_array_equal(
        model.predictProbability(row).toArray(), other.predictProbability(row).toArray()
    )
    assert not np.array_equal(before, other.predictProbability(row).toArray())
