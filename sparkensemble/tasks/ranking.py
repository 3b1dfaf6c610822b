"""Ranking: CatBoostRanker members trained on whole groups, whose scores are averaged.

A member's output is its raw ranking score for a row; only the order of the scores within
a group means anything. Members train on disjoint, hash-chosen groups with the same
settings, so they are exchangeable, and the mean of their scores is the ensemble's (the
median is offered as a robust alternative). No stacker: a learned blend would need a
ranking objective over out-of-fold groups, and for exchangeable members its weights
would tend to the equal weights of the mean. No Spark here.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np
from catboost import CatBoostError, CatBoostRanker, Pool

from sparkensemble.combiners import unknown_combiner
from sparkensemble.errors import MemberDataError
from sparkensemble.tasks.base import Blend, EnsembleTask, LabelStats, quiet

# CatBoost's ranking losses that train on CPU, each in CatBoost's parameter syntax, for
# example "YetiRank:top=10" or "StochasticRank:metric=NDCG". QueryCrossEntropy is GPU-only.
RANKING_LOSSES = (
    "YetiRank",
    "YetiRankPairwise",
    "PairLogit",
    "PairLogitPairwise",
    "QueryRMSE",
    "QuerySoftMax",
    "LambdaMart",
    "StochasticFilter",
    "StochasticRank",
)
RANKING_COMBINERS = ("mean", "median")
# The metric each member early-stops on and reports on its holdout: NDCG of the top 10
# rows of each group, with relevance as the gain (CatBoost's "Base" type).
NDCG_TOP = 10
NDCG_METRIC = f"NDCG:top={NDCG_TOP};type=Base"


def check_ranking_loss_name(value: str) -> str:
    """A CatBoost ranking loss by name, or a ValueError that lists them; trains nothing."""
    if value.split(":", 1)[0] not in RANKING_LOSSES:
        raise ValueError(
            f"The 'lossFunction' parameter must be a CatBoost ranking loss among "
            f"{list(RANKING_LOSSES)}, with parameters after a colon (for example "
            f"'StochasticRank:metric=NDCG'). Got {value!r} instead."
        )
    return value


def check_ranking_loss(value: str) -> str:
    """A ranking loss with valid parameters, or a ValueError that names the problem."""
    check_ranking_loss_name(value)
    # CatBoost checks a loss's parameters only when it trains: one tiny fit on the driver
    # finds a typo before any Spark job, not in every member's task.
    x = np.arange(16, dtype=np.float64).reshape(-1, 1)
    pool = Pool(x, (x[:, 0] % 4) / 3.0, group_id=np.repeat(np.arange(4), 4))
    try:
        CatBoostRanker(
            iterations=1, loss_function=value, verbose=False, allow_writing_files=False
        ).fit(pool)
    except CatBoostError as error:
        detail = str(error).split(": ", 1)[-1]
        raise ValueError(f"lossFunction={value!r} is not valid: {detail}") from None
    return value


def loss_metric(loss: str) -> str:
    """The loss's name as CatBoost reports it as a metric: without its parameters."""
    return loss.split(":", 1)[0]


class RankingTask(EnsembleTask):
    name = "ranking"
    metric_names = ("holdout_ndcg", "holdout_loss")
    combiners = RANKING_COMBINERS
    vector_outputs = ()
    grouped = True
    string_label_fix = (
        "relevance must be numeric: map each grade to a non-negative number and cast it to double."
    )

    def model_class(self) -> type:
        return CatBoostRanker

    def check_catboost_kwargs(self, catboost_kwargs: Mapping[str, Any]) -> None:
        super().check_catboost_kwargs(catboost_kwargs)
        check_ranking_loss(str(catboost_kwargs.get("loss_function", "YetiRank")))

    def catboost_model(
        self, width: int, seed: int, thread_count: int, catboost_kwargs: Mapping[str, Any]
    ) -> CatBoostRanker:
        # YetiRank, LambdaMart and the stochastic losses have no value CatBoost can
        # evaluate, so members early-stop on holdout NDCG unless told otherwise.
        kwargs = {"eval_metric": NDCG_METRIC, **quiet(catboost_kwargs)}
        return CatBoostRanker(
            random_seed=seed, thread_count=thread_count, allow_writing_files=False, **kwargs
        )

    def check_labels(self, stats: LabelStats, label_col: str, declared: Optional[int]) -> int:
        if stats.nan_labels or stats.inf_labels:
            raise ValueError(
                f"labelCol={label_col!r} has {stats.nan_labels} NaN and {stats.inf_labels} "
                f"infinite values; relevance must be a finite number >= 0. Drop or fill those "
                f"rows."
            )
        if stats.min_label is not None and stats.min_label < 0:
            raise ValueError(
                f"labelCol={label_col!r} has negative values (min {stats.min_label}); "
                f"relevance must be >= 0, higher for rows that should rank first. Shift or "
                f"remap the grades."
            )
        if stats.min_label == stats.max_label:
            raise ValueError(
                f"labelCol={label_col!r} is {stats.min_label} on every row, so no row is more "
                f"relevant than another; there is nothing to rank. Check the label column."
            )
        return 1

    def check_member_labels(self, labels: np.ndarray, train: np.ndarray) -> None:
        values = labels[train]
        if len(values) and values.min() == values.max():
            raise MemberDataError(
                f"its {len(values)} training rows all have the relevance {values[0]}; there "
                f"is nothing to rank. Use fewer members"
            )

    def member_output(
        self, model: CatBoostRanker, features: Any, width: int, threads: int
    ) -> np.ndarray:
        return np.asarray(model.predict(features, thread_count=threads)).reshape(-1, 1)

    def holdout_metrics(
        self, model: CatBoostRanker, holdout: Optional[Pool], width: int
    ) -> Dict[str, float]:
        if holdout is None:
            return dict.fromkeys(self.metric_names, np.nan)
        loss = loss_metric(str(model.get_params().get("loss_function", "YetiRank")))
        # The last tree only: the model is already cut to its best iteration.
        last = model.tree_count_ - 1
        try:
            values = model.eval_metrics(holdout, [NDCG_METRIC, loss], ntree_start=last)
        except CatBoostError:  # YetiRank, LambdaMart, ...: a training objective only
            values = model.eval_metrics(holdout, [NDCG_METRIC], ntree_start=last)
        by_name = {name.split(":", 1)[0]: series[-1] for name, series in values.items()}
        return {
            "holdout_ndcg": float(by_name["NDCG"]),
            "holdout_loss": float(by_name.get(loss, np.nan)),
        }

    def score_fields(self, width: int) -> List[str]:
        return ["prediction"]

    def score(
        self, outputs: np.ndarray, combiner: str, stacker: Any, thresholds: Any
    ) -> Dict[str, np.ndarray]:
        scores = outputs[:, :, 0]
        if combiner == "mean":
            return {"prediction": scores.mean(axis=0)}
        if combiner == "median":
            return {"prediction": np.median(scores, axis=0)}
        raise unknown_combiner(combiner, RANKING_COMBINERS)

    def blend(
        self, combiner: str, stacker: Any, members: int, width: int, loss: Optional[str]
    ) -> Optional[Blend]:
        # A ranker's prediction is its raw score, so the mean of scores is one merged model.
        return Blend.equal(members) if combiner == "mean" else None

    def score_raw(
        self,
        raw: np.ndarray,
        width: int,
        loss: Optional[str],
        thresholds: Optional[Sequence[float]],
    ) -> Dict[str, np.ndarray]:
        return {"prediction": raw}

    def fit_stacker(
        self, outputs: np.ndarray, labels: np.ndarray, width: int, weights: Optional[np.ndarray]
    ) -> Any:
        raise ValueError("a ranker has no stacker; combine its members with 'mean' or 'median'")

    def stacker_from_json(self, data: Dict[str, Any]) -> Any:
        raise ValueError("a saved ranker holds no stacker; the model's metadata is corrupted")


RANKING = RankingTask()
