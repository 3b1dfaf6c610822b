"""Choose between a stacker's learned weights and equal weights, by cross-validation.

A stacker is fitted on the ensemble's holdout rows, which can be few: with a few dozen
rows, learned weights fit the noise of those rows and lose to the plain ``mean`` on new
data. So the whole stacker fit is cross-validated over its own rows, and its held-out
loss is compared row by row with the ``mean`` combiner's on the same rows. The learned
weights are kept only when they win by more than :data:`MARGIN` standard errors of that
paired difference (a classifier's in log loss and in accuracy, losing no AUC); otherwise
the stacker applies equal weights, and scores as ``mean``.

Pure numpy, like the stackers it fits; the rows arrive sorted by row hash, so
contiguous folds are a deterministic random split.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np

from sparkensemble.linear_stacking import LinearStacker, fit_linear_stacker
from sparkensemble.logistic_stacking import Stacker, fit_logistic_stacker
from sparkensemble.weight_choice import EQUAL, LEARNED, WeightChoice

FOLDS = 5
# How many standard errors of the paired difference the learned weights must win by.
# Losing to the mean costs accuracy; keeping the mean when learned weights would have won
# costs only what stacking could have gained, so the bar is high: at two standard errors,
# diabetes with 157 holdout rows kept learned weights that were 2% worse on the test rows
# (benchmarks/stacker_choice.py measures it).
MARGIN = 3.0
# Probabilities are clipped before the log loss, so one confident miss is a large loss,
# not an infinite one.
_PROBABILITY_FLOOR = 1e-12

# (training rows, held-out rows) -> a stacker fitted on the training rows, applied to the
# held-out rows; or None when the training rows cannot fit one.
FitPredict = Callable[[np.ndarray, np.ndarray], Optional[np.ndarray]]


def held_out_predictions(fit_predict: FitPredict, rows: int) -> Optional[np.ndarray]:
    """Each row's prediction by a stacker fitted on the other folds, in row order; None
    when the rows are too few to cross-validate or a fold cannot fit a stacker."""
    if rows < 2 * FOLDS:
        return None
    fold_of_row = np.arange(rows) * FOLDS // rows
    predicted: Optional[np.ndarray] = None
    for k in range(FOLDS):
        held_out = fold_of_row == k
        values = fit_predict(~held_out, held_out)
        if values is None:
            return None
        if predicted is None:
            predicted = np.empty((rows, *values.shape[1:]))
        predicted[held_out] = values
    return predicted


def paired_gain(
    learned_losses: np.ndarray, equal_losses: np.ndarray, weights: Optional[np.ndarray]
) -> Tuple[float, float]:
    """The mean per-row loss that learned weights save over equal ones, and its standard
    error; weighted rows count by Kish's effective size, so weightCol's units do not matter."""
    rows = len(equal_losses)
    row_weights = np.ones(rows) if weights is None else np.asarray(weights, dtype=np.float64)
    gain = np.asarray(equal_losses, dtype=np.float64) - learned_losses
    mean_gain = float(np.average(gain, weights=row_weights))
    effective_rows = row_weights.sum() ** 2 / np.sum(row_weights**2)
    spread = float(np.average((gain - mean_gain) ** 2, weights=row_weights))
    return mean_gain, float(np.sqrt(spread / max(effective_rows - 1.0, 1.0)))


def keeps_learned(
    gains: Sequence[Tuple[float, float]],
    learned: Optional[Mapping[str, float]] = None,
    equal: Optional[Mapping[str, float]] = None,
) -> bool:
    """Whether learned weights win: each (gain, standard error) of ``gains`` is positive
    and beyond :data:`MARGIN` standard errors, and the learned weights score no lower than
    equal ones in ``auc`` where it is given (higher is better)."""
    learned, equal = learned or {}, equal or {}
    clear = all(gain > 0 and gain > MARGIN * error for gain, error in gains)
    return clear and ("auc" not in learned or learned["auc"] >= equal["auc"])


def _part(weights: Optional[np.ndarray], rows: np.ndarray) -> Optional[np.ndarray]:
    return None if weights is None else np.asarray(weights)[rows]


def _mean(values: np.ndarray, weights: Optional[np.ndarray]) -> float:
    return float(np.average(values, weights=weights))


def choose_linear_stacker(
    member_predictions: np.ndarray, labels: np.ndarray, weights: Optional[np.ndarray] = None
) -> LinearStacker:
    """:func:`~sparkensemble.linear_stacking.fit_linear_stacker` on every row, applying its
    weights only if they beat equal weights in squared error under cross-validation."""
    predictions = np.asarray(member_predictions, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)

    def fit_predict(train: np.ndarray, held_out: np.ndarray) -> np.ndarray:
        fitted = fit_linear_stacker(predictions[:, train], labels[train], _part(weights, train))
        return fitted.apply(predictions[:, held_out])

    learned = fit_linear_stacker(predictions, labels, weights)
    predicted = held_out_predictions(fit_predict, len(labels))
    if predicted is None:
        return replace(learned, choice=WeightChoice(EQUAL))
    learned_losses = (predicted - labels) ** 2
    equal_losses = (predictions.mean(axis=0) - labels) ** 2
    gain, standard_error = paired_gain(learned_losses, equal_losses, weights)
    choice = WeightChoice(
        LEARNED if keeps_learned([(gain, standard_error)]) else EQUAL,
        folds=FOLDS,
        learned={"squaredError": _mean(learned_losses, weights)},
        equal={"squaredError": _mean(equal_losses, weights)},
        standard_error=standard_error,
    )
    return replace(learned, choice=choice)


def choose_stacker(
    member_proba: np.ndarray,
    labels: np.ndarray,
    num_classes: int,
    weights: Optional[np.ndarray] = None,
) -> Stacker:
    """:func:`~sparkensemble.logistic_stacking.fit_logistic_stacker` on every row, applying
    its weights only if, under cross-validation, they beat the ``mean`` of probabilities by
    the margin in both log loss and accuracy, and lose no AUC.

    Log loss alone is not enough: a multinomial stacker on a few hundred rows sharpens
    the members' probabilities, which lowers the log loss while it flips some argmaxes.
    """
    member_proba = np.asarray(member_proba, dtype=np.float64)
    labels = np.asarray(labels).astype(np.int64)

    def fit_predict(train: np.ndarray, held_out: np.ndarray) -> Optional[np.ndarray]:
        if len(np.unique(labels[train])) < 2:
            return None  # too few rows to fit a stacker on this fold, let alone trust one
        fitted = fit_logistic_stacker(
            member_proba[:, train], labels[train], num_classes, _part(weights, train)
        )
        return fitted.apply(member_proba[:, held_out])[1]

    learned = fit_logistic_stacker(member_proba, labels, num_classes, weights)
    predicted = held_out_predictions(fit_predict, len(labels))
    if predicted is None:
        return replace(learned, choice=WeightChoice(EQUAL))
    mean = member_proba.mean(axis=0)
    learned_losses, equal_losses = _log_losses(predicted, labels), _log_losses(mean, labels)
    gain, standard_error = paired_gain(learned_losses, equal_losses, weights)
    learned_scores = _class_scores(predicted, labels, learned_losses, weights)
    equal_scores = _class_scores(mean, labels, equal_losses, weights)
    mistakes = [(p.argmax(axis=1) != labels).astype(np.float64) for p in (predicted, mean)]
    gains = [(gain, standard_error), paired_gain(*mistakes, weights)]
    choice = WeightChoice(
        LEARNED if keeps_learned(gains, learned_scores, equal_scores) else EQUAL,
        folds=FOLDS,
        learned=learned_scores,
        equal=equal_scores,
        standard_error=standard_error,
    )
    return replace(learned, choice=choice)


def _log_losses(probability: np.ndarray, labels: np.ndarray) -> np.ndarray:
    picked = probability[np.arange(len(labels)), labels]
    return -np.log(np.clip(picked, _PROBABILITY_FLOOR, 1.0))


def _class_scores(
    probability: np.ndarray,
    labels: np.ndarray,
    log_losses: np.ndarray,
    weights: Optional[np.ndarray],
) -> Dict[str, float]:
    """Log loss, accuracy and AUC (for several classes, the mean one-against-rest AUC of
    the classes present, as Spark's and scikit-learn's macro average)."""
    from sklearn.metrics import roc_auc_score

    classes = np.unique(labels)
    positive = [1] if probability.shape[1] == 2 else classes
    auc = [roc_auc_score(labels == c, probability[:, c], sample_weight=weights) for c in positive]
    return {
        "logLoss": _mean(log_losses, weights),
        "accuracy": _mean(probability.argmax(axis=1) == labels, weights),
        "auc": float(np.mean(auc)),
    }
