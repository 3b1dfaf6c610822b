"""Train CatBoost members on pieces of a Spark DataFrame, in parallel, and ensemble them."""

from sparkensemble.classifier import SampledEnsembleClassificationModel, SampledEnsembleClassifier
from sparkensemble.regressor import SampledEnsembleRegressionModel, SampledEnsembleRegressor

__all__ = [
    "SampledEnsembleClassifier",
    "SampledEnsembleClassificationModel",
    "SampledEnsembleRegressor",
    "SampledEnsembleRegressionModel",
]
__version__ = "0.2.0"
