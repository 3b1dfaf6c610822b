"""Fit wall time over the ideal makespan of the members, for both strategies.

The ideal is the members' own CatBoost training seconds placed on the task slots
longest first (5 equal members on 2 slots make 3 rounds). Everything above it is
overhead: the profiling job, hashing and the shuffle, moving Arrow batches to the
workers, building each member's arrays, returning the bytes, and Spark running the
tasks in member order rather than longest first (``in_member_order_over_ideal``). The
lead-in (fit start to the first member starting CatBoost) and the tail (the last member
finishing to fit returning) show where it goes. Each case runs ``--repeats`` times (once
by default) and its median run counts; every run's ratio is recorded. One case runs again
with the ``sparkensemble`` logger at INFO, where the driver polls Spark's status tracker
for each finished member, to show what that progress costs. All figures are ratios
measured in one run of the script.

    pip install -e ".[benchmarks]"
    python benchmarks/fit_overhead.py [--rows 1000000] [--iterations 1000]
"""

from __future__ import annotations

import argparse
import io
import logging
import time

from _common import (
    blog_data,
    ideal_makespan,
    local_session,
    makespan_in_order,
    to_spark,
    write,
)

# How to read the ratios this script writes; the JSON carries it as "how_to_read".
HOW_TO_READ = (
    "fit_over_ideal: fit wall time over the members' own CatBoost seconds placed on the slots "
    "longest first; 1.0 would be no overhead"
)


def measure(estimator, df, slots: int) -> dict:
    started_at, started = time.time(), time.perf_counter()
    model = estimator.fit(df)
    wall = time.perf_counter() - started
    summary = model.summary.sort_values("member")
    seconds = list(summary["train_seconds"])
    ideal = ideal_makespan(seconds, slots)
    first_start = summary["train_started_at"].min()
    last_end = (summary["train_started_at"] + summary["train_seconds"]).max()
    return {
        "fit_over_ideal": round(wall / ideal, 3),
        "in_member_order_over_ideal": round(makespan_in_order(seconds, slots) / ideal, 3),
        "lead_in_share_of_fit": round(float(first_start - started_at) / wall, 3),
        "tail_share_of_fit": round(float(started_at + wall - last_end) / wall, 3),
        "member_rows": int(summary["rows"].iloc[0]),
    }


def counted(runs: list) -> dict:
    """The median run of a case (by fit_over_ideal), with every run's ratio."""
    ordered = sorted(runs, key=lambda run: run["fit_over_ideal"])
    return {
        **ordered[(len(ordered) - 1) // 2],
        "fit_over_ideal_of_each_run": [run["fit_over_ideal"] for run in runs],
    }


def progress_cost(estimator, df, slots: int, repeats: int, silent: dict) -> dict:
    """The same case with progress logged at INFO (to memory), against it at WARNING."""
    logger = logging.getLogger("sparkensemble")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        runs = [measure(estimator, df, slots) for _ in range(repeats)]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    lines = handler.stream.getvalue().splitlines()
    at_info = counted(runs)
    return {
        "case": "fold, 5 members",
        "fit_over_ideal_at_info": at_info["fit_over_ideal"],
        "fit_over_ideal_at_warning": silent["fit_over_ideal"],
        "info_over_warning": round(at_info["fit_over_ideal"] / silent["fit_over_ideal"], 3),
        "progress_lines": sum(line.startswith("members trained") for line in lines),
        "fit_over_ideal_of_each_run": at_info["fit_over_ideal_of_each_run"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=1, help="each case's median run counts")
    args = parser.parse_args()

    from sparkensemble import SampledEnsembleClassifier

    spark = local_session(2)
    slots = spark.sparkContext.defaultParallelism
    x, y = blog_data(args.rows)
    # 10 partitions, so that strategy='partition' can coalesce to 5 members or to 2.
    df = to_spark(spark, x, y, partitions=10)
    SampledEnsembleClassifier(numMembers=slots, iterations=20).fit(df)  # warm the workers

    cases = {}
    for strategy in ("fold", "partition"):
        for members in (5, slots):
            estimator = SampledEnsembleClassifier(
                numMembers=members, strategy=strategy, iterations=args.iterations, seed=1
            )
            runs = [measure(estimator, df, slots) for _ in range(args.repeats)]
            name = f"{strategy}, {members} members"
            cases[name] = counted(runs)
            print(f"{name}: {cases[name]}")
    progress = progress_cost(
        SampledEnsembleClassifier(
            numMembers=5, strategy="fold", iterations=args.iterations, seed=1
        ),
        df,
        slots,
        args.repeats,
        cases["fold, 5 members"],
    )
    print(f"progress at INFO: {progress}")
    write(
        "fit_overhead",
        {
            "rows": args.rows,
            "features": x.shape[1],
            "slots": slots,
            "iterations": args.iterations,
            "how_to_read": HOW_TO_READ,
            "cases": cases,
            "progress_logging": progress,
        },
    )


if __name__ == "__main__":
    main()
