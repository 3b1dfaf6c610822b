"""Spark glue for transform: score every member on each Arrow batch and combine.

The numeric work is :func:`sparkensemble.members.member_probabilities` and
:func:`sparkensemble.combiners.combine`; this module wraps them in an iterator
pandas UDF and checks the input on the way in.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Iterator, List, Optional, Sequence, Tuple

import pandas as pd
from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from sparkensemble.combiners import combine, predict_labels
from sparkensemble.features import FeatureBlocks
from sparkensemble.members import deserialize_model, features_from_rows, member_probabilities
from sparkensemble.stacking import Stacker

SCORE_SCHEMA = "raw array<double>, probability array<double>, prediction double"

# Python workers are reused across tasks; keeping the last few ensembles deserialised
# means a worker loads each ensemble once, not once per task or per batch.
_MAX_CACHED_ENSEMBLES = 4
_ensembles: OrderedDict[str, list] = OrderedDict()
_ensembles_lock = threading.Lock()


def ensemble_key(blobs: Sequence[bytes]) -> str:
    """A digest that identifies a set of members, computed once on the driver."""
    digest = hashlib.sha256()
    for blob in blobs:
        digest.update(len(blob).to_bytes(8, "little"))
        digest.update(blob)
    return digest.hexdigest()


def cached_members(key: str, blobs: Sequence[bytes]) -> list:
    """The deserialised members for ``key``, loading them on first use in this process."""
    with _ensembles_lock:
        if key in _ensembles:
            _ensembles.move_to_end(key)
            return _ensembles[key]
    models = [deserialize_model(blob) for blob in blobs]
    with _ensembles_lock:
        _ensembles[key] = models
        while len(_ensembles) > _MAX_CACHED_ENSEMBLES:
            _ensembles.popitem(last=False)
    return models


def checked_features(check: Column, numeric: Column, num_features: int, column: str) -> Column:
    """``numeric``, or a clear Spark error when ``check`` is null or wrongly sized.

    Vector sizes are only known once rows are read, so the check runs inside the query
    as ``raise_error``, which reaches the user as a Spark error with this message rather
    than a Python-worker traceback.
    """
    size = F.size(check)
    message = F.concat(
        F.lit(f"featuresCol={column!r} has a row with "),
        F.when(check.isNull(), F.lit("a null vector")).otherwise(
            F.concat(size.cast("string"), F.lit(" features"))
        ),
        F.lit(f", but the model was fitted on {num_features} features."),
    )
    return F.when(check.isNull() | (size != num_features), F.raise_error(message)).otherwise(
        numeric
    )


def score_column(
    blocks: FeatureBlocks,
    numeric: Column,
    blobs: List[bytes],
    num_classes: int,
    combiner: str,
    thresholds: Optional[List[float]],
    stacker: Optional[Stacker] = None,
) -> Column:
    """A struct column (raw, probability, prediction) scored by the ensemble."""
    key = ensemble_key(blobs)
    positions = blocks.categorical_positions

    # Only plain values are captured: these functions are shipped to the executors.
    def scored(numeric: pd.Series, categorical: Optional[pd.Series], threads: int) -> pd.DataFrame:
        models = cached_members(key, blobs)
        rows = None if categorical is None else categorical.to_numpy()
        features = features_from_rows(numeric.to_numpy(), rows, positions)
        proba = member_probabilities(models, features, num_classes, threads)
        raw, probability = combine(proba, combiner, stacker)
        return pd.DataFrame(
            {
                "raw": list(raw),
                "probability": list(probability),
                "prediction": predict_labels(probability, thresholds),
            }
        )

    if blocks.categorical is None:

        @pandas_udf(SCORE_SCHEMA)  # type: ignore[call-overload]
        def score(batches: Iterator[pd.Series]) -> Iterator[pd.DataFrame]:
            threads = _task_threads()
            for batch in batches:
                yield scored(batch, None, threads)

        return score(numeric)

    @pandas_udf(SCORE_SCHEMA)  # type: ignore[call-overload]
    def score_mixed(batches: Iterator[Tuple[pd.Series, pd.Series]]) -> Iterator[pd.DataFrame]:
        threads = _task_threads()
        for numeric_batch, categorical_batch in batches:
            yield scored(numeric_batch, categorical_batch, threads)

    return score_mixed(numeric, blocks.categorical)


def _task_threads() -> int:
    from pyspark import TaskContext

    context = TaskContext.get()
    return max(1, context.cpus()) if context else 1
