"""Classification: CatBoostClassifier members whose class probabilities are combined.

Labels are class indices 0..C-1. A member's output is its probability of each class,
aligned to the full class set; the combiners are :mod:`sparkensemble.combiners`, and
the stacker is the logistic regression of :mod:`sparkensemble.logistic_stacking`. No
Spark here.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np
from catboost import CatBoostClassifier, Pool

from sparkensemble.combiners import (
    CLASSIFICATION_COMBINERS,
    align_probabilities,
    binary_margins,
    combine,
    predict_labels,
    softmax,
)
from sparkensemble.errors import MemberDataError
from sparkensemble.logistic_stacking import Stacker
from sparkensemble.stacker_choice import choose_stacker
from sparkensemble.tasks.base import (
    Blend,
    EnsembleTask,
    LabelStats,
    member_outputs,
    quiet,
    split_fields,
    vector_fields,
)
from sparkensemble.weight_choice import LEARNED


class ClassificationTask(EnsembleTask):
    name = "classification"
    metric_names = ("holdout_accuracy", "holdout_logloss", "holdout_auc")
    combiners = CLASSIFICATION_COMBINERS
    vector_outputs = ("raw", "probability")
    string_label_fix = "index it into 0..C-1 with pyspark.ml.feature.StringIndexer first."
    width_key = "numClasses"
    label_dtype = np.int64

    def model_class(self) -> type:
        return CatBoostClassifier

    def default_loss(self, width: int) -> str:
        return "MultiClass" if width > 2 else "Logloss"

    def catboost_model(
        self, width: int, seed: int, thread_count: int, catboost_kwargs: Mapping[str, Any]
    ) -> CatBoostClassifier:
        kwargs = quiet(catboost_kwargs)
        kwargs.setdefault("loss_function", self.default_loss(width))
        return CatBoostClassifier(
            random_seed=seed,
            thread_count=thread_count,
            allow_writing_files=False,
            class_names=list(range(width)),
            **kwargs,
        )

    def check_labels(self, stats: LabelStats, label_col: str, declared: Optional[int]) -> int:
        bad = stats.nan_labels + stats.inf_labels + stats.non_integral_labels
        if bad or stats.min_label < 0:
            raise ValueError(
                f"labelCol={label_col!r} must hold class indices 0, 1, ..., C-1, but has "
                f"non-integral, NaN, infinite or negative values (min {stats.min_label}); "
                f"index the labels with pyspark.ml.feature.StringIndexer first."
            )
        observed = int(stats.max_label) + 1
        if declared is not None and observed > declared:
            raise ValueError(
                f"labelCol={label_col!r} has value {observed - 1}, but its metadata declares "
                f"{declared} classes."
            )
        num_classes = max(declared or 0, observed)
        if num_classes < 2:
            raise ValueError(
                f"labelCol={label_col!r} holds a single class; a classifier needs at least two."
            )
        return num_classes

    def check_member_labels(self, labels: np.ndarray, train: np.ndarray) -> None:
        train_classes = np.unique(labels[train])
        if len(train_classes) < 2:
            raise MemberDataError(
                f"its {int(train.sum())} training rows hold a single class "
                f"({train_classes.astype(np.int64).tolist()}); use fewer members, or a foldCol "
                f"that mixes classes"
            )

    def member_output(
        self, model: CatBoostClassifier, features: Any, width: int, threads: int
    ) -> np.ndarray:
        proba = model.predict_proba(features, thread_count=threads)
        return align_probabilities(proba, model.classes_, width)

    def holdout_metrics(
        self, model: CatBoostClassifier, holdout: Optional[Pool], width: int
    ) -> Dict[str, float]:
        if holdout is None:
            return dict.fromkeys(self.metric_names, np.nan)
        logloss = self.default_loss(width)
        auc = "AUC:type=Mu" if width > 2 else "AUC"
        values = model.eval_metrics(
            holdout, ["Accuracy", logloss, auc], ntree_start=model.tree_count_ - 1
        )
        return {
            "holdout_accuracy": float(values["Accuracy"][-1]),
            "holdout_logloss": float(values[logloss][-1]),
            "holdout_auc": float(values[auc][-1]),
        }

    def score_fields(self, width: int) -> List[str]:
        return [*vector_fields("raw", width), *vector_fields("probability", width), "prediction"]

    def score(
        self,
        outputs: np.ndarray,
        combiner: str,
        stacker: Optional[Stacker],
        thresholds: Optional[Sequence[float]],
    ) -> Dict[str, np.ndarray]:
        raw, probability = combine(outputs, combiner, stacker)
        return {
            **split_fields(raw, "raw"),
            **split_fields(probability, "probability"),
            "prediction": predict_labels(probability, thresholds),
        }

    def blend(
        self, combiner: str, stacker: Optional[Stacker], members: int, width: int, loss: Any
    ) -> Optional[Blend]:
        if combiner == "geometric":
            return Blend.equal(members)
        if (
            combiner == "stacked"
            and stacker is not None
            and width == 2
            and stacker.choice.weights == LEARNED
        ):
            # The binary stacker is a logistic regression on the members' log-odds; with
            # equal weights it is the mean of probabilities, which no single model scores.
            return Blend(tuple(stacker.coefficients[0].tolist()), float(stacker.intercepts[0]))
        return None

    def score_raw(
        self, raw: np.ndarray, width: int, loss: Any, thresholds: Optional[Sequence[float]]
    ) -> Dict[str, np.ndarray]:
        # Binary raw scores are log-odds m; as for the stacker, the raw vector is [-m/2, m/2].
        # Multiclass raw scores are centred, as combine's geometric mean of probabilities is.
        if width == 2:
            margins = binary_margins(raw)
        else:
            margins = raw - raw.mean(axis=1, keepdims=True)
        probability = softmax(margins)
        return {
            **split_fields(margins, "raw"),
            **split_fields(probability, "probability"),
            "prediction": predict_labels(probability, thresholds),
        }

    def fit_stacker(
        self, outputs: np.ndarray, labels: np.ndarray, width: int, weights: Optional[np.ndarray]
    ) -> Stacker:
        return choose_stacker(outputs, labels, width, weights=weights)

    def stacker_from_json(self, data: Dict[str, Any]) -> Stacker:
        return Stacker.from_json(data)


CLASSIFICATION = ClassificationTask()


def member_probabilities(
    models: Sequence[CatBoostClassifier], features: Any, num_classes: int, threads: int = 1
) -> np.ndarray:
    """Each member's class probabilities, shape (members, rows, classes)."""
    return member_outputs(CLASSIFICATION, models, features, num_classes, threads)
