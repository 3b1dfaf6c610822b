"""Train CatBoost members on pieces of a Spark DataFrame, in parallel, and ensemble them."""

from sparkensemble.classifier import SampledEnsembleClassificationModel, SampledEnsembleClassifier

__all__ = ["SampledEnsembleClassifier", "SampledEnsembleClassificationModel"]
__version__ = "0.1.0"
