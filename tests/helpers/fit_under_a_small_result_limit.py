"""Fit on rows generated in Spark, with spark.driver.maxResultSize far below their size.

Run as a script by test_driver_memory.py (the limit is fixed when a SparkContext starts).
Prints one JSON line: the error a plain collect of the rows gets, and what the fits got.
"""

import json
import os
import resource
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from pyspark.ml.functions import array_to_vector  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from sparkensemble import SampledEnsembleClassifier  # noqa: E402

ROWS, FEATURES = int(os.environ.get("ROWS", 160_000)), 20
spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.driver.maxResultSize", "1m")
    .getOrCreate()
)
x = [F.randn(seed=i) for i in range(FEATURES)]
data = (
    spark.range(ROWS)
    .select(
        array_to_vector(F.array(*x)).alias("features"),
        (x[0] + x[1] * x[2] + F.randn(seed=99) > 0).cast("double").alias("label"),
    )
    .cache()
)
data.count()

try:
    data.collect()
    collect_error = None
except Exception as error:  # the limit is what stops it
    lines = [line for line in str(error).splitlines() if "maxResultSize" in line]
    collect_error = lines[0].strip() if lines else str(error).splitlines()[0]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


small = {"numMembers": 2, "iterations": 10, "depth": 3, "earlyStoppingRounds": 0, "seed": 2}


def fit_both(rows):
    fitted = {}
    for combiner in ("mean", "stacked"):
        clf = SampledEnsembleClassifier(combiner=combiner, stackerMaxRows=5_000, **small)
        fitted[combiner] = len(clf.fit(rows).members)
    return fitted


# A first fit on a sliver loads what any fit loads (catboost, scikit-learn), so that the
# peak measured next is what the data costs the driver.
fit_both(data.limit(2_000).cache())
before = peak_rss_mib()
fitted = fit_both(data)
print(
    json.dumps(
        {
            "data_mib": ROWS * FEATURES * 8 / 2**20,
            "collect_error": collect_error,
            "members": fitted,
            "python_driver_peak_growth_mib": peak_rss_mib() - before,
        }
    ),
    flush=True,
)
spark.stop()
