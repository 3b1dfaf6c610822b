"""Combine member probabilities into one prediction. Pure numpy; no Spark, no CatBoost."""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np

from sparkensemble.stacking import Stacker

COMBINERS = ("mean", "median", "max", "geometric", "stacked")


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
        if stacker is None:
            raise ValueError(
                "combiner='stacked' needs a stacker, and this model was fitted without one; "
                "fit with combiner='stacked' to train it."
            )
        return stacker.apply(member_proba)
    else:
        raise ValueError(
            f"The 'combiner' parameter must be a str among {list(COMBINERS)}. "
            f"Got {combiner!r} instead."
        )
    return raw, normalize_rows(raw)


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
