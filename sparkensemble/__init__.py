"""Train CatBoost members on pieces of a Spark DataFrame, in parallel, and ensemble them."""

# pyspark is an extra, not a requirement, so that the pyspark a cluster or a Spark Connect
# client provides is never shadowed. Without any, say what to install before another
# module's import fails deeper down.
try:
    import pyspark  # noqa: F401
except ModuleNotFoundError as error:
    if error.name != "pyspark":
        raise  # pyspark is there, but something it needs is not: its own error says what
    raise ImportError(
        'sparkensemble needs pyspark: pip install "sparkensemble[spark]", or use the '
        "pyspark your cluster provides (pyspark-client for Spark Connect)"
    ) from None

from sparkensemble.autologging import MLFLOW_MODEL_ALLOWLIST, mlflow_model_allowlist
from sparkensemble.classifier import SampledEnsembleClassificationModel, SampledEnsembleClassifier
from sparkensemble.ranker import SampledEnsembleRanker, SampledEnsembleRankingModel
from sparkensemble.ranking_evaluator import GroupNDCGEvaluator
from sparkensemble.regressor import SampledEnsembleRegressionModel, SampledEnsembleRegressor

__all__ = [
    "SampledEnsembleClassifier",
    "SampledEnsembleClassificationModel",
    "SampledEnsembleRegressor",
    "SampledEnsembleRegressionModel",
    "SampledEnsembleRanker",
    "SampledEnsembleRankingModel",
    "GroupNDCGEvaluator",
    "MLFLOW_MODEL_ALLOWLIST",
    "mlflow_model_allowlist",
]
__version__ = "0.2.0"
