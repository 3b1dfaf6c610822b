"""Fit a small ensemble on the master in $MASTER and print its members' SHA-256 digests.

Run as a script by test_standalone_cluster.py, so local and cluster fits happen in
separate processes (one SparkContext each) and can be compared byte for byte.
"""

import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from pyspark.sql import SparkSession  # noqa: E402

from conftest import make_classification, to_frame  # noqa: E402
from sparkensemble import SampledEnsembleClassifier  # noqa: E402

spark = (
    SparkSession.builder.master(os.environ["MASTER"])
    .config("spark.ui.enabled", "false")
    .getOrCreate()
)
x, y = make_classification(int(os.environ.get("ROWS", 600)), classes=3, seed=31)
data = to_frame(spark, x, y, partitions=int(os.environ["PARTITIONS"]))
iterations = int(os.environ.get("ITERATIONS", 20))
model = SampledEnsembleClassifier(
    numMembers=3, iterations=iterations, depth=3, earlyStoppingRounds=0, seed=5
).fit(data)
print(json.dumps([hashlib.sha256(member).hexdigest() for member in model.members]))
spark.stop()
