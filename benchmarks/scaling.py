"""Fit time and the Python workers' peak memory as the rows grow.

Each size trains numMembers = task slots for a fixed number of iterations (no early
stopping, so the work per row is the same at every size). A thread samples the resident
memory of every PySpark Python worker from /proc (Linux) while the fit runs. Reported per
size: seconds per million rows relative to the smallest size, and the peak worker memory
above the baseline of a worker that has loaded catboost, over one member's share of the
data as float64 features.

    pip install -e ".[benchmarks]"
    python benchmarks/scaling.py [--rows 100000 1000000] [--rows ... 10000000]
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path
from typing import List

from _common import blog_data, local_session, to_spark, write

# How to read the ratios this script writes; the JSON carries it as "how_to_read".
HOW_TO_READ = (
    "seconds_per_row_over_smallest: below 1, time grows more slowly than the rows; "
    "peak_above_baseline_over_member_share: a worker's peak memory above a worker that has loaded "
    "catboost, over one member's share of the data as float64 features"
)


def python_worker_rss() -> List[int]:
    """Resident bytes of each PySpark Python worker (pyspark.daemon and its children)."""
    sizes = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes()
            if b"pyspark.daemon" not in command and b"pyspark.worker" not in command:
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) * 1024)
        except OSError:  # the process ended while we looked
            continue
    return sizes


class PeakSampler(threading.Thread):
    def __init__(self, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.every, self.peak, self.done = every, 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max([self.peak, *python_worker_rss()])
            time.sleep(self.every)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--iterations", type=int, default=300)
    args = parser.parse_args()

    from sparkensemble import SampledEnsembleClassifier

    spark = local_session(2)
    slots = spark.sparkContext.defaultParallelism
    # A fit on 10k rows starts the workers and loads catboost: the baseline a worker
    # holds whatever the data.
    baseline = PeakSampler()
    baseline.start()
    SampledEnsembleClassifier(numMembers=slots, iterations=5).fit(
        to_spark(spark, *blog_data(10_000), partitions=slots)
    )
    baseline.done.set()
    baseline.join()
    sizes = []
    for rows in sorted(args.rows):
        x, y = blog_data(rows)
        df = to_spark(spark, x, y, partitions=max(slots, rows // 250_000))
        del x, y
        estimator = SampledEnsembleClassifier(
            numMembers=slots, iterations=args.iterations, earlyStoppingRounds=0, seed=1
        )
        sampler = PeakSampler()
        sampler.start()
        started = time.perf_counter()
        estimator.fit(df)
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        df.unpersist()
        share = rows / slots * 20 * 8
        sizes.append(
            {
                "rows": rows,
                "fit_seconds": round(seconds, 1),
                "peak_python_worker_mib": round(sampler.peak / 2**20, 1),
                "member_share_mib": round(share / 2**20, 1),
                "peak_above_baseline_over_member_share": round(
                    (sampler.peak - baseline.peak) / share, 2
                ),
            }
        )
        print(sizes[-1])
    base = sizes[0]["fit_seconds"] / sizes[0]["rows"]
    for size in sizes:
        size["seconds_per_row_over_smallest"] = round(size["fit_seconds"] / size["rows"] / base, 3)
    write(
        "scaling",
        {
            "slots": slots,
            "members": slots,
            "iterations": args.iterations,
            "baseline_python_worker_mib": round(baseline.peak / 2**20, 1),
            "sizes": sizes,
            "how_to_read": HOW_TO_READ,
        },
    )


if __name__ == "__main__":
    main()
