"""strategy='partition': coalesce + mapInArrow (no shuffle) against groupBy.applyInArrow.

Both paths train the same members with the same code. Each figure is a training stage's
wall time over the ideal makespan of its own members, measured in one run; the whole
fit (with its profiling job) is reported beside them.

    pip install -e ".[benchmarks]"
    python benchmarks/partition_paths.py --rows 400000
"""

from __future__ import annotations

import argparse
import time

import pyarrow as pa
from _common import blog_data, ideal_makespan, local_session, to_spark, write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()

    from pyspark.sql import functions as F

    from sparkensemble import SampledEnsembleClassifier
    from sparkensemble.features import input_blocks
    from sparkensemble.members import MemberSettings, derive_member_seeds
    from sparkensemble.rows import hashed_rows
    from sparkensemble.tasks import CLASSIFICATION
    from sparkensemble.training import _partition_trainer, member_frame, result_schemas

    spark = local_session(2)
    slots = spark.sparkContext.defaultParallelism
    x, y = blog_data(args.rows)
    df = to_spark(spark, x, y, partitions=slots)
    clf = SampledEnsembleClassifier(
        numMembers=slots, strategy="partition", iterations=args.iterations, earlyStoppingRounds=0
    )

    clf.fit(df)  # warm up the Python workers and the JIT before timing either path
    started = time.perf_counter()
    model = clf.fit(df)
    map_wall = time.perf_counter() - started
    map_ideal = ideal_makespan(list(model.summary["train_seconds"]), slots)

    blocks = input_blocks(df.schema, "features", None, [])
    rows = member_frame(hashed_rows(df, blocks, "label", None, None, 0), "partition", slots)
    settings = MemberSettings(
        width=2,
        seed=0,
        validation_fraction=0.1,
        early_stopping_rounds=0,
        catboost_kwargs=clf._catboost_kwargs(),
    )
    arrow_schema, schema = result_schemas(CLASSIFICATION)
    trainer = _partition_trainer(
        derive_member_seeds(0, slots),
        vars(settings),
        False,
        clf.getMaxRowsPerMember(),
        arrow_schema,
    )
    paths = {"mapInArrow": rows.mapInArrow(trainer, schema)}
    grouped = rows.groupBy(F.spark_partition_id().alias("_pid"))
    if hasattr(grouped, "applyInArrow"):
        paths["groupBy_applyInArrow"] = grouped.applyInArrow(
            lambda table: pa.Table.from_batches(trainer(iter(table.to_batches()))), schema
        )
    else:
        print("groupBy_applyInArrow skipped: GroupedData.applyInArrow needs pyspark >= 4.0")
    figures = {}
    for name, plan in paths.items():
        started = time.perf_counter()
        result = plan.toPandas()
        wall = time.perf_counter() - started
        figures[name] = (wall, wall / ideal_makespan(list(result["train_seconds"]), slots))

    write(
        "partition_paths",
        {
            "rows": args.rows,
            "members": slots,
            "slots": slots,
            "iterations": args.iterations,
            "fit_over_ideal": round(map_wall / map_ideal, 3),
            "mapInArrow_stage_over_ideal": round(figures["mapInArrow"][1], 3),
            **grouped_figures(figures),
        },
    )


def grouped_figures(figures) -> dict:
    if "groupBy_applyInArrow" not in figures:
        return {}
    return {
        "groupBy_applyInArrow_stage_over_ideal": round(figures["groupBy_applyInArrow"][1], 3),
        "groupBy_over_mapInArrow_stage_wall": round(
            figures["groupBy_applyInArrow"][0] / figures["mapInArrow"][0], 3
        ),
    }


if __name__ == "__main__":
    main()
