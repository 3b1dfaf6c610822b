"""Every combiner on the blog post's dataset: does stacking match or beat the mean?

The post's make_classification arguments, its 70/30 split and 5 members, fitted once
with combiner='stacked' and then re-combined; accuracy and log loss on the 30%.

    pip install -e ".[benchmarks,stacking]"
    python benchmarks/stacking_blog_data.py --rows 200000
"""

from __future__ import annotations

import argparse
import time

from _common import blog_data, local_session, to_spark, write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--iterations", type=int, default=1000)
    args = parser.parse_args()

    from pyspark.ml.evaluation import MulticlassClassificationEvaluator
    from sklearn.model_selection import train_test_split

    from sparkensemble import SampledEnsembleClassifier

    spark = local_session(2)
    x, y = blog_data(args.rows)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=123)
    train = to_spark(spark, x_train, y_train, partitions=2)
    test = to_spark(spark, x_test, y_test, partitions=2)

    started = time.perf_counter()
    model = SampledEnsembleClassifier(
        numMembers=5, combiner="stacked", iterations=args.iterations, seed=123
    ).fit(train)
    fit_seconds = time.perf_counter() - started

    figures = {}
    for combiner in model.supportedCombiners:
        scored = model.copy().setCombiner(combiner).transform(test)
        figures[combiner] = {
            metric: round(MulticlassClassificationEvaluator(metricName=metric).evaluate(scored), 4)
            for metric in ("accuracy", "logLoss")
        }
    write(
        "stacking_blog_data",
        {
            "rows": args.rows,
            "members": 5,
            "iterations": args.iterations,
            "fit_seconds": round(fit_seconds, 1),
            "member_holdout_accuracy": [round(a, 4) for a in model.summary["holdout_accuracy"]],
            "test": figures,
            "stacked_minus_mean_accuracy": round(
                figures["stacked"]["accuracy"] - figures["mean"]["accuracy"], 4
            ),
        },
    )


if __name__ == "__main__":
    main()
