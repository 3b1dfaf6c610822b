"""Fit a regression ensemble on real data, compare its combiners, and flag uncertain rows.

    pip install ".[examples]" && python examples/regression.py [--members 2] [--loss RMSE]

Uses scikit-learn's bundled diabetes data (442 patients, 10 measurements, one-year disease
progression), so it runs offline on an embedded local Spark.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from pyspark.ml.evaluation import RegressionEvaluator
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from sparkensemble import SampledEnsembleRegressionModel, SampledEnsembleRegressor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2)
    parser.add_argument("--loss", default="RMSE", help="any CatBoost regression loss")
    parser.add_argument("--iterations", type=int, default=300)
    args = parser.parse_args()

    from sklearn.datasets import load_diabetes

    # Python workers must run this interpreter, which has sparkensemble installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[*]")
        .appName("sparkensemble-regression")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")

    frame = load_diabetes(as_frame=True).frame.rename(columns={"target": "label"})
    features = [c for c in frame.columns if c != "label"]
    train, test = spark.createDataFrame(frame).randomSplit([0.7, 0.3], seed=7)
    train, test = train.cache(), test.cache()

    regressor = SampledEnsembleRegressor(
        inputCols=features,
        numMembers=args.members,
        lossFunction=args.loss,
        combiner="stacked",  # fits the stacker; mean and median need no refit after
        varianceCol="spread",
        iterations=args.iterations,
        seed=42,
    )
    model = regressor.fit(train)
    columns = ["member", "rows", "holdout_rmse", "holdout_mae", "holdout_r2", "best_iteration"]
    print(model.summary[columns].to_string(index=False))

    rmse = RegressionEvaluator(metricName="rmse")
    for combiner in ("mean", "median", "stacked"):
        scored = model.copy().setCombiner(combiner).transform(test)
        print(f"{combiner:>8}: test RMSE {rmse.evaluate(scored):.2f}")

    scored = model.transform(test)
    print("Rows the members disagree on most (largest variance of their predictions):")
    scored.orderBy(F.desc("spread")).select("label", "prediction", "spread").show(3)

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "regressor")
        model.write().overwrite().save(path)
        loaded = SampledEnsembleRegressionModel.load(path)
        same = (
            loaded.transform(test).select("prediction").collect()
            == scored.select("prediction").collect()
        )
        print(f"Saved to and reloaded from {path}: predictions identical = {same}")
    spark.stop()
    if not same:
        sys.exit("reloaded model predicts differently")


if __name__ == "__main__":
    main()
