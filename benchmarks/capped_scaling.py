"""Cost that stays flat as data grows: capped members against xgboost.spark, 1M to 10M rows.

At each size the post's data trains three fits on the same 2 task slots:
sparkensemble with maxRowsPerMember = 250k (binds at every size), with 1M (binds from 3M
on), and xgboost.spark at the knee of its frontier (300 trees, depth 8; see
frontier.py). Rows are scored on held-out rows drawn with them (--test-rows). A capped fit
samples in Spark before the shuffle, so the scan grows with the data but the shuffle and
the training do not. Reported per size: fit seconds, test accuracy, peak Python worker
memory, and three ratios: the capped fit at the largest size over the smallest, and, at the
largest size, our fit over xgboost.spark's and our accuracy minus its.

The data is written once per size to parquet through Arrow (a 10M-row pandas column of
arrays would take minutes), under --workdir.

    pip install -e ".[benchmarks]"
    python benchmarks/capped_scaling.py [--rows 1000000 3000000 10000000]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import blog_data, local_session, write
from scaling import PeakSampler

# How to read the ratios this script writes; the JSON carries it as "how_to_read".
HOW_TO_READ = (
    "capped_fit_largest_over_smallest: the capped fit at the largest size over the same fit at the "
    "smallest (1.0 is a flat cost); largest_fit_over_xgboost and largest_accuracy_minus_xgboost "
    "compare each capped fit with xgboost.spark at the largest size"
)


def as_spark(spark, x: np.ndarray, y: np.ndarray, path: Path, partitions: int):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark.ml.functions import array_to_vector

    features = pa.FixedSizeListArray.from_arrays(pa.array(x.astype(np.float64).ravel()), 20)
    pq.write_table(pa.table({"features": features, "label": y.astype(np.float64)}), path)
    df = spark.read.parquet(str(path)).repartition(partitions)
    df = df.withColumn("features", array_to_vector("features")).cache()
    df.count()
    return df


def measure(estimator, train, test):
    from pyspark.ml.evaluation import MulticlassClassificationEvaluator

    sampler = PeakSampler()
    sampler.start()
    started = time.perf_counter()
    model = estimator.fit(train)
    seconds = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    accuracy = MulticlassClassificationEvaluator(metricName="accuracy").evaluate(
        model.transform(test)
    )
    return {
        "fit_seconds": round(seconds, 1),
        "accuracy": round(accuracy, 5),
        "peak_python_worker_mib": round(sampler.peak / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000])
    parser.add_argument("--caps", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--learning-rate", type=float, default=None)
    parser.add_argument("--border-count", type=int, default=None)
    parser.add_argument(
        "--output", default="capped_scaling", help="results/<output>.json; name a tuned run"
    )
    parser.add_argument("--xgb-trees", type=int, default=300)
    parser.add_argument("--test-rows", type=int, default=300_000)
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()

    import logging

    from xgboost.spark import SparkXGBClassifier

    from sparkensemble import SampledEnsembleClassifier

    logging.getLogger("XGBoost-PySpark").setLevel(logging.WARNING)
    spark = local_session(2)
    slots = spark.sparkContext.defaultParallelism
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="capped-scaling-"))
    workdir.mkdir(parents=True, exist_ok=True)
    SampledEnsembleClassifier(numMembers=slots, iterations=5).fit(
        as_spark(spark, *blog_data(10_000), workdir / "warm.parquet", slots)
    )
    member_settings = {"iterations": args.iterations, "depth": args.depth}
    if args.learning_rate is not None:
        member_settings["learningRate"] = args.learning_rate
    if args.border_count is not None:
        member_settings["catboostParams"] = {"border_count": args.border_count}
    sizes = []
    for rows in sorted(args.rows):
        # One draw per size: the post's centroids, with its held-out rows drawn alongside.
        x, y = blog_data(rows + args.test_rows)
        train = as_spark(
            spark,
            x[:rows],
            y[:rows],
            workdir / f"train-{rows}.parquet",
            max(slots, rows // 250_000),
        )
        test = as_spark(spark, x[rows:], y[rows:], workdir / f"test-{rows}.parquet", slots)
        del x, y
        size = {"rows": rows}
        for cap in args.caps:
            estimator = SampledEnsembleClassifier(
                numMembers=slots, maxRowsPerMember=cap, seed=1, **member_settings
            )
            size[f"sparkensemble_cap_{cap}"] = measure(estimator, train, test)
            print(rows, cap, size[f"sparkensemble_cap_{cap}"], flush=True)
        xgb = SparkXGBClassifier(
            num_workers=slots, n_estimators=args.xgb_trees, max_depth=8, seed=1, verbosity=0
        )
        size["xgboost_spark"] = measure(xgb, train, test)
        print(rows, "xgb", size["xgboost_spark"], flush=True)
        train.unpersist()
        test.unpersist()
        sizes.append(size)
    shutil.rmtree(workdir, ignore_errors=True)
    smallest, largest = sizes[0], sizes[-1]
    first_cap = f"sparkensemble_cap_{min(args.caps)}"
    write(
        args.output,
        {
            "slots": slots,
            "members": slots,
            "member_settings": member_settings,
            "xgboost": {"n_estimators": args.xgb_trees, "max_depth": 8},
            "test_rows": args.test_rows,
            "sizes": sizes,
            "capped_fit_largest_over_smallest": round(
                largest[first_cap]["fit_seconds"] / smallest[first_cap]["fit_seconds"], 3
            ),
            "largest_fit_over_xgboost": {
                key: round(largest[key]["fit_seconds"] / largest["xgboost_spark"]["fit_seconds"], 3)
                for key in largest
                if key.startswith("sparkensemble")
            },
            "largest_accuracy_minus_xgboost": {
                key: round(largest[key]["accuracy"] - largest["xgboost_spark"]["accuracy"], 5)
                for key in largest
                if key.startswith("sparkensemble")
            },
            "how_to_read": HOW_TO_READ,
        },
    )


if __name__ == "__main__":
    main()
