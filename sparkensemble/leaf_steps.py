"""One Newton step per leaf for binary members with target statistics. No Spark here.

For Logloss CatBoost takes ten Newton steps to estimate each leaf's value, and with
target statistics it estimates every leaf on each of its permutations, so a member that
keeps target statistics for a column spends about half its time there. On the flights
table one step trains a member in about half the time at no loss of test AUC (see
``benchmarks/categorical_frontier.py``), provided the learning rate comes down with it.
Setting ``leaf_estimation_iterations`` turns CatBoost's
automatic learning rate off, so the library sets one: :data:`ONE_STEP_RATE_SHARE` of the
rate CatBoost would have chosen for the member's rows and iterations. On flights, one
step at CatBoost's own rate lost AUC; at 0.4 to 0.85 of it, none.

Members whose categorical columns are all one-hot keep CatBoost's defaults: without
target statistics the ten steps cost little, and one step lost AUC on diamonds.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Mapping

from sparkensemble.encoding import TARGET_STATISTICS, CategoricalEncoding

# CatBoost's coefficients for its automatic learning rate with Logloss on CPU, an eval set
# (use_best_model) and boost_from_average off, as every binary member trains
# (catboost/libs/train_lib/options_helper.cpp, TAutoLRParamsGuesser):
# (dataset-size coefficient, its constant, iteration-count coefficient).
LOGLOSS_RATE_COEFFICIENTS = (0.247, -5.158, -0.435)
# The share of CatBoost's automatic rate that one Newton step per leaf trains with.
ONE_STEP_RATE_SHARE = 0.6
# Keys of catboostParams (or Params) that decide the learning rate or the leaf estimation;
# with any of them set, the members keep what the user chose.
USER_LEAF_KEYS = (
    "learning_rate",
    "leaf_estimation_iterations",
    "leaf_estimation_method",
    "l2_leaf_reg",
    "boost_from_average",
    "loss_function",
)


def catboost_logloss_learning_rate(train_rows: float, iterations: int) -> float:
    """The learning rate CatBoost chooses itself for a binary member.

    Parameters
    ----------
    train_rows
        The rows the member trains on, its holdout excluded.
    iterations
        The member's iterations.
    """
    size, constant, per_iteration = LOGLOSS_RATE_COEFFICIENTS
    rate = math.exp(size * math.log(max(train_rows, 1.0)) + constant)
    rate *= math.exp(per_iteration * (math.log(iterations) - math.log(1000)))
    return min(rate, 0.5)


def member_train_rows(share: float, max_rows: int, holdout_fraction: float) -> float:
    """The rows a member is expected to train on: its share, capped, less its holdout."""
    return min(share, max_rows) * (1.0 - holdout_fraction)


def with_one_leaf_step(
    encoding: CategoricalEncoding,
    catboost_kwargs: Mapping[str, Any],
    binary: bool,
    member_train_rows: float,
) -> CategoricalEncoding:
    """The encoding, plus one Newton step per leaf and its learning rate where they apply.

    Parameters
    ----------
    encoding
        The chosen encoding of the categorical columns.
    catboost_kwargs
        What the members train with from Params and ``catboostParams``; any of
        :data:`USER_LEAF_KEYS` there leaves the encoding as it is.
    binary
        Whether members train a binary classifier (Logloss).
    member_train_rows
        The rows a member is expected to train on, its holdout excluded.

    Returns
    -------
    CategoricalEncoding
        ``encoding`` itself, or a copy whose ``catboost_params`` also hold
        ``leaf_estimation_iterations=1`` and ``learning_rate``.
    """
    keeps_statistics = any(c.encoding == TARGET_STATISTICS for c in encoding.columns)
    if not (binary and keeps_statistics) or any(k in catboost_kwargs for k in USER_LEAF_KEYS):
        return encoding
    rate = ONE_STEP_RATE_SHARE * catboost_logloss_learning_rate(
        member_train_rows, int(catboost_kwargs["iterations"])
    )
    added = {"leaf_estimation_iterations": 1, "learning_rate": round(rate, 6)}
    return replace(encoding, catboost_params={**encoding.catboost_params, **added})
