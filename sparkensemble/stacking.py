"""Stacked combiners, fitted on the members' out-of-fold predictions: a logistic regression
for classifiers (:class:`Stacker`) and a non-negative linear regression for regressors.

Each stacker also records a :class:`WeightChoice`: whether it applies the weights it
learned or the ``mean`` combiner's equal weights (:mod:`sparkensemble.stacker_choice`
chooses by cross-validation).

Pure numpy to apply, so executors need nothing beyond numpy. Fitting uses scikit-learn
(and scipy, which it installs) on the driver: ``sparkensemble[stacking]``.
The fitted state is only numbers, persisted as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from sparkensemble.combiners import binary_margins, softmax
from sparkensemble.weight_choice import EQUAL, WeightChoice

# Probabilities are clipped before taking logs, so a member that is certain does not give
# the stacker an infinite feature.
_EPSILON = 1e-6


def stacker_features(member_proba: np.ndarray) -> np.ndarray:
    """The stacker's inputs for probabilities of shape (members, rows, classes).

    Binary: each member's log-odds of class 1 (the class-0 column is redundant).
    Multiclass: each member's log-probability of every class.
    """
    clipped = np.clip(np.asarray(member_proba, dtype=np.float64), _EPSILON, 1.0 - _EPSILON)
    if clipped.shape[2] == 2:
        positive = clipped[:, :, 1]
        return np.log(positive / (1.0 - positive)).T
    members, rows, classes = clipped.shape
    return np.log(clipped).transpose(1, 0, 2).reshape(rows, members * classes)


@dataclass(frozen=True)
class Stacker:
    """A fitted (multinomial) logistic regression: margins = features @ coefficients.T + intercepts.

    For two classes there is one row of coefficients, the margin of class 1 against class 0.
    """

    coefficients: np.ndarray
    intercepts: np.ndarray
    num_classes: int
    num_members: int
    training_rows: int
    choice: WeightChoice = WeightChoice()

    @property
    def format_version(self) -> int:
        """The saved format that can read this stacker: format 1 knows only learned weights."""
        return 2 if self.choice.weights == EQUAL else 1

    def apply(self, member_proba: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Return (raw, probability), each of shape (rows, classes).

        ``raw`` holds the margins with learned weights, and with equal weights the mean
        probabilities, as the ``mean`` combiner returns them.
        """
        if member_proba.shape[0] != self.num_members:
            raise ValueError(
                f"the stacker was fitted on {self.num_members} members, got {member_proba.shape[0]}"
            )
        if self.choice.weights == EQUAL:
            raw = np.asarray(member_proba, dtype=np.float64).mean(axis=0)
            return raw, raw / raw.sum(axis=1, keepdims=True)
        margins = stacker_features(member_proba) @ self.coefficients.T + self.intercepts
        if self.num_classes == 2:
            margins = binary_margins(margins[:, 0])
        return margins, softmax(margins)

    def to_json(self) -> Dict[str, Any]:
        return {
            "coefficients": self.coefficients.tolist(),
            "intercepts": self.intercepts.tolist(),
            "numClasses": self.num_classes,
            "numMembers": self.num_members,
            "trainingRows": self.training_rows,
            "choice": self.choice.to_json(),
        }

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> Stacker:
        return cls(
            coefficients=np.asarray(data["coefficients"], dtype=np.float64),
            intercepts=np.asarray(data["intercepts"], dtype=np.float64),
            num_classes=int(data["numClasses"]),
            num_members=int(data["numMembers"]),
            training_rows=int(data["trainingRows"]),
            choice=WeightChoice.from_json(data.get("choice")),
        )


def fit_logistic_stacker(
    member_proba: np.ndarray,
    labels: np.ndarray,
    num_classes: int,
    weights: Optional[np.ndarray] = None,
) -> Stacker:
    """Fit the stacker on predictions the members did not train on.

    A class absent from these rows gets margin -inf-like weights, so it is never predicted
    by the stacker, rather than shifting the other classes' coefficients.
    """
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise ImportError(
            "combiner='stacked' fits a logistic regression with scikit-learn; install it with "
            "pip install 'sparkensemble[stacking]'."
        ) from None
    labels = np.asarray(labels).astype(np.int64)
    present = np.unique(labels)
    if len(present) < 2:
        raise ValueError(
            f"the stacker's out-of-fold rows hold a single class ({present.tolist()}); "
            f"raise validationFraction or stackerMaxRows."
        )
    features = stacker_features(member_proba)
    regression = LogisticRegression(max_iter=1000)
    regression.fit(features, labels, sample_weight=weights)
    if num_classes == 2:
        coefficients, intercepts = regression.coef_, regression.intercept_
    else:
        coefficients = np.zeros((num_classes, features.shape[1]))
        intercepts = np.full(num_classes, -1e3)
        coefficients[present] = _per_class(regression.coef_, len(present))
        intercepts[present] = _per_class(regression.intercept_[:, None], len(present))[:, 0]
    return Stacker(
        coefficients=np.asarray(coefficients, dtype=np.float64),
        intercepts=np.asarray(intercepts, dtype=np.float64),
        num_classes=num_classes,
        num_members=member_proba.shape[0],
        training_rows=len(labels),
    )


def _per_class(values: np.ndarray, classes: int) -> np.ndarray:
    # With two present classes scikit-learn returns one row (class 1 against class 0).
    if classes == 2 and values.shape[0] == 1:
        return binary_margins(values[0]).T
    return values


@dataclass(frozen=True)
class LinearStacker:
    """A fitted linear regression over member predictions, with non-negative weights.

    prediction = predictions @ weights + intercept, where ``predictions`` is (rows, members).
    Non-negative weights keep the stack a weighted vote: no member is turned against the
    others, which least squares does freely when members are highly correlated.
    """

    weights: np.ndarray
    intercept: float
    num_members: int
    training_rows: int
    shrinkage: float = 0.0  # chosen by cross-validation; 0 is plain non-negative least squares
    choice: WeightChoice = WeightChoice()

    format_version = 1  # equal weights are weights too: format 1 reads every linear stacker

    def applied(self) -> Tuple[np.ndarray, float]:
        """The (weights, intercept) the stacker applies: its learned ones, or the mean's."""
        if self.choice.weights == EQUAL:
            return np.full(self.num_members, 1.0 / self.num_members), 0.0
        return self.weights, self.intercept

    def apply(self, member_predictions: np.ndarray) -> np.ndarray:
        """The stacked prediction for predictions of shape (members, rows)."""
        if member_predictions.shape[0] != self.num_members:
            raise ValueError(
                f"the stacker was fitted on {self.num_members} members, "
                f"got {member_predictions.shape[0]}"
            )
        weights, intercept = self.applied()
        return member_predictions.T @ weights + intercept

    def to_json(self) -> Dict[str, Any]:
        # "weights" and "intercept" are what the stacker applies, so a reader that knows
        # nothing of the choice scores the same; the learned ones follow when they differ.
        weights, intercept = self.applied()
        data = {
            "weights": weights.tolist(),
            "intercept": intercept,
            "numMembers": self.num_members,
            "trainingRows": self.training_rows,
            "shrinkage": self.shrinkage,
            "choice": self.choice.to_json(),
        }
        if self.choice.weights == EQUAL:
            data.update(learnedWeights=self.weights.tolist(), learnedIntercept=self.intercept)
        return data

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> LinearStacker:
        return cls(
            weights=np.asarray(data.get("learnedWeights", data["weights"]), dtype=np.float64),
            intercept=float(data.get("learnedIntercept", data["intercept"])),
            num_members=int(data["numMembers"]),
            training_rows=int(data["trainingRows"]),
            shrinkage=float(data.get("shrinkage", 0.0)),  # saved without it: none
            choice=WeightChoice.from_json(data.get("choice")),
        )


# Shrinkage strengths tried by cross-validation, as multiples of the rows' total weight x
# prediction scale². 0 is plain non-negative least squares; the largest is, in effect,
# the mean combiner.
_SHRINKAGE_GRID = (0.0, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)
_SHRINKAGE_FOLDS = 5


def fit_linear_stacker(
    member_predictions: np.ndarray, labels: np.ndarray, weights: Optional[np.ndarray] = None
) -> LinearStacker:
    """Least squares with an intercept and non-negative weights, on out-of-fold predictions,
    shrunk toward the mean combiner (equal weights, no intercept).

    The strength of the shrinkage is chosen by cross-validation over the same rows, so a
    stacker fitted on a few dozen holdout rows stays close to ``mean`` and one fitted on
    many rows is the plain non-negative fit.
    """
    try:
        from scipy.optimize import lsq_linear
    except ImportError:
        raise ImportError(
            "combiner='stacked' fits a linear regression with scipy (installed with "
            "scikit-learn); install it with pip install 'sparkensemble[stacking]'."
        ) from None
    predictions = np.asarray(member_predictions, dtype=np.float64).T
    rows, members = predictions.shape
    labels = np.asarray(labels, dtype=np.float64)
    root_weights = np.ones(rows) if weights is None else np.sqrt(np.asarray(weights, float))
    # Solve for the departure from the mean combiner: weights 1/members + delta, and an
    # intercept carried by a constant column on the predictions' scale, so one penalty
    # treats both alike.
    mean = predictions.mean(axis=1)
    scale = float(np.sqrt(np.mean(mean**2))) or 1.0
    design = np.column_stack([predictions, np.full(rows, scale)]) * root_weights[:, None]
    residual = (labels - mean) * root_weights
    lower = np.append(np.full(members, -1.0 / members), -np.inf)

    # Contiguous folds of rows that arrive sorted by hash: a deterministic random split.
    # Too few rows to cross-validate take the strongest shrinkage.
    folds = _SHRINKAGE_FOLDS if rows >= 2 * _SHRINKAGE_FOLDS else 1
    fold_of_row = np.arange(rows) * folds // max(rows, 1)
    in_fold = [fold_of_row == k for k in range(folds)]
    # Each fold is reduced to the triangular factor of [design | residual]: at most
    # members + 2 rows with the same squared error for every coefficient vector, so the
    # cross-validation's 35 bounded solves cost the same at 100 rows or a million.
    factors = [_triangular(design[rows_k], residual[rows_k]) for rows_k in in_fold]
    totals = [float(np.sum(root_weights[rows_k] ** 2)) for rows_k in in_fold]

    def solve(chosen: Sequence[int], strength: float) -> np.ndarray:
        stacked = np.vstack([factors[k] for k in chosen])
        # Scaled like the data term, which sums weight x scale² over the chosen rows.
        total = sum(totals[k] for k in chosen)
        penalty = np.sqrt(strength * total * scale**2) * np.eye(members + 1)
        fitted = lsq_linear(
            np.vstack([stacked[:, :-1], penalty]),
            np.append(stacked[:, -1], np.zeros(members + 1)),
            bounds=(lower, np.inf),
        )
        return fitted.x

    strength = _cross_validated_strength(factors, solve) if folds > 1 else _SHRINKAGE_GRID[-1]
    delta = solve(range(folds), strength)
    return LinearStacker(
        weights=np.maximum(delta[:members] + 1.0 / members, 0.0),
        intercept=float(delta[members] * scale),
        num_members=members,
        training_rows=rows,
        shrinkage=strength,
    )


def _triangular(design: np.ndarray, residual: np.ndarray) -> np.ndarray:
    """R of the QR decomposition of [design | residual]. For any coefficients x,
    ||R @ [x, -1]||² equals ||design @ x - residual||², and R has at most columns rows."""
    return np.linalg.qr(np.column_stack([design, residual]), mode="r")


def _cross_validated_strength(
    factors: Sequence[np.ndarray], solve: Callable[[Sequence[int], float], np.ndarray]
) -> float:
    folds = range(len(factors))
    errors = []
    for strength in _SHRINKAGE_GRID:
        squared = 0.0
        for k in folds:
            delta = solve([j for j in folds if j != k], strength)
            squared += float(np.sum((factors[k] @ np.append(delta, -1.0)) ** 2))
        errors.append(squared)
    # Ties go to the stronger shrinkage: the simpler combiner.
    best = min(errors)
    return max(s for s, e in zip(_SHRINKAGE_GRID, errors) if e <= best * (1 + 1e-9))
