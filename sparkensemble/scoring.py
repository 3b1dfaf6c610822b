"""Spark glue for transform: score every member on each Arrow batch and combine.

The numeric work is :func:`sparkensemble.members.member_probabilities` and
:func:`sparkensemble.combiners.combine`; this module wraps them in an iterator
Arrow UDF (a pandas UDF before pyspark 4.1) and checks the input on the way in.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.ml.functions import array_to_vector
from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

try:  # pyspark >= 4.1
    from pyspark.sql.functions import arrow_udf as _arrow_udf
except ImportError:
    _arrow_udf = None

from sparkensemble.combiners import combine, predict_labels
from sparkensemble.features import FeatureBlocks
from sparkensemble.members import (
    Features,
    deserialize_model,
    features_from_arrow,
    features_from_rows,
    member_probabilities,
)
from sparkensemble.stacking import Stacker

# The UDF returns one double column per class and output, not array columns: Arrow moves
# plain doubles without a Python object per row, and the JVM builds the vectors after.
VECTOR_OUTPUTS = ("raw", "probability")


def _class_field(output: str, class_index: int) -> str:
    return f"{output}_{class_index}"


def score_schema(num_classes: int) -> str:
    """The UDF's struct: raw_0..raw_k, probability_0..probability_k, prediction."""
    fields = [
        f"{_class_field(name, c)} double" for name in VECTOR_OUTPUTS for c in range(num_classes)
    ]
    return ", ".join([*fields, "prediction double"])


def output_value(scored: Column, output: str, num_classes: int) -> Column:
    """One output of the scored struct: ``prediction``, or ``raw``/``probability`` as a vector."""
    if output not in VECTOR_OUTPUTS:
        return scored[output]
    classes = [scored[_class_field(output, c)] for c in range(num_classes)]
    return array_to_vector(F.array(*classes))


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
    arrow: Optional[bool] = None,
) -> Column:
    """A struct column scored by the ensemble; :func:`output_value` reads its outputs.

    ``arrow`` picks an Arrow UDF (pyspark 4.1+), which reads each batch as one matrix, or
    a pandas UDF, which gets one array per row; by default the Arrow UDF where it exists.
    """
    key = ensemble_key(blobs)
    schema = score_schema(num_classes)
    positions = blocks.categorical_positions

    # Only plain values are captured: these functions are shipped to the executors.
    def scored(features: Features, threads: int) -> Dict[str, np.ndarray]:
        proba = member_probabilities(cached_members(key, blobs), features, num_classes, threads)
        raw, probability = combine(proba, combiner, stacker)
        return output_columns(raw, probability, predict_labels(probability, thresholds))

    # Spark passes one column as itself and several as a tuple; the hints below cover both.
    inputs = [numeric] if blocks.categorical is None else [numeric, blocks.categorical]
    if arrow is None:
        arrow = _arrow_udf is not None
    if arrow:

        @_arrow_udf(schema)  # type: ignore[misc]
        def score_arrow(batches: Iterator[Tuple[pa.Array, ...]]) -> Iterator[pa.Array]:
            threads = _task_threads()
            for batch in batches:
                numeric_rows, categorical_rows = batch if positions else (batch, None)
                features = features_from_arrow(numeric_rows, categorical_rows, positions)
                columns = scored(features, threads)
                yield pa.StructArray.from_arrays(list(columns.values()), list(columns))

        return score_arrow(*inputs)

    @pandas_udf(schema)  # type: ignore[call-overload]
    def score_pandas(batches: Iterator[Tuple[pd.Series, ...]]) -> Iterator[pd.DataFrame]:
        threads = _task_threads()
        for batch in batches:
            numeric_rows, categorical_rows = batch if positions else (batch, None)
            categorical_rows = None if categorical_rows is None else categorical_rows.to_numpy()
            features = features_from_rows(numeric_rows.to_numpy(), categorical_rows, positions)
            yield pd.DataFrame(scored(features, threads))

    return score_pandas(*inputs)


def output_columns(
    raw: np.ndarray, probability: np.ndarray, prediction: np.ndarray
) -> Dict[str, np.ndarray]:
    """The UDF's output columns, in :func:`score_schema`'s order."""
    columns = {}
    for name, values in zip(VECTOR_OUTPUTS, (raw, probability)):
        columns.update({_class_field(name, c): values[:, c] for c in range(values.shape[1])})
    columns["prediction"] = prediction
    return columns


def _task_threads() -> int:
    from pyspark import TaskContext

    context = TaskContext.get()
    return max(1, context.cpus()) if context else 1
