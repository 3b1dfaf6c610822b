"""Cost as the data grows: capped members from 1M to 10M rows, and fit time and memory."""

from __future__ import annotations

from typing import Any, Dict

from benchmark_figures.formatting import (
    diff,
    div,
    ensemble_setting,
    machine,
    num,
    rows_label,
    span,
    table,
)
from benchmark_figures.registry import figures


def capped_table(data: Dict[str, Any]) -> str:
    caps = [key for key in data["sizes"][0] if key.startswith("sparkensemble_cap_")]
    caps.sort(key=lambda key: int(key.rsplit("_", 1)[1]))
    header = ["rows"]
    for key in caps:
        cap = rows_label(int(key.rsplit("_", 1)[1]))
        header += [f"cap {cap}: fit s", "accuracy"]
    header += ["xgboost.spark: fit s", "accuracy"]
    rows = []
    for size in data["sizes"]:
        row = [rows_label(size["rows"])]
        for key in [*caps, "xgboost_spark"]:
            row += [num(size[key]["fit_seconds"], 1), num(size[key]["accuracy"], 4)]
        rows.append(row)
    return table(header, "r" * len(header), rows)


def capped_figures(data: Dict[str, Any]) -> Dict[str, str]:
    first, last = data["sizes"][0], data["sizes"][-1]
    caps = sorted(
        (key for key in first if key.startswith("sparkensemble_cap_")),
        key=lambda key: int(key.rsplit("_", 1)[1]),
    )
    smallest, largest = caps[0], caps[-1]
    result = {
        "table": capped_table(data),
        "machine": machine(data),
        "flat": div(last[smallest]["fit_seconds"], first[smallest]["fit_seconds"], 2),
        "smallest_cap": rows_label(int(smallest.rsplit("_", 1)[1])),
        "largest_cap": rows_label(int(largest.rsplit("_", 1)[1])),
        "smallest_size": rows_label(first["rows"]),
        "largest_size": rows_label(last["rows"]),
        "xgboost_setting": f"{data['xgboost']['n_estimators']} trees, depth "
        f"{data['xgboost']['max_depth']}",
        "test_rows": rows_label(data["test_rows"]),
        "members": str(data["members"]),
    }
    xgb = last["xgboost_spark"]
    for key in caps:
        name = rows_label(int(key.rsplit("_", 1)[1]))
        result[f"cap_{name}_time_ratio"] = div(last[key]["fit_seconds"], xgb["fit_seconds"], 2)
        result[f"cap_{name}_accuracy_gap"] = diff(xgb["accuracy"], last[key]["accuracy"], 4)
        result[f"cap_{name}_accuracy_gap_3"] = diff(xgb["accuracy"], last[key]["accuracy"], 3)
        memory = [size[key]["peak_python_worker_mib"] for size in data["sizes"]]
        result[f"cap_{name}_memory_first"] = num(memory[0], 0)
        result[f"cap_{name}_memory_last"] = num(memory[-1], 0)
    for size in data["sizes"]:
        label = rows_label(size["rows"])
        result[f"at_{label}_largest_cap_accuracy"] = num(size[largest]["accuracy"], 4)
        result[f"at_{label}_xgboost_accuracy"] = num(size["xgboost_spark"]["accuracy"], 4)
    return result


@figures("benchmarks/results/capped_scaling_recipe.json", "capped_recipe")
def capped_recipe(data: Dict[str, Any]) -> Dict[str, str]:
    result = capped_figures(data)
    settings = data["member_settings"]
    result["setting"] = ensemble_setting(settings)
    return result


@figures("benchmarks/results/capped_scaling.json", "capped_defaults")
def capped_defaults(data: Dict[str, Any]) -> Dict[str, str]:
    result = capped_figures(data)
    result["iterations"] = str(data["iterations"])
    return result


@figures("benchmarks/results/scaling.json", "scaling")
def scaling(data: Dict[str, Any]) -> Dict[str, str]:
    smallest = rows_label(data["sizes"][0]["rows"])
    header = ["rows", "fit s", f"seconds per row vs {smallest}", "worker peak"]
    header += ["above baseline ÷ one member's share"]
    rows = [
        [
            rows_label(size["rows"]),
            num(size["fit_seconds"], 1),
            num(size["seconds_per_row_over_smallest"], 2),
            f"{num(size['peak_python_worker_mib'], 0)} MiB",
            num(size["peak_above_baseline_over_member_share"], 2),
        ]
        for size in data["sizes"]
    ]
    shares = [size["peak_above_baseline_over_member_share"] for size in data["sizes"]]
    return {
        "table": table(header, "rrrrr", rows),
        "machine": machine(data),
        "baseline": num(data["baseline_python_worker_mib"], 0),
        "share_range": span(shares, 2),
        "members": str(data["members"]),
        "iterations": str(data["iterations"]),
    }
