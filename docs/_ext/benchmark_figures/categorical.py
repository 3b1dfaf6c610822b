"""Time to accuracy on real tables with categorical columns."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from benchmark_figures.formatting import (
    diff,
    div,
    ensemble_setting,
    exact,
    machine,
    num,
    span,
    table,
)
from benchmark_figures.frontier import frontier_figures
from benchmark_figures.registry import figures

TABLES = ("flights", "diamonds", "military")
CATBOOST_ENCODING = {"one_hot_max_size": 2, "max_ctr_complexity": 4}
ONE_LEAF_STEP = {"leaf_estimation_iterations": 1}


# What the benchmark records on a setting whose learning rate it set to CatBoost's own
# choice, which keeps CatBoost's ten Newton steps per leaf.
CATBOOST_RATE = "CatBoost's automatic rate"


def ensemble_point(
    points: List[Dict[str, Any]],
    iterations: int,
    params: Optional[Dict[str, Any]] = None,
    catboost_rate: bool = False,
) -> Dict[str, Any]:
    """The depth-6 sparkensemble setting with these params, and with the library's learning
    rate or, with ``catboost_rate``, CatBoost's automatic one given explicitly."""

    def rate_matches(p: Dict[str, Any]) -> bool:
        if catboost_rate:
            return p.get("learning_rate_from") == CATBOOST_RATE
        return p.get("learningRate") is None

    return next(
        p
        for p in points
        if p["system"] == "sparkensemble"
        and (p["iterations"], p["depth"]) == (iterations, 6)
        and rate_matches(p)
        and (p.get("catboostParams") or None) == params
    )


def catboost_own(points: List[Dict[str, Any]], iterations: int) -> Dict[str, Any]:
    """The setting with CatBoost's own encoding and leaf estimation."""
    return ensemble_point(points, iterations, CATBOOST_ENCODING, catboost_rate=True)


def xgboost_default(points: List[Dict[str, Any]]) -> Dict[str, Any]:
    return next(
        p
        for p in points
        if p["system"] == "xgboost.spark"
        and (p["n_estimators"], p["max_depth"]) == (100, 6)
        and set(p) == {"system", "n_estimators", "max_depth", "fit_seconds", "auc", "accuracy"}
    )


def table_figures(part: Dict[str, Any], slots: int) -> Dict[str, str]:
    points = part["points"]
    result = frontier_figures(part, part["lead_on_auc"], "auc", "AUC", slots)
    ours = ensemble_point(points, 300)
    peer = xgboost_default(points)
    central = next(
        p for p in points if p["system"] == "centralized CatBoost" and p["iterations"] == 1000
    )
    result.update(
        defaults_seconds=num(ours["fit_seconds"], 1),
        defaults_auc=num(ours["auc"], 4),
        peer_defaults_seconds=num(peer["fit_seconds"], 1),
        peer_defaults_auc=num(peer["auc"], 4),
        defaults_time_ratio=div(ours["fit_seconds"], peer["fit_seconds"], 2),
        defaults_over_peer_auc=diff(ours["auc"], peer["auc"], 4),
        peer_over_defaults_auc=diff(peer["auc"], ours["auc"], 4),
        central_auc=num(central["auc"], 4),
        defaults_below_central=diff(central["auc"], ours["auc"], 4),
        test_rows=f"{part['test_rows']:,}",
        column_levels=", ".join(f"{c} {n:,}" for c, n in part["categorical_levels"].items()),
    )
    one_step = next(
        p
        for p in points
        if p["system"] == "sparkensemble"
        and p["iterations"] == 300
        and p.get("catboostParams") == ONE_LEAF_STEP
    )
    ten_steps = ensemble_point(points, 300, catboost_rate=True)
    fastest = min(
        (p for p in points if p["system"] == "sparkensemble"), key=lambda p: p["fit_seconds"]
    )
    result.update(
        fastest_seconds=num(fastest["fit_seconds"], 1),
        fastest_makespan=num(fastest["members_makespan_seconds"], 1),
        fastest_outside=num(
            exact(fastest["fit_seconds"]) - exact(fastest["members_makespan_seconds"]), 1
        ),
        fastest_setting=ensemble_setting(fastest),
        one_leaf_step_setting=ensemble_setting(one_step),
        one_leaf_step_speedup=div(ten_steps["fit_seconds"], one_step["fit_seconds"], 1),
        one_leaf_step_auc_change=diff(one_step["auc"], ten_steps["auc"], 4),
        ten_steps_seconds=num(ten_steps["fit_seconds"], 1),
        ten_steps_auc=num(ten_steps["auc"], 4),
        ten_steps_rate=num(ten_steps["learningRate"], 3),
        defaults_over_ten_steps_speedup=div(ten_steps["fit_seconds"], ours["fit_seconds"], 1),
        defaults_over_ten_steps_auc=diff(ours["auc"], ten_steps["auc"], 4),
    )
    for iterations in (300, 1000):
        automatic = ensemble_point(points, iterations)
        own = catboost_own(points, iterations)
        result[f"own_encoding_{iterations}_speedup"] = div(
            own["fit_seconds"], automatic["fit_seconds"], 1
        )
        result[f"own_encoding_{iterations}_auc_change"] = diff(automatic["auc"], own["auc"], 4)
    return result


def summary_table(data: Dict[str, Any]) -> str:
    """One row per table: the defaults against xgboost.spark's and centralized CatBoost."""
    rows = []
    for name in TABLES:
        points = data[name]["points"]
        ours, peer = ensemble_point(points, 300), xgboost_default(points)
        central = next(
            p for p in points if p["system"] == "centralized CatBoost" and p["iterations"] == 1000
        )
        rows.append(
            [
                name,
                f"{num(ours['fit_seconds'], 1)} s, {num(ours['auc'], 4)}",
                f"{num(peer['fit_seconds'], 1)} s, {num(peer['auc'], 4)}",
                f"**{div(ours['fit_seconds'], peer['fit_seconds'], 2)}**",
                f"{num(central['fit_seconds'], 1)} s, {num(central['auc'], 4)}",
            ]
        )
    header = ["table", "sparkensemble defaults", "xgboost.spark defaults", "time ratio"]
    header.append("centralized CatBoost")
    return table(header, "lrrrr", rows)


def encoding_table(data: Dict[str, Any]) -> str:
    """The automatic encoding against CatBoost's own, at 300 and 1000 iterations."""
    rows = []
    for name in TABLES:
        points = data[name]["points"]
        for iterations in (300, 1000):
            automatic = ensemble_point(points, iterations)
            own = catboost_own(points, iterations)
            rows.append(
                [
                    name,
                    str(iterations),
                    f"{num(own['fit_seconds'], 1)} s, {num(own['auc'], 4)}",
                    f"{num(automatic['fit_seconds'], 1)} s, {num(automatic['auc'], 4)}",
                    f"**{div(own['fit_seconds'], automatic['fit_seconds'], 1)}×**",
                ]
            )
    header = ["table", "iterations", "CatBoost's encoding", "automatic encoding", "faster"]
    return table(header, "lrrrr", rows)


def overhead_table(data: Dict[str, Any]) -> str:
    """Each sparkensemble setting's fit seconds against its members' makespan."""
    rows = []
    for name in TABLES:
        for p in data[name]["points"]:
            if "members_makespan_seconds" not in p:  # xgboost.spark and the centralized fits
                continue
            rows.append(
                [
                    name,
                    ensemble_setting(p),
                    num(p["members_makespan_seconds"], 1),
                    num(p["fit_seconds"], 1),
                    f"**{div(p['fit_seconds'], p['members_makespan_seconds'], 2)}**",
                ]
            )
    header = ["table", "setting", "members' makespan s", "fit s", "fit ÷ makespan"]
    return table(header, "llrrr", rows)


def overhead_range(data: Dict[str, Any]) -> str:
    ratios = [
        exact(p["fit_seconds"]) / exact(p["members_makespan_seconds"])
        for name in TABLES
        for p in data[name]["points"]
        if "members_makespan_seconds" in p
    ]
    return span(ratios, 2) if ratios else ""


def iterations_table(data: Dict[str, Any]) -> str:
    """Depth-6 members at 100, 300 and 1000 iterations, CatBoost's learning rate, on every
    classification table: the post's data (from the frontier's results) and these three."""
    import json

    from benchmark_figures.registry import ROOT

    frontier = json.loads((ROOT / "benchmarks/results/frontier.json").read_text())
    tables = {"the post's data": frontier["blog"]["points"]}
    tables.update({name: data[name]["points"] for name in TABLES})
    rows = []
    for name, points in tables.items():
        cells = []
        for iterations in (100, 300, 1000):
            p = ensemble_point(points, iterations)
            cells.append(f"{num(p['fit_seconds'], 1)} s, {num(p['auc'], 4)}")
        rows.append([name, *cells])
    header = ["2 members, depth 6", "100 iterations", "300 (the default)", "1000 (CatBoost's)"]
    return table(header, "lrrr", rows)


@figures("benchmarks/results/categorical_frontier.json", "categorical")
def categorical(data: Dict[str, Any]) -> Dict[str, str]:
    result = {"machine": machine(data)}
    for name in TABLES:
        found = table_figures(data[name], data["slots"])
        result.update({f"{name}_{key}": value for key, value in found.items()})
    result["summary_table"] = summary_table(data)
    result["encoding_table"] = encoding_table(data)
    result["overhead_table"] = overhead_table(data)
    result["iterations_table"] = iterations_table(data)
    speedups = [
        exact(catboost_own(data[n]["points"], i)["fit_seconds"])
        / exact(ensemble_point(data[n]["points"], i)["fit_seconds"])
        for n in TABLES
        for i in (300, 1000)
    ]
    result["encoding_speedup_range"] = span(speedups, 1)
    changes = [
        exact(ensemble_point(data[n]["points"], i)["auc"])
        - exact(catboost_own(data[n]["points"], i)["auc"])
        for n in TABLES
        for i in (300, 1000)
    ]
    result["encoding_lowest_auc_change"] = num(min(changes), 4)
    result["encoding_highest_auc_change"] = num(max(changes), 4)
    result["overhead_range"] = overhead_range(data)
    return result


@figures("benchmarks/results/default_seed_spread.json", "seed_spread")
def seed_spread(data: Dict[str, Any]) -> Dict[str, str]:
    """The defaults' test AUC over several seeds, per system and table."""
    systems = {
        "ours": "sparkensemble",
        "ordered": "sparkensemble, has_time",
        "peer": "xgboost.spark",
    }
    result = {"machine": machine(data), "seeds": str(len(data["seeds"]))}
    rows = []
    for name in TABLES:
        for key, system in systems.items():
            part = data[name][system]
            result[f"{name}_{key}_range"] = span([part["lowest_auc"], part["highest_auc"]], 4)
            result[f"{name}_{key}_mean"] = num(part["mean_auc"], 4)
            seconds = [f["fit_seconds"] for f in part["fits"]]
            result[f"{name}_{key}_seconds"] = span(seconds, 1)
            rows.append(
                [
                    name,
                    system,
                    result[f"{name}_{key}_range"],
                    result[f"{name}_{key}_mean"],
                    span(seconds, 1),
                ]
            )
        ours, ordered = data[name]["sparkensemble"], data[name]["sparkensemble, has_time"]
        mean_seconds = [
            sum(f["fit_seconds"] for f in part["fits"]) / len(part["fits"])
            for part in (ours, ordered)
        ]
        result[f"{name}_ordered_speedup"] = div(mean_seconds[0], mean_seconds[1], 1)
        result[f"{name}_ordered_auc_change"] = diff(ordered["mean_auc"], ours["mean_auc"], 4)
        pairs = zip(ours["fits"], ordered["fits"])
        result[f"{name}_ordered_wins"] = str(sum(b["auc"] > a["auc"] for a, b in pairs))
        result[f"{name}_ours_spread"] = diff(ours["highest_auc"], ours["lowest_auc"], 4)
    header = ["table", "system", "test AUC", "mean", "fit s"]
    result["table"] = table(header, "llrrr", rows)
    return result
