"""Installing sparkensemble leaves the user's Spark alone: pyspark is an extra.

A cluster, Databricks or a Spark Connect client (pyspark-client, databricks-connect)
provides its own pyspark, which a required, full pyspark would shadow. These tests read
the package's requirements, and import the package in interpreters that have no pyspark.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import List
from urllib.parse import unquote, urlparse

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).parents[2]
SPARK_DISTRIBUTIONS = {"pyspark", "pyspark-client", "pyspark-connect", "databricks-connect"}
MESSAGE = (
    'ImportError: sparkensemble needs pyspark: pip install "sparkensemble[spark]", or use '
    "the pyspark your cluster provides (pyspark-client for Spark Connect)"
)


def names(requirements: List[str]) -> set:
    return {Requirement(r).name.lower() for r in requirements}


def test_setup_cfg_requires_pyspark_only_through_extras():
    from setuptools.config.setupcfg import read_configuration

    options = read_configuration(str(ROOT / "setup.cfg"))["options"]
    assert not names(options["install_requires"]) & SPARK_DISTRIBUTIONS
    extras = options["extras_require"]
    assert names(extras["spark"]) == {"pyspark"}
    # The suite and a development setup still bring a full pyspark, with its Connect server.
    for extra in ("test", "dev"):
        assert any(r.replace(" ", "").startswith("pyspark[connect]") for r in extras[extra])


def test_the_installed_metadata_requires_pyspark_only_in_an_extra():
    # What pip reads: an unconditional pyspark here would be installed next to
    # pyspark-client. Only an install of this checkout has this checkout's metadata.
    distribution = metadata.distribution("sparkensemble")
    origin = json.loads(distribution.read_text("direct_url.json") or "{}").get("url", "")
    source = Path(unquote(urlparse(origin).path)) if origin.startswith("file:") else None
    # An editable install run from the checkout reads the checkout's own egg-info.
    in_checkout = Path(distribution.locate_file("")).resolve() == ROOT.resolve()
    if not in_checkout and (source is None or source.resolve() != ROOT.resolve()):
        pytest.skip(f"the installed sparkensemble comes from {origin!r}, not this checkout")
    for line in distribution.requires or []:
        requirement = Requirement(line)
        if requirement.name.lower() in SPARK_DISTRIBUTIONS:
            assert requirement.marker and "extra" in str(requirement.marker), line


BLOCK_PYSPARK = f"""
import sys

class NoPyspark:
    # As if pyspark were not installed; everything else stays importable.
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "pyspark":
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, NoPyspark())
sys.path.insert(0, {str(ROOT)!r})
import sparkensemble
"""
# -S: no site-packages at all. The error must come before numpy, catboost or pandas load.
BARE_INTERPRETER = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import sparkensemble"


@pytest.mark.parametrize(
    "flags, code",
    [([], BLOCK_PYSPARK), (["-S"], BARE_INTERPRETER)],
    ids=["pyspark hidden", "bare interpreter"],
)
def test_import_without_pyspark_fails_with_one_line_that_says_what_to_install(flags, code):
    result = subprocess.run(
        [sys.executable, "-I", *flags, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == MESSAGE, result.stderr
    # Raised from the package's own __init__, with no chained error to read past.
    frames = [line for line in lines if line.startswith("  File ")]
    assert "sparkensemble/__init__.py" in frames[-1], result.stderr
    assert "During handling" not in result.stderr
