"""SampledEnsembleClassifier and its model: the classification task on the shared core."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from pyspark.ml.classification import ProbabilisticClassificationModel, ProbabilisticClassifier
from pyspark.ml.linalg import Vector, Vectors
from pyspark.ml.util import MLReadable, MLWritable

from sparkensemble.core import _SampledEnsembleEstimator
from sparkensemble.model import _SampledEnsembleModel
from sparkensemble.params import _SampledEnsembleClassifierParams
from sparkensemble.tasks import CLASSIFICATION


class SampledEnsembleClassificationModel(
    _SampledEnsembleModel,
    ProbabilisticClassificationModel,
    _SampledEnsembleClassifierParams,
    MLWritable,
    MLReadable,
):
    """A fitted classifier ensemble: the members' native CatBoost bytes and how to combine them.

    ``transform`` adds ``rawPrediction`` (the combined member probabilities before
    renormalisation; the stacker's margins with ``combiner="stacked"``), ``probability``
    and ``prediction``. Set an output column to ``""`` to skip it.
    """

    _task = CLASSIFICATION

    @property
    def numClasses(self) -> int:
        """Number of classes (values the label can take)."""
        return self._width

    def _output_columns(self) -> Dict[str, str]:
        return {
            "raw": self.getRawPredictionCol(),
            "probability": self.getProbabilityCol(),
            "prediction": self.getPredictionCol(),
        }

    def _thresholds(self) -> Optional[List[float]]:
        if not self.isDefined(self.thresholds):
            return None
        thresholds = self.getThresholds()
        if len(thresholds) != self._width:
            raise ValueError(
                f"thresholds has {len(thresholds)} values, but the model has "
                f"{self._width} classes; give one threshold per class."
            )
        return thresholds

    def predictRaw(self, value: Vector) -> Vector:
        """The combined member probabilities for one feature vector, before renormalisation."""
        return Vectors.dense([field[0] for field in self._class_fields(value, "raw")])

    def predictProbability(self, value: Vector) -> Vector:
        """The class probabilities for one feature vector."""
        return Vectors.dense([field[0] for field in self._class_fields(value, "probability")])

    def predict(self, value: Vector) -> float:
        """The predicted class index for one feature vector."""
        return float(self._score_one(value)["prediction"][0])

    def _class_fields(self, value: Vector, output: str) -> List[Any]:
        scored = self._score_one(value)
        return [scored[f"{output}_{index}"] for index in range(self._width)]


class SampledEnsembleClassifier(
    _SampledEnsembleEstimator,
    ProbabilisticClassifier,
    _SampledEnsembleClassifierParams,
    MLWritable,
    MLReadable,
):
    """Train CatBoost classifiers on disjoint pieces of a DataFrame, in parallel, and ensemble them.

    Each member trains in its own Spark task on one fold (``strategy="fold"``, rows
    assigned by a hash of their content and ``seed``, or by ``foldCol``) or on one input
    partition (``strategy="partition"``, no shuffle). Labels are class indices
    ``0..C-1`` as doubles; features are a Vector, an array of numbers, or raw
    ``inputCols``. Params are keyword arguments; see the README for the full list.

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

    _task = CLASSIFICATION
    _model_class = SampledEnsembleClassificationModel
