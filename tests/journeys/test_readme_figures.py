"""The README's headline figures are the benchmark results', as the documentation's are.

The benchmark pages take every figure from ``benchmarks/results/`` when the site is built.
The README is read where no build runs, so its few figures are typed, and this test holds
each sentence that quotes one against the same generators the site uses.
"""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import benchmark_figures  # noqa: E402,F401  (registers the generators)
from benchmark_figures.registry import substitutions  # noqa: E402

# Each README sentence with a figure, with the figure as its substitution's name.
QUOTED = [
    "reaches {frontier_blog_led} of xgboost.spark's {frontier_blog_levels} accuracy levels, "
    "in {frontier_blog_ratio_range}× its fit time",
    "come within {capped_recipe_cap_1M_accuracy_gap} accuracy of xgboost.spark in "
    "{capped_recipe_cap_1M_time_ratio}× its fit time",
    "are at most {regression_accuracy_worst_two_members_percent}% behind one centralized "
    "CatBoost model in RMSE",
    "{categorical_encoding_speedup_range}× faster than CatBoost's own choices",
    "cost {growth_last_ratio}× a refit on all nine months in September, and ended "
    "{growth_grown_minus_refit} AUC ahead of that refit",
]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("sentence", QUOTED, ids=[q.split("{")[1].split("}")[0] for q in QUOTED])
def test_each_readme_figure_is_the_results_figure(sentence):
    readme = flat((ROOT / "README.md").read_text())
    assert flat(sentence.format(**substitutions())) in readme
