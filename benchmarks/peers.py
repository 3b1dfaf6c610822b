"""Fit time and accuracy against centralized CatBoost and xgboost.spark, same data and slots.

Centralized CatBoost trains one model on all training rows with every core
(thread_count=-1), stopping early on the same share of rows sparkensemble holds out.
One member's work alone (one thread, 1/slots of those rows, outside Spark) is timed too:
it bounds how far below centralized CatBoost our fit can go on this machine.
SparkXGBClassifier uses num_workers = task slots. sparkensemble uses numMembers = task
slots. Figures are ratios from one run: our fit seconds over each peer's, and our test
accuracy minus centralized CatBoost's.

    pip install -e ".[benchmarks,examples]"
    python benchmarks/peers.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import blog_data, local_session, to_spark, write

# How to read the ratios this script writes; the JSON carries it as "how_to_read".
HOW_TO_READ = {
    "fit_over_centralized_catboost": (
        "below 1, the ensemble fits faster than one CatBoost model on all training rows with every "
        "core"
    ),
    "one_member_alone_over_centralized_catboost": (
        "one member's CatBoost work alone, outside Spark, over the centralized model: the floor of "
        "the ratio above on this machine"
    ),
    "fit_over_xgboost_spark": (
        "below 1, the ensemble at CatBoost's defaults fits faster than xgboost.spark at its "
        "defaults"
    ),
    "accuracy_minus_centralized_catboost": (
        "test accuracy of the ensemble minus the centralized model's"
    ),
}

HOLDOUT = 0.1  # sparkensemble's default validationFraction


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=1000, help="CatBoost's default")
    args = parser.parse_args()

    import logging

    from catboost import CatBoostClassifier
    from pyspark.ml.evaluation import MulticlassClassificationEvaluator
    from sklearn.model_selection import train_test_split
    from xgboost.spark import SparkXGBClassifier

    from sparkensemble import SampledEnsembleClassifier

    spark = local_session(2)
    logging.getLogger("XGBoost-PySpark").setLevel(logging.WARNING)
    slots = spark.sparkContext.defaultParallelism
    x, y = blog_data(args.rows)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=123)
    train, test = to_spark(spark, x_train, y_train, slots), to_spark(spark, x_test, y_test, slots)
    evaluator = MulticlassClassificationEvaluator(metricName="accuracy")

    def spark_fit(estimator):
        started = time.perf_counter()
        model = estimator.fit(train)
        return time.perf_counter() - started, evaluator.evaluate(model.transform(test)), model

    SampledEnsembleClassifier(numMembers=slots, iterations=20).fit(train)  # warm the workers
    ours = spark_fit(
        SampledEnsembleClassifier(numMembers=slots, iterations=args.iterations, seed=1)
    )
    # xgboost.spark's default is 100 trees; CatBoost's is 1000 iterations.
    ours_100 = spark_fit(SampledEnsembleClassifier(numMembers=slots, iterations=100, seed=1))
    xgb = spark_fit(SparkXGBClassifier(num_workers=slots, seed=1, verbosity=0, verbose=False))

    fit_rows = np.random.default_rng(1).random(len(y_train)) >= HOLDOUT
    central = CatBoostClassifier(
        iterations=args.iterations, random_seed=1, thread_count=-1, verbose=0
    )
    started = time.perf_counter()
    central.fit(
        x_train[fit_rows],
        y_train[fit_rows],
        eval_set=(x_train[~fit_rows], y_train[~fit_rows]),
        early_stopping_rounds=100,
    )
    central_seconds = time.perf_counter() - started
    central_accuracy = float(np.mean(central.predict(x_test).ravel().astype(float) == y_test))

    # The least our fit can take on this machine: each member is one CatBoost thread on
    # 1/slots of the rows, so time one such model beside the all-cores model above.
    share = np.flatnonzero(fit_rows)[::slots]
    held = np.flatnonzero(~fit_rows)[::slots]
    one_thread = CatBoostClassifier(
        iterations=args.iterations, random_seed=1, thread_count=1, verbose=0
    )
    started = time.perf_counter()
    one_thread.fit(
        x_train[share],
        y_train[share],
        eval_set=(x_train[held], y_train[held]),
        early_stopping_rounds=100,
    )
    one_thread_seconds = time.perf_counter() - started

    write(
        "peers",
        {
            "rows": args.rows,
            "slots": slots,
            "members": slots,
            "fit_seconds": {
                "sparkensemble": round(ours[0], 1),
                "sparkensemble_100_iterations": round(ours_100[0], 1),
                "centralized_catboost": round(central_seconds, 1),
                "one_member_alone": round(one_thread_seconds, 1),
                "xgboost_spark": round(xgb[0], 1),
            },
            "accuracy": {
                "sparkensemble": round(ours[1], 4),
                "sparkensemble_100_iterations": round(ours_100[1], 4),
                "centralized_catboost": round(central_accuracy, 4),
                "xgboost_spark": round(xgb[1], 4),
            },
            "best_iteration": {
                "sparkensemble_members": [int(i) for i in ours[2].summary["best_iteration"]],
                "centralized_catboost": int(central.get_best_iteration()),
            },
            "fit_over_centralized_catboost": round(ours[0] / central_seconds, 3),
            # A member's own CatBoost work over centralized CatBoost's: the floor of the
            # ratio above on this machine, before any Spark cost.
            "one_member_alone_over_centralized_catboost": round(
                one_thread_seconds / central_seconds, 3
            ),
            "fit_over_xgboost_spark": round(ours[0] / xgb[0], 3),
            "fit_100_iterations_over_xgboost_spark": round(ours_100[0] / xgb[0], 3),
            "accuracy_minus_centralized_catboost": round(ours[1] - central_accuracy, 4),
            "how_to_read": HOW_TO_READ,
        },
    )


if __name__ == "__main__":
    main()
