"""Sphinx configuration for the sparkensemble documentation.

Build it strictly, as the test command does:

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
# The checkout's package, also when it is not installed in editable mode.
sys.path.insert(0, str(DOCS.parent))

from pyspark.ml.param import Param  # noqa: E402

import sparkensemble  # noqa: E402

project = "sparkensemble"
author = "the sparkensemble authors"
copyright = "the sparkensemble authors"
release = sparkensemble.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "numpydoc",
    "benchmark_figures",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# MyST: {{ name }} substitutions carry the benchmark figures (see _ext/benchmark_figures),
# ::: fences hold admonitions, and headings get anchors for links such as page.md#section.
myst_enable_extensions = ["substitution", "colon_fence", "deflist"]
myst_heading_anchors = 3
# Every figure comes from benchmark_figures; a page defines none of its own.
myst_substitutions: dict = {}

# The API reference: one page per public class, rendered from numpydoc docstrings.
autodoc_member_order = "groupwise"
autodoc_typehints = "none"  # numpydoc's Parameters sections say what each argument is
autodoc_default_options = {"members": True, "inherited-members": True}
toc_object_entries_show_parents = "hide"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False


def _defined_by(obj: object) -> str:
    """The module that defines a class member: functions, properties and classmethods."""
    function = getattr(obj, "fget", None) or getattr(obj, "__func__", None) or obj
    return getattr(function, "__module__", "") or ""


def skip_member(app, what, name, obj, skip, options):
    """Document what sparkensemble adds, not the Spark ML machinery every stage inherits.

    Params are class attributes documented in the class's Parameters section, so they are
    skipped here; so are members that pyspark defines (fit, transform, explainParams, ...),
    which behave as on any pyspark.ml stage.
    """
    if skip or what != "class":
        return skip
    if isinstance(obj, Param) or name.startswith("_"):
        return True
    if inspect.isclass(obj):
        return True
    return not _defined_by(obj).startswith("sparkensemble")


def setup(app):
    app.connect("autodoc-skip-member", skip_member)


html_theme = "pydata_sphinx_theme"
html_title = f"sparkensemble {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    # Every page but the benchmarks' shows its table of contents on the right: their wide
    # tables need that width. A page no pattern matches gets no right sidebar.
    "secondary_sidebar_items": {
        pattern: ["page-toc"]
        for pattern in ["index", "getting-started", "cluster", "tuning", "changelog"]
        + ["user-guide/*", "design/*", "api/*"]
    },
}
# Pages with no sub-pages get no (empty) section navigation on the left.
html_sidebars = {
    page: [] for page in ["index", "getting-started", "cluster", "tuning", "changelog"]
}
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
