"""The Spark ML estimator and model. Spark glue only: the logic lives in the modules it calls."""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import replace
from typing import Any, Dict, List, Optional

import numpy as np
import pandas as pd
from pyspark import keyword_only
from pyspark.ml.classification import ProbabilisticClassificationModel, ProbabilisticClassifier
from pyspark.ml.linalg import DenseVector, Vector, Vectors
from pyspark.ml.util import MLReadable, MLWritable
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from sparkensemble.combiners import combine, predict_labels
from sparkensemble.features import (
    FeatureBlocks,
    category_kinds,
    check_category_kinds,
    input_blocks,
)
from sparkensemble.members import (
    MemberSettings,
    assemble_features,
    derive_member_seeds,
    member_probabilities,
)
from sparkensemble.params import _SampledEnsembleParams
from sparkensemble.persistence import (
    FORMAT_VERSION,
    MEMBER_TABLE_COLUMNS,
    EnsembleModelReader,
    EnsembleModelWriter,
    ParamsReader,
    SafeWriter,
    canonical_member_table,
)
from sparkensemble.scoring import (
    cached_members,
    checked_features,
    ensemble_key,
    output_value,
    score_column,
)
from sparkensemble.stacking import Stacker, fit_stacker
from sparkensemble.training import (
    hashed_rows,
    member_frame,
    out_of_fold_predictions,
    raise_member_errors,
    train_members,
)
from sparkensemble.validation import (
    TrainingProfile,
    check_fit_schema,
    check_output_columns,
    profile_training_data,
)

logger = logging.getLogger(__name__)

_SCORED = "__se_scored"
# Per-member columns of the summary; the model table also holds each member's bytes.
SUMMARY_COLUMNS = [
    "member",
    "seed",
    "input_rows",  # rows assigned to the member; more than rows if maxRowsPerMember capped it
    "rows",
    "train_rows",
    "holdout_rows",
    "holdout_accuracy",
    "holdout_logloss",
    "holdout_auc",
    "best_iteration",
    "train_seconds",
    # Where and when each member trained: members of one fit should overlap in time.
    "partition",
    "train_started_at",
]


def _blocks(
    params: _SampledEnsembleParams,
    schema: StructType,
    positions: Optional[List[int]] = None,
    num_features: Optional[int] = None,
) -> FeatureBlocks:
    input_cols = params.getInputCols() if params.isDefined(params.inputCols) else None
    return input_blocks(
        schema,
        params.getFeaturesCol(),
        input_cols,
        params.getCategoricalCols(),
        positions,
        num_features,
    )


class SampledEnsembleClassifier(
    ProbabilisticClassifier, _SampledEnsembleParams, MLWritable, MLReadable
):
    """Train CatBoost members on disjoint pieces of a DataFrame, in parallel, and ensemble them.

    Each member trains in its own Spark task on one fold (``strategy="fold"``, rows
    assigned by a hash of their content and ``seed``, or by ``foldCol``) or on one input
    partition (``strategy="partition"``, no shuffle). Labels are class indices
    ``0..C-1`` as doubles; features are a Vector or an array of numbers.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> rows = [(Vectors.dense([float(i % 7), float(i % 3)]), float(i % 7 > 3)) for i in range(400)]
    >>> df = spark.createDataFrame(rows, ["features", "label"])
    >>> clf = SampledEnsembleClassifier(numMembers=2, iterations=20, depth=3, seed=1)
    >>> model = clf.fit(df)
    >>> model.numClasses, len(model.members)
    (2, 2)
    >>> model.transform(df).select("prediction").distinct().count()
    2
    """

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: Optional[str] = None,
        inputCols: Optional[List[str]] = None,
        categoricalCols: Optional[List[str]] = None,
        numMembers: int = 5,
        strategy: str = "fold",
        foldCol: Optional[str] = None,
        combiner: str = "mean",
        validationFraction: float = 0.1,
        earlyStoppingRounds: int = 100,
        stackerMaxRows: int = 100_000,
        maxRowsPerMember: int = 1_000_000,
        iterations: int = 1000,
        depth: int = 6,
        learningRate: Optional[float] = None,
        l2LeafReg: Optional[float] = None,
        catboostParams: Optional[Dict[str, Any]] = None,
        thresholds: Optional[List[float]] = None,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: Optional[str] = None,
        inputCols: Optional[List[str]] = None,
        categoricalCols: Optional[List[str]] = None,
        numMembers: int = 5,
        strategy: str = "fold",
        foldCol: Optional[str] = None,
        combiner: str = "mean",
        validationFraction: float = 0.1,
        earlyStoppingRounds: int = 100,
        stackerMaxRows: int = 100_000,
        maxRowsPerMember: int = 1_000_000,
        iterations: int = 1000,
        depth: int = 6,
        learningRate: Optional[float] = None,
        l2LeafReg: Optional[float] = None,
        catboostParams: Optional[Dict[str, Any]] = None,
        thresholds: Optional[List[float]] = None,
        seed: int = 0,
    ) -> SampledEnsembleClassifier:
        """Sets params for this estimator; only the arguments given are changed."""
        return self._set(**self._input_kwargs)

    def setWeightCol(self, value: str) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`weightCol`."""
        return self._set(weightCol=value)

    def setInputCols(self, value: List[str]) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`inputCols` (raw feature columns, instead of featuresCol)."""
        return self._set(inputCols=value)

    def setCategoricalCols(self, value: List[str]) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`categoricalCols`."""
        return self._set(categoricalCols=value)

    def setNumMembers(self, value: int) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`numMembers`."""
        return self._set(numMembers=value)

    def setStrategy(self, value: str) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`strategy`."""
        return self._set(strategy=value)

    def setFoldCol(self, value: str) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`foldCol`."""
        return self._set(foldCol=value)

    def setCombiner(self, value: str) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`combiner`."""
        return self._set(combiner=value)

    def setValidationFraction(self, value: float) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`validationFraction`."""
        return self._set(validationFraction=value)

    def setEarlyStoppingRounds(self, value: int) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`earlyStoppingRounds`."""
        return self._set(earlyStoppingRounds=value)

    def setIterations(self, value: int) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`iterations`."""
        return self._set(iterations=value)

    def setDepth(self, value: int) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`depth`."""
        return self._set(depth=value)

    def setLearningRate(self, value: float) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`learningRate`."""
        return self._set(learningRate=value)

    def setL2LeafReg(self, value: float) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`l2LeafReg`."""
        return self._set(l2LeafReg=value)

    def setCatboostParams(self, value: Dict[str, Any]) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`catboostParams`."""
        return self._set(catboostParams=value)

    def setSeed(self, value: int) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`seed`."""
        return self._set(seed=value)

    def write(self) -> SafeWriter:
        """An MLWriter for this estimator's params (no pickle: JSON metadata only)."""
        return SafeWriter(self)

    @classmethod
    def read(cls) -> ParamsReader:
        """An MLReader for estimators saved with :meth:`write`."""
        return ParamsReader(cls)

    def setMaxRowsPerMember(self, value: int) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`maxRowsPerMember`."""
        return self._set(maxRowsPerMember=value)

    def setStackerMaxRows(self, value: int) -> SampledEnsembleClassifier:
        """Sets the value of :py:attr:`stackerMaxRows`."""
        return self._set(stackerMaxRows=value)

    def _check_param_combination(self) -> None:
        if self.getCombiner() == "stacked" and importlib.util.find_spec("sklearn") is None:
            raise ImportError(
                "combiner='stacked' fits its stacker with scikit-learn, which is not installed; "
                "pip install 'sparkensemble[stacking]'."
            )
        if self.isDefined(self.foldCol) and self.getStrategy() != "fold":
            raise ValueError(
                f"foldCol={self.getFoldCol()!r} assigns rows to folds, but "
                f"strategy={self.getStrategy()!r}; use strategy='fold' or unset foldCol."
            )

    def _fit(self, dataset: DataFrame) -> SampledEnsembleClassificationModel:
        self._check_param_combination()
        weight_col = self.getOrDefault(self.weightCol) if self.isDefined(self.weightCol) else None
        fold_col = self.getFoldCol() if self.isDefined(self.foldCol) else None
        blocks = _blocks(self, dataset.schema)
        check_fit_schema(dataset.schema, self.getLabelCol(), weight_col, fold_col)
        if not dataset.storageLevel.useMemory and not dataset.storageLevel.useDisk:
            logger.warning(
                "The input DataFrame is not directly cached: fit reads it twice (once to check "
                "it, once to train), which is slow if its source is not cached either."
            )
        profile = profile_training_data(
            dataset, blocks.check, self.getLabelCol(), weight_col, fold_col, self.getNumMembers()
        )
        if self.isDefined(self.inputCols):
            profile = replace(profile, num_features=len(self.getInputCols()))
        rows = hashed_rows(
            dataset, blocks, self.getLabelCol(), weight_col, fold_col, self.getSeed()
        )
        model = self._train(rows, profile, blocks.categorical_positions, weight_col is not None)
        model._category_kinds = category_kinds(dataset.schema, self.getCategoricalCols())
        if self.getCombiner() == "stacked":
            model._stacker = self._fit_stacker(rows, model, profile, weight_col is not None)
        return self._copyValues(model)

    def _train(
        self,
        rows: DataFrame,
        profile: TrainingProfile,
        categorical_positions: List[int],
        has_weight: bool,
    ) -> SampledEnsembleClassificationModel:
        num_members, strategy = self.getNumMembers(), self.getStrategy()
        seeds = derive_member_seeds(self.getSeed(), num_members)
        settings = MemberSettings(
            num_classes=profile.num_classes,
            seed=0,  # replaced by each member's own seed in its task
            validation_fraction=self.getValidationFraction(),
            early_stopping_rounds=self.getEarlyStoppingRounds(),
            catboost_kwargs=self._catboost_kwargs(),
            categorical_positions=tuple(categorical_positions),
        )
        layout = member_frame(rows, strategy, num_members)
        results = train_members(
            layout, seeds, settings, has_weight=has_weight, max_rows=self.getMaxRowsPerMember()
        )
        raise_member_errors(results, num_members, strategy)
        results["seed"] = [seeds[m] for m in results["member"]]
        return SampledEnsembleClassificationModel._from_members(
            results, profile.num_classes, profile.num_features, categorical_positions
        )

    def _fit_stacker(
        self,
        rows: DataFrame,
        model: SampledEnsembleClassificationModel,
        profile: TrainingProfile,
        has_weight: bool,
    ) -> Stacker:
        fraction = self.getValidationFraction()
        max_rows = self.getStackerMaxRows()
        # Oversample a little, then keep the rows with the smallest hashes: a bound that is
        # exact and the same on every run.
        sample = min(1.0, 1.2 * max_rows / max(1.0, profile.rows * fraction))
        oof = out_of_fold_predictions(
            rows,
            model.members,
            profile.num_classes,
            fraction,
            sample,
            has_weight,
            model._categorical_positions,
        )
        if oof.empty:
            raise ValueError(
                "combiner='stacked' found no holdout rows to fit the stacker on; "
                "raise validationFraction."
            )
        oof = oof.sort_values("row_hash", kind="stable").head(max_rows)
        proba = np.stack(oof["proba"].to_numpy()).reshape(
            len(oof), len(model.members), profile.num_classes
        )
        return fit_stacker(
            proba.transpose(1, 0, 2),
            oof["label"].to_numpy(),
            profile.num_classes,
            weights=oof["weight"].to_numpy() if has_weight else None,
        )


class SampledEnsembleClassificationModel(
    ProbabilisticClassificationModel, _SampledEnsembleParams, MLWritable, MLReadable
):
    """A fitted ensemble: the members' native CatBoost bytes and how to combine them.

    ``transform`` adds ``rawPrediction`` (the combined member probabilities before
    renormalisation), ``probability`` and ``prediction``. Set an output column to ``""``
    to skip it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._members = pd.DataFrame(columns=MEMBER_TABLE_COLUMNS)
        self._num_classes = 0
        self._num_features = 0
        self._stacker: Optional[Stacker] = None
        self._categorical_positions: List[int] = []
        self._category_kinds: Dict[str, str] = {}

    @classmethod
    def _from_members(
        cls,
        members: pd.DataFrame,
        num_classes: int,
        num_features: int,
        categorical_positions: List[int],
    ) -> SampledEnsembleClassificationModel:
        model = cls()
        model._members = canonical_member_table(members)
        model._num_classes = int(num_classes)
        model._num_features = int(num_features)
        model._categorical_positions = list(categorical_positions)
        return model

    def write(self) -> EnsembleModelWriter:
        """An MLWriter for this model: parquet members and JSON metadata, no pickle."""
        return EnsembleModelWriter(self)

    @classmethod
    def read(cls) -> EnsembleModelReader:
        """An MLReader for models saved with :meth:`write`."""
        return EnsembleModelReader(cls)

    def _persisted_state(self) -> Dict[str, Any]:
        return {
            "formatVersion": FORMAT_VERSION,
            "numClasses": self._num_classes,
            "numFeatures": self._num_features,
            "numMembers": len(self._members),
            "membersDigest": ensemble_key(self.members),
            "stacker": self._stacker.to_json() if self._stacker else None,
            "categoricalPositions": self._categorical_positions,
            "categoryKinds": self._category_kinds,
        }

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
        self._num_classes = int(metadata["numClasses"])
        self._num_features = int(metadata["numFeatures"])
        self._categorical_positions = list(metadata.get("categoricalPositions", []))
        self._category_kinds = dict(metadata.get("categoryKinds", {}))
        stacker = metadata.get("stacker")
        self._stacker = Stacker.from_json(stacker) if stacker else None

    def setCombiner(self, value: str) -> SampledEnsembleClassificationModel:
        """Sets the value of :py:attr:`combiner`; members are re-combined, not refitted."""
        return self._set(combiner=value)

    @property
    def numClasses(self) -> int:
        """Number of classes (values the label can take)."""
        return self._num_classes

    @property
    def numFeatures(self) -> int:
        """Number of features the model was fitted on."""
        return self._num_features

    @property
    def members(self) -> List[bytes]:
        """Each member's native CatBoost model bytes; write one to a ``.cbm`` file to export it."""
        return list(self._members["model"])

    @property
    def memberSeeds(self) -> List[int]:
        """The CatBoost ``random_seed`` each member trained with, derived from ``seed``."""
        return [int(seed) for seed in self._members["seed"]]

    @property
    def summary(self) -> pd.DataFrame:
        """One row per member: rows, holdout metrics, best iteration and training seconds."""
        return self._members[SUMMARY_COLUMNS].copy()

    @property
    def featureImportances(self) -> DenseVector:
        """The members' CatBoost feature importances, each normalised to sum to 1, averaged."""
        stacked = np.stack([np.asarray(row) for row in self._members["feature_importances"]])
        return DenseVector(stacked.mean(axis=0))

    def copy(self, extra: Optional[Dict] = None) -> SampledEnsembleClassificationModel:
        """Copy params and members, so no two copies share mutable state."""
        that = super().copy(extra)
        that._members = self._members.copy()
        return that

    @property
    def hasStacker(self) -> bool:
        """Whether the model carries a stacker, so that combiner='stacked' can be used."""
        return self._stacker is not None

    def _check_stacker(self) -> None:
        if self.getCombiner() == "stacked" and self._stacker is None:
            raise ValueError(
                "combiner='stacked' needs a stacker, and this model was fitted without one; "
                "refit with combiner='stacked', or choose mean, median or max."
            )

    def _thresholds(self) -> Optional[List[float]]:
        if not self.isDefined(self.thresholds):
            return None
        thresholds = self.getThresholds()
        if len(thresholds) != self._num_classes:
            raise ValueError(
                f"thresholds has {len(thresholds)} values, but the model has "
                f"{self._num_classes} classes; give one threshold per class."
            )
        return thresholds

    def _transform(self, dataset: DataFrame) -> DataFrame:
        outputs = {
            "raw": self.getRawPredictionCol(),
            "probability": self.getProbabilityCol(),
            "prediction": self.getPredictionCol(),
        }
        if not any(outputs.values()):
            return dataset
        blocks = _blocks(self, dataset.schema, self._categorical_positions, self._num_features)
        check_category_kinds(dataset.schema, self._category_kinds)
        check_output_columns(dataset.schema, outputs.values())
        self._check_stacker()
        numeric = blocks.numeric
        if not self.isDefined(self.inputCols):
            numeric = checked_features(
                blocks.check, numeric, self._num_features, self.getFeaturesCol()
            )
        scored = dataset.withColumn(
            _SCORED,
            score_column(
                blocks,
                numeric,
                self.members,
                self._num_classes,
                self.getCombiner(),
                self._thresholds(),
                self._stacker,
            ),
        )
        for field, column in outputs.items():
            if not column:
                continue
            value = output_value(F.col(_SCORED), field, self._num_classes)
            scored = scored.withColumn(column, value)
        return scored.drop(_SCORED)

    def _predict_one(self, value: Vector):
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
        models = cached_members(ensemble_key(self.members), self.members)
        proba = member_probabilities(models, array, self._num_classes)
        return combine(proba, self.getCombiner(), self._stacker)

    def predictRaw(self, value: Vector) -> Vector:
        """The combined member probabilities for one feature vector, before renormalisation."""
        return Vectors.dense(self._predict_one(value)[0][0])

    def predictProbability(self, value: Vector) -> Vector:
        """The class probabilities for one feature vector."""
        return Vectors.dense(self._predict_one(value)[1][0])

    def predict(self, value: Vector) -> float:
        """The predicted class index for one feature vector."""
        probability = self._predict_one(value)[1]
        return float(predict_labels(probability, self._thresholds())[0])
