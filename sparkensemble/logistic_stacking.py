"""The classifier's stacked combiner: a (multinomial) logistic regression over the members'
out-of-fold predictions (:class:`Stacker`). The regressor's is
:mod:`sparkensemble.linear_stacking`'s.

The stacker also records a :class:`~sparkensemble.weight_choice.WeightChoice`: whether it
applies the weights it learned or the ``mean`` combiner's equal weights
(:mod:`sparkensemble.stacker_choice` chooses by cross-validation).

Pure numpy to apply, so executors need nothing beyond numpy. Fitting uses scikit-learn on
the driver: ``sparkensemble[stacking]``. The fitted state is only numbers, persisted as
JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

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
