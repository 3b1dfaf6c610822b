"""A member as native CatBoost bytes, and back. No Spark here, and never pickle."""

from __future__ import annotations

import os
import tempfile

from catboost import CatBoost

from sparkensemble.tasks import CLASSIFICATION, EnsembleTask


def serialize_model(model: CatBoost) -> bytes:
    """Native CatBoost bytes, identical for identical models.

    CatBoost stamps each model with a random guid and its finish time. Dropping both
    makes the bytes a function of the trees alone, so two fits can be compared as files.
    """
    metadata = model.get_metadata()
    for key in ("model_guid", "train_finish_time"):
        if key in metadata:
            del metadata[key]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "member.cbm")
        model.save_model(path, format="cbm")
        with open(path, "rb") as handle:
            return handle.read()


def deserialize_model(blob: bytes, task: EnsembleTask = CLASSIFICATION) -> CatBoost:
    """Load a member from its native CatBoost bytes. This never runs Python code.

    Through a file, not ``load_model(blob=...)``: CatBoost restores a model's training
    params (its loss among them) only when it loads from a file, and without them a
    Poisson or Tweedie regressor's ``predict`` returns raw log-space scores.
    """
    model = task.model_class()()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "member.cbm")
        with open(path, "wb") as handle:
            handle.write(bytes(blob))
        model.load_model(path, format="cbm")
    return model
