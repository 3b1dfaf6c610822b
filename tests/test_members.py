import numpy as np
import pytest
from helpers.data import make_classification

from sparkensemble.assignment import holdout_mask
from sparkensemble.errors import MemberDataError
from sparkensemble.members import MemberSettings, derive_member_seeds, train_member
from sparkensemble.model_bytes import deserialize_model
from sparkensemble.tasks.classification import member_probabilities

SMALL = {"iterations": 20, "depth": 3}


def settings(num_classes=2, seed=7, **catboost):
    return MemberSettings(
        width=num_classes,
        seed=seed,
        validation_fraction=0.2,
        early_stopping_rounds=5,
        catboost_kwargs={**SMALL, **catboost},
    )


def hashes(n, seed=0):
    return np.random.default_rng(seed).integers(-(2**63), 2**63 - 1, size=n, dtype=np.int64)


def test_member_seeds_are_reproducible_distinct_and_depend_on_the_seed():
    seeds = derive_member_seeds(42, 8)
    assert seeds == derive_member_seeds(42, 8)
    assert len(set(seeds)) == 8
    assert derive_member_seeds(43, 8) != seeds
    assert all(0 <= s < 2**31 for s in seeds)


def test_train_member_reports_rows_and_holdout_metrics():
    x, y = make_classification(300, seed=3)
    trained = train_member(x, y, hashes(300), settings())
    assert trained.rows == 300
    assert trained.train_rows + trained.holdout_rows == 300
    assert 40 < trained.holdout_rows < 80
    assert 0.6 < trained.metrics["holdout_accuracy"] <= 1.0
    assert 0.6 < trained.metrics["holdout_auc"] <= 1.0
    assert trained.metrics["holdout_logloss"] > 0
    assert 0 <= trained.best_iteration < 20
    assert trained.train_seconds > 0
    assert trained.feature_importances[0] == max(trained.feature_importances)
    assert sum(trained.feature_importances) == pytest.approx(1.0)


def test_member_bytes_do_not_depend_on_row_order():
    x, y = make_classification(300, seed=4)
    row_hash = hashes(300, seed=4)
    order = np.random.default_rng(9).permutation(300)
    first = train_member(x, y, row_hash, settings())
    shuffled = train_member(x[order], y[order], row_hash[order], settings())
    assert first.model == shuffled.model


def test_float32_features_train_the_same_member_as_float64():
    # Training moves features as float32 (half the shuffle); that is only sound while
    # CatBoost itself reduces float64 features to float32.
    x, y = make_classification(2000, seed=6)
    x = x * np.random.default_rng(6).lognormal(sigma=3.0, size=x.shape)  # use every bit
    assert not np.array_equal(x, x.astype(np.float32))
    row_hash = hashes(2000, seed=6)
    as_double = train_member(x, y, row_hash, settings(iterations=60, depth=6))
    as_float = train_member(x.astype(np.float32), y, row_hash, settings(iterations=60, depth=6))
    assert as_double.model == as_float.model


def test_member_bytes_depend_on_the_seed():
    x, y = make_classification(300, seed=4)
    row_hash = hashes(300, seed=4)
    kwargs = {"rsm": 0.5}  # feature subsampling makes the seed matter on small data
    assert (
        train_member(x, y, row_hash, settings(seed=1, **kwargs)).model
        != train_member(x, y, row_hash, settings(seed=2, **kwargs)).model
    )


def test_single_class_member_raises_a_data_error():
    x, _ = make_classification(100)
    with pytest.raises(MemberDataError, match="single class"):
        train_member(x, np.ones(100), hashes(100), settings())


def test_member_missing_a_class_still_predicts_every_class():
    x, y = make_classification(300, classes=3, seed=5)
    keep = y != 1
    trained = train_member(x[keep], y[keep], hashes(int(keep.sum())), settings(num_classes=3))
    model = deserialize_model(trained.model)
    proba = member_probabilities([model], x[:10], 3)
    assert proba.shape == (1, 10, 3)
    np.testing.assert_allclose(proba[0, :, 1], 0.0)
    np.testing.assert_allclose(proba.sum(axis=2), 1.0)


def test_weights_change_the_member():
    x, y = make_classification(300, seed=6)
    row_hash = hashes(300, seed=6)
    plain = train_member(x, y, row_hash, settings())
    weighted = train_member(x, y, row_hash, settings(), weights=np.where(y == 1, 5.0, 1.0))
    p_plain = member_probabilities([deserialize_model(plain.model)], x, 2)[0, :, 1]
    p_weighted = member_probabilities([deserialize_model(weighted.model)], x, 2)[0, :, 1]
    assert p_weighted.mean() > p_plain.mean() + 0.05


def test_serialised_member_round_trips_to_the_same_predictions():
    x, y = make_classification(200, seed=8)
    trained = train_member(x, y, hashes(200), settings())
    model = deserialize_model(trained.model)
    again = deserialize_model(trained.model)
    np.testing.assert_array_equal(model.predict_proba(x), again.predict_proba(x))


def test_a_grouped_member_holds_out_whole_groups_and_ignores_row_order():
    from helpers.data import make_ranking

    from sparkensemble.tasks import RANKING

    x, y, g = make_ranking(40, seed=6)
    group_hash = hashes(40, seed=7)[g]
    ranking = MemberSettings(
        width=1,
        seed=3,
        validation_fraction=0.25,
        early_stopping_rounds=5,
        catboost_kwargs={**SMALL, "loss_function": "YetiRank"},
        task=RANKING.name,
    )
    row_hash = hashes(len(y), seed=8)
    first = train_member(x, y, row_hash, ranking, groups=group_hash)
    order = np.random.default_rng(9).permutation(len(y))
    shuffled = train_member(x[order], y[order], row_hash[order], ranking, groups=group_hash[order])
    assert first.model == shuffled.model
    held = np.isin(np.arange(40), np.flatnonzero(holdout_mask(hashes(40, seed=7), 0.25)))
    assert first.holdout_rows == 8 * held.sum() > 0
    assert 0.5 < first.metrics["holdout_ndcg"] <= 1.0


def test_a_member_whose_few_groups_are_all_held_out_trains_on_them_unvalidated():
    from helpers.data import make_ranking

    from sparkensemble.tasks import RANKING

    x, y, g = make_ranking(40, seed=6)
    # Two groups whose hashes both fall in a quarter holdout.
    candidates = hashes(4000, seed=10)
    drawn = candidates[holdout_mask(candidates, 0.25)][:2]
    keep = g < 2
    ranking = MemberSettings(
        width=1,
        seed=3,
        validation_fraction=0.25,
        early_stopping_rounds=5,
        catboost_kwargs={**SMALL, "loss_function": "YetiRank"},
        task=RANKING.name,
    )
    member = train_member(
        x[keep], y[keep], hashes(int(keep.sum()), seed=8), ranking, groups=drawn[g[keep]]
    )
    assert member.holdout_rows == 0 and member.train_rows == keep.sum()
    assert deserialize_model(member.model, RANKING).tree_count_ == SMALL["iterations"]
