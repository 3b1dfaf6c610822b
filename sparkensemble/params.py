"""Param mixins every task shares, on the estimator and its model (each task's own are in
:mod:`sparkensemble.task_params`).

Values are checked when they are set (constructor, ``setX``, ``copy(extra)``
and ``ParamGridBuilder`` maps all go through ``Params._set``), so a typo fails
at the line that made it rather than inside a Spark job; the checks are
:mod:`sparkensemble.param_checks`. What needs CatBoost (unknown keys, a loss's
parameters) is checked at fit, before any job.
"""

from __future__ import annotations

from typing import Any, Dict, List

from pyspark.ml.base import _PredictorParams
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import (
    HasInputCols,
    HasSeed,
    HasValidationIndicatorCol,
    HasWeightCol,
)

from sparkensemble.param_checks import (
    catboost_params,
    int_at_least,
    one_of,
    open_unit_interval,
    positive_float,
)


class _SampledEnsembleParams(
    _PredictorParams, HasInputCols, HasWeightCol, HasValidationIndicatorCol, HasSeed
):
    """Params shared by every sampled-ensemble estimator and model, whatever the task."""

    supportedStrategies: List[str] = ["fold", "partition"]

    categoricalCols: Param[List[str]] = Param(
        Params._dummy(),
        "categoricalCols",
        "columns among inputCols that CatBoost treats as categorical (string, integer or "
        "boolean); nulls are a category of their own. With featuresCol, nominal slots of the "
        "vector's ML attribute metadata are categorical instead.",
        typeConverter=TypeConverters.toListString,
    )
    numMembers: Param[int] = Param(
        Params._dummy(),
        "numMembers",
        "number of CatBoost members to train (>= 1; default 5). With strategy='partition' "
        "and numMembers unset, one member per input partition; set, the input is coalesced "
        "to this many partitions, without a shuffle.",
        typeConverter=int_at_least("numMembers", 1),
    )
    strategy: Param[str] = Param(
        Params._dummy(),
        "strategy",
        "how rows are split among members: "
        + ", ".join(supportedStrategies)
        + ". 'fold' assigns each row by a hash of its content and the seed (or by foldCol); "
        "'partition' trains one member per input partition, without a shuffle.",
        typeConverter=one_of("strategy", supportedStrategies),
    )
    foldCol: Param[str] = Param(
        Params._dummy(),
        "foldCol",
        "optional integer column in [0, numMembers) giving each row's member; "
        "used with strategy='fold' instead of the content hash.",
        typeConverter=TypeConverters.toString,
    )
    validationFraction: Param[float] = Param(
        Params._dummy(),
        "validationFraction",
        "fraction of each member's rows held out, by row hash, for early stopping and the "
        "member's metrics; in (0, 1). Unused when validationIndicatorCol is set.",
        typeConverter=open_unit_interval("validationFraction"),
    )
    validationMaxRows: Param[int] = Param(
        Params._dummy(),
        "validationMaxRows",
        "with validationIndicatorCol, the most flagged rows every member early-stops and is "
        "measured on (>= 1): those with the smallest row hashes, the same for every member.",
        typeConverter=int_at_least("validationMaxRows", 1),
    )
    earlyStoppingRounds: Param[int] = Param(
        Params._dummy(),
        "earlyStoppingRounds",
        "stop a member after this many iterations without improvement on its holdout "
        "(>= 0; 0 trains all iterations, then keeps the best one).",
        typeConverter=int_at_least("earlyStoppingRounds", 0),
    )
    maxRowsPerMember: Param[int] = Param(
        Params._dummy(),
        "maxRowsPerMember",
        "the most rows one member trains on (>= 1). A larger member is down-sampled "
        "deterministically, by row hash, as its rows stream in, with a warning. Size it so "
        "that a member's rows, as float64 features, fit in one Python worker's memory.",
        typeConverter=int_at_least("maxRowsPerMember", 1),
    )
    initModelPath: Param[str] = Param(
        Params._dummy(),
        "initModelPath",
        "path of a saved model of this estimator's model class to grow: fit trains "
        "numMembers new members on the given data alone and returns them with the saved "
        "model's members. The features, categorical columns, classes and loss must match.",
        typeConverter=TypeConverters.toString,
    )
    maxMembers: Param[int] = Param(
        Params._dummy(),
        "maxMembers",
        "optional cap on the members a fitted model keeps (>= 1): with initModelPath, only "
        "the newest maxMembers, a sliding window over the data's history.",
        typeConverter=int_at_least("maxMembers", 1),
    )
    stackerMaxRows: Param[int] = Param(
        Params._dummy(),
        "stackerMaxRows",
        "with combiner='stacked', the most out-of-fold rows collected to the driver to fit "
        "the stacker (>= 100): a deterministic sample of the members' holdouts.",
        typeConverter=int_at_least("stackerMaxRows", 100),
    )
    iterations: Param[int] = Param(
        Params._dummy(),
        "iterations",
        "CatBoost iterations (trees) per member (>= 1). Default 300 for the classifier, where "
        "CatBoost raises its automatic learning rate to match (Logloss); 1000, CatBoost's own, "
        "for the regressor, where most losses keep a fixed learning rate of 0.03.",
        typeConverter=int_at_least("iterations", 1),
    )
    depth: Param[int] = Param(
        Params._dummy(),
        "depth",
        "CatBoost tree depth (>= 1).",
        typeConverter=int_at_least("depth", 1),
    )
    learningRate: Param[float] = Param(
        Params._dummy(),
        "learningRate",
        "CatBoost learning rate (> 0). Unset lets CatBoost choose one from the data size.",
        typeConverter=positive_float("learningRate"),
    )
    l2LeafReg: Param[float] = Param(
        Params._dummy(),
        "l2LeafReg",
        "CatBoost L2 regularisation of leaf values (> 0). Unset means CatBoost's default (3); "
        "setting it, even to 3, turns off CatBoost's automatic learning rate.",
        typeConverter=positive_float("l2LeafReg"),
    )
    contributionsCol: Param[str] = Param(
        Params._dummy(),
        "contributionsCol",
        "optional output column of per-row SHAP contributions in raw-score space: one value "
        "per feature, then the expected value (one such block per class for multiclass). "
        "Needs a combiner that merges the members into one model.",
        typeConverter=TypeConverters.toString,
    )
    catboostParams: Param[Dict[str, Any]] = Param(
        Params._dummy(),
        "catboostParams",
        "other CatBoost keyword arguments, as a JSON-serialisable dict. Keys that "
        "Spark manages (thread_count, random_seed, train_dir, ...) and keys that have a Param "
        "of their own (iterations, depth, ...) are rejected.",
        typeConverter=catboost_params,
    )

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(
            numMembers=5,
            categoricalCols=[],
            strategy="fold",
            combiner="mean",  # each task's combiner Param lists this one
            validationFraction=0.1,
            validationMaxRows=100_000,
            earlyStoppingRounds=100,
            stackerMaxRows=100_000,
            maxRowsPerMember=1_000_000,
            iterations=300,
            depth=6,
            catboostParams={},
            # A fixed default: HasSeed's default hashes the class name, which differs between
            # Python processes, and members must be reproducible.
            seed=0,
        )

    def getCategoricalCols(self) -> List[str]:
        """Gets the value of categoricalCols or its default value."""
        return self.getOrDefault(self.categoricalCols)

    def getNumMembers(self) -> int:
        """Gets the value of numMembers or its default value."""
        return self.getOrDefault(self.numMembers)

    def getStrategy(self) -> str:
        """Gets the value of strategy or its default value."""
        return self.getOrDefault(self.strategy)

    def getFoldCol(self) -> str:
        """Gets the value of foldCol."""
        return self.getOrDefault(self.foldCol)

    def getCombiner(self) -> str:
        """Gets the value of combiner or its default value."""
        return self.getOrDefault(self.combiner)

    def getValidationFraction(self) -> float:
        """Gets the value of validationFraction or its default value."""
        return self.getOrDefault(self.validationFraction)

    def getValidationMaxRows(self) -> int:
        """Gets the value of validationMaxRows or its default value."""
        return self.getOrDefault(self.validationMaxRows)

    def getEarlyStoppingRounds(self) -> int:
        """Gets the value of earlyStoppingRounds or its default value."""
        return self.getOrDefault(self.earlyStoppingRounds)

    def getMaxRowsPerMember(self) -> int:
        """Gets the value of maxRowsPerMember or its default value."""
        return self.getOrDefault(self.maxRowsPerMember)

    def getInitModelPath(self) -> str:
        """Gets the value of initModelPath."""
        return self.getOrDefault(self.initModelPath)

    def getMaxMembers(self) -> int:
        """Gets the value of maxMembers."""
        return self.getOrDefault(self.maxMembers)

    def getStackerMaxRows(self) -> int:
        """Gets the value of stackerMaxRows or its default value."""
        return self.getOrDefault(self.stackerMaxRows)

    def getIterations(self) -> int:
        """Gets the value of iterations or its default value."""
        return self.getOrDefault(self.iterations)

    def getDepth(self) -> int:
        """Gets the value of depth or its default value."""
        return self.getOrDefault(self.depth)

    def getLearningRate(self) -> float:
        """Gets the value of learningRate."""
        return self.getOrDefault(self.learningRate)

    def getL2LeafReg(self) -> float:
        """Gets the value of l2LeafReg."""
        return self.getOrDefault(self.l2LeafReg)

    def getContributionsCol(self) -> str:
        """Gets the value of contributionsCol."""
        return self.getOrDefault(self.contributionsCol)

    def getCatboostParams(self) -> Dict[str, Any]:
        """Gets the value of catboostParams or its default value."""
        return dict(self.getOrDefault(self.catboostParams))

    def _catboost_kwargs(self) -> Dict[str, Any]:
        """The CatBoost keyword arguments that come from Params."""
        kwargs: Dict[str, Any] = dict(self.getCatboostParams())
        kwargs.update(
            iterations=self.getIterations(),
            depth=self.getDepth(),
        )
        # Only when set: CatBoost picks its learning rate itself only if neither is given.
        if self.isDefined(self.learningRate):
            kwargs["learning_rate"] = self.getLearningRate()
        if self.isDefined(self.l2LeafReg):
            kwargs["l2_leaf_reg"] = self.getL2LeafReg()
        return kwargs
