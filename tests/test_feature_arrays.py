"""Model-order features from Spark's Arrow rows and from per-row arrays. No Spark here."""

import numpy as np
import pyarrow as pa


def test_arrow_batches_give_the_same_features_as_per_row_arrays():

    from sparkensemble.feature_arrays import features_from_arrow, features_from_rows

    numeric = [[0.5, None], [1.5, 2.5], [3.0, 4.0], [5.0, 6.0]]
    categorical = [["a"], ["b"], ["a"], ["c"]]
    # A slice starts at an offset into the child values, as Spark's batches may.
    numeric_arrow = pa.array(numeric, pa.list_(pa.float64())).slice(1)
    categorical_arrow = pa.array(categorical, pa.list_(pa.string())).slice(1)
    rows = [np.array(r, dtype=np.float64) for r in numeric[1:]]
    categories = [np.array(r, dtype=object) for r in categorical[1:]]

    from_arrow = features_from_arrow(numeric_arrow, categorical_arrow, [1])
    from_rows = features_from_rows(rows, categories, [1])
    assert from_arrow.equals(from_rows)
    assert from_arrow[1].tolist() == ["b", "a", "c"]
    assert np.array_equal(features_from_arrow(numeric_arrow, None, []), np.stack(rows))
    # A null element is missing to CatBoost, like NaN.
    whole = features_from_arrow(pa.array(numeric, pa.list_(pa.float64())), None, [])
    assert whole.dtype == np.float64 and np.isnan(whole[0, 1])
