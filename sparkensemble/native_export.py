"""The fitted ensemble as one native CatBoost model, in memory or in CatBoost's export formats.

A mixin of the fitted model: it reads the model's members and, through the task, the
weights of the current combiner (:meth:`~sparkensemble.tasks.base.EnsembleTask.blend`).
The merge itself is :func:`sparkensemble.merging.merge_members`.
"""

from __future__ import annotations

from typing import Any

from sparkensemble.member_cache import cached_members
from sparkensemble.merging import merge_members

# What CatBoost's save_model writes; a format a model cannot take fails with CatBoost's reason.
NATIVE_FORMATS = ("cbm", "json", "onnx", "cpp", "python", "coreml", "pmml")


class NativeExport:
    """``nativeModel`` and ``saveNativeModel`` for a fitted ensemble model."""

    def nativeModel(self) -> Any:
        """The ensemble as one CatBoost model that scores as ``transform`` does.

        Only combiners linear in the members' raw scores merge: ``"geometric"`` always,
        and depending on the task and loss ``"mean"`` or ``"stacked"``. The model is built
        in memory on the driver, for SHAP values, ONNX export or serving without Spark.

        Returns
        -------
        catboost.CatBoostClassifier or catboost.CatBoostRegressor
            The merged model. Its features are named after ``inputCols`` when the model
            reads raw columns, and ``"0"``, ``"1"``, ... (the vector's slots) when it
            reads ``featuresCol``.

        Raises
        ------
        ValueError
            If the current combiner does not merge; the message names those that do.
        """
        blend = self._refuse_unmerged("nativeModel()")
        self._check_stacker()
        state = self._state
        models = cached_members(state.key, state.blobs, self._task)
        # A merge of its own: the cached one scores this process's batches by position, and
        # CatBoost cannot copy a merge with categorical features (copying serialises it).
        merged = merge_members(models, blend, self._task)
        if self.isDefined(self.inputCols):
            # Named after the input columns, so a pandas frame of them scores as it is.
            merged.set_feature_names(list(self.getInputCols()))
        return merged

    def saveNativeModel(self, path: str, format: str = "cbm") -> None:
        """Write :meth:`nativeModel` to a local file in one of CatBoost's export formats.

        Parameters
        ----------
        path : str
            A local file path (CatBoost writes it, not Spark).
        format : {"cbm", "json", "onnx", "cpp", "python", "coreml", "pmml"}, default="cbm"
            CatBoost's export format; some formats do not take every model, and then
            CatBoost's reason is raised.

        Raises
        ------
        ValueError
            If the format is unknown, the combiner does not merge, the model has
            categorical features (CatBoost cannot serialise such a merge), or CatBoost
            cannot export the model in that format.
        """
        if format not in NATIVE_FORMATS:
            raise ValueError(
                f"format must be one of {list(NATIVE_FORMATS)}, CatBoost's export formats. "
                f"Got {format!r} instead."
            )
        if self._state.categorical_positions:
            raise ValueError(
                "saveNativeModel cannot write a merged model with categorical features: "
                "CatBoost 1.2 merges their counters exactly in memory, but cannot serialise "
                "the merge (cbm fails; a json round trip scores differently). Use "
                "nativeModel() in this process, or model.members one by one."
            )
        model = self.nativeModel()
        try:
            model.save_model(path, format=format)
        except Exception as error:
            raise ValueError(f"CatBoost cannot export this model as {format!r}: {error}") from None
