"""Merging members into one CatBoost model: exact, for every task. No Spark here."""

import os

import numpy as np
import pandas as pd
import pytest
from catboost import CatBoostClassifier, CatBoostRegressor
from helpers.data import make_classification, make_regression

from sparkensemble.batch_scoring import ScoreSpec, score_batch, shap_values
from sparkensemble.combiners import combine
from sparkensemble.merging import merge_members, raw_scores
from sparkensemble.model_bytes import deserialize_model, serialize_model
from sparkensemble.tasks import CLASSIFICATION, REGRESSION
from sparkensemble.tasks.base import Blend, member_outputs

QUIET = {"iterations": 25, "depth": 3, "verbose": False, "allow_writing_files": False}


def classifiers(x, y, count=3, **kwargs):
    return [
        CatBoostClassifier(random_seed=i, **QUIET, **kwargs).fit(x[i::count], y[i::count])
        for i in range(count)
    ]


def member_raw(models, x):
    return np.stack([raw_scores(m, x) for m in models])


@pytest.mark.parametrize("classes", [2, 3])
def test_a_weighted_merge_with_a_bias_is_the_weighted_sum_of_raw_scores(classes):
    x, y = make_classification(600, classes=classes, seed=1)
    loss = {"loss_function": "MultiClass", "class_names": [0, 1, 2]} if classes == 3 else {}
    models = classifiers(x, y.astype(int), **loss)
    blend = Blend((0.7, 0.2, 0.5), 0.3)
    merged = merge_members(models, blend, CLASSIFICATION)
    assert isinstance(merged, CatBoostClassifier)
    expected = np.tensordot(np.array(blend.weights), member_raw(models, x), axes=1) + 0.3
    np.testing.assert_allclose(raw_scores(merged, x), expected, rtol=0, atol=1e-12)


def test_categorical_members_merge_exactly_in_memory():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"a": rng.normal(size=600), "city": rng.choice(list("abcdef"), 600)})
    y = (frame.city.isin(list("abc")) ^ (rng.random(600) < 0.2)).astype(int)
    models = [
        CatBoostClassifier(random_seed=i, cat_features=[1], **QUIET).fit(frame.iloc[i::2], y[i::2])
        for i in range(2)
    ]
    merged = merge_members(models, Blend.equal(2), CLASSIFICATION)
    expected = member_raw(models, frame).mean(axis=0)
    np.testing.assert_allclose(raw_scores(merged, frame), expected, rtol=0, atol=1e-12)


def test_a_merged_poisson_regressor_keeps_its_log_link_through_a_file():
    x, _ = make_regression(500, seed=3)
    counts = np.random.default_rng(3).poisson(np.exp(0.4 * x[:, 0]))
    models = [
        CatBoostRegressor(random_seed=i, loss_function="Poisson", **QUIET).fit(
            x[i::2], counts[i::2]
        )
        for i in range(2)
    ]
    merged = merge_members(models, Blend.equal(2), REGRESSION)
    reloaded = deserialize_model(serialize_model(merged), REGRESSION)
    expected = np.exp(member_raw(models, x).mean(axis=0))
    np.testing.assert_allclose(reloaded.predict(x), expected, rtol=1e-12)


def test_two_merges_of_the_same_members_are_the_same_file(tmp_path):
    x, y = make_classification(300, seed=4)
    models = classifiers(x, y.astype(int), count=2)
    paths = []
    for name in ("a", "b"):
        path = str(tmp_path / f"{name}.cbm")
        merge_members(models, Blend.equal(2), CLASSIFICATION).save_model(path)
        paths.append(path)
    first, second = (open(path, "rb").read() for path in paths)
    assert first == second and os.path.getsize(paths[0]) > 0


def test_geometric_is_the_renormalised_geometric_mean_of_member_probabilities():
    x, y = make_classification(400, classes=3, seed=5)
    models = classifiers(x, y.astype(int), loss_function="MultiClass", class_names=[0, 1, 2])
    spec = ScoreSpec(
        "classification",
        3,
        5,
        "geometric",
        blend=CLASSIFICATION.blend("geometric", None, 3, 3, None),
    )
    merged = merge_members(models, spec.blend, CLASSIFICATION)
    scored = score_batch(models, x, spec, merged=merged)
    probability = np.column_stack([scored[f"probability_{c}"] for c in range(3)])
    proba = member_outputs(CLASSIFICATION, models, x, 3)
    geometric = np.exp(np.log(proba).mean(axis=0))
    np.testing.assert_allclose(probability, geometric / geometric.sum(axis=1, keepdims=True))
    _, numpy_probability = combine(proba, "geometric")
    np.testing.assert_allclose(probability, numpy_probability, rtol=1e-9)


@pytest.mark.parametrize(
    "combiner, loss, merges",
    [
        ("mean", "RMSE", True),
        ("geometric", "RMSE", True),
        ("median", "RMSE", False),
        ("mean", "Poisson", False),
        ("geometric", "Tweedie:variance_power=1.5", True),
    ],
)
def test_which_regression_combiners_merge(combiner, loss, merges):
    assert (REGRESSION.blend(combiner, None, 3, 1, loss) is not None) is merges


def test_which_classification_combiners_merge():
    blends = {c: CLASSIFICATION.blend(c, None, 3, 2, None) for c in ("mean", "median", "max")}
    assert blends == {"mean": None, "median": None, "max": None}
    assert CLASSIFICATION.blend("geometric", None, 3, 2, None) == Blend.equal(3)


def test_shap_values_sum_to_the_raw_score_with_one_block_per_class():
    x, y = make_classification(400, classes=3, seed=6)
    models = classifiers(x, y.astype(int), loss_function="MultiClass", class_names=[0, 1, 2])
    merged = merge_members(models, Blend((0.5, 0.3, 0.2), 0.1), CLASSIFICATION)
    values = shap_values(merged, x[:50], [])
    assert values.shape == (50, 3 * (5 + 1))
    per_class = values.reshape(50, 3, 6).sum(axis=2)
    np.testing.assert_allclose(per_class, raw_scores(merged, x[:50]), atol=1e-9)


def test_the_private_catboost_merge_still_does_what_public_sum_models_does():
    # sum_into calls CatBoost's private _sum_models, which public catboost.sum_models
    # wraps: if CatBoost renames or changes it, this fails here, not in a user's transform.
    import inspect

    from catboost import CatBoost, sum_models

    from sparkensemble.merging import CTR_MERGE_POLICY, sum_into

    assert "_sum_models" in inspect.getsource(sum_models)
    x, y = make_classification(300, seed=4)
    models = classifiers(x, y.astype(int), count=2)
    target = CatBoostClassifier()
    sum_into(target, models, [0.25, 0.75])
    public = sum_models(models, weights=[0.25, 0.75], ctr_merge_policy=CTR_MERGE_POLICY)
    assert isinstance(public, CatBoost) and not isinstance(public, CatBoostClassifier)
    np.testing.assert_allclose(raw_scores(target, x), raw_scores(public, x), rtol=0, atol=1e-12)
    assert target.predict_proba(x).shape == (300, 2)
