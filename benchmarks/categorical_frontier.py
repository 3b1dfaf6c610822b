"""Time to accuracy on real tables with categorical columns, against xgboost.spark.

Three tables, read offline from PyPI packages (see ``_tables.py``): New York's 2013
flights (late arrival; carrier, aircraft, origin, destination), ggplot2's diamonds (an
"Ideal" cut; colour, clarity) and the US military's personnel (a woman; five categorical
columns). For every setting: fit seconds, each system's own overhead included, and test
AUC and accuracy.

- sparkensemble: members = slots, over iterations x depth x learning rate, and over the
  encoding: its automatic one (chosen from each column's level count, with one Newton
  step per leaf where a column keeps target statistics) against CatBoost's own
  (``one_hot_max_size`` 2, ``max_ctr_complexity`` 4, ten steps at CatBoost's automatic
  rate), the automatic encoding with CatBoost's ten steps, a wider one-hot threshold, one
  row ordering for target statistics (``has_time``), and one step at set rates;
- xgboost.spark (num_workers = slots) on StringIndexer codes, over n_estimators x
  max_depth, its speed knobs (learning_rate, max_bin), and its native categorical
  support (``feature_types``, with ``max_cat_to_onehot``);
- centralized CatBoost with the same automatic encoding, and LightGBM with its native
  categoricals, on all cores; collecting the rows to the driver is reported apart.

Writes ``categorical_frontier.json`` and one PNG per table. The lead table: for every
xgboost.spark setting, the fastest sparkensemble setting at least as accurate.

    pip install -e ".[benchmarks]"
    python benchmarks/categorical_frontier.py [--tables flights diamonds military]
"""

from __future__ import annotations

import argparse
from typing import Any, Dict, List, Optional

from _common import frontier_grids, sample_rows, write
from _tables import TABLES
from frontier import (
    automatic_encoding,
    centralized,
    frontier_session,
    lead,
    pareto,
    plot,
    scores,
    spark_systems,
    with_categories,
)

CATBOOST_ENCODING = {"one_hot_max_size": 2, "max_ctr_complexity": 4}
# Target statistics along the member's one row order (its content-hash order) instead of
# CatBoost's several permutations: faster where columns keep statistics, less accurate.
ONE_ORDERING = {"has_time": True}
WIDE_ONE_HOT = {"one_hot_max_size": 255}
BORDERS_32 = {"border_count": 32}
# One Newton step per leaf, not CatBoost's ten for Logloss. Setting it turns CatBoost's
# automatic learning rate off, so these settings name one.
ONE_LEAF_STEP = {"leaf_estimation_iterations": 1}
# Marks a learning rate set to the one CatBoost would choose for a member's rows: given
# explicitly it keeps CatBoost's ten Newton steps per leaf, which the library otherwise
# cuts to one where a column keeps target statistics, so these settings are CatBoost's own.
CATBOOST_RATE = "CatBoost's automatic rate"
# (members, iterations, depth, learning rate or None for CatBoost's choice, catboostParams
# or None). 300 iterations at depth 6 are the estimator's defaults, 1000 CatBoost's.
OURS = [
    ("slots", 1000, 6, None, None),
    ("slots", 100, 6, None, None),
    ("slots", 300, 6, None, None),
    ("slots", 100, 6, 0.3, BORDERS_32),
    ("slots", 100, 8, 0.3, None),
    ("slots", 300, 8, 0.2, None),
    ("slots", 300, 6, None, WIDE_ONE_HOT),
    ("slots", 300, 6, CATBOOST_RATE, None),
    ("slots", 300, 6, CATBOOST_RATE, CATBOOST_ENCODING),
    ("slots", 1000, 6, CATBOOST_RATE, CATBOOST_ENCODING),
    ("slots", 300, 6, None, ONE_ORDERING),
    ("slots", 300, 6, 0.15, ONE_LEAF_STEP),
    ("slots", 1000, 6, 0.08, ONE_LEAF_STEP),
]
# (n_estimators, max_depth, other xgboost parameters or None); "native" marks the
# settings that declare the code columns categorical through feature_types.
XGB = [
    (100, 6, None),
    (300, 6, None),
    (300, 8, None),
    (1000, 6, None),
    (100, 8, {"learning_rate": 0.5, "max_bin": 32}),
    (300, 8, {"max_bin": 64}),
    (100, 6, "native"),
    (300, 6, "native"),
    (300, 8, "native"),
]
CENTRAL = [(1000, 6, None), (300, 8, 0.2)]
LGBM = [(300, 63), (1000, 63)]


def xgboost_grid(xgb: List[tuple], numbers: List[str], categories: List[str]) -> List[tuple]:
    """``xgb`` with "native" replaced by feature types for the features vector's slots."""
    native = {"feature_types": ["q"] * len(numbers) + ["c"] * len(categories)}
    return [(n, d, native if other == "native" else other) for n, d, other in xgb]


def catboost_rate(train_rows: int, members: int, iterations: int) -> float:
    """The learning rate CatBoost chooses itself for one member of a default fit."""
    from sparkensemble import SampledEnsembleClassifier
    from sparkensemble.leaf_steps import catboost_logloss_learning_rate, member_train_rows

    defaults = SampledEnsembleClassifier()
    share = train_rows / members, defaults.getMaxRowsPerMember()
    rows = member_train_rows(*share, defaults.getValidationFraction())
    return round(catboost_logloss_learning_rate(rows, iterations), 6)


def measure(
    spark, slots: int, name: str, rows: Optional[int], ours, xgb, central, lgbm
) -> Dict[str, Any]:
    from xgboost.spark import SparkXGBClassifier

    from sparkensemble import SampledEnsembleClassifier

    train, test, numbers, categories = TABLES[name]()
    if rows:
        train, test = sample_rows(train, rows), sample_rows(test, rows)
    data = with_categories(spark, train, test, numbers, categories, slots)
    grids_ours = ours
    ours = [
        (m, i, d, catboost_rate(len(train), slots, i) if r == CATBOOST_RATE else r, p)
        for m, i, d, r, p in ours
    ]
    points = spark_systems(
        data,
        slots,
        SampledEnsembleClassifier,
        SparkXGBClassifier,
        ours,
        xgboost_grid(xgb, numbers, categories),
        scores,
    )
    for point, setting in zip(points, grids_ours):
        if setting[3] == CATBOOST_RATE:
            point["learning_rate_from"] = CATBOOST_RATE
    for point in points:
        if "feature_types" in point:  # a readable tag in place of the per-slot list
            point["feature_types"] = "categorical codes"
    encoding = automatic_encoding(train, categories)
    centralized_points, collect_seconds = centralized(data, central, lgbm, encoding)
    points += centralized_points
    plot(f"categorical_{name}", points, "auc", title=name)
    systems = dict.fromkeys(p["system"] for p in points)
    return {
        "train_rows": len(train),
        "test_rows": len(test),
        "categorical_levels": {c: int(train[c].nunique(dropna=False)) for c in categories},
        "automatic_encoding": encoding,
        "collect_to_driver_seconds": collect_seconds,
        "points": points,
        "pareto": {s: pareto([p for p in points if p["system"] == s], "auc") for s in systems},
        "lead_on_auc": lead(points, "auc"),
        "lead_on_accuracy": lead(points, "accuracy"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    parser.add_argument("--rows", type=int, help="at most this many training and test rows")
    parser.add_argument("--quick", action="store_true", help="one setting per system")
    args = parser.parse_args()
    # Its quick run tries the settings that show the encoding at work.
    picks = (slice(1, 2), slice(-3, -2), slice(1, None), slice(0, 1))
    grids = frontier_grids(args.quick, OURS, XGB, CENTRAL, LGBM, picks)

    spark, slots = frontier_session()
    results = {name: measure(spark, slots, name, args.rows, *grids) for name in args.tables}
    write("categorical_frontier", {"slots": slots, **results})


if __name__ == "__main__":
    main()
