"""Growing a fitted ensemble: what the old model and the new fit must agree on, and the
members table that holds both generations. No Spark here.

A fit with ``initModelPath`` trains new members on the new data alone and keeps the old
ones. The old members score the same feature columns at transform, so the features, the
categorical columns and their encoding, the classes and the loss must be the old
model's; each difference is refused with what differs and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Sequence

import pandas as pd

from sparkensemble.encoding import CategoricalEncoding
from sparkensemble.model_state import EnsembleState


@dataclass(frozen=True)
class GrowthBase:
    """What the fitted model being grown fixes for the new members."""

    path: str
    state: EnsembleState
    input_cols: Optional[List[str]]
    categorical_cols: List[str]
    loss: Optional[str]

    @property
    def generation(self) -> int:
        """The new members' generation: one past the newest member's."""
        return int(self.state.members["generation"].max()) + 1

    @property
    def encoding(self) -> CategoricalEncoding:
        return self.state.encoding

    @property
    def seeds(self) -> List[int]:
        return [int(seed) for seed in self.state.members["seed"]]


def check_growth_params(
    base: GrowthBase,
    input_cols: Optional[Sequence[str]],
    categorical_cols: Sequence[str],
    categorical_positions: Sequence[int],
    loss: Optional[str],
) -> None:
    """Refuse, before any Spark job, a fit whose features or loss differ from the model's."""
    where = f"initModelPath={base.path!r} holds a model fitted"
    if (list(input_cols) if input_cols is not None else None) != base.input_cols:
        raise ValueError(
            f"{where} on {_features(base.input_cols)}, but this fit reads "
            f"{_features(input_cols)}; its members score the same columns, so set the same "
            f"features, in the same order."
        )
    if list(categorical_cols) != list(base.categorical_cols):
        raise ValueError(
            f"{where} with categoricalCols={list(base.categorical_cols)}, but this fit has "
            f"categoricalCols={list(categorical_cols)}; set the same categorical columns."
        )
    old_positions = base.state.categorical_positions
    if list(categorical_positions) != old_positions:
        raise ValueError(
            f"{where} with categorical features at positions {old_positions}, but this "
            f"fit's features have them at {list(categorical_positions)}; build the features "
            f"with the same stages (a refitted StringIndexer or VectorAssembler can move them)."
        )
    if loss != base.loss:
        raise ValueError(
            f"{where} with lossFunction={base.loss!r}, but this fit has lossFunction="
            f"{loss!r}; members of one ensemble share their loss, so set the same one."
        )


def check_growth_data(base: GrowthBase, num_features: int, width: int, label_col: str) -> None:
    """Refuse, after the profile job and before training, new data the old members cannot
    share an ensemble with: another feature count, or a class they never saw."""
    where = f"initModelPath={base.path!r} holds a model fitted"
    if num_features != base.state.num_features:
        raise ValueError(
            f"{where} on {base.state.num_features} features, but this fit's rows have "
            f"{num_features}; build the features as they were built for that model."
        )
    if width > base.state.width:
        raise ValueError(
            f"labelCol={label_col!r} holds class {width - 1}, which the members of the model "
            f"at initModelPath={base.path!r} never saw: they know {base.state.width} classes "
            f"(0..{base.state.width - 1}). Refit from scratch to add a class."
        )


def grown_members(old: pd.DataFrame, new: pd.DataFrame, max_members: Optional[int]) -> pd.DataFrame:
    """The old and the new members in one table, oldest first, renumbered from 0; with
    ``max_members``, only the newest that many."""
    table = pd.concat([old, new[old.columns]], ignore_index=True)
    table = table.sort_values(["generation", "member"], kind="stable")
    if max_members is not None:
        table = table.tail(max_members)
    table = table.reset_index(drop=True)
    table["member"] = range(len(table))
    return table


def _features(input_cols: Optional[Sequence[str]]) -> str:
    return f"inputCols={list(input_cols)}" if input_cols is not None else "featuresCol"


def load_growth_base(model_class: Any, path: str) -> GrowthBase:
    """The :class:`GrowthBase` of the model of ``model_class`` saved at ``path``; loading
    it is the only Spark this module touches, through the model's own reader."""
    try:
        model = model_class.load(path)
    except ValueError as error:
        raise ValueError(f"initModelPath={path!r} cannot be grown: {error}") from None
    return GrowthBase(
        path=path,
        state=model._state,
        input_cols=model.getInputCols() if model.isDefined(model.inputCols) else None,
        categorical_cols=list(model.getCategoricalCols()),
        loss=model._loss(),
    )
