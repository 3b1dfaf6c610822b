"""Against the peers, and what a fit, a transform and a tuning run cost beyond the work."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

from benchmark_figures.formatting import (
    diff,
    div,
    exact,
    machine,
    num,
    percent,
    rows_label,
    span,
    table,
)
from benchmark_figures.registry import figures


@figures("benchmarks/results/peers.json", "peers")
def peers(data: Dict[str, Any]) -> Dict[str, str]:
    fit, accuracy = data["fit_seconds"], data["accuracy"]
    members = data["members"]
    rows = [
        [f"sparkensemble, {members} members, CatBoost defaults", fit["sparkensemble"]],
        [
            "centralized CatBoost, `thread_count=-1`, one model on all training rows",
            fit["centralized_catboost"],
        ],
        [
            "one member's work alone: CatBoost, 1 thread, its share of those rows, no Spark",
            fit["one_member_alone"],
        ],
        [f"`SparkXGBClassifier(num_workers={data['slots']})`, defaults", fit["xgboost_spark"]],
        [
            f"sparkensemble, {members} members, `iterations=100`",
            fit["sparkensemble_100_iterations"],
        ],
    ]
    keys = ["sparkensemble", "centralized_catboost", "one_member_alone", "xgboost_spark"]
    keys.append("sparkensemble_100_iterations")
    cells = [
        [label, num(seconds, 1), num(accuracy[key], 4) if key in accuracy else ""]
        for (label, seconds), key in zip(rows, keys)
    ]
    best = data["best_iteration"]
    iterations = {*best["sparkensemble_members"], best["centralized_catboost"]}
    return {
        "table": table(["", "fit s", "test accuracy"], "lrr", cells),
        "machine": machine(data),
        "rows": rows_label(data["rows"]),
        "members": str(members),
        "slots": str(data["slots"]),
        "accuracy_behind": num(-data["accuracy_minus_centralized_catboost"], 4),
        "fit_over_centralized": num(data["fit_over_centralized_catboost"], 2),
        "floor_over_centralized": num(data["one_member_alone_over_centralized_catboost"], 2),
        "over_floor_percent": percent(div(fit["sparkensemble"], fit["one_member_alone"], 4), 0),
        "best_iteration": ", ".join(str(i) for i in sorted(iterations)),
        "fit_over_xgboost": num(data["fit_over_xgboost_spark"], 1),
        "accuracy_over_xgboost": diff(accuracy["sparkensemble"], accuracy["xgboost_spark"], 3),
        "fit_100_over_xgboost": num(data["fit_100_iterations_over_xgboost_spark"], 2),
        "accuracy_100_below_xgboost": diff(
            accuracy["xgboost_spark"], accuracy["sparkensemble_100_iterations"], 3
        ),
    }


def progress_verdict(info_over_warning: Any) -> str:
    """What logging progress at INFO costs a fit, within one run's noise of 2%."""
    change = exact(info_over_warning) - 1
    if abs(change) <= Decimal("0.02"):
        return "Logging progress costs nothing measurable: within 2%, one run's noise"
    return f"Logging progress changed the fit's time by {num(change * 100, 1)}%"


@figures("benchmarks/results/fit_overhead.json", "fit_overhead")
def fit_overhead(data: Dict[str, Any]) -> Dict[str, str]:
    cases = data["cases"]
    members = sorted({int(name.split(", ")[1].split()[0]) for name in cases}, reverse=True)
    header = ["strategy", *(f"{m} members" for m in members)]
    rows = [
        [
            f"`{strategy}`",
            *(num(cases[f"{strategy}, {m} members"]["fit_over_ideal"], 3) for m in members),
        ]
        for strategy in ("fold", "partition")
    ]
    values = list(cases.values())
    return {
        "table": table(header, "lrr", rows),
        "machine": machine(data),
        "rows": rows_label(data["rows"]),
        "features": str(data["features"]),
        "slots": str(data["slots"]),
        "iterations": str(data["iterations"]),
        "runs": str(max(len(v["fit_over_ideal_of_each_run"]) for v in values)),
        "range": span([v["fit_over_ideal"] for v in values], 3),
        "lead_in_percent": span([exact(v["lead_in_share_of_fit"]) * 100 for v in values], 1),
        "tail_percent": num(max(exact(v["tail_share_of_fit"]) for v in values) * 100, 1),
        "member_order_range": span([v["in_member_order_over_ideal"] for v in values], 3),
        "progress_verdict": progress_verdict(data["progress_logging"]["info_over_warning"]),
        "progress_case": data["progress_logging"]["case"],
        "progress_at_info": num(data["progress_logging"]["fit_over_ideal_at_info"], 3),
        "progress_at_warning": num(data["progress_logging"]["fit_over_ideal_at_warning"], 3),
        "progress_lines": str(data["progress_logging"]["progress_lines"]),
    }


@figures("benchmarks/results/fit_fixed_cost.json", "fit_fixed_cost")
def fit_fixed_cost(data: Dict[str, Any]) -> Dict[str, str]:
    warm = data["warm_fits"]
    limits = [exact(f["makespan_seconds"]) + exact(f["two_trivial_jobs_seconds"]) for f in warm]
    phases = data["phases"]
    return {
        "machine": machine(data),
        "rows": rows_label(data["rows"]),
        "iterations": str(data["iterations"]),
        "members": str(data["members"]),
        "slots": str(data["slots"]),
        "warm_fits": str(len(warm)),
        "ratio_range": span([f["fit_over_limit"] for f in warm], 2),
        "seconds_range": span([f["fit_seconds"] for f in warm], 2),
        "limit_range": span(limits, 2),
        "first_fit_seconds": num(data["first_fit_seconds"], 1),
        "profile_seconds": num(phases["profile_job"], 2),
        "training_seconds": num(phases["training_job"], 2),
        "shuffle_seconds": num(phases["hash_and_shuffle_alone"], 2),
        "member_seconds": span(phases["members_seconds"], 2),
    }


@figures("benchmarks/results/member_count_overhead.json", "member_count")
def member_count(data: Dict[str, Any]) -> Dict[str, str]:
    fits = data["fits"]
    rows = [
        [
            str(f["members"]),
            str(f["iterations"]),
            num(f["slowest_member_seconds"], 1),
            num(f["makespan_seconds"], 1),
            num(f["fit_seconds"], 1),
            f"**{num(f['fit_over_makespan'], 2)}**",
        ]
        for f in fits
    ]
    header = ["members", "iterations", "slowest member s", "members' makespan s", "fit s"]
    header += ["fit ÷ makespan"]
    result = {
        "machine": machine(data),
        "table_name": data["table"],
        "train_rows": rows_label(data["train_rows"]),
        "slots": str(data["slots"]),
        "table": table(header, "rrrrrr", rows),
    }
    for f in fits:
        key = f"{f['members']}_members_{f['iterations']}"
        result[f"{key}_ratio"] = num(f["fit_over_makespan"], 2)
        result[f"{key}_outside_seconds"] = num(
            exact(f["fit_seconds"]) - exact(f["makespan_seconds"]), 1
        )
        result[f"{key}_slowest_member"] = num(f["slowest_member_seconds"], 1)
    split = data["phases_of_the_first_case"]
    beyond = exact(split["training_job_seconds"]) - exact(split["slowest_member_seconds"])
    result.update(
        split_fit_seconds=num(split["fit_seconds"], 1),
        split_profile_seconds=num(split["profile_job_seconds"], 1),
        split_training_seconds=num(split["training_job_seconds"], 1),
        split_slowest_member=num(split["slowest_member_seconds"], 1),
        split_training_beyond_member=num(beyond, 1),
        split_driver_seconds=num(split["driver_seconds"], 1),
        many_members_range=span([f["fit_over_makespan"] for f in fits if f["members"] > 2], 2),
    )
    return result


@figures("benchmarks/results/transform_throughput.json", "transform")
def transform(data: Dict[str, Any]) -> Dict[str, str]:
    runs = data["each_run"]
    merged = [
        [
            str(m["members"]),
            ", ".join(num(r, 2) for r in m["mean_over_geometric_transform"]),
            num(m["worst_mean_over_geometric_transform"], 2),
            num(m["direct_members_over_merged_predict"], 2),
        ]
        for m in data["merged_model"]
    ]
    header = ["members", "per-member ÷ merged transform, each repeat", "worst"]
    header += ["members' own predict ÷ merged predict"]
    return {
        "machine": machine(data),
        "rows": rows_label(data["rows"]),
        "members": str(data["members"]),
        "slots": str(data["slots"]),
        "repeats": str(len(runs)),
        "batch_rows": rows_label(data["arrow_max_records_per_batch"]),
        "predict_over_transform": num(data["predict_proba_over_transform"], 2),
        "each_run": ", ".join(num(r["transform_over_predict_plus_floor"], 2) for r in runs),
        "worst_run": num(data["worst_run_transform_over_predict_plus_floor"], 2),
        "each_run_arrow": ", ".join(
            num(r["transform_over_predict_plus_arrow_floor"], 2) for r in runs
        ),
        "merged_table": table(header, "rlrr", merged),
    }


@figures("benchmarks/results/cheap_tuning.json", "cheap_tuning")
def cheap_tuning(data: Dict[str, Any]) -> Dict[str, str]:
    shared, each = data["shared"], data["one_fit_per_map"]
    maps, folds = data["maps"], data["folds"]
    trainings = shared["fits"] - 1  # one fit of each is CrossValidator's refit on all rows
    # Counting the refit on all the rows as two fold-sized fits.
    ideal = Decimal(trainings + 2) / Decimal(each["fits"] - 1 + 2)
    difference = Decimal(repr(data["largest_metric_difference"]))
    return {
        "machine": machine(data),
        "rows": rows_label(data["rows"]),
        "iterations": str(data["iterations"]),
        "maps": str(maps),
        "folds": str(folds),
        "pairs": str(maps * folds),
        "ratio": num(data["shared_over_one_fit_per_map"], 2),
        "shared_seconds": num(shared["seconds"], 1),
        "each_seconds": num(each["seconds"], 1),
        "in_fits_ratio": num(data["shared_over_one_fit_per_map_in_fits"], 2),
        "shared_in_fits": num(shared["seconds_in_fits"], 1),
        "each_in_fits": num(each["seconds_in_fits"], 1),
        "shared_fits": str(shared["fits"]),
        "each_fits": str(each["fits"]),
        "shared_trainings": str(trainings),
        "each_trainings": str(each["fits"] - 1),
        "ideal": f"{trainings + 2} ÷ {each['fits'] + 1} = {num(ideal, 2)}",
        "shared_outside": num(shared["seconds_outside_fits"], 1),
        "each_outside": num(each["seconds_outside_fits"], 1),
        "metric_difference": f"{difference:.0e}".replace("e-0", "e-"),
        "same_best": "the same" if shared["best"] == each["best"] else "different",
    }


@figures("benchmarks/results/partition_paths.json", "partition_paths")
def partition_paths(data: Dict[str, Any]) -> Dict[str, str]:
    return {
        "machine": machine(data),
        "rows": rows_label(data["rows"]),
        "members": str(data["members"]),
        "iterations": str(data["iterations"]),
        "grouped_over_map": num(data["groupBy_over_mapInArrow_stage_wall"], 2),
    }
