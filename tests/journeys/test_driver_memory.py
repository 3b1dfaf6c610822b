"""The driver holds only members and metrics, never the training rows."""

import json
import os
import subprocess
import sys
from pathlib import Path

HELPERS = Path(__file__).parents[1] / "helpers"


def test_fit_needs_far_less_driver_memory_than_the_data(tmp_path):
    result = subprocess.run(
        [sys.executable, str(HELPERS / "fit_under_a_small_result_limit.py")],
        env={**os.environ, "PYSPARK_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    # The limit is real: a plain collect of the rows is refused ...
    assert report["collect_error"] and "maxResultSize" in report["collect_error"]
    assert report["data_mib"] > 20  # ... for data 20x the 1 MiB limit and more
    # ... yet both fits, the stacked one included, bring back only what they need.
    assert report["members"] == {"mean": 2, "stacked": 2}
    # The Python driver's peak grows by much less than the data it trained on.
    assert report["python_driver_peak_growth_mib"] < report["data_mib"] / 2
