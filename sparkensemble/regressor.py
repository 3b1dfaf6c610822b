"""SampledEnsembleRegressor and its model: the regression task on the shared core."""

from __future__ import annotations

from typing import Dict

from pyspark.ml.linalg import Vector
from pyspark.ml.regression import RegressionModel, Regressor
from pyspark.ml.util import MLReadable, MLWritable

from sparkensemble.core import _SampledEnsembleEstimator
from sparkensemble.model import _SampledEnsembleModel
from sparkensemble.params import _SampledEnsembleRegressorParams
from sparkensemble.tasks import REGRESSION


class SampledEnsembleRegressionModel(
    _SampledEnsembleModel,
    RegressionModel,
    _SampledEnsembleRegressorParams,
    MLWritable,
    MLReadable,
):
    """A fitted regressor ensemble: the members' native CatBoost bytes and how to combine them.

    ``transform`` adds ``prediction`` and, when ``varianceCol`` is set, the variance of
    the members' predictions for each row (population variance, over members).
    """

    _task = REGRESSION

    def _output_columns(self) -> Dict[str, str]:
        variance = self.getVarianceCol() if self.isDefined(self.varianceCol) else ""
        return {"prediction": self.getPredictionCol(), "variance": variance}

    def setVarianceCol(self, value: str) -> SampledEnsembleRegressionModel:
        """Sets the value of :py:attr:`varianceCol`."""
        return self._set(varianceCol=value)

    def _loss(self) -> str:
        return self.getLossFunction()

    def predict(self, value: Vector) -> float:
        """The combined prediction for one feature vector."""
        return float(self._score_one(value)["prediction"][0])


class SampledEnsembleRegressor(
    _SampledEnsembleEstimator,
    Regressor,
    _SampledEnsembleRegressorParams,
    MLWritable,
    MLReadable,
):
    """Train CatBoost regressors on disjoint pieces of a DataFrame, in parallel, and ensemble them.

    Rows are split among members exactly as :class:`SampledEnsembleClassifier` splits them.
    Each member minimises ``lossFunction`` (any CatBoost regression loss, ``RMSE`` by
    default); ``combiner`` is ``mean``, ``median`` or ``stacked``. Labels must be numeric
    and finite. Params are keyword arguments; see the README for the full list.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> rows = [(Vectors.dense([float(i % 7), float(i % 3)]), 2.0 * (i % 7)) for i in range(400)]
    >>> df = spark.createDataFrame(rows, ["features", "label"])
    >>> model = SampledEnsembleRegressor(numMembers=2, iterations=30, depth=3).fit(df)
    >>> len(model.members), model.getLossFunction()
    (2, 'RMSE')
    """

    _task = REGRESSION
    _model_class = SampledEnsembleRegressionModel

    def setLossFunction(self, value: str) -> SampledEnsembleRegressor:
        """Sets the value of :py:attr:`lossFunction`."""
        return self._set(lossFunction=value)

    def setVarianceCol(self, value: str) -> SampledEnsembleRegressor:
        """Sets the value of :py:attr:`varianceCol`."""
        return self._set(varianceCol=value)
