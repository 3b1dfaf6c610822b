"""Figures of the growth benchmark: growing month by month against refitting."""

from __future__ import annotations

from typing import Any, Dict

from benchmark_figures.formatting import diff, div, machine, num, span, table
from benchmark_figures.registry import figures


@figures("benchmarks/results/growth.json", "growth")
def growth(data: Dict[str, Any]) -> Dict[str, str]:
    """Each month's AUC and seconds for the grown, windowed and refitted ensembles."""
    steps, summary, first = data["steps"], data["summary"], data["first"]
    rows = [
        [
            step["month"],
            f"{step['new_rows']:,}",
            f"{step['rows_so_far']:,}",
            f"{num(step['grown']['auc'], 4)} ({step['grown']['members']})",
            f"{num(step['window']['auc'], 4)} ({step['window']['members']})",
            num(step["refit"]["auc"], 4),
            num(step["grown"]["fit_seconds"], 1),
            num(step["window"]["fit_seconds"], 1),
            num(step["refit"]["fit_seconds"], 1),
            num(step["grow_over_refit_seconds"], 2),
        ]
        for step in steps
    ]
    header = [
        "month",
        "new rows",
        "rows so far",
        "grown AUC (members)",
        "window AUC (members)",
        "refit AUC",
        "grow s",
        "window s",
        "refit s",
        "grow ÷ refit",
    ]
    ratios = [step["grow_over_refit_seconds"] for step in steps]
    gaps = [step["grown_minus_refit_auc"] for step in steps]
    return {
        "machine": machine(data),
        "members": str(data["members_per_fit"]),
        "max_members": str(data["max_members"]),
        "first_rows": f"{first['rows']:,}",
        "first_auc": num(first["auc"], 4),
        "first_seconds": num(first["fit_seconds"], 1),
        "test_rows": f"{data['test_rows']:,}",
        "last_month": str(summary["last_month"]),
        "grown_auc": num(summary["grown_auc"], 4),
        "window_auc": num(summary["window_auc"], 4),
        "refit_auc": num(summary["refit_auc"], 4),
        "grown_minus_refit": diff(summary["grown_auc"], summary["refit_auc"], 4),
        "window_minus_refit": diff(summary["window_auc"], summary["refit_auc"], 4),
        "grown_minus_first": diff(summary["grown_auc"], first["auc"], 4),
        "gap_range": span(gaps, 4),
        "ratio_range": span(ratios, 2),
        "largest_ratio": num(max(ratios), 2),
        "last_ratio": num(summary["last_grow_over_refit_seconds"], 2),
        "last_speedup": div(1, summary["last_grow_over_refit_seconds"], 1),
        "table": table(header, "rrrrrrrrrr", rows),
    }
