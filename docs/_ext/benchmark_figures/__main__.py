"""Print every substitution: ``PYTHONPATH=docs/_ext python -m benchmark_figures``."""

import benchmark_figures  # noqa: F401  (registers the generators)
from benchmark_figures.registry import substitutions

for key, value in substitutions().items():
    print(f"{key}: {value}" if "\n" not in value else f"{key}:\n{value}")
