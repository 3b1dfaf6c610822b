import numpy as np
import pytest

from conftest import make_classification
from sparkensemble.assignment import RowCap, holdout_mask
from sparkensemble.catboost_params import validate_catboost_params
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


def test_holdout_is_deterministic_and_close_to_the_fraction():
    row_hash = hashes(20000)
    mask = holdout_mask(row_hash, 0.2)
    np.testing.assert_array_equal(mask, holdout_mask(row_hash.copy(), 0.2))
    assert abs(mask.mean() - 0.2) < 0.01


def test_holdout_is_independent_of_the_member_assignment():
    # Members take hash % k; the holdout must not pick rows by the same residue.
    row_hash = hashes(30000, seed=1)
    mask = holdout_mask(row_hash, 0.3)
    for residue in range(3):
        share = mask[np.mod(row_hash, 3) == residue].mean()
        assert abs(share - 0.3) < 0.02


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


@pytest.mark.parametrize(
    "params, message",
    [
        ({"thread_count": 4}, "spark.task.cpus"),
        ({"random_seed": 1}, "seed Param"),
        ({"train_dir": "/tmp"}, "write no files"),
        ({"iterations": 10}, "iterations Param"),
        ({"learning_rate": 0.1}, "learningRate Param"),
        ({"max_depth": 4}, "depth Param"),
        ({"border_count": object()}, "JSON-serialisable"),
    ],
    ids=[
        "thread_count",
        "random_seed",
        "train_dir",
        "iterations",
        "eta",
        "depth",
        "json",
    ],
)
def test_catboost_params_are_checked(params, message):
    with pytest.raises(ValueError, match=message):
        validate_catboost_params(params)


def test_catboost_params_pass_valid_settings_through():
    params = {"border_count": 64, "bootstrap_type": "Bernoulli", "subsample": 0.8}
    assert validate_catboost_params(params) == params
    assert validate_catboost_params(None) == {}


def capped(frames, max_rows):
    cap = RowCap(max_rows, "h")
    for frame in frames:
        cap.add(frame)
    return cap


def arrow_rows(**columns):
    import pyarrow as pa

    return pa.RecordBatch.from_pydict({k: np.asarray(v) for k, v in columns.items()})


def test_row_cap_keeps_the_same_rows_whatever_the_order_and_batching():
    data = arrow_rows(h=hashes(1000, seed=2), v=np.arange(1000))
    shuffled = data.take(np.random.default_rng(3).permutation(1000))
    first = capped([data.slice(i, 70) for i in range(0, 1000, 70)], 120)
    second = capped([shuffled.slice(i, 33) for i in range(0, 1000, 33)], 120)
    assert first.seen == second.seen == 1000
    assert sorted(first.rows()["v"].to_pylist()) == sorted(second.rows()["v"].to_pylist())
    assert first.rows().num_rows == 120


def test_row_cap_keeps_everything_under_the_bound():
    data = arrow_rows(h=hashes(50), v=np.arange(50))
    cap = capped([data.slice(0, 20), data.slice(20)], 100)
    assert cap.seen == 50 and sorted(cap.rows()["v"].to_pylist()) == list(range(50))
    assert RowCap(10, "h").rows() is None


def test_a_batch_of_one_member_passes_whole_and_a_mixed_batch_is_split():
    from sparkensemble.rows import MEMBER
    from sparkensemble.training import _by_member

    single = arrow_rows(**{MEMBER: [2, 2, 2], "x": [1.0, 2.0, 3.0]})
    [(member, rows)] = list(_by_member(single))
    assert member == 2 and rows is single  # no copy
    mixed = arrow_rows(**{MEMBER: [1, 0, 1], "x": [1.0, 2.0, 3.0]})
    split = {member: rows["x"].to_pylist() for member, rows in _by_member(mixed)}
    assert split == {1: [1.0, 3.0], 0: [2.0]}
    assert list(_by_member(single.slice(0, 0))) == []


def test_arrow_batches_give_the_same_features_as_per_row_arrays():
    import pyarrow as pa

    from sparkensemble.feature_arrays import features_from_arrow, features_from_rows

    numeric = [[0.5, None], [1.5, 2.5], [3.0, 4.0], [5.0, 6.0]]
    categorical = [["a"], ["b"], ["a"], ["c"]]
    # A slice starts at an offset into the child values, as Spark's batches may.
    numeric_arrow = pa.array(numeric, pa.list_(pa.float64())).slice(1)
    categorical_arrow = pa.array(categorical, pa.list_(pa.string())).slice(1)
    rows = [np.array(r, dtype=np.float64) for r in numeric[1:]]
    categories = [np.array(r, dtype=object) for r in categorical[1:]]

    from_arrow = features_from_arrow(numeric_arrow, categorical_arrow, [1])
    from_rows = features_from_rows(rows, categories, [1])
    assert from_arrow.equals(from_rows)
    assert from_arrow[1].tolist() == ["b", "a", "c"]
    assert np.array_equal(features_from_arrow(numeric_arrow, None, []), np.stack(rows))
    # A null element is missing to CatBoost, like NaN.
    whole = features_from_arrow(pa.array(numeric, pa.list_(pa.float64())), None, [])
    assert whole.dtype == np.float64 and np.isnan(whole[0, 1])


def test_row_cap_keeps_the_smallest_row_hashes():
    data = arrow_rows(h=hashes(500, seed=4), v=np.arange(500))
    kept = capped([data], 40).rows()
    assert sorted(kept["h"].to_pylist()) == sorted(data["h"].to_pylist())[:40]


def test_the_presample_keeps_a_superset_of_what_each_capped_member_keeps():
    from sparkensemble.assignment import presample_threshold

    assert presample_threshold(rows=1000, members=2, max_rows=500) is None  # no cap binds
    assert presample_threshold(rows=1200, members=2, max_rows=500) is None  # within margin
    row_hash = hashes(400_000, seed=5)
    members, cap = 4, 20_000
    threshold = presample_threshold(len(row_hash), members, cap)
    assert threshold is not None
    kept = row_hash < threshold
    assert kept.mean() < 0.25  # most rows never cross the shuffle
    for member in range(members):
        mine = row_hash[np.mod(row_hash, members) == member]
        smallest = np.sort(mine)[:cap]
        assert (smallest < threshold).all()  # the cap's choice survives the presample
