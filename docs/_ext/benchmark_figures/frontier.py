"""Time to accuracy against xgboost.spark: the classifier's frontier and the regressor's."""

from __future__ import annotations

from typing import Any, Dict, List

from benchmark_figures.formatting import (
    centralized_setting,
    diff,
    div,
    ensemble_setting,
    has_speed_knobs,
    is_default,
    machine,
    num,
    rows_label,
    span,
    table,
    xgboost_setting,
)
from benchmark_figures.registry import figures


def frontier_figures(
    data: Dict[str, Any], leads: List[Dict[str, Any]], metric: str, label: str, slots: int
) -> Dict[str, str]:
    """What the classifier and the regressor frontiers share: the lead table and its ranges."""
    points = data["points"]
    ours = [p for p in points if p["system"] == "sparkensemble"]
    peer = [p for p in points if p["system"] == "xgboost.spark"]
    leads = sorted(leads, key=lambda lead: lead["xgboost"][metric])
    led = [lead for lead in leads if lead["sparkensemble"] is not None]
    rows = []
    for lead in leads:
        x, s = lead["xgboost"], lead["sparkensemble"]
        mine = ["none reaches it", "", "", ""]
        if s is not None:
            mine = [
                ensemble_setting(s, slots),
                num(s["fit_seconds"], 1),
                num(s[metric], 4),
                f"**{num(lead['time_ratio'], 2)}**",
            ]
        rows.append([xgboost_setting(x), num(x["fit_seconds"], 1), num(x[metric], 4), *mine])
    header = ["xgboost.spark", "fit s", label, "fastest sparkensemble setting"]
    header += ["fit s", label, "time ratio"]
    best = max(ours, key=lambda p: p[metric])
    peer_best = max(peer, key=lambda p: p[metric])
    default = next(p for p in ours if is_default(p) and p["numMembers"] == slots)
    plain = [lead["time_ratio"] for lead in led if not has_speed_knobs(lead["xgboost"])]
    knobs = [lead["time_ratio"] for lead in led if has_speed_knobs(lead["xgboost"])]
    result = {
        "lead_table": table(header, "lrrlrrr", rows),
        "levels": str(len(leads)),
        "led": str(len(led)),
        "ratio_range": span([lead["time_ratio"] for lead in led], 2) if led else "",
        "plain_ratio_range": span(plain, 2) if plain else "",
        "knob_ratio_range": span(knobs, 2) if knobs else "",
        "best_accuracy": num(best[metric], 4),
        "best_seconds": num(best["fit_seconds"], 1),
        "best_setting": ensemble_setting(best, slots),
        "peer_best_accuracy": num(peer_best[metric], 4),
        "peer_best_seconds": num(peer_best["fit_seconds"], 1),
        "peer_best_setting": xgboost_setting(peer_best),
        "default_accuracy": num(default[metric], 4),
        "default_seconds": num(default["fit_seconds"], 1),
        "train_rows": f"{data['train_rows']:,}",
        "collect_seconds": num(data["collect_to_driver_seconds"], 2),
        "centralized_table": centralized_table(points, metric, label),
        "members_table": members_table(ours, metric, label, slots),
    }
    if led:
        result["led_up_to"] = num(max(lead["xgboost"][metric] for lead in led), 4)
    for system in ("centralized CatBoost", "centralized LightGBM"):
        top = max((p for p in points if p["system"] == system), key=lambda p: p[metric])
        key = system.split()[1].lower()
        result[f"{key}_best_accuracy"] = num(top[metric], 4)
        result[f"{key}_best_seconds"] = num(top["fit_seconds"], 1)
        result[f"{key}_best_setting"] = centralized_setting(top)
    return result


def centralized_table(points: List[Dict[str, Any]], metric: str, label: str) -> str:
    rows = [
        [p["system"], centralized_setting(p), num(p["fit_seconds"], 1), num(p[metric], 4)]
        for p in points
        if p["system"].startswith("centralized")
    ]
    return table(["system", "setting", "fit s", label], "llrr", rows)


def members_table(ours: List[Dict[str, Any]], metric: str, label: str, slots: int) -> str:
    """Each setting tried with more members than slots, beside the same setting on slots."""

    def knobs(point: Dict[str, Any]) -> Dict[str, Any]:
        skip = {"numMembers", "fit_seconds", "members_makespan_seconds", metric}
        skip |= {"auc", "rmse", "r2", "accuracy"}
        return {k: v for k, v in point.items() if k not in skip}

    rows = []
    for point in ours:
        if point["numMembers"] == slots:
            continue
        same = [p for p in ours if p["numMembers"] == slots and knobs(p) == knobs(point)]
        for other in same:
            rows.append(
                [
                    ensemble_setting(point),
                    f"{num(other['fit_seconds'], 1)} s, {num(other[metric], 4)}",
                    f"{num(point['fit_seconds'], 1)} s, {num(point[metric], 4)}",
                ]
            )
    many = {p["numMembers"] for p in ours if p["numMembers"] != slots}
    header = ["setting", f"{slots} members: fit, {label}"]
    header += [f"{'/'.join(map(str, sorted(many)))} members: fit, {label}"]
    return table(header, "lrr", rows)


@figures("benchmarks/results/frontier.json", "frontier")
def frontier(data: Dict[str, Any]) -> Dict[str, str]:
    result = {"machine": machine(data), "rows": rows_label(data["rows"])}
    for name in ("blog", "diamonds"):
        part = data[name]
        found = frontier_figures(
            part, part["lead_on_accuracy"], "accuracy", "accuracy", data["slots"]
        )
        result.update({f"{name}_{key}": value for key, value in found.items()})
    # xgboost.spark's own speed knob on one setting: max_bin 64 against its default bins.
    peer = {
        (p["n_estimators"], p["max_depth"], p.get("max_bin")): p
        for p in data["blog"]["points"]
        if p["system"] == "xgboost.spark"
    }
    plain, binned = peer[(300, 8, None)], peer[(300, 8, 64)]
    result["max_bin_time_ratio"] = div(binned["fit_seconds"], plain["fit_seconds"], 2)
    result["max_bin_accuracy_gain"] = diff(binned["accuracy"], plain["accuracy"], 3)
    result["recipe_table"] = recipe_table(data["blog"]["points"])
    return result


def recipe_table(points: List[Dict[str, Any]]) -> str:
    """The post's data: CatBoost's defaults against fewer, deeper trees, for the tuning page."""
    wanted = [(1000, 6, None), (100, 9, 0.4), (150, 10, 0.3), (300, 10, 0.3)]
    rows = []
    for iterations, depth, rate in wanted:
        point = next(
            p
            for p in points
            if p["system"] == "sparkensemble"
            and p["numMembers"] == 2
            and (p["iterations"], p["depth"], p.get("learningRate")) == (iterations, depth, rate)
        )
        rows.append(
            [ensemble_setting(point), num(point["fit_seconds"], 1), num(point["accuracy"], 4)]
        )
    return table(["2 members", "fit s", "accuracy"], "lrr", rows)


@figures("benchmarks/results/regression_frontier.json", "regression_frontier")
def regression_frontier(data: Dict[str, Any]) -> Dict[str, str]:
    slots = data["slots"]
    result = frontier_figures(data, data["lead_on_r2"], "r2", "R²", slots)
    result["machine"] = machine(data)
    result["rows"] = f"{data['rows']:,}"
    points = data["points"]
    default_bins = [lead for lead in data["lead_on_r2"] if lead["xgboost"].get("max_bin") is None]
    result["default_bins_ratio_range"] = span([lead["time_ratio"] for lead in default_bins], 2)
    wide = [p for p in points if p["system"] == "xgboost.spark" and p.get("max_bin")]
    fastest_wide = min(wide, key=lambda p: p["fit_seconds"])
    result["wide_bins"] = str(fastest_wide["max_bin"])
    result["wide_bins_r2"] = num(fastest_wide["r2"], 3)
    result["wide_bins_seconds"] = num(fastest_wide["fit_seconds"], 1)
    ours = [p for p in points if p["system"] == "sparkensemble"]
    best = max(ours, key=lambda p: p["r2"])
    central = max(
        (p for p in points if p["system"] == "centralized CatBoost"), key=lambda p: p["r2"]
    )
    result["best_below_centralized"] = diff(central["r2"], best["r2"], 4)
    result["best_over_centralized_time"] = div(best["fit_seconds"], central["fit_seconds"], 2)
    coarse = [p for p in ours if (p.get("catboostParams") or {}).get("border_count") == 32]
    result["border_32_count"] = str(len(coarse))
    result["border_32_range"] = span([p["r2"] for p in coarse], 3)
    default_central = next(
        p for p in points if p["system"] == "centralized CatBoost" and p["iterations"] == 1000
    )
    result["centralized_default_r2"] = num(default_central["r2"], 4)
    result["centralized_default_seconds"] = num(default_central["fit_seconds"], 1)
    return result
