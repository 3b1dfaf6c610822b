"""One Newton step per leaf, and the learning rate that comes with it."""

import numpy as np
import pytest
from catboost import CatBoostClassifier, Pool

from sparkensemble.encoding import choose_encoding
from sparkensemble.leaf_steps import (
    ONE_STEP_RATE_SHARE,
    USER_LEAF_KEYS,
    catboost_logloss_learning_rate,
    member_train_rows,
    with_one_leaf_step,
)

# tailnum keeps target statistics; carrier is one-hot.
FLIGHTS_LIKE = choose_encoding(["carrier", "tailnum"], [0, 1], [16, 4000], {})
ALL_ONE_HOT = choose_encoding(["carrier", "origin"], [0, 1], [16, 3], {})
KWARGS = {"iterations": 300, "depth": 6}


@pytest.mark.parametrize("rows, iterations", [(3000, 10), (20000, 40)])
def test_the_rate_is_the_one_catboost_chooses_for_a_member(rows, iterations):
    """A member trains with an eval set, so CatBoost's use_best_model coefficients apply."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows + 500, 3))
    y = (x[:, 0] + rng.normal(size=len(x)) > 0).astype(int)
    model = CatBoostClassifier(iterations=iterations, verbose=False, thread_count=1)
    model.fit(Pool(x[:rows], y[:rows]), eval_set=Pool(x[rows:], y[rows:]))
    chosen = model.get_all_params()["learning_rate"]
    assert catboost_logloss_learning_rate(rows, iterations) == pytest.approx(chosen, rel=1e-5)


def test_binary_members_with_target_statistics_take_one_step_at_a_lower_rate():
    encoding = with_one_leaf_step(FLIGHTS_LIKE, KWARGS, binary=True, member_train_rows=123_000)
    added = encoding.catboost_params
    assert added["leaf_estimation_iterations"] == 1
    rate = ONE_STEP_RATE_SHARE * catboost_logloss_learning_rate(123_000, 300)
    assert added["learning_rate"] == round(rate, 6)
    # The encoding's own settings and its columns are kept.
    assert {**FLIGHTS_LIKE.catboost_params, **added} == added
    assert encoding.columns == FLIGHTS_LIKE.columns


def test_all_one_hot_and_multiclass_members_keep_catboost_s_leaf_estimation():
    assert with_one_leaf_step(ALL_ONE_HOT, KWARGS, True, 123_000) is ALL_ONE_HOT
    assert with_one_leaf_step(FLIGHTS_LIKE, KWARGS, False, 123_000) is FLIGHTS_LIKE


@pytest.mark.parametrize("key", USER_LEAF_KEYS)
def test_any_leaf_or_rate_setting_of_the_user_leaves_the_members_to_it(key):
    kwargs = {**KWARGS, key: "set"}
    assert with_one_leaf_step(FLIGHTS_LIKE, kwargs, True, 123_000) is FLIGHTS_LIKE


def test_a_member_trains_on_its_capped_share_less_its_holdout():
    assert member_train_rows(100_000, 1_000_000, 0.1) == pytest.approx(90_000)
    assert member_train_rows(100_000, 40_000, 0.1) == pytest.approx(36_000)
    assert member_train_rows(100_000, 1_000_000, 0.0) == 100_000  # flagged validation rows
