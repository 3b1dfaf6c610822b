"""The Params each task adds to the shared ones: its combiners, the regressor's and the
ranker's loss, and the ranker's group column.

The shared Params, and how values are checked, are :mod:`sparkensemble.params`.
"""

from __future__ import annotations

from typing import Any, Dict, List

from pyspark.ml.classification import _ProbabilisticClassifierParams
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasVarianceCol

from sparkensemble.param_checks import (
    loss_function,
    one_of,
    ranker_combiner,
    ranking_loss_function,
    regressor_catboost_params,
)
from sparkensemble.params import _SampledEnsembleParams
from sparkensemble.tasks import CLASSIFICATION, RANKING, REGRESSION
from sparkensemble.tasks.ranking import NDCG_TOP, RANKING_LOSSES
from sparkensemble.tasks.regression import REGRESSION_LOSSES


class _SampledEnsembleClassifierParams(_SampledEnsembleParams, _ProbabilisticClassifierParams):
    """Params of :class:`SampledEnsembleClassifier` and its model."""

    supportedCombiners: List[str] = list(CLASSIFICATION.combiners)

    combiner: Param[str] = Param(
        Params._dummy(),
        "combiner",
        "how member probabilities are combined at transform time: "
        + ", ".join(supportedCombiners)
        + ". Median and max rows are renormalised to sum to 1. 'geometric' averages the "
        "members' raw scores (log-odds), a renormalised geometric mean of the probabilities, "
        "and merges into one CatBoost model. 'stacked' applies a logistic regression fitted "
        "on out-of-fold predictions, and needs combiner='stacked' at fit.",
        typeConverter=one_of("combiner", supportedCombiners),
    )


class _LossFunctionParams(_SampledEnsembleParams):
    """What the tasks whose loss is a Param share: the regressor's and the ranker's.

    Each subclass declares its own ``lossFunction`` Param, with the losses it accepts.
    """

    lossFunction: Param[str]
    catboostParams: Param[Dict[str, Any]] = Param(
        Params._dummy(),
        "catboostParams",
        _SampledEnsembleParams.catboostParams.doc + " The loss is set with lossFunction.",
        typeConverter=regressor_catboost_params,
    )

    def getLossFunction(self) -> str:
        """Gets the value of lossFunction or its default value."""
        return self.getOrDefault(self.lossFunction)

    def _catboost_kwargs(self) -> Dict[str, Any]:
        kwargs = super()._catboost_kwargs()
        kwargs["loss_function"] = self.getLossFunction()
        return kwargs


class _SampledEnsembleRegressorParams(_LossFunctionParams, HasVarianceCol):
    """Params of :class:`SampledEnsembleRegressor` and its model."""

    supportedCombiners: List[str] = list(REGRESSION.combiners)
    supportedLossFunctions: List[str] = list(REGRESSION_LOSSES)

    combiner: Param[str] = Param(
        Params._dummy(),
        "combiner",
        "how member predictions are combined at transform time: "
        + ", ".join(supportedCombiners)
        + ". 'geometric' averages raw scores: the mean for identity-link losses, the "
        "geometric mean of predictions for Poisson and Tweedie. 'stacked' applies a linear "
        "regression with non-negative member weights fitted on out-of-fold predictions, and "
        "needs combiner='stacked' at fit.",
        typeConverter=one_of("combiner", supportedCombiners),
    )
    lossFunction: Param[str] = Param(
        Params._dummy(),
        "lossFunction",
        "the CatBoost regression loss each member minimises, with CatBoost's parameter "
        "syntax: " + ", ".join(supportedLossFunctions) + " (for example 'Quantile:alpha=0.9' or "
        "'Tweedie:variance_power=1.5'). The name is checked when set, the parameters at fit.",
        typeConverter=loss_function,
    )

    def __init__(self) -> None:
        super().__init__()
        # MAE, Quantile, Poisson and most regression losses keep CatBoost's fixed 0.03
        # learning rate when it is unset, so fewer iterations would underfit them.
        self._setDefault(lossFunction="RMSE", iterations=1000)


class _SampledEnsembleRankerParams(_LossFunctionParams):
    """Params of :class:`SampledEnsembleRanker` and its model."""

    supportedCombiners: List[str] = list(RANKING.combiners)
    supportedLossFunctions: List[str] = list(RANKING_LOSSES)

    groupCol: Param[str] = Param(
        Params._dummy(),
        "groupCol",
        "column of each row's group (query) id, integer or string: rows are ranked within "
        "their group, and every group trains one member whole.",
        typeConverter=TypeConverters.toString,
    )
    combiner: Param[str] = Param(
        Params._dummy(),
        "combiner",
        "how member scores are combined at transform time: "
        + ", ".join(supportedCombiners)
        + ". 'mean' averages the raw ranking scores and merges into one CatBoost ranker; "
        "'median' does not merge. A ranker has no stacker.",
        typeConverter=ranker_combiner(supportedCombiners),
    )
    lossFunction: Param[str] = Param(
        Params._dummy(),
        "lossFunction",
        "the CatBoost ranking loss each member minimises, with CatBoost's parameter syntax: "
        + ", ".join(supportedLossFunctions)
        + f". Members early-stop on, and report, holdout NDCG@{NDCG_TOP}. The name is checked "
        "when set, the parameters at fit.",
        typeConverter=ranking_loss_function,
    )

    def __init__(self) -> None:
        super().__init__()
        # CatBoost keeps a fixed learning rate of 0.03 for ranking losses when it is unset.
        self._setDefault(lossFunction="YetiRank", iterations=1000)

    def getGroupCol(self) -> str:
        """Gets the value of groupCol."""
        return self.getOrDefault(self.groupCol)
