"""Regression: CatBoostRegressor members whose predictions are averaged or stacked.

A member's output is its ``predict()`` value, in the response space of its loss (for
Poisson and Tweedie, the exponent of the raw score). No Spark here.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np
from catboost import CatBoostError, CatBoostRegressor, Pool

from sparkensemble.combiners import REGRESSION_COMBINERS, combine_predictions
from sparkensemble.errors import MemberDataError
from sparkensemble.linear_stacking import LinearStacker
from sparkensemble.stacker_choice import choose_linear_stacker
from sparkensemble.tasks.base import Blend, EnsembleTask, LabelStats, quiet

# CatBoost's single-output regression losses. Each takes CatBoost's parameter syntax,
# for example "Quantile:alpha=0.9" or "Tweedie:variance_power=1.5".
REGRESSION_LOSSES = (
    "RMSE",
    "MAE",
    "Quantile",
    "Huber",
    "Poisson",
    "Tweedie",
    "MAPE",
    "LogLinQuantile",
    "Expectile",
    "LogCosh",
    "Lq",
    "RMSPE",
)
# Losses whose predict() is exp(raw score): CatBoost's "Exponent" prediction type.
LOG_LINK_LOSSES = ("Poisson", "Tweedie")


def has_log_link(loss: Optional[str]) -> bool:
    return bool(loss) and str(loss).split(":", 1)[0] in LOG_LINK_LOSSES


def check_loss_name(value: str) -> str:
    """A CatBoost regression loss by name, or a ValueError that lists them; trains nothing."""
    name = value.split(":", 1)[0]
    if name not in REGRESSION_LOSSES:
        raise ValueError(
            f"The 'lossFunction' parameter must be a CatBoost regression loss among "
            f"{list(REGRESSION_LOSSES)}, with parameters after a colon (for example "
            f"'Quantile:alpha=0.9'). Got {value!r} instead."
        )
    return value


def check_loss_function(value: str) -> str:
    """A CatBoost regression loss with valid parameters, or a ValueError that names them."""
    check_loss_name(value)
    # CatBoost checks a loss's parameters only when it trains: one tiny fit on the driver
    # finds a typo before any Spark job, not in every member's task.
    x = np.arange(8, dtype=np.float64).reshape(-1, 1)
    try:
        CatBoostRegressor(
            iterations=1, loss_function=value, verbose=False, allow_writing_files=False
        ).fit(x, x[:, 0] + 1.0)
    except CatBoostError as error:
        detail = str(error).split(": ", 1)[-1]
        raise ValueError(f"lossFunction={value!r} is not valid: {detail}") from None
    return value


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    return float(np.average(values, weights=weights))


class RegressionTask(EnsembleTask):
    name = "regression"
    metric_names = ("holdout_rmse", "holdout_mae", "holdout_r2")
    combiners = REGRESSION_COMBINERS
    vector_outputs = ()
    string_label_fix = "a regression label must be numeric; cast it to double."

    def model_class(self) -> type:
        return CatBoostRegressor

    def check_catboost_kwargs(self, catboost_kwargs: Mapping[str, Any]) -> None:
        super().check_catboost_kwargs(catboost_kwargs)
        check_loss_function(str(catboost_kwargs.get("loss_function", "RMSE")))

    def catboost_model(
        self, width: int, seed: int, thread_count: int, catboost_kwargs: Mapping[str, Any]
    ) -> CatBoostRegressor:
        return CatBoostRegressor(
            random_seed=seed,
            thread_count=thread_count,
            allow_writing_files=False,
            **quiet(catboost_kwargs),
        )

    def check_labels(self, stats: LabelStats, label_col: str, declared: Optional[int]) -> int:
        if stats.nan_labels or stats.inf_labels:
            raise ValueError(
                f"labelCol={label_col!r} has {stats.nan_labels} NaN and "
                f"{stats.inf_labels} infinite values; a regression label must be finite. "
                f"Drop or fill those rows."
            )
        if stats.min_label == stats.max_label:
            raise ValueError(
                f"labelCol={label_col!r} is constant ({stats.min_label}); there is nothing "
                f"to learn. Check the label column."
            )
        return 1

    def check_member_labels(self, labels: np.ndarray, train: np.ndarray) -> None:
        values = labels[train]
        if len(values) and values.min() == values.max():
            raise MemberDataError(
                f"its {len(values)} training rows all have the label {values[0]}; CatBoost "
                f"cannot fit a constant. Use fewer members, or a foldCol that mixes labels"
            )

    def member_output(
        self, model: CatBoostRegressor, features: Any, width: int, threads: int
    ) -> np.ndarray:
        return model.predict(features, thread_count=threads).reshape(-1, 1)

    def holdout_metrics(
        self, model: CatBoostRegressor, holdout: Optional[Pool], width: int
    ) -> Dict[str, float]:
        if holdout is None:
            return dict.fromkeys(self.metric_names, np.nan)
        labels = np.asarray(holdout.get_label(), dtype=np.float64)
        weights = np.asarray(holdout.get_weight(), dtype=np.float64)  # ones when unweighted
        errors = model.predict(holdout) - labels
        total = weighted_mean((labels - weighted_mean(labels, weights)) ** 2, weights)
        mse = weighted_mean(errors**2, weights)
        return {
            "holdout_rmse": float(np.sqrt(mse)),
            "holdout_mae": weighted_mean(np.abs(errors), weights),
            "holdout_r2": 1.0 - mse / total if total > 0 else np.nan,
        }

    def score_fields(self, width: int) -> List[str]:
        return ["prediction", "variance"]

    def score(
        self,
        outputs: np.ndarray,
        combiner: str,
        stacker: Optional[LinearStacker],
        thresholds: Optional[Sequence[float]],
    ) -> Dict[str, np.ndarray]:
        return {
            "prediction": combine_predictions(outputs[:, :, 0], combiner, stacker),
            "variance": outputs[:, :, 0].var(axis=0),
        }

    def blend(
        self,
        combiner: str,
        stacker: Optional[LinearStacker],
        members: int,
        width: int,
        loss: Optional[str],
    ) -> Optional[Blend]:
        if combiner == "geometric":
            return Blend.equal(members)
        if has_log_link(loss):
            return None  # a mean of exp(raw) is not exp of a mean of raw scores
        if combiner == "mean":
            return Blend.equal(members)
        if combiner == "stacked" and stacker is not None:
            weights, intercept = stacker.applied()
            return Blend(tuple(weights.tolist()), intercept)
        return None

    def score_raw(
        self, raw: np.ndarray, width: int, loss: Optional[str], thresholds: Any
    ) -> Dict[str, np.ndarray]:
        prediction = np.exp(raw) if has_log_link(loss) else raw
        # The variance needs every member's prediction; batch scoring fills it when asked.
        return {"prediction": prediction, "variance": np.full(len(raw), np.nan)}

    def fit_stacker(
        self, outputs: np.ndarray, labels: np.ndarray, width: int, weights: Optional[np.ndarray]
    ) -> LinearStacker:
        return choose_linear_stacker(outputs[:, :, 0], labels, weights)

    def stacker_from_json(self, data: Dict[str, Any]) -> LinearStacker:
        return LinearStacker.from_json(data)


REGRESSION = RegressionTask()
