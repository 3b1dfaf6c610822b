"""Combine member outputs into one prediction, for either task. Pure numpy; no Spark, no CatBoost.

A classifier's members give class probabilities (:func:`combine`); a regressor's give
one prediction each (:func:`combine_predictions`). Each task's list of combiners is
here, next to the code that applies them. The softmax and the binary margins that the
stacker and the merged model share are here too.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import numpy as np

# A stacker here is anything with apply(), as those of logistic_stacking.py and
# linear_stacking.py are: the logistic one builds on this module (softmax,
# binary_margins), so this one imports neither.
Stacker = Any

CLASSIFICATION_COMBINERS = ("mean", "median", "max", "geometric", "stacked")
REGRESSION_COMBINERS = ("mean", "median", "geometric", "stacked")


def require_stacker(stacker: Any, combiners: Sequence[str]) -> None:
    """Refuse combiner="stacked" for a model fitted without a stacker, naming the others."""
    if stacker is None:
        others = [c for c in combiners if c != "stacked"]
        raise ValueError(
            "combiner='stacked' needs a stacker, and this model was fitted without one; "
            f"refit with combiner='stacked', or choose {', '.join(others)}."
        )


def unknown_combiner(combiner: str, combiners: Sequence[str]) -> ValueError:
    """The error for a combiner the task does not have, in the Params' wording."""
    return ValueError(
        f"The 'combiner' parameter must be a str among {list(combiners)}. Got {combiner!r} instead."
    )


def align_probabilities(proba: np.ndarray, classes: Sequence[int], num_classes: int) -> np.ndarray:
    """Place a member's probability columns under the full class set ``0..num_classes-1``.

    A member that never saw a class predicts 0 for it, as scikit-learn's bagging does.
    """
    proba = np.asarray(proba, dtype=np.float64)
    classes = np.asarray(classes).astype(np.int64)
    if len(classes) == num_classes and np.array_equal(classes, np.arange(num_classes)):
        return proba
    if classes.min() < 0 or classes.max() >= num_classes:
        raise ValueError(
            f"member classes {classes.tolist()} fall outside the model's {num_classes} classes"
        )
    aligned = np.zeros((proba.shape[0], num_classes), dtype=np.float64)
    aligned[:, classes] = proba
    return aligned


def combine(
    member_proba: np.ndarray, combiner: str, stacker: Optional[Stacker] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """Combine probabilities of shape (members, rows, classes).

    Returns ``(raw, probability)``, each (rows, classes). ``raw`` is the combined value
    before renormalisation, as a random forest's raw prediction is its summed votes;
    ``probability`` is ``raw`` scaled so each row sums to 1. The mean needs no scaling.
    For ``"stacked"``, ``raw`` holds the stacker's margins and ``probability`` their softmax.
    """
    member_proba = np.asarray(member_proba, dtype=np.float64)
    if member_proba.ndim != 3 or member_proba.shape[0] == 0:
        raise ValueError(
            f"member probabilities must have shape (members >= 1, rows, classes), "
            f"got {member_proba.shape}"
        )
    if combiner == "mean":
        raw = member_proba.mean(axis=0)
    elif combiner == "median":
        raw = np.median(member_proba, axis=0)
    elif combiner == "max":
        raw = member_proba.max(axis=0)
    elif combiner == "geometric":
        # The mean of the members' raw scores, through the link: a renormalised geometric
        # mean of the probabilities. Scored exactly through the merged model, see merging.
        raw = np.log(np.clip(member_proba, 1e-300, None)).mean(axis=0)
        raw -= raw.mean(axis=1, keepdims=True)
        return raw, softmax(raw)
    elif combiner == "stacked":
        require_stacker(stacker, CLASSIFICATION_COMBINERS)
        return stacker.apply(member_proba)
    else:
        raise unknown_combiner(combiner, CLASSIFICATION_COMBINERS)
    return raw, normalize_rows(raw)


def combine_predictions(
    predictions: np.ndarray, combiner: str, stacker: Optional[Stacker] = None
) -> np.ndarray:
    """Combine regression members' predictions of shape (members, rows) into one per row."""
    if combiner == "mean":
        return predictions.mean(axis=0)
    if combiner == "median":
        return np.median(predictions, axis=0)
    if combiner == "geometric":
        # It averages raw scores, not predictions: batch scoring merges the members for it.
        raise ValueError("combiner='geometric' is scored from raw scores, by the merged model")
    if combiner == "stacked":
        require_stacker(stacker, REGRESSION_COMBINERS)
        return stacker.apply(predictions)
    raise unknown_combiner(combiner, REGRESSION_COMBINERS)


def binary_margins(margin: np.ndarray) -> np.ndarray:
    """A binary model's raw vector from its log-odds m: ``[-m/2, m/2]`` per row.

    Its softmax is the logistic of m, and both classes are on one scale, as a multiclass
    model's centred raw scores are.
    """
    return np.column_stack([-margin / 2.0, margin / 2.0])


def softmax(margins: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large margins."""
    exp = np.exp(margins - margins.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def normalize_rows(raw: np.ndarray) -> np.ndarray:
    """Scale each row to sum to 1; a row of zeros becomes uniform."""
    totals = raw.sum(axis=1, keepdims=True)
    uniform = np.full_like(raw, 1.0 / raw.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, raw / totals, uniform)


def predict_labels(
    probability: np.ndarray, thresholds: Optional[Sequence[float]] = None
) -> np.ndarray:
    """The predicted class index as float64, honouring Spark's ``thresholds`` semantics.

    With thresholds, the class with the largest ``p / t`` wins and a zero threshold always
    wins, as in pyspark.ml's probabilistic classifiers.
    """
    if thresholds is None:
        return probability.argmax(axis=1).astype(np.float64)
    thresholds = np.asarray(thresholds, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(thresholds == 0.0, np.inf, probability / thresholds)
    return scaled.argmax(axis=1).astype(np.float64)
