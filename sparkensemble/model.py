"""The fitted-model core every task shares: members, persistence and transform.

Spark glue only. The task (``_task``) says how members' outputs combine; the public
model classes say which Params name the output columns.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional, TypeVar

import numpy as np
import pandas as pd
from pyspark.ml.linalg import DenseVector, Vector
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkensemble.encoding import (
    NO_CATEGORICAL_FEATURES,
    CategoricalEncoding,
    encoding_before_counts,
)
from sparkensemble.feature_arrays import assemble_features
from sparkensemble.features import feature_blocks
from sparkensemble.merging import merge_members
from sparkensemble.params import _SampledEnsembleParams
from sparkensemble.persistence import (
    FORMAT_VERSION,
    EnsembleModelReader,
    EnsembleModelWriter,
    canonical_member_table,
    member_table_columns,
)
from sparkensemble.schema import check_category_kinds, check_feature_columns, check_output_columns
from sparkensemble.scorer import (
    CONTRIBUTIONS,
    ScoreSpec,
    cached_members,
    cached_merge,
    ensemble_key,
    score_batch,
)
from sparkensemble.scoring import checked_features, output_value, score_column
from sparkensemble.tasks import EnsembleTask
from sparkensemble.tasks.base import Blend

# What CatBoost's save_model writes; a format a model cannot take fails with CatBoost's reason.
NATIVE_FORMATS = ("cbm", "json", "onnx", "cpp", "python", "coreml", "pmml")

_SCORED = "__se_scored"
# Per-member summary columns around the task's holdout metrics; the model table also
# holds each member's bytes and feature importances.
_SUMMARY_HEAD = ["member", "seed", "input_rows", "rows", "train_rows", "holdout_rows"]
_SUMMARY_TAIL = ["best_iteration", "train_seconds", "partition", "train_started_at"]

M = TypeVar("M", bound="_SampledEnsembleModel")


def summary_columns(task: EnsembleTask) -> List[str]:
    """The columns of ``model.summary``: ``input_rows`` exceeds ``rows`` where
    maxRowsPerMember capped a member; ``partition`` and ``train_started_at`` show where
    and when each member trained, so members of one fit can be seen to overlap."""
    return [*_SUMMARY_HEAD, *task.metric_names, *_SUMMARY_TAIL]


class _SampledEnsembleModel(_SampledEnsembleParams):
    """A fitted ensemble: the members' native CatBoost bytes and how to combine them."""

    _task: ClassVar[EnsembleTask]

    def __init__(self) -> None:
        super().__init__()
        self._members = pd.DataFrame(columns=member_table_columns(self._task))
        self._width = 0
        self._num_features = 0
        self._stacker: Any = None
        self._categorical_positions: List[int] = []
        self._category_kinds: Dict[str, str] = {}
        self._categorical_encoding = NO_CATEGORICAL_FEATURES

    @classmethod
    def _from_members(
        cls: type[M],
        members: pd.DataFrame,
        width: int,
        num_features: int,
        encoding: CategoricalEncoding = NO_CATEGORICAL_FEATURES,
    ) -> M:
        """A model of trained members; ``encoding`` names the categorical features."""
        model = cls()
        model._members = canonical_member_table(members, cls._task)
        model._width = int(width)
        model._num_features = int(num_features)
        model._categorical_positions = [column.position for column in encoding.columns]
        model._categorical_encoding = encoding
        return model

    def write(self) -> EnsembleModelWriter:
        """An MLWriter that saves this model through Spark: parquet members, JSON metadata.

        ``model.save(path)`` is ``model.write().save(path)``; ``write().overwrite()``
        replaces what is at ``path``. Any path Spark can write works (``hdfs:``, ``s3a:``,
        ``dbfs:``, local), and nothing is pickled.

        Returns
        -------
        EnsembleModelWriter
            The writer; call ``.save(path)`` on it.
        """
        return EnsembleModelWriter(self)

    @classmethod
    def read(cls) -> EnsembleModelReader:
        """An MLReader for models saved with :meth:`write`; ``Model.load(path)`` uses it.

        Returns
        -------
        EnsembleModelReader
            The reader; call ``.load(path)`` on it.
        """
        return EnsembleModelReader(cls)

    def _persisted_state(self) -> Dict[str, Any]:
        state: Dict[str, Any] = {"formatVersion": FORMAT_VERSION}
        if self._task.width_key:
            state[self._task.width_key] = self._width
        state.update(
            numFeatures=self._num_features,
            numMembers=len(self._members),
            membersDigest=self._members_key(),
            stacker=self._stacker.to_json() if self._stacker else None,
            categoricalPositions=self._categorical_positions,
            categoryKinds=self._category_kinds,
            categoricalEncoding=self._categorical_encoding.to_json(),
        )
        return state

    def _restore_state(self, members: pd.DataFrame, metadata: Dict[str, Any], path: str) -> None:
        expected = metadata.get("numMembers")
        digest = ensemble_key(list(members["model"]))
        if len(members) != expected or digest != metadata.get("membersDigest"):
            raise ValueError(
                f"The model at {path} is incomplete or corrupted: its members/ folder holds "
                f"{len(members)} members that do not match the {expected} its metadata "
                f"records (an interrupted or mixed save?). Save the model again."
            )
        self._members = members
        width_key = self._task.width_key
        self._width = int(metadata[width_key]) if width_key else 1
        self._num_features = int(metadata["numFeatures"])
        self._categorical_positions = list(metadata.get("categoricalPositions", []))
        self._category_kinds = dict(metadata.get("categoryKinds", {}))
        encoding = metadata.get("categoricalEncoding")
        if encoding:
            self._categorical_encoding = CategoricalEncoding.from_json(encoding)
        else:  # saved before the encoding was recorded: members trained with CatBoost's own
            self._categorical_encoding = encoding_before_counts(
                self._categorical_names(), self._categorical_positions
            )
        stacker = metadata.get("stacker")
        self._stacker = self._task.stacker_from_json(stacker) if stacker else None

    def setCombiner(self: M, value: str) -> M:
        """Sets the value of :py:attr:`combiner`; members are recombined, not refitted."""
        return self._set(combiner=value)

    def setContributionsCol(self: M, value: str) -> M:
        """Sets the value of :py:attr:`contributionsCol`."""
        return self._set(contributionsCol=value)

    @property
    def numFeatures(self) -> int:
        """Number of features the model was fitted on (``int``)."""
        return self._num_features

    def _categorical_names(self) -> List[str]:
        """Each categorical feature's name: its input column, or its slot of featuresCol."""
        if self.isDefined(self.inputCols):
            return [self.getInputCols()[p] for p in self._categorical_positions]
        return [f"{self.getFeaturesCol()}[{p}]" for p in self._categorical_positions]

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
        return self._categorical_encoding.to_json()

    @property
    def members(self) -> List[bytes]:
        """Each member's native CatBoost model, as the bytes of a ``.cbm`` file.

        Returns
        -------
        list of bytes
            One entry per member, in member order. Write one to a ``.cbm`` file, or load it
            with ``CatBoostClassifier().load_model(blob=...)`` (``CatBoostRegressor`` for a
            regressor's members).
        """
        return list(self._members["model"])

    def _members_key(self) -> str:
        """``ensemble_key`` of the members, hashed once per members table.

        Hashing every member's bytes takes milliseconds, which a one-row ``predict()``
        would pay on every call. The table is replaced, never edited in place, so its
        identity tells whether the key still holds.
        """
        cached = getattr(self, "_members_key_cache", None)
        if cached is None or cached[0] is not self._members:
            cached = (self._members, ensemble_key(self.members))
            self._members_key_cache = cached
        return cached[1]

    @property
    def memberSeeds(self) -> List[int]:
        """The CatBoost ``random_seed`` each member trained with, derived from ``seed``.

        Returns
        -------
        list of int
            One seed per member, in member order.
        """
        return [int(seed) for seed in self._members["seed"]]

    @property
    def summary(self) -> pd.DataFrame:
        """One row per member: its rows, holdout metrics, best iteration and training time.

        Returns
        -------
        pandas.DataFrame
            A copy, with the columns ``member``, ``seed``; ``input_rows`` (the rows
            assigned to the member) and ``rows`` (those it trained on, fewer where
            ``maxRowsPerMember`` capped it), split into ``train_rows`` and
            ``holdout_rows``; the task's holdout metrics (``holdout_accuracy``,
            ``holdout_logloss``, ``holdout_auc`` for a classifier, ``holdout_rmse``,
            ``holdout_mae``, ``holdout_r2`` for a regressor); ``best_iteration``,
            ``train_seconds``; and ``partition`` and ``train_started_at`` (Unix time),
            which show where and when each member trained.
        """
        return self._members[summary_columns(self._task)].copy()

    @property
    def featureImportances(self) -> DenseVector:
        """The members' CatBoost feature importances, each normalised to sum to 1, averaged.

        Returns
        -------
        pyspark.ml.linalg.DenseVector
            One value per feature, in the order of ``featuresCol``'s slots or of
            ``inputCols``; the values sum to 1.
        """
        stacked = np.stack([np.asarray(row) for row in self._members["feature_importances"]])
        return DenseVector(stacked.mean(axis=0))

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
        that._members = self._members.copy()
        return that

    @property
    def hasStacker(self) -> bool:
        """Whether the model carries a stacker (``bool``), so that combiner="stacked" works."""
        return self._stacker is not None

    def _check_stacker(self) -> None:
        if self.getCombiner() == "stacked" and self._stacker is None:
            others = [c for c in self.supportedCombiners if c != "stacked"]
            raise ValueError(
                "combiner='stacked' needs a stacker, and this model was fitted without one; "
                f"refit with combiner='stacked', or choose {', '.join(others)}."
            )

    def _output_columns(self) -> Dict[str, str]:
        """The task's named outputs and the column each goes to ("" skips it)."""
        raise NotImplementedError

    def _thresholds(self) -> Optional[List[float]]:
        return None

    def _loss(self) -> Optional[str]:
        """The members' loss, where it changes how raw scores become predictions."""
        return None

    def _blend(self) -> Optional[Blend]:
        return self._task.blend(
            self.getCombiner(), self._stacker, len(self._members), self._width, self._loss()
        )

    def _merging_combiners(self) -> List[str]:
        """The combiners that merge the members of this model into one."""
        return [
            combiner
            for combiner in self.supportedCombiners
            if self._task.blend(
                combiner, self._stacker, len(self._members), self._width, self._loss()
            )
            is not None
        ]

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
            width=self._width,
            num_features=self._num_features,
            combiner=self.getCombiner(),
            stacker=self._stacker,
            thresholds=tuple(thresholds) if thresholds is not None else None,
            blend=self._blend(),
            loss=self._loss(),
            categorical_positions=tuple(self._categorical_positions),
            contributions=contributions,
            variance=variance,
        )

    def nativeModel(self) -> Any:
        """The ensemble as one CatBoost model that scores as ``transform`` does.

        Only combiners linear in the members' raw scores merge: ``"geometric"`` always,
        and depending on the task and loss ``"mean"`` or ``"stacked"``. The model is built
        in memory on the driver, for SHAP values, ONNX export or serving without Spark.

        Returns
        -------
        catboost.CatBoostClassifier or catboost.CatBoostRegressor
            The merged model. Its features are named after ``inputCols`` when the model
            reads raw columns, and ``"0"``, ``"1"``, ... (the vector's slots) when it
            reads ``featuresCol``.

        Raises
        ------
        ValueError
            If the current combiner does not merge; the message names those that do.
        """
        blend = self._refuse_unmerged("nativeModel()")
        self._check_stacker()
        models = cached_members(self._members_key(), self.members, self._task)
        # A merge of its own: the cached one scores this process's batches by position, and
        # CatBoost cannot copy a merge with categorical features (copying serialises it).
        merged = merge_members(models, blend, self._task)
        if self.isDefined(self.inputCols):
            # Named after the input columns, so a pandas frame of them scores as it is.
            merged.set_feature_names(list(self.getInputCols()))
        return merged

    def saveNativeModel(self, path: str, format: str = "cbm") -> None:
        """Write :meth:`nativeModel` to a local file in one of CatBoost's export formats.

        Parameters
        ----------
        path : str
            A local file path (CatBoost writes it, not Spark).
        format : {"cbm", "json", "onnx", "cpp", "python", "coreml", "pmml"}, default="cbm"
            CatBoost's export format; some formats do not take every model, and then
            CatBoost's reason is raised.

        Raises
        ------
        ValueError
            If the format is unknown, the combiner does not merge, the model has
            categorical features (CatBoost cannot serialise such a merge), or CatBoost
            cannot export the model in that format.
        """
        if format not in NATIVE_FORMATS:
            raise ValueError(
                f"format must be one of {list(NATIVE_FORMATS)}, CatBoost's export formats. "
                f"Got {format!r} instead."
            )
        if self._categorical_positions:
            raise ValueError(
                "saveNativeModel cannot write a merged model with categorical features: "
                "CatBoost 1.2 merges their counters exactly in memory, but cannot serialise "
                "the merge (cbm fails; a json round trip scores differently). Use "
                "nativeModel() in this process, or model.members one by one."
            )
        model = self.nativeModel()
        try:
            model.save_model(path, format=format)
        except Exception as error:
            raise ValueError(f"CatBoost cannot export this model as {format!r}: {error}") from None

    def _contributions_col(self) -> str:
        return self.getContributionsCol() if self.isDefined(self.contributionsCol) else ""

    def _transform(self, dataset: DataFrame) -> DataFrame:
        outputs = {**self._output_columns(), CONTRIBUTIONS: self._contributions_col()}
        if not any(outputs.values()):
            return dataset
        if outputs[CONTRIBUTIONS]:
            self._refuse_unmerged(f"contributionsCol={outputs[CONTRIBUTIONS]!r}")
        input_cols = self.getInputCols() if self.isDefined(self.inputCols) else None
        check_feature_columns(
            dataset.schema, self.getFeaturesCol(), input_cols, self.getCategoricalCols()
        )
        blocks = feature_blocks(
            self, dataset.schema, self._categorical_positions, self._num_features
        )
        check_category_kinds(dataset.schema, self._category_kinds)
        check_output_columns(dataset.schema, outputs.values())
        self._check_stacker()
        numeric = blocks.numeric
        if not self.isDefined(self.inputCols):
            numeric = checked_features(
                blocks.check, numeric, self._num_features, self.getFeaturesCol()
            )
        spec = self._score_spec(
            contributions=bool(outputs[CONTRIBUTIONS]), variance=bool(outputs.get("variance"))
        )
        sizes = {name: self._width for name in self._task.vector_outputs}
        sizes[CONTRIBUTIONS] = spec.contributions_size()
        scored = dataset.withColumn(_SCORED, score_column(blocks, numeric, self.members, spec))
        for output, column in outputs.items():
            if column:
                value = output_value(F.col(_SCORED), output, sizes.get(output))
                scored = scored.withColumn(column, value)
        return scored.drop(_SCORED)

    def _score_one(self, value: Vector) -> Dict[str, np.ndarray]:
        """The task's named outputs for one feature vector, each of one row."""
        array = np.asarray(value.toArray(), dtype=np.float64).reshape(1, -1)
        if array.shape[1] != self._num_features:
            raise ValueError(
                f"the vector has {array.shape[1]} features, but the model was fitted on "
                f"{self._num_features}."
            )
        if self.isDefined(self.inputCols):
            raise ValueError(
                "This model reads raw inputCols, so it scores DataFrames only; use transform."
            )
        self._check_stacker()
        positions = self._categorical_positions
        if positions:
            numeric = np.delete(array, positions, axis=1)
            categories = array[:, positions].astype(np.int64).astype(str)
            array = assemble_features(numeric, categories, positions)
        key = self._members_key()
        models = cached_members(key, self.members, self._task)
        spec = self._score_spec()
        merged = cached_merge(key, spec.blend, models, self._task) if spec.blend else None
        return score_batch(models, array, spec, merged=merged)
