"""How each categorical column is encoded, chosen from the training data. No Spark here.

CatBoost's defaults (one-hot only for columns of at most 2 levels, target statistics and
their combinations of up to 4 columns for the rest) spend most of a member's time on
target statistics for columns of a handful of levels, where one-hot encoding is as
accurate and an order of magnitude cheaper. The profile job counts each categorical
column's levels; from those counts:

- columns of at most :data:`MAX_ONE_HOT_LEVELS` levels are one-hot encoded;
- the others keep target statistics, each on its own: combinations of categorical
  columns (``max_ctr_complexity``) cost more than they add at the sizes members train on.

Each member applies the threshold to the levels its own rows hold, as CatBoost does, so
a column whose count sits at the threshold, or a member that sees only some of a column's
levels, can go the other way inside a member; the record is the whole table's view.

Every key the user sets in ``catboostParams`` wins over the choice made here, key by key.
Without categorical columns nothing is added, so numeric members are unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

# Columns with at most this many levels (the null category counts as one) are one-hot.
MAX_ONE_HOT_LEVELS = 64
# Target statistics of single columns only, never of combinations of columns.
MAX_CTR_COMPLEXITY = 1

ONE_HOT = "one-hot"
TARGET_STATISTICS = "target statistics"

# catboostParams keys that put the combinations of columns in the user's hands: with any
# of them set, the library leaves max_ctr_complexity alone.
COMBINATION_KEYS = ("max_ctr_complexity", "combinations_ctr", "per_feature_ctr")
# What a model saved before the encoding was recorded says of its categorical columns.
CATBOOST_DEFAULT = "CatBoost's default"


@dataclass(frozen=True)
class CategoricalColumn:
    """One categorical feature: where it sits among all features, its levels, its encoding."""

    name: str
    position: int
    levels: Optional[int]  # None where the model predates the count
    encoding: str


@dataclass(frozen=True)
class CategoricalEncoding:
    """The encoding of every categorical feature, and the CatBoost settings that give it.

    ``catboost_params`` holds only what the library adds: the keys the user set in
    ``catboostParams`` are left to the user.
    """

    columns: List[CategoricalColumn]
    catboost_params: Dict[str, Any]

    def to_json(self) -> Dict[str, Any]:
        """A JSON-ready description, as the model's metadata stores it."""
        return {
            "catboostParams": dict(self.catboost_params),
            "columns": [
                {"name": c.name, "position": c.position, "levels": c.levels, "encoding": c.encoding}
                for c in self.columns
            ],
        }

    @classmethod
    def from_json(cls, state: Mapping[str, Any]) -> CategoricalEncoding:
        """The encoding :meth:`to_json` described."""
        columns = [
            CategoricalColumn(
                c["name"],
                int(c["position"]),
                None if c["levels"] is None else int(c["levels"]),
                c["encoding"],
            )
            for c in state.get("columns", [])
        ]
        return cls(columns, dict(state.get("catboostParams", {})))

    def describe(self) -> str:
        """One line for the log: each column's encoding and level count."""
        if not self.columns:
            return "no categorical features"
        parts = [f"{c.name} ({c.levels} levels): {c.encoding}" for c in self.columns]
        settings = ", ".join(f"{k}={v}" for k, v in sorted(self.catboost_params.items()))
        return "; ".join(parts) + (f" [{settings}]" if settings else "")


NO_CATEGORICAL_FEATURES = CategoricalEncoding([], {})


def choose_encoding(
    names: Sequence[str],
    positions: Sequence[int],
    levels: Sequence[int],
    user_params: Mapping[str, Any],
) -> CategoricalEncoding:
    """Each categorical column's encoding, from its level count and the user's settings.

    Parameters
    ----------
    names, positions, levels
        Each categorical feature's name, its position among all features, and the number
        of distinct values the profile counted (the null category included).
    user_params
        The estimator's ``catboostParams``; each key set there wins over the choice here.

    Returns
    -------
    CategoricalEncoding
        The chosen encoding. ``one_hot_max_size`` is the threshold itself, not the largest
        one-hot column's count, so that a count a little off (it is approximate) cannot
        push a small column onto target statistics inside the members.
    """
    if not positions:
        return NO_CATEGORICAL_FEATURES
    user_size = user_params.get("one_hot_max_size")
    size = int(user_size) if user_size is not None else MAX_ONE_HOT_LEVELS
    columns = [
        CategoricalColumn(
            str(name),
            int(position),
            int(count),
            ONE_HOT if count <= size else TARGET_STATISTICS,
        )
        for name, position, count in zip(names, positions, levels)
    ]
    added: Dict[str, Any] = {}
    if user_size is None and any(c.encoding == ONE_HOT for c in columns):
        added["one_hot_max_size"] = size
    # Even where every column counted one-hot: a count just under the threshold may be a
    # column a member sees just over it, which then takes statistics without combinations.
    if not any(key in user_params for key in COMBINATION_KEYS):
        added["max_ctr_complexity"] = MAX_CTR_COMPLEXITY
    return CategoricalEncoding(columns, added)


def encoding_before_counts(names: Sequence[str], positions: Sequence[int]) -> CategoricalEncoding:
    """The record for a model fitted before level counts were kept: CatBoost chose."""
    columns = [
        CategoricalColumn(str(n), int(p), None, CATBOOST_DEFAULT) for n, p in zip(names, positions)
    ]
    return CategoricalEncoding(columns, {})
