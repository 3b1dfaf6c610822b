"""Spark glue for transform: score every member on each Arrow batch and combine.

The numeric work is :func:`sparkensemble.batch_scoring.score_batch`; this module wraps it in an
iterator Arrow UDF (a pandas UDF before pyspark 4.1) and checks the input on the way in.
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Tuple

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

from sparkensemble.batch_scoring import ScoreSpec, score_batch
from sparkensemble.feature_arrays import Features, features_from_arrow, features_from_rows
from sparkensemble.features import FeatureBlocks
from sparkensemble.member_cache import cached_members, cached_merge
from sparkensemble.task_context import task_threads
from sparkensemble.tasks import task_named
from sparkensemble.tasks.base import vector_fields


# The UDF returns plain double columns, not array columns: Arrow moves plain doubles without
# a Python object per row, and the JVM builds the vector outputs after.
def output_value(scored: Column, output: str, size: Optional[int]) -> Column:
    """One output of the scored struct: a double, or with a ``size`` a vector of that many."""
    if size is None:
        return scored[output]
    return array_to_vector(F.array(*[scored[name] for name in vector_fields(output, size)]))


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
    key: str,
    spec: ScoreSpec,
    arrow: Optional[bool] = None,
) -> Column:
    """A struct column scored by the ensemble; :func:`output_value` reads its outputs.

    ``key`` is the members' :func:`~sparkensemble.member_cache.ensemble_key`, which the
    model computes once.

    ``arrow`` picks an Arrow UDF (pyspark 4.1+), which reads each batch as one matrix, or
    a pandas UDF, which gets one array per row; by default the Arrow UDF where it exists.
    """
    schema = ", ".join(f"{name} double" for name in spec.fields())
    positions = list(spec.categorical_positions)

    # Only plain values are captured: these functions are shipped to the executors.
    def scored(features: Features, threads: int) -> Dict[str, np.ndarray]:
        task = task_named(spec.task)
        models = cached_members(key, blobs, task)
        merged = cached_merge(key, spec.blend, models, task) if spec.blend else None
        return score_batch(models, features, spec, threads, merged)

    # Spark passes one column as itself and several as a tuple; the hints below cover both.
    inputs = [numeric] if blocks.categorical is None else [numeric, blocks.categorical]
    if arrow is None:
        arrow = _arrow_udf is not None
    if arrow:

        @_arrow_udf(schema)  # type: ignore[misc]
        def score_arrow(batches: Iterator[Tuple[pa.Array, ...]]) -> Iterator[pa.Array]:
            threads = task_threads()
            for batch in batches:
                numeric_rows, categorical_rows = batch if positions else (batch, None)
                features = features_from_arrow(numeric_rows, categorical_rows, positions)
                columns = scored(features, threads)
                yield pa.StructArray.from_arrays(list(columns.values()), list(columns))

        return score_arrow(*inputs)

    @pandas_udf(schema)  # type: ignore[call-overload]
    def score_pandas(batches: Iterator[Tuple[pd.Series, ...]]) -> Iterator[pd.DataFrame]:
        threads = task_threads()
        for batch in batches:
            numeric_rows, categorical_rows = batch if positions else (batch, None)
            categorical_rows = None if categorical_rows is None else categorical_rows.to_numpy()
            features = features_from_rows(numeric_rows.to_numpy(), categorical_rows, positions)
            yield pd.DataFrame(scored(features, threads))

    return score_pandas(*inputs)
