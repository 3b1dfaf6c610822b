"""The estimator core every task shares: the fit flow, read as one straight line.

Check the Params and the input's schema, profile the data (one job), hash the rows,
train the members (one job), score the stacker's rows when it needs them (one job), and
build the model in one call. What differs between tasks comes from the class attribute
``_task`` (:mod:`sparkensemble.tasks`); the public classes (``classifier.py``,
``regressor.py``, ``ranker.py``) add only their Params and output columns.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any, ClassVar, Dict, Iterator, List, Optional, Sequence, Tuple, TypeVar

from pyspark.ml.param import Param
from pyspark.sql import DataFrame

from sparkensemble.assignment import presample_threshold
from sparkensemble.encoding import CategoricalEncoding, choose_encoding
from sparkensemble.features import feature_blocks
from sparkensemble.fit_checks import check_fit_params
from sparkensemble.group_profile import profile_groups
from sparkensemble.growth import (
    GrowthBase,
    check_growth_data,
    check_growth_params,
    grown_members,
    load_growth_base,
)
from sparkensemble.leaf_steps import member_train_rows, with_one_leaf_step
from sparkensemble.members import MemberSettings, ValidationRows, derive_member_seeds
from sparkensemble.model import _SampledEnsembleModel
from sparkensemble.model_state import EnsembleState
from sparkensemble.out_of_fold import out_of_fold_outputs, validation_outputs
from sparkensemble.params import _SampledEnsembleParams
from sparkensemble.persistence import ParamsWritable
from sparkensemble.phases import log_fitted
from sparkensemble.profile import TrainingProfile, profile_training_data
from sparkensemble.rows import hashed_rows, row_content
from sparkensemble.schema import (
    category_kinds,
    check_category_kinds,
    check_feature_columns,
    check_fit_schema,
)
from sparkensemble.setters import _SampledEnsembleSetters
from sparkensemble.tasks import EnsembleTask
from sparkensemble.training import member_count, train_members
from sparkensemble.tuning import SharedFitIterator
from sparkensemble.validation_rows import split_validation

logger = logging.getLogger(__name__)

E = TypeVar("E", bound="_SampledEnsembleEstimator")


class _SampledEnsembleEstimator(ParamsWritable, _SampledEnsembleSetters, _SampledEnsembleParams):
    """Fit flow for every task: validate, assign rows to members, train, assemble."""

    _task: ClassVar[EnsembleTask]
    _model_class: ClassVar[type]

    # The public classes declare __init__ and setParams with one keyword per Param
    # (params.keyword_only); both end here.
    _input_kwargs: Dict[str, Any]

    def _set_given(self: E, params: Dict[str, Any]) -> E:
        """Set the Params given by keyword; None, the signatures' default, leaves one as it is."""
        return self._set(**{name: value for name, value in params.items() if value is not None})

    def fitMultiple(
        self, dataset: DataFrame, paramMaps: Sequence[Dict[Param, Any]]
    ) -> Iterator[Tuple[int, _SampledEnsembleModel]]:
        """Fit one model per param map, as ``CrossValidator`` and ``TrainValidationSplit`` do.

        Maps that differ only in transform-time Params (combiner, thresholds, output
        columns) share one training of the members.

        Parameters
        ----------
        dataset : pyspark.sql.DataFrame
            The training data.
        paramMaps : sequence of dict
            Param maps, each ``{param: value}``, applied on a copy of this estimator.

        Returns
        -------
        iterator of (int, model)
            One ``(index, model)`` pair per map, ``index`` naming the map. Thread-safe,
            so ``CrossValidator(parallelism=...)`` can draw from several threads.
        """
        return SharedFitIterator(self.copy(), dataset, paramMaps)

    def _validate_params(self) -> None:
        """Check, on the driver before any Spark job, what the converters leave to fit."""
        check_fit_params(self, self._task)

    def _fit(self, dataset: DataFrame) -> _SampledEnsembleModel:
        started = time.perf_counter()
        # 1. Params and schema, with no Spark job.
        self._validate_params()
        requested = self.getNumMembers() if self.isSet(self.numMembers) else None
        num_members = member_count(dataset, self.getStrategy(), requested, self.getNumMembers())
        task, label_col = self._task, self.getLabelCol()
        weight_col = self.getOrDefault(self.weightCol) if self.isDefined(self.weightCol) else None
        fold_col = self.getFoldCol() if self.isDefined(self.foldCol) else None
        input_cols = self.getInputCols() if self.isDefined(self.inputCols) else None
        validation_col, group_col = self._validation_col(), self._group_col()
        schema = dataset.schema
        check_feature_columns(schema, self.getFeaturesCol(), input_cols, self.getCategoricalCols())
        check_fit_schema(schema, label_col, weight_col, fold_col, task, validation_col, group_col)
        kinds = category_kinds(schema, self.getCategoricalCols())
        blocks = feature_blocks(self, schema)
        base = self._growth_base()
        if base is not None:
            check_growth_params(
                base,
                input_cols,
                self.getCategoricalCols(),
                blocks.categorical_positions,
                self._loss(),
            )
            check_category_kinds(schema, base.state.category_kinds)
        if not dataset.storageLevel.useMemory and not dataset.storageLevel.useDisk:
            logger.warning(
                "The input DataFrame is not directly cached: fit reads it twice (once to check "
                "it, once to train), which is slow if its source is not cached either."
            )
        # 2. The profile job, then what it decides: the encoding, the sampling, the spread.
        content = row_content(blocks, label_col, weight_col, group_col)
        profile = profile_training_data(
            dataset,
            blocks,
            label_col,
            weight_col,
            fold_col,
            num_members,
            task,
            content,
            validation_col,
        )
        if group_col:  # one more job, over the groups
            checks = (self.getStrategy(), num_members, self.getMaxRowsPerMember(), fold_col)
            profile_groups(dataset, group_col, weight_col, *checks, seed=self.getSeed())
        if base is not None:
            check_growth_data(base, profile.num_features, profile.width, label_col)
            # New members train as the old ones did, on as many classes, with their encoding.
            profile = replace(profile, width=base.state.width)
            encoding = base.encoding
        else:
            encoding = choose_encoding(
                blocks.categorical_names,
                blocks.categorical_positions,
                profile.category_levels,
                self.getCatboostParams(),
            )
            binary = self._task.default_loss(profile.width) == "Logloss"
            share = profile.training_rows / num_members, self.getMaxRowsPerMember()
            holdout = 0.0 if validation_col else self.getValidationFraction()
            rows = member_train_rows(*share, holdout)
            encoding = with_one_leaf_step(encoding, self._catboost_kwargs(), binary, rows)
        if encoding.columns:
            logger.info("Categorical encoding: %s", encoding.describe())
        settings = self._member_settings(profile, encoding)
        presample = self._presample(profile, num_members)
        # With strategy="partition" rows stay in their partitions, so no window moves them.
        # Grouped rows go to members and holdouts by group, so spreading changes nothing.
        spread = profile.has_duplicates and self.getStrategy() == "fold" and not group_col
        # 3. Rows, the validation rows if flagged (one job), members, and the stacker's rows.
        rows = hashed_rows(
            dataset,
            blocks,
            label_col,
            weight_col,
            fold_col,
            self.getSeed(),
            spread,
            validation_col,
            group_col,
        )
        positions = [column.position for column in encoding.columns]
        validation, validation_ipc = None, None
        if validation_col:
            rows, validation, validation_ipc = split_validation(
                rows,
                profile.validation_rows,
                self.getValidationMaxRows(),
                positions,
                weight_col is not None,
            )
        generation = base.generation if base is not None else 0
        taken = base.seeds if base is not None else ()
        members = train_members(
            rows,
            self.getStrategy(),
            derive_member_seeds(self.getSeed(), num_members, generation, taken),
            settings,
            has_weight=weight_col is not None,
            max_rows=self.getMaxRowsPerMember(),
            presample=presample,
            validation=validation_ipc,
        )
        members["generation"] = generation
        if base is not None:
            max_members = self.getMaxMembers() if self.isDefined(self.maxMembers) else None
            members = grown_members(base.state.members, members, max_members)
        stacker = self._fit_stacker(
            rows, list(members["model"]), profile, positions, weight_col is not None, validation
        )
        # 4. The model, with everything it holds, in one call.
        state = EnsembleState.fitted(
            members,
            task,
            width=int(profile.width),
            num_features=int(profile.num_features),
            encoding=encoding,
            category_kinds=kinds,
            stacker=stacker,
        )
        log_fitted(state.members, task.metric_names, time.perf_counter() - started)
        model = self._model_class._fitted(state)
        self._copyValues(model)
        return model._set(numMembers=len(members))

    def _fit_stacker(
        self,
        rows: DataFrame,
        blobs: List[bytes],
        profile: TrainingProfile,
        positions: List[int],
        has_weight: bool,
        validation: Optional[ValidationRows],
    ) -> Optional[Any]:
        """combiner='stacked''s stacker (else None), fitted on rows no member trained on:
        the validation rows if flagged, else a sample of the holdouts (one Spark job)."""
        if self.getCombiner() != "stacked":
            return None
        task, max_rows = self._task, self.getStackerMaxRows()
        if validation is not None:
            oof = validation_outputs(validation, blobs, task, profile.width, max_rows)
        else:
            fraction = self.getValidationFraction()
            oof = out_of_fold_outputs(
                rows,
                blobs,
                task,
                profile.width,
                fraction,
                max_rows,
                profile.rows,
                has_weight,
                positions,
            )
        outputs, labels, weights = oof
        return task.fit_stacker(outputs, labels, profile.width, weights)

    def _growth_base(self) -> Optional[GrowthBase]:
        """The saved model that initModelPath names, to grow; None when unset."""
        if not self.isDefined(self.initModelPath) or not self.getInitModelPath():
            return None
        return load_growth_base(self._model_class, self.getInitModelPath())

    def _loss(self) -> Optional[str]:
        """The members' loss where the task has a Param for it (the regressor's)."""
        return self.getOrDefault("lossFunction") if self.hasParam("lossFunction") else None

    def _group_col(self) -> Optional[str]:
        """The column of each row's group (a ranker's groupCol), or None for ungrouped tasks."""
        if not self.hasParam("groupCol") or not self.isDefined("groupCol"):
            return None
        return self.getOrDefault("groupCol") or None

    def _validation_col(self) -> Optional[str]:
        """validationIndicatorCol, or None when unset (or set to "", as pyspark allows)."""
        if not self.isDefined(self.validationIndicatorCol):
            return None
        return self.getValidationIndicatorCol() or None

    def _presample(self, profile: TrainingProfile, num_members: int) -> Optional[Tuple[int, int]]:
        """``(threshold, rows)`` when Spark can drop rows no capped member keeps, else None.

        Only fold members' sizes are known from the profile, so only they presample; and
        only ungrouped rows, since a threshold on row hashes would split groups.
        """
        if self.getStrategy() != "fold" or self.isDefined(self.foldCol) or self._group_col():
            return None
        rows = profile.training_rows
        threshold = presample_threshold(rows, num_members, self.getMaxRowsPerMember())
        return None if threshold is None else (threshold, rows)

    def _member_settings(
        self, profile: TrainingProfile, encoding: CategoricalEncoding
    ) -> MemberSettings:
        """What every member trains with; each task fills in its member's own seed."""
        return MemberSettings(
            width=profile.width,
            seed=0,  # replaced by each member's own seed in its task
            validation_fraction=self.getValidationFraction(),
            early_stopping_rounds=self.getEarlyStoppingRounds(),
            # What the user set wins, also over a grown model's recorded encoding.
            catboost_kwargs={**encoding.catboost_params, **self._catboost_kwargs()},
            categorical_positions=tuple(column.position for column in encoding.columns),
            task=self._task.name,
        )
