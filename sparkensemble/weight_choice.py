"""Which weights a stacker applies, learned or equal, and the cross-validation behind it.

:mod:`sparkensemble.stacker_choice` makes the choice; the stackers of
:mod:`sparkensemble.logistic_stacking` and :mod:`sparkensemble.linear_stacking` carry it
and persist it as JSON. No Spark here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional

LEARNED = "learned"
EQUAL = "equal"


@dataclass(frozen=True)
class WeightChoice:
    """Which weights a stacker applies, and the cross-validation that chose them.

    ``weights`` is ``"learned"`` (the fitted stacker) or ``"equal"`` (the ``mean``
    combiner). ``learned`` and ``equal`` hold each one's scores on the held-out folds, by
    name: ``squaredError`` for a regressor; ``logLoss``, ``accuracy`` and ``auc`` for a
    classifier. ``standardError`` is that of the mean per-row loss difference. ``folds``
    is 0 when no cross-validation ran.
    """

    weights: str = LEARNED
    folds: int = 0
    learned: Mapping[str, float] = field(default_factory=dict)
    equal: Mapping[str, float] = field(default_factory=dict)
    standard_error: Optional[float] = None

    def to_json(self) -> Dict[str, Any]:
        return {
            "weights": self.weights,
            "folds": self.folds,
            "learned": dict(self.learned),
            "equal": dict(self.equal),
            "standardError": self.standard_error,
        }

    @classmethod
    def from_json(cls, data: Optional[Dict[str, Any]]) -> WeightChoice:
        if not data:  # a stacker saved without a choice applies its learned weights
            return cls()
        return cls(
            weights=str(data["weights"]),
            folds=int(data["folds"]),
            learned={k: float(v) for k, v in data.get("learned", {}).items()},
            equal={k: float(v) for k, v in data.get("equal", {}).items()},
            standard_error=data.get("standardError"),
        )
