"""Each Python process's cache of deserialised (and merged) members, keyed by a digest.

Python workers are reused across tasks, so a worker loads each ensemble once, not once
per task or per batch; the driver's single-row ``predict`` uses the same cache. No Spark
here.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Sequence

from catboost import CatBoost

from sparkensemble.merging import merge_members
from sparkensemble.model_bytes import deserialize_model
from sparkensemble.tasks import EnsembleTask
from sparkensemble.tasks.base import Blend

# The last few ensembles, deserialised and merged.
_MAX_CACHED_ENSEMBLES = 4
_ensembles: OrderedDict[str, Any] = OrderedDict()
_ensembles_lock = threading.Lock()


def ensemble_key(blobs: Sequence[bytes]) -> str:
    """A digest that identifies a set of members, computed once on the driver."""
    digest = hashlib.sha256()
    for blob in blobs:
        digest.update(len(blob).to_bytes(8, "little"))
        digest.update(blob)
    return digest.hexdigest()


def _cached(key: str, build) -> Any:
    with _ensembles_lock:
        if key in _ensembles:
            _ensembles.move_to_end(key)
            return _ensembles[key]
    value = build()
    with _ensembles_lock:
        _ensembles[key] = value
        while len(_ensembles) > _MAX_CACHED_ENSEMBLES:
            _ensembles.popitem(last=False)
    return value


def cached_members(key: str, blobs: Sequence[bytes], task: EnsembleTask) -> list:
    """The deserialised members for ``key``, loading them on first use in this process."""
    return _cached(key, lambda: [deserialize_model(blob, task) for blob in blobs])


def cached_merge(key: str, blend: Blend, models: Sequence[CatBoost], task: EnsembleTask) -> Any:
    """The members merged under ``blend``, built once per process.

    Built here rather than shipped as bytes: CatBoost 1.2 merges members with categorical
    features exactly in memory but cannot serialise that merge to its cbm format.
    """
    return _cached(f"{key}/{blend.key()}", lambda: merge_members(models, blend, task))
