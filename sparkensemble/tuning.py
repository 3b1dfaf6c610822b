"""Cheap tuning: param maps that differ only in how members are combined share one fit.

CrossValidator and TrainValidationSplit call ``fitMultiple`` with every map of a grid.
The combiner, thresholds and output columns act at transform time, so maps that differ
only in those train the same members; this iterator trains them once per group, and once
with a stacker when any map of the group needs one, then gives each map its own copy.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Dict, Iterator, List, Sequence, Tuple

from pyspark.ml.param import Param
from pyspark.sql import DataFrame

# Params that change what transform outputs, never which members train.
TRANSFORM_PARAMS = frozenset(
    {
        "combiner",
        "thresholds",
        "predictionCol",
        "probabilityCol",
        "rawPredictionCol",
        "varianceCol",
        "contributionsCol",
    }
)


def training_key(param_map: Dict[Param, Any]) -> str:
    """What a map sets that reaches training; equal keys train the same members."""
    training = {p.name: v for p, v in param_map.items() if p.name not in TRANSFORM_PARAMS}
    return json.dumps(training, sort_keys=True, default=repr)


class SharedFitIterator(Iterator[Tuple[int, Any]]):
    """A thread-safe ``(index, model)`` iterator that fits each training group once."""

    def __init__(self, estimator: Any, dataset: DataFrame, maps: Sequence[Dict[Param, Any]]):
        self.estimator = estimator
        self.dataset = dataset
        self._maps = list(maps)
        self._keys = [training_key(m) for m in self._maps]
        self.counter = 0
        self.lock = threading.Lock()
        # One lock per group: different groups still fit in parallel threads.
        self.group_locks = {key: threading.Lock() for key in self._keys}
        self.fitted: Dict[str, Any] = {}

    def __iter__(self) -> SharedFitIterator:
        return self

    def __next__(self) -> Tuple[int, Any]:
        with self.lock:
            index = self.counter
            if index >= len(self._maps):
                raise StopIteration("No models remaining.")
            self.counter += 1
        key = self._keys[index]
        with self.group_locks[key]:
            if key not in self.fitted:
                self.fitted[key] = self._fit_group(key)
        return index, self._model_for(self.fitted[key], self._maps[index])

    def _combiners(self, key: str) -> List[str]:
        combiner = self.estimator.combiner
        return [
            m.get(combiner, self.estimator.getCombiner())
            for m, k in zip(self._maps, self._keys)
            if k == key
        ]

    def _fit_group(self, key: str) -> Any:
        first = self._maps[self._keys.index(key)]
        training = {p: v for p, v in first.items() if p.name not in TRANSFORM_PARAMS}
        # Fitted with the stacker when any map of the group stacks: the members are the same.
        combiners = self._combiners(key)
        training[self.estimator.combiner] = "stacked" if "stacked" in combiners else combiners[0]
        return self.estimator.fit(self.dataset, training)

    @staticmethod
    def _model_for(fitted: Any, param_map: Dict[Param, Any]) -> Any:
        model = fitted.copy({fitted.getParam(p.name): v for p, v in param_map.items()})
        if model.getCombiner() != "stacked":
            return model._without_stacker()  # as a separate fit with this combiner would have it
        return model
