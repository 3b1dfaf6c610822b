"""Figures of the ranking benchmark: the ranker ensemble, centralized CatBoost and XGBoost."""

from __future__ import annotations

from typing import Any, Dict

from benchmark_figures.formatting import diff, exact, machine, num, table
from benchmark_figures.registry import figures

# Within this much NDCG@10 of centralized CatBoost, the ensemble counts as matching it.
_WITHIN = 0.005


@figures("benchmarks/results/ranking.json", "ranking")
def ranking(data: Dict[str, Any]) -> Dict[str, str]:
    """Each system's settings, test NDCG@10 and fit seconds, and the gaps between them."""
    summary, centralized = data["summary"], data["catboost"]
    rows = [
        [
            f"ensemble, {p['members']} members",
            f"depth {p['depth']}, lr {num(p['learning_rate'], 2)}, {p['iterations']} it.",
            num(p["ndcg"], 4),
            num(p["fit_seconds"], 1),
        ]
        for p in data["ensemble"]
    ]
    rows.append(
        [
            f"CatBoostRanker, {centralized['threads']} threads",
            f"depth {centralized['depth']}, lr {num(centralized['learning_rate'], 2)}, "
            f"{centralized['iterations']} it.",
            num(centralized["ndcg"], 4),
            num(centralized["fit_seconds"], 1),
        ]
    )
    rows += [
        [
            f"SparkXGBRanker, {p['workers']} workers",
            f"depth {p['depth']}, lr {num(p['learning_rate'], 2)}, {p['trees']} trees",
            num(p["ndcg"], 4),
            num(p["fit_seconds"], 1),
        ]
        for p in data["xgboost"]
    ]
    to_catboost = summary["ensemble_minus_catboost"]
    to_xgboost = summary["ensemble_minus_xgboost"]
    sampled = data.get("sampled_groups", 0)
    fastest_ensemble = min(data["ensemble"], key=lambda p: p["fit_seconds"])
    fastest_xgboost = min(data["xgboost"], key=lambda p: p["fit_seconds"])
    return {
        "machine": machine(data),
        "train_rows": f"{data['train_rows']:,}",
        "train_groups": f"{data['train_groups']:,}",
        "test_rows": f"{data['test_rows']:,}",
        "test_groups": f"{data['test_groups']:,}",
        "largest_group": str(data["largest_group"]),
        "sample": f"a sample of {sampled:,} groups" if sampled else "every group",
        "best_ensemble": num(summary["best_ensemble_ndcg"], 4),
        "catboost": num(summary["catboost_ndcg"], 4),
        "best_xgboost": num(summary["best_xgboost_ndcg"], 4),
        "minus_catboost": diff(summary["best_ensemble_ndcg"], summary["catboost_ndcg"], 4),
        "minus_xgboost": diff(summary["best_ensemble_ndcg"], summary["best_xgboost_ndcg"], 4),
        "within": num(_WITHIN, 3),
        "catboost_verdict": "meets" if to_catboost >= -_WITHIN else "misses",
        "xgboost_verdict": "ahead of it by" if to_xgboost > 0 else "behind it by",
        "xgboost_gap": num(
            abs(exact(summary["best_ensemble_ndcg"]) - exact(summary["best_xgboost_ndcg"])), 4
        ),
        "faster": (
            "`SparkXGBRanker` is the faster"
            if fastest_xgboost["fit_seconds"] < fastest_ensemble["fit_seconds"]
            else "The ensemble is the faster"
        ),
        "fastest_ensemble_seconds": num(fastest_ensemble["fit_seconds"], 1),
        "fastest_ensemble_ndcg": num(fastest_ensemble["ndcg"], 4),
        "fastest_xgboost_seconds": num(fastest_xgboost["fit_seconds"], 1),
        "fastest_xgboost_ndcg": num(fastest_xgboost["ndcg"], 4),
        "ensemble_over_xgboost_seconds": num(
            exact(fastest_ensemble["fit_seconds"]) / exact(fastest_xgboost["fit_seconds"]), 1
        ),
        "ensemble_over_catboost_seconds": num(
            exact(fastest_ensemble["fit_seconds"]) / exact(centralized["fit_seconds"]), 2
        ),
        "table": table(["system", "setting", "NDCG@10", "fit s"], "llrr", rows),
    }
