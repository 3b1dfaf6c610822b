"""The regressor's stacked combiner: a linear regression over the members' out-of-fold
predictions, with non-negative weights shrunk toward the ``mean`` combiner.

The stacker also records a :class:`~sparkensemble.weight_choice.WeightChoice`: whether it
applies the weights it learned or the ``mean`` combiner's equal weights
(:mod:`sparkensemble.stacker_choice` chooses by cross-validation).

Pure numpy to apply. Fitting uses scipy (installed with scikit-learn) on the driver:
``sparkensemble[stacking]``. The fitted state is only numbers, persisted as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from sparkensemble.weight_choice import EQUAL, WeightChoice


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
