"""CrossValidator over 4 combiners x 2 depths: shared fits against one fit per map.

The same CrossValidator runs twice on the post's data, in one process: once with
sparkensemble's fitMultiple, which trains members once per depth and re-combines them,
and once with pyspark's default fitMultiple, which fits every map on its own. Writes the
wall-time ratio and checks both chose the same best params.

    pip install -e ".[benchmarks]"
    python benchmarks/cheap_tuning.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import time
from typing import List

from _common import blog_data, local_session, to_spark, write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=1000, help="CatBoost's default")
    args = parser.parse_args()

    from pyspark.ml import Estimator
    from pyspark.ml.evaluation import BinaryClassificationEvaluator
    from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

    from sparkensemble import SampledEnsembleClassifier

    fit_seconds: List[float] = []

    class Timed(SampledEnsembleClassifier):
        """Records the seconds inside every fit; CrossValidator's own work is the rest."""

        def _fit(self, dataset):
            started = time.perf_counter()
            try:
                return super()._fit(dataset)
            finally:
                fit_seconds.append(time.perf_counter() - started)

    class OneFitPerMap(Timed):
        """The same estimator with pyspark's default fitMultiple: every map fits alone."""

        def fitMultiple(self, dataset, paramMaps):
            return Estimator.fitMultiple(self, dataset, paramMaps)

    spark = local_session(2)
    x, y = blog_data(args.rows)
    df = to_spark(spark, x, y, partitions=2)
    settings = {"numMembers": 2, "iterations": args.iterations, "seed": 3}
    # Start the Python workers first, so neither run pays for it.
    SampledEnsembleClassifier(numMembers=2, iterations=5).fit(df).transform(df).count()
    figures = {}
    for name, estimator in (
        ("shared", Timed(**settings)),
        ("one_fit_per_map", OneFitPerMap(**settings)),
    ):
        fit_seconds.clear()
        grid = (
            ParamGridBuilder()
            .addGrid(estimator.combiner, ["mean", "median", "geometric", "stacked"])
            .addGrid(estimator.depth, [4, 6])
            .build()
        )
        cv = CrossValidator(
            estimator=estimator,
            estimatorParamMaps=grid,
            evaluator=BinaryClassificationEvaluator(),
            numFolds=2,
            seed=5,
        )
        started = time.perf_counter()
        fitted = cv.fit(df)
        figures[name] = {
            "seconds": time.perf_counter() - started,
            "best": {
                p.name: v
                for p, v in grid[int(max(range(8), key=lambda i: fitted.avgMetrics[i]))].items()
            },
            "avg_auc": [round(m, 5) for m in fitted.avgMetrics],
            "fits": len(fit_seconds),
            "seconds_in_fits": round(sum(fit_seconds), 2),
        }
        # The rest: CrossValidator's splits, its 16 transforms and evaluations.
        figures[name]["seconds_outside_fits"] = round(
            figures[name]["seconds"] - figures[name]["seconds_in_fits"], 2
        )
    write(
        "cheap_tuning",
        {
            "rows": args.rows,
            "iterations": args.iterations,
            "maps": 8,
            "folds": 2,
            "shared_over_one_fit_per_map": round(
                figures["shared"]["seconds"] / figures["one_fit_per_map"]["seconds"], 3
            ),
            "shared_over_one_fit_per_map_in_fits": round(
                figures["shared"]["seconds_in_fits"]
                / figures["one_fit_per_map"]["seconds_in_fits"],
                3,
            ),
            # The models are identical (tests/test_tuning.py); Spark's AUC sums in task
            # order, which can move the fifth decimal between runs.
            "largest_metric_difference": max(
                abs(a - b)
                for a, b in zip(figures["shared"]["avg_auc"], figures["one_fit_per_map"]["avg_auc"])
            ),
            **figures,
        },
    )


if __name__ == "__main__":
    main()
