"""Benchmark figures for the documentation, read from the JSON that the benchmark scripts write.

No figure on the benchmark pages is typed by hand. Each result file has one generator
function, registered with ``@figures(json_path, prefix)``, in the module of its page's
family (``frontier.py``, ``scaling.py``, ...). It takes the parsed JSON and returns
``{name: text}``, where the text is one value (``"0.9107"``) or a whole Markdown table.
Every entry becomes the MyST substitution ``{prefix}_{name}``: a page writes
``{{ frontier_blog_best_accuracy }}`` and the build puts the JSON's figure there. A
misspelt name is an undefined substitution, which fails the strict build.

The rule is also enforced. Each page under ``benchmarks/`` is scanned as it is read, and
a decimal number, or a number with a unit (s, ms, MiB, GiB, %, ×), written outside code
and substitutions fails the build. Settings go in code spans: ``learningRate=0.3``.

To add a benchmark page:

1. the script writes ``benchmarks/results/<name>.json``;
2. add one ``@figures("benchmarks/results/<name>.json", "<name>")`` function, in a new
   module here (import it below) or in the module of its family;
3. add ``docs/benchmarks/<name>.md`` using its substitutions, with its plots as
   ``![...](../../benchmarks/results/<name>.png)``, and list it in
   ``docs/benchmarks/index.md``.

``PYTHONPATH=docs/_ext python -m benchmark_figures`` prints every substitution's name and
text.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

# Each module registers its generators on import.
from benchmark_figures import (  # noqa: F401
    categorical,
    compare_strategies,
    frontier,
    growth,
    overheads,
    ranking,
    regression,
    scaling,
)
from benchmark_figures.registry import substitutions

# What the hand-typed-figure check leaves alone: code, substitutions, directive options,
# link destinations and comments.
_EXEMPT = re.compile(
    r"```.*?```|`[^`\n]*`|\{\{.*?\}\}|^:[\w-]+:.*$|\]\([^)]*\)|<!--.*?-->",
    re.DOTALL | re.MULTILINE,
)
_FIGURE = re.compile(
    r"(?<![\w.])\d+\.\d+(?![\w.])|(?<![\w.])\d+(?:\.\d+)?\s?(?:s|ms|MiB|GiB|%|×)(?!\w)"
)


def check_hand_typed(app: Any, docname: str, source: List[str]) -> None:
    """Fail the build on a figure typed into a benchmark page instead of substituted."""
    if not docname.startswith("benchmarks/"):
        return
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    text = source[0]
    blanked = _EXEMPT.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), text)
    for match in _FIGURE.finditer(blanked):
        line = blanked.count("\n", 0, match.start()) + 1
        logger.warning(
            "benchmark figure %r typed by hand: take it from the JSON through a "
            "substitution (see docs/_ext/benchmark_figures/)",
            match.group(),
            location=(docname, line),
        )


def add_substitutions(app: Any, config: Any) -> None:
    config.myst_substitutions = {**substitutions(), **(config.myst_substitutions or {})}


def setup(app: Any) -> Dict[str, Any]:
    app.connect("config-inited", add_substitutions)
    app.connect("source-read", check_hand_typed)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
