"""Save two models over one path, alternately and without end, until killed.

Run as a script by test_interrupted_save.py, which kills this process group part-way
through a save. It first saves model A completely, then prints the members' digest of
each model, then a "begin i" and an "end i" line around every save.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from pyspark.sql import SparkSession  # noqa: E402

from helpers.data import make_classification, to_frame  # noqa: E402
from sparkensemble import SampledEnsembleClassifier  # noqa: E402
from sparkensemble.member_cache import ensemble_key  # noqa: E402

path = os.environ["SAVE_PATH"]
spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .getOrCreate()
)
x, y = make_classification(300, seed=41)
data = to_frame(spark, x, y).cache()
small = {"iterations": 10, "depth": 2, "earlyStoppingRounds": 0, "seed": 1}
# Different member counts and combiners, so a mix of the two could not pass for either.
models = [
    SampledEnsembleClassifier(numMembers=2, combiner="mean", **small).fit(data),
    SampledEnsembleClassifier(numMembers=3, combiner="stacked", **small).fit(data),
]
models[0].write().save(path)
print(json.dumps([ensemble_key(model.members) for model in models]), flush=True)
i = 0
while True:
    print(f"begin {i}", flush=True)
    models[i % 2].write().overwrite().save(path)
    print(f"end {i}", flush=True)
    i += 1
