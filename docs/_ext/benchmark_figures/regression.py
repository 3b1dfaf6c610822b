"""Regression accuracy on real data, against one centralized CatBoost model."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

from benchmark_figures.formatting import (
    exact,
    machine,
    num,
    percent,
    table,
)
from benchmark_figures.registry import figures

REGRESSION_DATA = {
    "diabetes": "diabetes (scikit-learn)",
    "diamonds": "diamonds (price; cut, color, clarity categorical)",
    "flights": "flights (arrival delay; carrier, origin, dest categorical)",
}


@figures("benchmarks/results/regression_accuracy.json", "regression_accuracy")
def regression_accuracy(data: Dict[str, Any]) -> Dict[str, str]:
    rows, result = [], {"machine": machine(data)}
    for name, label in REGRESSION_DATA.items():
        part = data[name]
        sizes = sorted(key for key in part if key.startswith("members_"))
        for index, key in enumerate(sizes):
            m = part[key]
            first = index == 0
            rows.append(
                [
                    label if first else "",
                    f"{part['rows']:,}" if first else "",
                    f"{part['centralized_rmse']:.4g}" if first else "",
                    key.split("_")[1],
                    *(num(m[f"{c}_over_centralized"], 3) for c in ("mean", "median", "stacked")),
                    num(m["stacked_over_mean"], 3),
                ]
            )
            for combiner in ("mean", "median", "stacked"):
                ratio = m[f"{combiner}_over_centralized"]
                result[f"{name}_{key}_{combiner}_percent"] = percent(ratio)
        result[f"{name}_rows"] = f"{part['rows']:,}"
    header = ["data", "rows", "centralized RMSE", "members", "mean ÷ centralized"]
    header += ["median ÷ centralized", "stacked ÷ centralized", "stacked ÷ mean"]
    result["table"] = table(header, "lrrrrrrr", rows)
    two = [data[name]["members_2"] for name in REGRESSION_DATA]
    worst_two = max(m[f"{c}_over_centralized"] for m in two for c in ("mean", "median", "stacked"))
    result["worst_two_members_percent"] = percent(worst_two)
    stacked_over_mean = [
        data[name][key]["stacked_over_mean"]
        for name in REGRESSION_DATA
        for key in data[name]
        if key.startswith("members_")
    ]
    result["worst_stacked_over_mean_percent"] = percent(max(stacked_over_mean))
    # The stacker learns from the members' holdouts: the default validationFraction (0.1)
    # of the 70% training split.
    result["diabetes_stacker_rows"] = num(exact(data["diabetes"]["rows"]) * Decimal("0.07"), 0)
    return result
