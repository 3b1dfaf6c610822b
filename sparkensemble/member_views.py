"""What a fitted model shows of its members: bytes, seeds, summary, importances, curves.

All of it reads the model's members table (:mod:`sparkensemble.member_table`); nothing
here runs Spark.
"""

from __future__ import annotations

from typing import Any, List, Optional

import numpy as np
import pandas as pd
from pyspark.ml.linalg import DenseVector

from sparkensemble.learning_curves import curves_frame, plot_curves
from sparkensemble.member_table import summary_columns
from sparkensemble.model_state import EnsembleState
from sparkensemble.tasks import EnsembleTask


class MemberViews:
    """The members' properties of a fitted model, read from its ``_state``."""

    _state: EnsembleState
    _task: EnsembleTask

    @property
    def members(self) -> List[bytes]:
        """Each member's native CatBoost model, as the bytes of a ``.cbm`` file.

        Returns
        -------
        list of bytes
            One entry per member, in member order. Write one to a ``.cbm`` file, or load it
            with ``CatBoostClassifier().load_model(blob=...)`` (``CatBoostRegressor`` for a
            regressor's members).
        """
        return self._state.blobs

    @property
    def memberSeeds(self) -> List[int]:
        """The CatBoost ``random_seed`` each member trained with, derived from ``seed``.

        Returns
        -------
        list of int
            One seed per member, in member order.
        """
        return [int(seed) for seed in self._state.members["seed"]]

    @property
    def summary(self) -> pd.DataFrame:
        """One row per member: its rows, holdout metrics, best iteration and training time.

        Returns
        -------
        pandas.DataFrame
            A copy, with the columns ``member``, ``generation`` (0 for the first fit's
            members, then one more per growth), ``seed``; ``input_rows`` (the rows
            assigned to the member) and ``rows`` (those it trained on, fewer where
            ``maxRowsPerMember`` capped it), split into ``train_rows`` and
            ``holdout_rows`` (with ``validationIndicatorCol``, ``rows`` are all trained
            on and ``holdout_rows`` counts the shared flagged rows); the task's holdout
            metrics (``holdout_accuracy``, ``holdout_logloss``, ``holdout_auc`` for a
            classifier, ``holdout_rmse``, ``holdout_mae``, ``holdout_r2`` for a
            regressor); ``best_iteration``,
            ``train_seconds``; and ``partition`` and ``train_started_at`` (Unix time),
            which show where and when each member trained.
        """
        return self._state.members[summary_columns(self._task)].copy()

    @property
    def featureImportances(self) -> DenseVector:
        """The members' CatBoost feature importances, each normalised to sum to 1, averaged.

        Returns
        -------
        pyspark.ml.linalg.DenseVector
            One value per feature, in the order of ``featuresCol``'s slots or of
            ``inputCols``; the values sum to 1.
        """
        importances = self._state.members["feature_importances"]
        stacked = np.stack([np.asarray(row) for row in importances])
        return DenseVector(stacked.mean(axis=0))

    @property
    def learningCurves(self) -> pd.DataFrame:
        """Each member's loss at every iteration, on its training rows and on its holdout.

        Returns
        -------
        pandas.DataFrame
            The columns ``member``, ``iteration``, ``split`` (``"learn"`` or
            ``"holdout"``), ``metric`` (the loss, as CatBoost names it) and ``value``,
            as CatBoost recorded them while training, iterations past the best one
            included. Empty for a model saved before members kept their curves.
        """
        return curves_frame(self._state.members)

    def plotLearningCurves(self, ax: Optional[Any] = None) -> Any:
        """Draw :attr:`learningCurves` with matplotlib (``pip install 'sparkensemble[plot]'``).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            The axes to draw on; a new figure's by default.

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on: each member's holdout curve solid, its learn curve dashed.
        """
        return plot_curves(self.learningCurves, ax)
