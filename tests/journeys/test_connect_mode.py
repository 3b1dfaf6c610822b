"""Run the end-to-end module again on a Spark Connect session, in its own process."""

import pyspark
import pytest
from helpers.spark import run_end_to_end_module


@pytest.mark.slow
@pytest.mark.skipif(
    int(pyspark.__version__.split(".")[0]) < 4,
    reason="sparkensemble supports Spark Connect from pyspark 4.0; this is pyspark "
    + pyspark.__version__,
)
def test_end_to_end_module_passes_on_spark_connect(tmp_path):
    summary = run_end_to_end_module(
        {"SPARKENSEMBLE_TEST_SPARK_MODE": "connect"}, tmp_path, "-k", "not multiclass"
    )
    assert " passed" in summary and "skipped" not in summary, summary
