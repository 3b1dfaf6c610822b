"""What catboostParams may hold, checked when the Param is set. No CatBoost here."""

import pytest

from sparkensemble.catboost_params import validate_catboost_params


@pytest.mark.parametrize(
    "params, message",
    [
        ({"thread_count": 4}, "spark.task.cpus"),
        ({"random_seed": 1}, "seed Param"),
        ({"train_dir": "/tmp"}, "write no files"),
        ({"iterations": 10}, "iterations Param"),
        ({"learning_rate": 0.1}, "learningRate Param"),
        ({"max_depth": 4}, "depth Param"),
        ({"border_count": object()}, "JSON-serialisable"),
    ],
    ids=[
        "thread_count",
        "random_seed",
        "train_dir",
        "iterations",
        "eta",
        "depth",
        "json",
    ],
)
def test_catboost_params_are_checked(params, message):
    with pytest.raises(ValueError, match=message):
        validate_catboost_params(params)


def test_catboost_params_pass_valid_settings_through():
    params = {"border_count": 64, "bootstrap_type": "Bernoulli", "subsample": 0.8}
    assert validate_catboost_params(params) == params
    assert validate_catboost_params(None) == {}
