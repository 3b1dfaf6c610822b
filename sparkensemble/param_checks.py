"""How Param values are checked when they are set, and the keyword-only signature wrapper.

A converter only looks at the value: pyspark runs converters again on every ``copy()``,
once per grid point of a ``CrossValidator``, so what needs CatBoost is checked at fit.
Errors follow scikit-learn's wording: the Param, what it allows, then what was given.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import json
from typing import Any, Callable, Dict, Sequence, TypeVar

from pyspark.ml.param import TypeConverters

from sparkensemble.catboost_params import validate_catboost_params
from sparkensemble.tasks.ranking import check_ranking_loss_name
from sparkensemble.tasks.regression import check_loss_name

Method = TypeVar("Method", bound=Callable[..., Any])


def keyword_only(method: Method) -> Method:
    """pyspark.ml's ``keyword_only``, with an unknown keyword named next to the valid ones.

    The wrapped method finds in ``self._input_kwargs`` only the keywords its caller gave,
    so a Param left out stays unset (``isSet`` is false) instead of being set to the
    default its signature shows. ``functools.wraps`` keeps that signature for ``help()``,
    ``inspect.signature`` and notebook completion.
    """
    accepted = [name for name in inspect.signature(method).parameters if name != "self"]

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if args:
            raise TypeError(
                f"{type(self).__name__}.{method.__name__} takes keyword arguments only, "
                f"one per Param (for example numMembers=4); got {len(args)} positional."
            )
        unknown = [name for name in kwargs if name not in accepted]
        if unknown:
            close = difflib.get_close_matches(unknown[0], accepted, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(
                f"{type(self).__name__} has no param {unknown[0]!r}{hint}; "
                f"its params are {sorted(accepted)}."
            )
        self._input_kwargs = kwargs
        return method(self, **kwargs)

    return wrapper  # type: ignore[return-value]


def one_of(name: str, allowed: Sequence[str]) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        value = TypeConverters.toString(value)
        if value not in allowed:
            raise ValueError(
                f"The '{name}' parameter must be a str among {list(allowed)}. "
                f"Got {value!r} instead."
            )
        return value

    return convert


def int_at_least(name: str, low: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        value = TypeConverters.toInt(value)
        if value < low:
            raise ValueError(
                f"The '{name}' parameter must be an int >= {low}. Got {value} instead."
            )
        return value

    return convert


def positive_float(name: str) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        value = TypeConverters.toFloat(value)
        if not value > 0:
            raise ValueError(f"The '{name}' parameter must be a float > 0. Got {value} instead.")
        return value

    return convert


def open_unit_interval(name: str) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        value = TypeConverters.toFloat(value)
        if not 0.0 < value < 1.0:
            raise ValueError(
                f"The '{name}' parameter must be a float in the open interval (0, 1). "
                f"Got {value} instead."
            )
        return value

    return convert


def catboost_params(value: Any) -> Dict[str, Any]:
    # Round-trip through JSON so that what is stored is exactly what persistence writes.
    checked = validate_catboost_params(value)
    return json.loads(json.dumps(checked))


def loss_function(value: Any) -> str:
    return check_loss_name(TypeConverters.toString(value))


def ranker_combiner(allowed: Sequence[str]) -> Callable[[Any], str]:
    """The ranker's combiner check: 'stacked' is refused with the reason, not just listed."""
    listed = one_of("combiner", allowed)

    def convert(value: Any) -> str:
        if value == "stacked":
            raise ValueError(
                "combiner='stacked' is not offered for a ranker: its members train on "
                "disjoint groups with the same settings, so they are exchangeable and a "
                "learned blend would tend to the equal weights of 'mean', which also merges "
                f"into one CatBoost ranker. Choose among {list(allowed)}."
            )
        return listed(value)

    return convert


def ranking_loss_function(value: Any) -> str:
    return check_ranking_loss_name(TypeConverters.toString(value))


def regressor_catboost_params(value: Any) -> Dict[str, Any]:
    checked = catboost_params(value)
    for key in ("loss_function", "objective"):
        if key in checked:
            raise ValueError(
                f"catboostParams may not set {key!r}: use the lossFunction Param "
                f"(setLossFunction), so that ParamGridBuilder can tune it."
            )
    return checked
