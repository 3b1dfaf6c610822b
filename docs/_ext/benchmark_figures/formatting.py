"""Numbers, tables and settings as the benchmark pages print them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Dict, Iterable, Optional, Sequence


def exact(value: Any) -> Decimal:
    # Through repr, so 0.355 is the 0.355 the JSON holds, not the binary float below it.
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def num(value: Any, places: int) -> str:
    """A number rounded half-up to ``places`` decimals, as a reader rounds."""
    quantum = Decimal(1).scaleb(-places)
    return str(exact(value).quantize(quantum, rounding=ROUND_HALF_UP))


def diff(a: Any, b: Any, places: int) -> str:
    """``a - b`` computed exactly on the JSON's decimals, then rounded."""
    return num(exact(a) - exact(b), places)


def div(a: Any, b: Any, places: int) -> str:
    return num(exact(a) / exact(b), places)


def percent(ratio: Any, places: int = 1) -> str:
    """How far a ratio is from 1, in percent: 1.0274 -> "2.7"."""
    return num(abs(exact(ratio) - 1) * 100, places)


def span(values: Iterable[Any], places: int) -> str:
    """The range of some values, "low–high", or one value when they agree."""
    values = sorted(exact(v) for v in values)
    low, high = num(values[0], places), num(values[-1], places)
    return low if low == high else f"{low}–{high}"


def rows_label(rows: int) -> str:
    """1000000 -> "1M", 200000 -> "200k", 327346 -> "327,346"."""
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if rows >= size and rows % size == 0:
            return f"{rows // size}{unit}"
    return f"{rows:,}"


def table(header: Sequence[str], align: str, rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table; ``align`` has one letter per column, l or r."""
    marks = {"l": "---", "r": "---:"}
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(marks[a] for a in align) + "|",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def machine(result: Dict[str, Any]) -> str:
    """The machine a result file records, in words: "a 2-core, 23.5 GiB Linux machine ..."."""
    m = result["machine"]
    system = m["platform"].split("-")[0]
    versions = [f"Python {m['python']}"] if "python" in m else []
    versions.append(f"pyspark {m['pyspark']}")
    if "catboost" in m:
        versions.append(f"CatBoost {m['catboost']}")
    return f"a {m['cpus']}-core, {m['memory_gib']} GiB {system} machine ({', '.join(versions)})"


def ensemble_setting(point: Dict[str, Any], slots: Optional[int] = None) -> str:
    parts = []
    if slots is not None and point.get("numMembers", slots) != slots:
        parts.append(f"{point['numMembers']} members")
    parts += [f"{point['iterations']} iterations", f"depth {point['depth']}"]
    if point.get("learningRate") is not None:
        parts.append(f"lr {point['learningRate']}")
    parts += [f"`{key}` {value}" for key, value in (point.get("catboostParams") or {}).items()]
    return ", ".join(parts)


def xgboost_setting(point: Dict[str, Any]) -> str:
    parts = [f"{point['n_estimators']} trees", f"depth {point['max_depth']}"]
    if point.get("learning_rate") is not None:
        parts.append(f"lr {point['learning_rate']}")
    if point.get("max_bin") is not None:
        parts.append(f"`max_bin` {point['max_bin']}")
    if point.get("feature_types"):
        parts.append("native categoricals")
    return ", ".join(parts)


def centralized_setting(point: Dict[str, Any]) -> str:
    if "num_leaves" in point:
        return f"{point['n_estimators']} trees, {point['num_leaves']} leaves"
    parts = [f"{point['iterations']} iterations", f"depth {point['depth']}"]
    if point.get("learning_rate") is not None:
        parts.append(f"lr {point['learning_rate']}")
    return ", ".join(parts)


def has_speed_knobs(xgboost: Dict[str, Any]) -> bool:
    """An xgboost.spark setting that uses its own speed knobs (learning rate or bins)."""
    return xgboost.get("learning_rate") is not None or xgboost.get("max_bin") is not None


def is_default(point: Dict[str, Any]) -> bool:
    """sparkensemble at CatBoost's defaults: 1000 iterations, depth 6, nothing else set."""
    return (
        point["iterations"] == 1000
        and point["depth"] == 6
        and point.get("learningRate") is None
        and not point.get("catboostParams")
    )
