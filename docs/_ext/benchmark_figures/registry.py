"""The generators: one function per result file, each registered with ``@figures``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[3]

Generator = Callable[[Dict[str, Any]], Dict[str, str]]
GENERATORS: List[Tuple[str, str, Generator]] = []


def figures(path: str, prefix: str) -> Callable[[Generator], Generator]:
    """Register a generator for the result file at ``path`` (relative to the repository)."""

    def register(function: Generator) -> Generator:
        GENERATORS.append((path, prefix, function))
        return function

    return register


def substitutions() -> Dict[str, str]:
    """Every generator's figures, as MyST substitutions."""
    found: Dict[str, str] = {}
    for path, prefix, generate in GENERATORS:
        data = json.loads((ROOT / path).read_text())
        for name, text in generate(data).items():
            key = f"{prefix}_{name}"
            if key in found:
                raise ValueError(f"two benchmark generators both define {key!r}")
            found[key] = text
    return found
