"""The automatic categorical encoding, as pure logic: which column gets which encoding."""

import pytest

from sparkensemble.encoding import (
    CATBOOST_DEFAULT,
    MAX_CTR_COMPLEXITY,
    MAX_ONE_HOT_LEVELS,
    NO_CATEGORICAL_FEATURES,
    ONE_HOT,
    TARGET_STATISTICS,
    CategoricalEncoding,
    choose_encoding,
    encoding_before_counts,
)


def encodings(encoding):
    return {c.name: c.encoding for c in encoding.columns}


def test_small_columns_are_one_hot_and_large_ones_keep_target_statistics():
    encoding = choose_encoding(["carrier", "tailnum", "origin"], [3, 4, 6], [16, 4000, 3], {})
    assert encodings(encoding) == {
        "carrier": ONE_HOT,
        "tailnum": TARGET_STATISTICS,
        "origin": ONE_HOT,
    }
    assert encoding.catboost_params == {
        "one_hot_max_size": MAX_ONE_HOT_LEVELS,
        "max_ctr_complexity": MAX_CTR_COMPLEXITY,
    }


def test_the_threshold_is_inclusive():
    at, above = MAX_ONE_HOT_LEVELS, MAX_ONE_HOT_LEVELS + 1
    encoding = choose_encoding(["at", "above"], [0, 1], [at, above], {})
    assert encodings(encoding) == {"at": ONE_HOT, "above": TARGET_STATISTICS}
    assert encoding.catboost_params["one_hot_max_size"] == at


def test_one_hot_columns_still_limit_combinations_for_counts_near_the_threshold():
    # 64 counted may be 65 in a member's rows: that member then keeps statistics for it.
    encoding = choose_encoding(["a", "b"], [0, 1], [2, MAX_ONE_HOT_LEVELS], {})
    assert encodings(encoding) == {"a": ONE_HOT, "b": ONE_HOT}
    assert encoding.catboost_params == {
        "one_hot_max_size": MAX_ONE_HOT_LEVELS,
        "max_ctr_complexity": MAX_CTR_COMPLEXITY,
    }


def test_only_large_columns_keep_catboosts_one_hot_size():
    encoding = choose_encoding(["user"], [0], [10_000], {})
    assert encodings(encoding) == {"user": TARGET_STATISTICS}
    assert encoding.catboost_params == {"max_ctr_complexity": MAX_CTR_COMPLEXITY}


def test_each_key_the_user_sets_wins_and_is_not_repeated():
    encoding = choose_encoding(["a", "b"], [0, 1], [10, 500], {"one_hot_max_size": 4})
    # The user's size decides the encoding of every column.
    assert encodings(encoding) == {"a": TARGET_STATISTICS, "b": TARGET_STATISTICS}
    assert encoding.catboost_params == {"max_ctr_complexity": MAX_CTR_COMPLEXITY}

    encoding = choose_encoding(["a", "b"], [0, 1], [10, 500], {"max_ctr_complexity": 3})
    assert encoding.catboost_params == {"one_hot_max_size": MAX_ONE_HOT_LEVELS}


@pytest.mark.parametrize("key", ["combinations_ctr", "per_feature_ctr"])
def test_the_users_own_combinations_are_not_switched_off(key):
    encoding = choose_encoding(["a", "b"], [0, 1], [10, 500], {key: ["Borders"]})
    assert "max_ctr_complexity" not in encoding.catboost_params


def test_a_model_saved_before_the_counts_says_catboost_chose():
    encoding = encoding_before_counts(["colour"], [1])
    assert encoding.to_json() == {
        "catboostParams": {},
        "columns": [
            {"name": "colour", "position": 1, "levels": None, "encoding": CATBOOST_DEFAULT}
        ],
    }
    assert CategoricalEncoding.from_json(encoding.to_json()) == encoding


def test_no_categorical_column_adds_nothing():
    assert choose_encoding([], [], [], {}) is NO_CATEGORICAL_FEATURES
    assert NO_CATEGORICAL_FEATURES.catboost_params == {}


@pytest.mark.parametrize("levels", [[3, 70], [100, 5000]], ids=["mixed", "large"])
def test_the_json_round_trips(levels):
    encoding = choose_encoding(["x", "y"], [2, 0], levels, {})
    assert CategoricalEncoding.from_json(encoding.to_json()) == encoding


def test_describe_names_each_column():
    line = choose_encoding(["carrier", "tailnum"], [0, 1], [16, 4000], {}).describe()
    assert "carrier (16 levels): one-hot" in line
    assert "tailnum (4000 levels): target statistics" in line
    assert "max_ctr_complexity=1" in line
