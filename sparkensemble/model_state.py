"""What a fitted ensemble holds, and how its metadata records it. No Spark here.

The fit builds one :class:`EnsembleState` and hands it to the model whole; loading builds
it from the saved metadata and members table, after checking that the two belong together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Dict, List, Mapping, Sequence

import pandas as pd

from sparkensemble.encoding import (
    NO_CATEGORICAL_FEATURES,
    CategoricalEncoding,
    encoding_before_counts,
)
from sparkensemble.member_cache import ensemble_key
from sparkensemble.member_table import canonical_member_table, empty_member_table
from sparkensemble.tasks import EnsembleTask

# The newest format this release reads. Format 2 adds a classifier's stacker that applies
# equal weights, which format 1 cannot express; every other model is written as format 1.
FORMAT_VERSION = 2


@dataclass(frozen=True, eq=False)
class EnsembleState:
    """A fitted ensemble's members table and what scoring needs besides the Params.

    ``width`` is what each member outputs per row (the number of classes, or 1);
    ``category_kinds`` each categorical input column's kind at fit; ``stacker`` the
    fitted stacker, or None. The members table is never edited in place, so the
    digest of its bytes is computed once.
    """

    members: pd.DataFrame
    width: int
    num_features: int
    encoding: CategoricalEncoding = NO_CATEGORICAL_FEATURES
    category_kinds: Dict[str, str] = field(default_factory=dict)
    stacker: Any = None

    @classmethod
    def empty(cls, task: EnsembleTask) -> EnsembleState:
        """The state of a model that is not fitted or loaded yet."""
        return cls(empty_member_table(task), 0, 0)

    @classmethod
    def fitted(cls, members: pd.DataFrame, task: EnsembleTask, **state: Any) -> EnsembleState:
        """The state of freshly trained members, their table put in canonical form."""
        return cls(canonical_member_table(members, task), **state)

    @property
    def blobs(self) -> List[bytes]:
        """Each member's native CatBoost bytes, in member order."""
        return list(self.members["model"])

    @cached_property
    def key(self) -> str:
        """:func:`~sparkensemble.member_cache.ensemble_key` of the members."""
        return ensemble_key(self.blobs)

    @property
    def categorical_positions(self) -> List[int]:
        return [column.position for column in self.encoding.columns]

    def to_metadata(self, task: EnsembleTask) -> Dict[str, Any]:
        """What the saved metadata records besides the Params."""
        # The oldest format that holds the model, so that older readers load what they can
        # score: only a classifier's stacker that applies equal weights needs format 2.
        version = self.stacker.format_version if self.stacker else 1
        state: Dict[str, Any] = {"formatVersion": min(version, FORMAT_VERSION)}
        if task.width_key:
            state[task.width_key] = self.width
        state.update(
            numFeatures=self.num_features,
            numMembers=len(self.members),
            membersDigest=self.key,
            stacker=self.stacker.to_json() if self.stacker else None,
            categoricalPositions=self.categorical_positions,
            categoryKinds=self.category_kinds,
            categoricalEncoding=self.encoding.to_json(),
        )
        return state

    @classmethod
    def from_metadata(
        cls,
        members: pd.DataFrame,
        metadata: Mapping[str, Any],
        task: EnsembleTask,
        path: str,
        names_of: Callable[[Sequence[int]], List[str]],
    ) -> EnsembleState:
        """The state a save recorded; ``names_of`` names categorical positions for a
        model saved before its encoding was recorded."""
        encoding = metadata.get("categoricalEncoding")
        if encoding:
            categorical = CategoricalEncoding.from_json(encoding)
        else:  # saved before the encoding was recorded: members trained with CatBoost's own
            positions = list(metadata.get("categoricalPositions", []))
            categorical = encoding_before_counts(names_of(positions), positions)
        stacker = metadata.get("stacker")
        state = cls(
            members=members,
            width=int(metadata[task.width_key]) if task.width_key else 1,
            num_features=int(metadata["numFeatures"]),
            encoding=categorical,
            category_kinds=dict(metadata.get("categoryKinds", {})),
            stacker=task.stacker_from_json(stacker) if stacker else None,
        )
        expected = metadata.get("numMembers")
        if len(members) != expected or state.key != metadata.get("membersDigest"):
            raise ValueError(
                f"The model at {path} is incomplete or corrupted: its members/ folder holds "
                f"{len(members)} members that do not match the {expected} its metadata "
                f"records (an interrupted or mixed save?). Save the model again."
            )
        return state
