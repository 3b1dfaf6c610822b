"""Fit wall time over the ideal makespan of the members, for both strategies.

The ideal is the members' own CatBoost training seconds placed on the task slots
longest first (5 equal members on 2 slots make 3 rounds). Everything above it is
sparkensemble's overhead: the profiling job, hashing and the shuffle, Arrow to pandas,
building the member's arrays, returning the bytes. The lead-in (fit start to the first
member starting CatBoost) and the tail (the last member finishing to fit returning) show
where it goes. All figures are ratios measured in one run.

    pip install -e ".[benchmarks]"
    python benchmarks/fit_overhead.py [--rows 1000000] [--iterations 1000]
"""

from __future__ import annotations

import argparse
import time

from _common import blog_data, ideal_makespan, local_session, to_spark, write


def measure(estimator, df, slots: int) -> dict:
    started_at, started = time.time(), time.perf_counter()
    model = estimator.fit(df)
    wall = time.perf_counter() - started
    summary = model.summary
    ideal = ideal_makespan(list(summary["train_seconds"]), slots)
    first_start = summary["train_started_at"].min()
    last_end = (summary["train_started_at"] + summary["train_seconds"]).max()
    return {
        "fit_over_ideal": round(wall / ideal, 3),
        "lead_in_share_of_fit": round(float(first_start - started_at) / wall, 3),
        "tail_share_of_fit": round(float(started_at + wall - last_end) / wall, 3),
        "member_rows": int(summary["rows"].iloc[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=1000)
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
            cases[f"{strategy}, {members} members"] = measure(estimator, df, slots)
            print(f"{strategy}, {members} members: {cases[f'{strategy}, {members} members']}")
    write(
        "fit_overhead",
        {
            "rows": args.rows,
            "features": x.shape[1],
            "slots": slots,
            "iterations": args.iterations,
            "target": "fit_over_ideal <= 1.05",
            "cases": cases,
        },
    )


if __name__ == "__main__":
    main()
