"""What an ensemble task is: the few things a classifier and a regressor do differently.

The estimator and model cores (:mod:`sparkensemble.estimator`, :mod:`sparkensemble.model`)
and the member trainer (:mod:`sparkensemble.members`) are the same for every task; they
ask a task object for everything that depends on what is being predicted. No Spark here.

A member's output on a batch is a matrix (rows, width): class probabilities for a
classifier (width = number of classes), one prediction for a regressor (width = 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from catboost import CatBoost, Pool


@dataclass(frozen=True)
class Blend:
    """raw(ensemble) = sum(weights[i] * raw(member i)) + bias: a combiner that merges."""

    weights: Tuple[float, ...]
    bias: float = 0.0

    @classmethod
    def equal(cls, members: int) -> Blend:
        return cls(tuple([1.0 / members] * members))

    def key(self) -> str:
        """Identifies the blend in caches: exact, since the floats are written in full."""
        return ",".join(float(w).hex() for w in (*self.weights, self.bias))


@dataclass(frozen=True)
class LabelStats:
    """What the profile job learns of the label column; each task checks what it needs.

    ``min_label`` and ``max_label`` are over the finite values (None if there are none).
    """

    null_labels: int
    nan_labels: int
    inf_labels: int
    non_integral_labels: int
    min_label: Optional[float]
    max_label: Optional[float]


class EnsembleTask:
    """The task-specific half of an ensemble. Subclasses fill in every method."""

    name: str = ""
    # Holdout metrics each member reports, as summary columns.
    metric_names: Tuple[str, ...] = ()
    combiners: Tuple[str, ...] = ()
    # Named outputs of scoring: the fields of :meth:`score`'s result, by output.
    vector_outputs: Tuple[str, ...] = ()
    # What to do with a string label.
    string_label_fix: str = ""
    # How labels reach CatBoost: class indices or real values.
    label_dtype: type = np.float64
    # The metadata key that records the output width, if it is not always 1.
    width_key: Optional[str] = None
    # Whether rows come in groups (a ranker's queries) that the estimator's groupCol names.
    grouped: bool = False

    def catboost_model(
        self, width: int, seed: int, thread_count: int, catboost_kwargs: Mapping[str, Any]
    ) -> CatBoost:
        raise NotImplementedError

    def model_class(self) -> type:
        raise NotImplementedError

    def default_loss(self, width: int) -> Optional[str]:
        """The CatBoost loss members train with unless ``catboostParams`` names one; None
        where the loss is a Param of the estimator's own."""
        return None

    def check_catboost_kwargs(self, catboost_kwargs: Mapping[str, Any]) -> None:
        """Check, on the driver at fit, that CatBoost takes every keyword a member will get.

        Building the task's CatBoost class is enough to find an unknown key; it trains
        nothing.
        """
        try:
            self.model_class()(**catboost_kwargs)
        except TypeError as error:
            raise ValueError(f"catboostParams has a key CatBoost does not know: {error}") from None

    def check_labels(self, stats: LabelStats, label_col: str, declared: Optional[int]) -> int:
        """Check the label statistics on the driver; return the output width."""
        raise NotImplementedError

    def check_member_labels(self, labels: np.ndarray, train: np.ndarray) -> None:
        """Raise :class:`MemberDataError` when a member's training rows cannot fit a model."""

    def member_output(self, model: CatBoost, features: Any, width: int, threads: int) -> np.ndarray:
        raise NotImplementedError

    def holdout_metrics(
        self, model: CatBoost, holdout: Optional[Pool], width: int
    ) -> Dict[str, float]:
        raise NotImplementedError

    def score_fields(self, width: int) -> List[str]:
        """The scoring UDF's double fields, in order."""
        raise NotImplementedError

    def score(
        self,
        outputs: np.ndarray,
        combiner: str,
        stacker: Any,
        thresholds: Optional[Sequence[float]],
    ) -> Dict[str, np.ndarray]:
        """Combine member outputs (members, rows, width) into the :meth:`score_fields`."""
        raise NotImplementedError

    def blend(
        self, combiner: str, stacker: Any, members: int, width: int, loss: Optional[str]
    ) -> Optional[Blend]:
        """The members' weights and bias when ``combiner`` is linear in their raw scores,
        so that the ensemble is one merged model; None when it is not."""
        raise NotImplementedError

    def score_raw(
        self,
        raw: np.ndarray,
        width: int,
        loss: Optional[str],
        thresholds: Optional[Sequence[float]],
    ) -> Dict[str, np.ndarray]:
        """The :meth:`score_fields` from a merged model's raw scores."""
        raise NotImplementedError

    def fit_stacker(
        self, outputs: np.ndarray, labels: np.ndarray, width: int, weights: Optional[np.ndarray]
    ) -> Any:
        raise NotImplementedError

    def stacker_from_json(self, data: Dict[str, Any]) -> Any:
        raise NotImplementedError


_VERBOSITY_KEYS = ("verbose", "logging_level", "silent", "verbose_eval", "metric_period")


def quiet(kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    """CatBoost keyword arguments that log nothing unless the user asked for logging."""
    kwargs = dict(kwargs)
    if not any(key in kwargs for key in _VERBOSITY_KEYS):
        kwargs["verbose"] = False
    return kwargs


def member_outputs(
    task: EnsembleTask, models: Sequence[CatBoost], features: Any, width: int, threads: int = 1
) -> np.ndarray:
    """Every member's output on ``features``, shape (members, rows, width)."""
    out = np.empty((len(models), len(features), width), dtype=np.float64)
    for index, model in enumerate(models):
        out[index] = task.member_output(model, features, width, threads)
    return out


def vector_fields(output: str, width: int) -> List[str]:
    """The UDF's double fields that make up one vector output."""
    return [f"{output}_{index}" for index in range(width)]


def split_fields(values: np.ndarray, output: str) -> Dict[str, np.ndarray]:
    """A (rows, width) matrix as the named per-column fields of :func:`vector_fields`."""
    return {f"{output}_{index}": values[:, index] for index in range(values.shape[1])}
