"""SampledEnsembleRanker end to end on a local[2] session."""

import numpy as np
import pytest
from catboost import CatBoostRanker
from catboost.utils import eval_metric
from helpers.data import make_ranking, to_frame
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.linalg import Vectors
from pyspark.ml.tuning import CrossValidator, CrossValidatorModel, ParamGridBuilder
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType

from sparkensemble import GroupNDCGEvaluator, SampledEnsembleRanker, SampledEnsembleRankingModel
from sparkensemble.assignment import holdout_mask
from sparkensemble.model_bytes import deserialize_model
from sparkensemble.tasks import RANKING
from sparkensemble.tasks.base import member_outputs

SMALL = {"iterations": 20, "depth": 3, "seed": 5}


@pytest.fixture(scope="module")
def ranking_df(spark):
    x, y, g = make_ranking(80, seed=1)
    return to_frame(spark, x, y, query=[int(v) for v in g]).cache()


@pytest.fixture(scope="module")
def fitted(ranking_df):
    return SampledEnsembleRanker(groupCol="query", numMembers=2, **SMALL).fit(ranking_df)


def scored(model, df, *columns):
    """Features, labels, groups and ``columns`` of the scored rows, sorted by group."""
    rows = model.transform(df).orderBy("query", "label", "prediction").collect()
    x = np.array([r.features.toArray() for r in rows])
    return x, np.array([r.label for r in rows]), np.array([r.query for r in rows]), rows


def test_fit_and_transform_give_a_double_ranking_score(fitted, ranking_df):
    assert isinstance(fitted, SampledEnsembleRankingModel) and len(fitted.members) == 2
    out = fitted.transform(ranking_df)
    assert out.columns == ranking_df.columns + ["prediction"]
    assert isinstance(out.schema["prediction"].dataType, DoubleType)
    ndcg = GroupNDCGEvaluator(groupCol="query").evaluate(out)
    shuffled = out.withColumn("prediction", F.rand(3))
    assert ndcg > 0.9 and ndcg > GroupNDCGEvaluator(groupCol="query").evaluate(shuffled) + 0.05


def test_every_group_trains_one_member_and_is_held_out_whole(fitted, ranking_df):
    group_hash = F.xxhash64(F.lit(SMALL["seed"]), F.col("query"))
    groups = ranking_df.groupBy("query").agg(F.count(F.lit(1)).alias("n"), F.first(group_hash))
    sizes = {row[0]: (row[1], row[2]) for row in groups.collect()}
    summary = fitted.summary.set_index("member")
    for member in (0, 1):
        mine = [(n, h) for n, h in sizes.values() if h % 2 == member]
        hashes = np.array([h for _, h in mine], dtype=np.int64)
        counts = np.array([n for n, _ in mine])
        held = holdout_mask(hashes, 0.1)
        assert summary.loc[member, "rows"] == counts.sum()
        assert summary.loc[member, "holdout_rows"] == counts[held].sum() > 0


def test_the_summary_reports_holdout_ndcg_and_the_loss(fitted):
    summary = fitted.summary
    assert {"holdout_ndcg", "holdout_loss"} <= set(summary.columns)
    assert ((summary["holdout_ndcg"] > 0.8) & (summary["holdout_ndcg"] <= 1.0)).all()
    # CatBoost cannot evaluate YetiRank, only train on it.
    assert summary["holdout_loss"].isna().all()
    curves = fitted.learningCurves
    assert (curves["metric"] == "NDCG:top=10;type=Base").all() and len(curves) > 0


@pytest.mark.parametrize("combiner", ["mean", "median"])
def test_spark_scores_equal_the_numpy_combination_of_the_members(fitted, ranking_df, combiner):
    model = fitted.copy().setCombiner(combiner)
    x, _, _, rows = scored(model, ranking_df)
    members = [deserialize_model(blob, RANKING) for blob in model.members]
    outputs = member_outputs(RANKING, members, x, 1)[:, :, 0]
    combine = np.mean if combiner == "mean" else np.median
    prediction = np.array([r.prediction for r in rows])
    np.testing.assert_allclose(prediction, combine(outputs, axis=0), rtol=1e-9, atol=1e-12)
    assert model.predict(Vectors.dense(x[0])) == pytest.approx(prediction[0], abs=1e-12)


def test_the_mean_is_one_native_ranker_equal_to_transform(fitted, ranking_df, tmp_path):
    model = fitted.copy().setContributionsCol("shap")
    x, _, _, rows = scored(model, ranking_df)
    prediction = np.array([r.prediction for r in rows])
    native = model.nativeModel()
    assert isinstance(native, CatBoostRanker)
    np.testing.assert_allclose(native.predict(x), prediction, rtol=0, atol=1e-9)
    shap = np.array([r.shap.toArray() for r in rows])
    np.testing.assert_allclose(shap.sum(axis=1), prediction, rtol=0, atol=1e-9)
    path = str(tmp_path / "ranker.cbm")
    model.saveNativeModel(path)
    np.testing.assert_allclose(CatBoostRanker().load_model(path).predict(x), prediction, atol=1e-9)
    with pytest.raises(ValueError, match=r"combiner='median' does not.*mean"):
        model.copy().setCombiner("median").nativeModel()


def test_members_are_identical_across_partitionings(fitted, ranking_df):
    estimator = SampledEnsembleRanker(groupCol="query", numMembers=2, **SMALL)
    assert fitted.members == estimator.fit(ranking_df.repartition(5)).members


def test_partition_strategy_trains_on_partitions_that_hold_whole_groups(ranking_df):
    by_group = ranking_df.repartition(2, "query")
    model = SampledEnsembleRanker(groupCol="query", strategy="partition", **SMALL).fit(by_group)
    assert len(model.members) == 2
    assert model.summary["rows"].sum() == ranking_df.count()


def test_a_pairwise_loss_and_string_group_ids_reach_the_members(ranking_df):
    df = ranking_df.withColumn("query", F.concat(F.lit("q"), F.col("query").cast("string")))
    estimator = SampledEnsembleRanker(groupCol="query", numMembers=2, lossFunction="PairLogit")
    model = estimator.setParams(**SMALL).fit(df)
    member = deserialize_model(model.members[0], RANKING)
    assert member.get_params()["loss_function"] == "PairLogit"
    assert (model.summary["holdout_loss"] > 0).all()


def test_group_weights_reach_the_members(fitted, ranking_df):
    weighted = ranking_df.withColumn("w", (F.col("query") % 3 + 1).cast("double"))
    estimator = SampledEnsembleRanker(groupCol="query", weightCol="w", numMembers=2, **SMALL)
    assert estimator.fit(weighted).members != fitted.members


def test_save_and_load_keep_uid_params_members_and_scores(fitted, ranking_df, tmp_path):
    path = str(tmp_path / "ranker")
    fitted.save(path)
    loaded = SampledEnsembleRankingModel.load(path)
    assert loaded.uid == fitted.uid and loaded.members == fitted.members
    assert (loaded.getGroupCol(), loaded.getLossFunction()) == ("query", "YetiRank")
    assert loaded.summary.equals(fitted.summary)
    before = [r.prediction for r in scored(fitted, ranking_df)[3]]
    assert [r.prediction for r in scored(loaded, ranking_df)[3]] == before
    estimator_path = str(tmp_path / "estimator")
    SampledEnsembleRanker(groupCol="q", lossFunction="QueryRMSE").save(estimator_path)
    again = SampledEnsembleRanker.load(estimator_path)
    assert (again.getGroupCol(), again.getLossFunction()) == ("q", "QueryRMSE")


def test_the_evaluator_is_catboosts_ndcg(fitted, ranking_df):
    _, labels, groups, rows = scored(fitted, ranking_df)
    prediction = np.array([r.prediction for r in rows])
    expected = eval_metric(labels, prediction, "NDCG:top=10;type=Base", group_id=groups)[0]
    evaluator = GroupNDCGEvaluator(groupCol="query")
    assert evaluator.evaluate(fitted.transform(ranking_df)) == pytest.approx(expected, abs=1e-9)
    top3 = eval_metric(labels, prediction, "NDCG:top=3;type=Base", group_id=groups)[0]
    assert evaluator.copy({evaluator.k: 3}).evaluate(fitted.transform(ranking_df)) == pytest.approx(
        top3, abs=1e-9
    )


def test_tied_scores_rank_the_less_relevant_row_first_as_catboost_does(spark):
    labels, scores, groups = [3.0, 0.0, 1.0, 2.0, 0.0], [0.5, 0.5, 0.2, 0.2, 0.9], [1, 1, 2, 2, 2]
    df = spark.createDataFrame(list(zip(groups, labels, scores)), ["query", "label", "prediction"])
    expected = eval_metric(labels, scores, "NDCG:top=10;type=Base", group_id=groups)[0]
    assert GroupNDCGEvaluator(groupCol="query").evaluate(df) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "params, pattern",
    [
        ({"groupCol": "session"}, "groupCol='session' does not exist"),
        ({"groupCol": "query", "predictionCol": "score"}, "predictionCol='score' does not exist"),
        ({"groupCol": "query", "weightCol": "w"}, "weightCol='w' does not exist"),
    ],
)
def test_the_evaluator_names_a_missing_column_before_any_job(spark, params, pattern):
    df = spark.createDataFrame([(1, 1.0, 0.5)], ["query", "label", "prediction"])
    with pytest.raises(ValueError, match=pattern):
        GroupNDCGEvaluator(**params).evaluate(df)


def test_the_evaluator_refuses_null_ids_or_scores_and_an_empty_frame(spark):
    schema = "query int, label double, prediction double"
    nulls = spark.createDataFrame([(1, 1.0, 0.5), (None, 2.0, 0.1), (2, 1.0, None)], schema)
    with pytest.raises(ValueError, match="2 rows have a null 'query' \\(groupCol\\)"):
        GroupNDCGEvaluator(groupCol="query").evaluate(nulls)
    with pytest.raises(ValueError, match="empty DataFrame"):
        GroupNDCGEvaluator(groupCol="query").evaluate(spark.createDataFrame([], schema))


def test_a_pipeline_and_a_cross_validator_over_groups(spark, tmp_path):
    x, y, g = make_ranking(60, seed=2)
    rows = [(int(q), *map(float, r), float(label)) for q, r, label in zip(g, x, y)]
    names = ["query", "a", "b", "c", "d", "label"]
    df = spark.createDataFrame(rows, names).repartition(2).cache()
    ranker = SampledEnsembleRanker(groupCol="query", numMembers=2, **SMALL)
    pipeline = Pipeline(
        stages=[VectorAssembler(inputCols=names[1:5], outputCol="features"), ranker]
    )
    fitted = pipeline.fit(df)
    path = str(tmp_path / "pipeline")
    fitted.save(path)
    evaluator = GroupNDCGEvaluator(groupCol="query")
    before = evaluator.evaluate(fitted.transform(df))
    assert evaluator.evaluate(PipelineModel.load(path).transform(df)) == before
    # CrossValidator splits rows, so folds are given by group to keep groups whole.
    folds = df.withColumn("fold", F.pmod(F.hash("query"), F.lit(2))).cache()
    grid = ParamGridBuilder().addGrid(ranker.depth, [2, 3]).build()
    cv = CrossValidator(
        estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator, numFolds=2, foldCol="fold"
    )
    model = cv.fit(folds)
    assert len(model.avgMetrics) == 2 and all(0.5 < m <= 1.0 for m in model.avgMetrics)
    # The saved CrossValidatorModel keeps its evaluator's Params, and scores the same.
    model.save(str(tmp_path / "cv"))
    loaded = CrossValidatorModel.load(str(tmp_path / "cv"))
    reloaded = loaded.getEvaluator()
    assert isinstance(reloaded, GroupNDCGEvaluator) and reloaded.getGroupCol() == "query"
    assert reloaded.getK() == evaluator.getK()
    assert reloaded.evaluate(loaded.transform(df)) == evaluator.evaluate(model.transform(df))
