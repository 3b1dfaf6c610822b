"""The fitted-model core every task shares: its state, its members, and transform.

Spark glue only. The task (``_task``) says how members' outputs combine; the public
model classes say which Params name the output columns. Native export is
:class:`~sparkensemble.native_export.NativeExport`'s, and scoring one vector with
``predict`` is :mod:`sparkensemble.vector_scoring`'s, and what it shows of its members
(bytes, seeds, summary, importances, learning curves) :mod:`sparkensemble.member_views`'s;
what the model holds is one
:class:`~sparkensemble.model_state.EnsembleState`, given whole when it is built.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar, Dict, List, Optional, TypeVar

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkensemble.batch_scoring import CONTRIBUTIONS, ScoreSpec
from sparkensemble.combiners import require_stacker
from sparkensemble.features import feature_blocks
from sparkensemble.member_views import MemberViews
from sparkensemble.model_state import EnsembleState
from sparkensemble.native_export import NativeExport
from sparkensemble.params import _SampledEnsembleParams
from sparkensemble.persistence import EnsembleModelWritable
from sparkensemble.schema import check_category_kinds, check_feature_columns, check_output_columns
from sparkensemble.scoring import checked_features, output_value, score_column
from sparkensemble.tasks import EnsembleTask
from sparkensemble.tasks.base import Blend

_SCORED = "__se_scored"

M = TypeVar("M", bound="_SampledEnsembleModel")


class _SampledEnsembleModel(
    MemberViews, NativeExport, EnsembleModelWritable, _SampledEnsembleParams
):
    """A fitted ensemble: the members' native CatBoost bytes and how to combine them."""

    _task: ClassVar[EnsembleTask]

    def __init__(self) -> None:
        super().__init__()
        self._state = EnsembleState.empty(self._task)

    @classmethod
    def _fitted(cls: type[M], state: EnsembleState) -> M:
        """A model holding ``state``; the estimator copies its Params onto it."""
        model = cls()
        model._state = state
        return model

    def _without_stacker(self: M) -> M:
        """A copy without the stacker, as a fit with another combiner would have it."""
        return self._with_state(replace(self._state, stacker=None))

    def _with_state(self: M, state: EnsembleState) -> M:
        that = super().copy()  # pyspark's copy: the Params alone
        that._state = state
        return that

    def _saved(self) -> tuple[pd.DataFrame, Dict[str, Any]]:
        """What a save writes besides the Params: the members table and the metadata."""
        return self._state.members.copy(), self._state.to_metadata(self._task)

    def _restore(self, members: pd.DataFrame, metadata: Dict[str, Any], path: str) -> None:
        """Take the state that a save at ``path`` recorded; the reader set the Params."""
        self._state = EnsembleState.from_metadata(
            members, metadata, self._task, path, self._categorical_names
        )

    def setCombiner(self: M, value: str) -> M:
        """Sets the value of :py:attr:`combiner`; members are recombined, not refitted."""
        return self._set(combiner=value)

    def setContributionsCol(self: M, value: str) -> M:
        """Sets the value of :py:attr:`contributionsCol`."""
        return self._set(contributionsCol=value)

    @property
    def numFeatures(self) -> int:
        """Number of features the model was fitted on (``int``)."""
        return self._state.num_features

    def _categorical_names(self, positions: List[int]) -> List[str]:
        """Each categorical feature's name: its input column, or its slot of featuresCol."""
        if self.isDefined(self.inputCols):
            return [self.getInputCols()[p] for p in positions]
        return [f"{self.getFeaturesCol()}[{p}]" for p in positions]

    @property
    def categoricalEncoding(self) -> Dict[str, Any]:
        """How each categorical feature was encoded, chosen at fit from its level count.

        ``columns`` lists each categorical feature's name, position, levels and encoding
        (``"one-hot"`` or ``"target statistics"``) as the whole training table's level
        counts give it; each member applies ``one_hot_max_size`` to its own rows, as
        CatBoost does. ``catboostParams`` holds the CatBoost settings the library added
        (keys set in ``catboostParams`` are the user's and are not repeated). Empty
        without categorical features.
        """
        return self._state.encoding.to_json()

    def copy(self: M, extra: Optional[Dict] = None) -> M:
        """A copy of this model with its own Params and members table.

        Parameters
        ----------
        extra : dict, optional
            Param values to set on the copy, as ``{model.combiner: "median"}``.

        Returns
        -------
        model
            The copy, of this model's class and with the same uid; changing one does not
            change the other.
        """
        that = super().copy(extra)
        that._state = replace(self._state, members=self._state.members.copy())
        return that

    @property
    def hasStacker(self) -> bool:
        """Whether the model carries a stacker (``bool``), so that combiner="stacked" works."""
        return self._state.stacker is not None

    @property
    def stackerChoice(self) -> Optional[Dict[str, Any]]:
        """Which weights ``combiner="stacked"`` applies, and the cross-validation behind it.

        ``weights`` is ``"learned"`` (the stacker's fitted weights) or ``"equal"`` (those of
        ``"mean"``, which ``"stacked"`` then scores exactly as). ``learned`` and ``equal``
        hold each one's scores on the held-out folds of the stacker's rows, over ``folds``
        folds: ``squaredError`` for a regressor; ``logLoss``, ``accuracy`` and ``auc`` for
        a classifier. ``standardError`` is that of the mean per-row loss difference. A
        stacker saved without a choice applies its learned weights and reports ``folds``
        0. ``None`` when the model has no stacker.
        """
        stacker = self._state.stacker
        return stacker.choice.to_json() if stacker is not None else None

    def _check_stacker(self) -> None:
        if self.getCombiner() == "stacked":
            require_stacker(self._state.stacker, self.supportedCombiners)

    def _output_columns(self) -> Dict[str, str]:
        """The task's named outputs and the column each goes to ("" skips it)."""
        raise NotImplementedError

    def _thresholds(self) -> Optional[List[float]]:
        return None

    def _loss(self) -> Optional[str]:
        """The members' loss, where it changes how raw scores become predictions."""
        return None

    def _blend(self) -> Optional[Blend]:
        return self._blend_for(self.getCombiner())

    def _blend_for(self, combiner: str) -> Optional[Blend]:
        state = self._state
        return self._task.blend(
            combiner, state.stacker, len(state.members), state.width, self._loss()
        )

    def _merging_combiners(self) -> List[str]:
        """The combiners that merge the members of this model into one."""
        return [c for c in self.supportedCombiners if self._blend_for(c) is not None]

    def _refuse_unmerged(self, what: str) -> Blend:
        blend = self._blend()
        if blend is None:
            raise ValueError(
                f"{what} needs a combiner that merges the members into one CatBoost model, "
                f"and combiner={self.getCombiner()!r} does not. For this model these do: "
                f"{', '.join(self._merging_combiners())}; use setCombiner."
            )
        return blend

    def _score_spec(self, contributions: bool = False, variance: bool = False) -> ScoreSpec:
        thresholds = self._thresholds()
        return ScoreSpec(
            task=self._task.name,
            width=self._state.width,
            num_features=self._state.num_features,
            combiner=self.getCombiner(),
            stacker=self._state.stacker,
            thresholds=tuple(thresholds) if thresholds is not None else None,
            blend=self._blend(),
            loss=self._loss(),
            categorical_positions=tuple(self._state.categorical_positions),
            contributions=contributions,
            variance=variance,
        )

    def _transform(self, dataset: DataFrame) -> DataFrame:
        contributions = (
            self.getOrDefault("contributionsCol") if self.isDefined("contributionsCol") else ""
        )
        outputs = {**self._output_columns(), CONTRIBUTIONS: contributions}
        if not any(outputs.values()):
            return dataset
        if outputs[CONTRIBUTIONS]:
            self._refuse_unmerged(f"contributionsCol={outputs[CONTRIBUTIONS]!r}")
        input_cols = self.getInputCols() if self.isDefined(self.inputCols) else None
        check_feature_columns(
            dataset.schema, self.getFeaturesCol(), input_cols, self.getCategoricalCols()
        )
        state = self._state
        check_category_kinds(dataset.schema, state.category_kinds)
        check_output_columns(dataset.schema, outputs.values())
        self._check_stacker()
        blocks = feature_blocks(
            self, dataset.schema, state.categorical_positions, state.num_features
        )
        numeric = blocks.numeric
        if not self.isDefined(self.inputCols):
            numeric = checked_features(
                blocks.check, numeric, state.num_features, self.getFeaturesCol()
            )
        spec = self._score_spec(
            contributions=bool(outputs[CONTRIBUTIONS]), variance=bool(outputs.get("variance"))
        )
        sizes = {name: state.width for name in self._task.vector_outputs}
        sizes[CONTRIBUTIONS] = spec.contributions_size()
        column = score_column(blocks, numeric, state.blobs, state.key, spec)
        scored = dataset.withColumn(_SCORED, column)
        for output, column in outputs.items():
            if column:
                value = output_value(F.col(_SCORED), output, sizes.get(output))
                scored = scored.withColumn(column, value)
        return scored.drop(_SCORED)
