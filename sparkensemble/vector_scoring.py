"""One feature vector scored on the driver, with no Spark job: the models' ``predict`` methods.

Mixins of the fitted model, as :mod:`sparkensemble.native_export` is: they read the
model's state and score spec, and score through
:func:`~sparkensemble.batch_scoring.score_batch`, the function the ``transform`` UDF runs,
so a vector scores exactly as the same row of a DataFrame does.
"""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
from pyspark.ml.linalg import Vector, Vectors

from sparkensemble.batch_scoring import score_batch
from sparkensemble.feature_arrays import assemble_features
from sparkensemble.member_cache import cached_members, cached_merge


class VectorScoring:
    """``predict`` for every task's model, and the scoring of one vector behind it."""

    def predict(self, value: Vector) -> float:
        """Score one feature vector on the driver: the ``prediction`` of ``transform``.

        Parameters
        ----------
        value : pyspark.ml.linalg.Vector
            One row's features, ``numFeatures`` of them, as ``featuresCol`` holds them.

        Returns
        -------
        float
            A classifier's predicted class index, after ``thresholds`` when they are set;
            a regressor's member predictions, combined with the current combiner.

        Raises
        ------
        ValueError
            If the vector's size is not ``numFeatures``, or the model reads ``inputCols``
            (score a DataFrame with ``transform`` then).
        """
        return float(self._score_one(value)["prediction"][0])

    def _score_one(self, value: Vector) -> Dict[str, np.ndarray]:
        """The task's named outputs for one feature vector, each of one row."""
        array = np.asarray(value.toArray(), dtype=np.float64).reshape(1, -1)
        state = self._state
        if array.shape[1] != state.num_features:
            raise ValueError(
                f"the vector has {array.shape[1]} features, but the model was fitted on "
                f"{state.num_features}."
            )
        if self.isDefined(self.inputCols):
            raise ValueError(
                "This model reads raw inputCols, so it scores DataFrames only; use transform."
            )
        self._check_stacker()
        positions = state.categorical_positions
        if positions:
            numeric = np.delete(array, positions, axis=1)
            categories = array[:, positions].astype(np.int64).astype(str)
            array = assemble_features(numeric, categories, positions)
        models = cached_members(state.key, state.blobs, self._task)
        spec = self._score_spec()
        merged = cached_merge(state.key, spec.blend, models, self._task) if spec.blend else None
        return score_batch(models, array, spec, merged=merged)


class ClassificationVectorScoring(VectorScoring):
    """``predictRaw`` and ``predictProbability`` besides ``predict``, for a fitted classifier."""

    def predictRaw(self, value: Vector) -> Vector:
        """Score one feature vector on the driver: the ``rawPrediction`` of ``transform``.

        Parameters
        ----------
        value : pyspark.ml.linalg.Vector
            One row's features, ``numFeatures`` of them, as ``featuresCol`` holds them.

        Returns
        -------
        pyspark.ml.linalg.DenseVector
            One value per class: the combined member probabilities before renormalisation
            (margins for ``"stacked"`` and ``"geometric"``).

        Raises
        ------
        ValueError
            If the vector's size is not ``numFeatures``, or the model reads ``inputCols``
            (score a DataFrame with ``transform`` then).
        """
        return Vectors.dense([field[0] for field in self._class_fields(value, "raw")])

    def predictProbability(self, value: Vector) -> Vector:
        """Score one feature vector on the driver: the ``probability`` of ``transform``.

        Parameters
        ----------
        value : pyspark.ml.linalg.Vector
            One row's features, ``numFeatures`` of them, as ``featuresCol`` holds them.

        Returns
        -------
        pyspark.ml.linalg.DenseVector
            The class probabilities, summing to 1.

        Raises
        ------
        ValueError
            If the vector's size is not ``numFeatures``, or the model reads ``inputCols``.
        """
        return Vectors.dense([field[0] for field in self._class_fields(value, "probability")])

    def _class_fields(self, value: Vector, output: str) -> List[Any]:
        scored = self._score_one(value)
        return [scored[f"{output}_{index}"] for index in range(self._state.width)]
