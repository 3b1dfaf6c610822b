"""Fit a small ensemble and return its members' SHA-256 digests.

As a script (master in $MASTER) it prints them, so fits on other masters happen in
separate processes (one SparkContext each). The tests also call :func:`member_digests`
in-process, on the suite's own local[2] session, for the clean baseline to compare with.
"""

import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from helpers.data import make_classification, to_frame  # noqa: E402
from sparkensemble import SampledEnsembleClassifier  # noqa: E402


def member_digests(spark, partitions: int, rows: int = 600, iterations: int = 20) -> list:
    x, y = make_classification(rows, classes=3, seed=31)
    data = to_frame(spark, x, y, partitions=partitions)
    model = SampledEnsembleClassifier(
        numMembers=3, iterations=iterations, depth=3, earlyStoppingRounds=0, seed=5
    ).fit(data)
    return [hashlib.sha256(member).hexdigest() for member in model.members]


if __name__ == "__main__":
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(os.environ["MASTER"])
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    digests = member_digests(
        session,
        int(os.environ["PARTITIONS"]),
        int(os.environ.get("ROWS", 600)),
        int(os.environ.get("ITERATIONS", 20)),
    )
    print(json.dumps(digests))
    session.stop()
