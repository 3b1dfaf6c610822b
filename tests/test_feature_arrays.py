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


def test_categorical_columns_train_the_same_member_as_their_strings():
    # CatBoost builds a pool from Categorical columns far faster; it must hash the values,
    # not the codes, so the member's bytes and predictions are those of the plain strings.
    import pandas as pd
    from catboost import CatBoostClassifier

    from sparkensemble.feature_arrays import features_from_arrow
    from sparkensemble.model_bytes import serialize_model

    rng = np.random.default_rng(3)
    rows = 600
    numeric = rng.normal(size=(rows, 2))
    levels = np.array([f"level {i}" for i in range(40)])
    categorical = np.stack([levels[rng.integers(0, 40, rows)], levels[rng.integers(0, 3, rows)]], 1)
    labels = (numeric[:, 0] + (categorical[:, 0] < "level 2") > 0.5).astype(int)
    arrow = features_from_arrow(
        pa.array(list(numeric), pa.list_(pa.float64())),
        pa.array(list(categorical), pa.list_(pa.string())),
        [0, 3],
    )
    assert isinstance(arrow[0].dtype, pd.CategoricalDtype)
    strings = pd.DataFrame(
        {0: categorical[:, 0], 1: numeric[:, 0], 2: numeric[:, 1], 3: categorical[:, 1]}
    )

    def member(features):
        model = CatBoostClassifier(iterations=15, random_seed=5, thread_count=1, verbose=0)
        model.set_params(one_hot_max_size=4, max_ctr_complexity=2)
        return model.fit(features, labels, cat_features=[0, 3])

    from_arrow, from_strings = member(arrow), member(strings)
    assert serialize_model(from_arrow) == serialize_model(from_strings)
    assert np.array_equal(from_arrow.predict_proba(strings), from_strings.predict_proba(arrow))
