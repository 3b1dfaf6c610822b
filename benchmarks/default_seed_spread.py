"""How much the defaults' test AUC moves with the seed alone, on the categorical tables.

The categorical frontier fits each setting once, with ``seed=1``. On a table whose test
months drift from its training months, one fit's AUC is one draw: this script refits
sparkensemble at its defaults (members = slots) with several seeds, and xgboost.spark at
its defaults with the same seeds, on the tables of ``categorical_frontier.py``. It also
refits the defaults with ``catboostParams={"has_time": True}``: target statistics along
each member's one row order, a speed knob whose cost in AUC one fit cannot show. For each
fit: seconds, the members' makespan and test AUC; for each system: the AUC's range.

    pip install -e ".[benchmarks]"
    python benchmarks/default_seed_spread.py [--seeds 1 2 3 4 5] [--tables flights ...]
"""

from __future__ import annotations

import argparse
from typing import Any, Dict, List, Optional

from _common import sample_rows, write
from _tables import TABLES
from frontier import frontier_session, scores, timed_fit, with_categories

ONE_ORDERING = {"has_time": True}


def spread(points: List[Dict[str, Any]]) -> Dict[str, float]:
    aucs = [p["auc"] for p in points]
    return {
        "lowest_auc": min(aucs),
        "highest_auc": max(aucs),
        "mean_auc": round(sum(aucs) / len(aucs), 5),
    }


def measure(spark, slots: int, name: str, seeds: List[int], rows: Optional[int]) -> Dict[str, Any]:
    from xgboost.spark import SparkXGBClassifier

    from sparkensemble import SampledEnsembleClassifier

    train, test, numbers, categories = TABLES[name]()
    if rows:
        train, test = sample_rows(train, rows), sample_rows(test, rows)
    data = with_categories(spark, train, test, numbers, categories, slots)
    # Warm the Python workers once, as any session that has run a job has them.
    SampledEnsembleClassifier(numMembers=slots, iterations=10, **data["inputs"]).fit(data["train"])
    ours, ordered, peers = [], [], []
    for seed in seeds:
        estimator = SampledEnsembleClassifier(numMembers=slots, seed=seed, **data["inputs"])
        ours.append({"seed": seed, **timed_fit(estimator, data, scores, slots)})
        estimator = estimator.copy({estimator.catboostParams: ONE_ORDERING})
        ordered.append({"seed": seed, **timed_fit(estimator, data, scores, slots)})
        peer = SparkXGBClassifier(num_workers=slots, seed=seed, verbosity=0)
        peers.append({"seed": seed, **timed_fit(peer, data, scores, slots)})
        print(name, ours[-1], ordered[-1], peers[-1], flush=True)
    return {
        "sparkensemble": {"fits": ours, **spread(ours)},
        "sparkensemble, has_time": {"fits": ordered, **spread(ordered)},
        "xgboost.spark": {"fits": peers, **spread(peers)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3, 4, 5])
    parser.add_argument("--rows", type=int, help="at most this many training and test rows")
    args = parser.parse_args()
    spark, slots = frontier_session()
    results = {name: measure(spark, slots, name, args.seeds, args.rows) for name in args.tables}
    write("default_seed_spread", {"slots": slots, "seeds": args.seeds, **results})


if __name__ == "__main__":
    main()
