"""Fit time beyond the members, at 2, 8 and 24 members on a real categorical table.

Each fit's wall time over its members' makespan: their own CatBoost seconds placed on the
task slots, longest first, the least the fit could take. The table is the categorical
frontier's flights (``categorical_frontier.py``), cached, on a warm session; one fit per
case. Two members at 100 iterations train a few seconds each, where the fixed seconds of
a fit weigh most; 8 and 24 members at the defaults' 300 iterations are many short tasks.
One more fit of the first case is split into its phases, read from the library's INFO
log: the profiling job, the training job (shuffle, conversion and the members) and the
rest, on the driver.

    pip install -e ".[benchmarks]"
    python benchmarks/member_count_overhead.py [--cases 2:100 8:300 24:300] [--rows N]
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any, Dict, List, Tuple

from _common import ideal_makespan, local_session, sample_rows, write
from _tables import TABLES

HOW_TO_READ = (
    "fit_over_makespan: fit wall time over the members' own CatBoost seconds placed on the "
    "slots longest first; 1.0 would be no time spent outside the members"
)


def case(text: str) -> Tuple[int, int]:
    members, iterations = text.split(":")
    return int(members), int(iterations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", type=case, default=[(2, 100), (8, 300), (24, 300)])
    parser.add_argument("--table", default="flights", choices=sorted(TABLES))
    parser.add_argument("--rows", type=int, default=0, help="sample this many rows (0: all)")
    args = parser.parse_args()
    from sparkensemble import SampledEnsembleClassifier

    spark = local_session(2)
    slots = spark.sparkContext.defaultParallelism
    train, _, numbers, categories = TABLES[args.table]()
    if args.rows:
        train = sample_rows(train, args.rows)
    frame = spark.createDataFrame(train).repartition(slots).cache()
    frame.count()
    inputs = {"inputCols": numbers + categories, "categoricalCols": categories}
    # Warm the Python workers once, as any session that has run a job has them.
    SampledEnsembleClassifier(numMembers=slots, iterations=10, **inputs).fit(frame)
    fits: List[Dict[str, Any]] = []
    for members, iterations in args.cases:
        estimator = SampledEnsembleClassifier(
            numMembers=members, iterations=iterations, seed=1, **inputs
        )
        started = time.perf_counter()
        model = estimator.fit(frame)
        seconds = time.perf_counter() - started
        member_seconds = list(model.summary["train_seconds"])
        makespan = ideal_makespan(member_seconds, slots)
        fits.append(
            {
                "members": members,
                "iterations": iterations,
                "fit_seconds": round(seconds, 2),
                "makespan_seconds": round(makespan, 2),
                "slowest_member_seconds": round(max(member_seconds), 2),
                "fit_over_makespan": round(seconds / makespan, 3),
            }
        )
        print(fits[-1], flush=True)
    first_members, first_iterations = args.cases[0]
    split = phase_split(
        SampledEnsembleClassifier(
            numMembers=first_members, iterations=first_iterations, seed=1, **inputs
        ),
        frame,
        slots,
    )
    print(split, flush=True)
    write(
        "member_count_overhead",
        {
            "table": args.table,
            "train_rows": len(train),
            "slots": slots,
            "fits": fits,
            "phases_of_the_first_case": split,
            "how_to_read": HOW_TO_READ,
        },
    )


class PhaseSeconds(logging.Handler):
    """Each phase's seconds, from the "<phase>: done in <s> s" records the library logs."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seconds: Dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "%s: done in %.1f s":
            description, seconds = record.args
            self.seconds[description] = seconds


def phase_split(estimator, frame, slots: int) -> Dict[str, float]:
    """One fit's seconds by phase: the profiling job, the training job, and the rest."""
    handler = PhaseSeconds()
    log = logging.getLogger("sparkensemble.phases")
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        started = time.perf_counter()
        model = estimator.fit(frame)
        seconds = time.perf_counter() - started
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
    profile = next(s for d, s in handler.seconds.items() if "profile" in d)
    training = next(s for d, s in handler.seconds.items() if " members (" in d)
    members = list(model.summary["train_seconds"])
    return {
        "fit_seconds": round(seconds, 2),
        "profile_job_seconds": round(profile, 2),
        "training_job_seconds": round(training, 2),
        "slowest_member_seconds": round(max(members), 2),
        "makespan_seconds": round(ideal_makespan(members, slots), 2),
        "driver_seconds": round(seconds - profile - training, 2),
    }


if __name__ == "__main__":
    main()
