"""SampledEnsembleRegressor and its model: the regression task on the shared core."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from pyspark.ml.regression import RegressionModel, Regressor
from pyspark.ml.util import MLReadable, MLWritable

from sparkensemble.estimator import _SampledEnsembleEstimator
from sparkensemble.model import _SampledEnsembleModel
from sparkensemble.param_checks import keyword_only
from sparkensemble.task_params import _SampledEnsembleRegressorParams
from sparkensemble.tasks import REGRESSION
from sparkensemble.vector_scoring import VectorScoring


class SampledEnsembleRegressionModel(
    _SampledEnsembleModel,
    VectorScoring,  # ahead of pyspark's abstract predict in the MRO
    RegressionModel,
    _SampledEnsembleRegressorParams,
    MLWritable,
    MLReadable,
):
    """A fitted regressor ensemble: the members' native CatBoost models and how to combine them.

    :meth:`SampledEnsembleRegressor.fit` returns one; ``load(path)`` reads one that
    ``save(path)`` wrote. ``transform`` adds ``prediction``, the variance of the
    members' predictions for each row when ``varianceCol`` is set (population variance,
    over members), and ``contributionsCol`` when set. The combiner and output columns can
    be changed on the fitted model, without refitting; the other Params record how it was
    fitted.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from pyspark.sql import SparkSession
    >>> spark = SparkSession.builder.getOrCreate()
    >>> rows = [(Vectors.dense([float(i % 7), float(i % 3)]), 2.0 * (i % 7)) for i in range(400)]
    >>> df = spark.createDataFrame(rows, ["features", "label"]).cache()
    >>> model = SampledEnsembleRegressor(numMembers=2, iterations=30, depth=3).fit(df)
    >>> model.setVarianceCol("variance").transform(df).columns
    ['features', 'label', 'prediction', 'variance']
    >>> 10.0 < model.predict(Vectors.dense([6.0, 0.0])) < 14.0
    True
    """

    _task = REGRESSION

    def _output_columns(self) -> Dict[str, str]:
        variance = self.getVarianceCol() if self.isDefined(self.varianceCol) else ""
        return {"prediction": self.getPredictionCol(), "variance": variance}

    def setVarianceCol(self, value: str) -> SampledEnsembleRegressionModel:
        """Sets the value of :py:attr:`varianceCol`."""
        return self._set(varianceCol=value)

    def _loss(self) -> str:
        return self.getLossFunction()


class SampledEnsembleRegressor(
    _SampledEnsembleEstimator,
    Regressor,
    _SampledEnsembleRegressorParams,
    MLWritable,
    MLReadable,
):
    """Train CatBoost regressors on disjoint pieces of a DataFrame, in parallel, and ensemble them.

    Rows are split among members exactly as :class:`SampledEnsembleClassifier` splits
    them, and each member minimises ``lossFunction``. ``fit`` returns a
    :class:`SampledEnsembleRegressionModel`. Every Param below is also a keyword of
    :meth:`setParams`, has a ``getX`` and ``setX`` method, and can be tuned with
    ``ParamGridBuilder``. A Param left unset keeps its default.

    Parameters
    ----------
    featuresCol : str, default="features"
        Column of features: a ``Vector`` or an array of numbers. Vector slots that the
        column's ML attribute metadata marks nominal (as ``StringIndexer`` followed by
        ``VectorAssembler`` produce) are categorical. Not read when ``inputCols`` is set.
    labelCol : str, default="label"
        Column of numeric, finite labels.
    predictionCol : str, default="prediction"
        Output column of the combined prediction (a double). ``""`` skips it.
    varianceCol : str, optional
        Output column of the variance of the members' predictions for each row
        (population variance, over members): a measure of their disagreement.
    weightCol : str, optional
        Column of non-negative instance weights. Unset, every row weighs 1.
    inputCols : list of str, optional
        Raw columns to train on instead of ``featuresCol``: numeric columns, plus the
        string, integer or boolean columns named in ``categoricalCols``.
    categoricalCols : list of str, default=[]
        Columns among ``inputCols`` that CatBoost treats as categorical, passed as they
        are (no indexing, no one-hot encoding); a null is a category of its own.
    foldCol : str, optional
        Integer column in ``[0, numMembers)`` naming the member each row trains, instead
        of the content hash. Needs ``strategy="fold"``.
    contributionsCol : str, optional
        Output column of per-row SHAP contributions in raw-score space: one value per
        feature, then the expected value. Needs a combiner that merges the members into
        one CatBoost model: ``"geometric"``, and for losses other than ``Poisson`` and
        ``Tweedie`` also ``"mean"`` and ``"stacked"``.
    numMembers : int, default=5
        Number of members, ``>= 1``. With ``strategy="partition"`` and ``numMembers``
        unset, one member per input partition; set, the input is coalesced to that many
        partitions, without a shuffle, and it must have at least that many.
    strategy : {"fold", "partition"}, default="fold"
        How rows are split among members. ``"fold"`` assigns each row by a hash of its
        content and ``seed`` (or by ``foldCol``), so members do not depend on the input's
        partitioning; ``"partition"`` trains one member per input partition, with no
        shuffle.
    combiner : {"mean", "median", "geometric", "stacked"}, default="mean"
        How member predictions are combined at transform time; a fitted model can change
        it with ``setCombiner`` without refitting. ``"geometric"`` averages raw scores:
        the mean for identity-link losses, the geometric mean of the predictions for
        ``Poisson`` and ``Tweedie``. ``"stacked"`` applies a linear regression with
        non-negative member weights fitted on out-of-fold predictions; it must be set at
        fit and needs scikit-learn (``sparkensemble[stacking]``).
    lossFunction : str, default="RMSE"
        The CatBoost regression loss each member minimises, in CatBoost's syntax with
        parameters after a colon: one of RMSE, MAE, Quantile, Huber, Poisson, Tweedie,
        MAPE, LogLinQuantile, Expectile, LogCosh, Lq or RMSPE (for example
        ``"Quantile:alpha=0.9"`` or ``"Tweedie:variance_power=1.5"``). The name is checked
        when set, the parameters at fit, by CatBoost, before any Spark job.
    validationFraction : float, default=0.1
        Fraction of each member's rows held out, by row hash, for early stopping, the
        member's holdout metrics and the stacker's training rows; in ``(0, 1)``.
    validationIndicatorCol : str, optional
        Boolean column, true on rows to validate on instead of the hash holdout: no
        member trains on them, every member early-stops and is measured on the same
        ones (at most ``validationMaxRows``), and the stacker fits on them.
        ``validationFraction`` is then unused.
    validationMaxRows : int, default=100_000
        The most flagged rows used, ``>= 1``: those with the smallest row hashes. Every
        member's task holds them in memory.
    earlyStoppingRounds : int, default=100
        Stop a member after this many iterations without improvement on its holdout,
        ``>= 0``. With 0 a member trains every iteration, then keeps its best one.
    maxRowsPerMember : int, default=1_000_000
        The most rows one member trains on, ``>= 1``. A larger member is down-sampled,
        deterministically by row hash, with a warning. Size it so that one member's rows,
        as float64 features, fit in one Python worker's memory.
    stackerMaxRows : int, default=100_000
        With ``combiner="stacked"``, the most out-of-fold rows collected to the driver to
        fit the stacker, ``>= 100``: a deterministic sample of the members' holdouts.
    initModelPath : str, optional
        Path of a saved model of this estimator's model class to grow: ``fit`` trains
        ``numMembers`` new members on the given data alone, and returns them beside the
        saved members, which keep their generation in ``model.summary``. The features,
        categorical columns, classes and loss must be the saved model's.
    maxMembers : int, optional
        Keep only the newest ``maxMembers`` members, ``>= 1``, when growing: a sliding
        window for drifting data. Unset keeps every member.
    iterations : int, default=1000
        CatBoost iterations (trees) per member, ``>= 1``. CatBoost's own default: most
        regression losses keep a fixed learning rate of 0.03 when ``learningRate`` is
        unset, so fewer iterations would underfit them.
    depth : int, default=6
        CatBoost tree depth, ``>= 1``.
    learningRate : float, optional
        CatBoost learning rate, ``> 0``. Unset, CatBoost chooses one from the data size
        and ``iterations``.
    l2LeafReg : float, optional
        CatBoost L2 regularisation of leaf values, ``> 0``. Unset means CatBoost's default
        (3); setting it, even to 3, turns off CatBoost's automatic learning rate.
    catboostParams : dict, default={}
        Other CatBoost keyword arguments, JSON-serialisable, for example
        ``{"border_count": 32}``. Keys that Spark manages (``thread_count``,
        ``random_seed``, ``train_dir``, ...), keys that have a Param of their own
        (``iterations``, ``depth``, ...) and the loss (``loss_function``, set with
        ``lossFunction``) are refused with the Param to use instead.
    seed : int, default=0
        Seed of the row assignment and of the members' CatBoost seeds, which are derived
        from it once and recorded on the model. The same seed gives the same members.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from pyspark.sql import SparkSession
    >>> spark = SparkSession.builder.getOrCreate()
    >>> rows = [(Vectors.dense([float(i % 7), float(i % 3)]), 2.0 * (i % 7)) for i in range(400)]
    >>> df = spark.createDataFrame(rows, ["features", "label"]).cache()
    >>> model = SampledEnsembleRegressor(numMembers=2, iterations=30, depth=3).fit(df)
    >>> len(model.members), model.getLossFunction()
    (2, 'RMSE')
    """

    _task = REGRESSION
    _model_class = SampledEnsembleRegressionModel

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        varianceCol: Optional[str] = None,
        weightCol: Optional[str] = None,
        inputCols: Optional[List[str]] = None,
        categoricalCols: List[str] = [],
        foldCol: Optional[str] = None,
        contributionsCol: Optional[str] = None,
        numMembers: int = 5,
        strategy: str = "fold",
        combiner: str = "mean",
        lossFunction: str = "RMSE",
        validationFraction: float = 0.1,
        validationIndicatorCol: Optional[str] = None,
        validationMaxRows: int = 100_000,
        earlyStoppingRounds: int = 100,
        maxRowsPerMember: int = 1_000_000,
        stackerMaxRows: int = 100_000,
        initModelPath: Optional[str] = None,
        maxMembers: Optional[int] = None,
        iterations: int = 1000,
        depth: int = 6,
        learningRate: Optional[float] = None,
        l2LeafReg: Optional[float] = None,
        catboostParams: Dict[str, Any] = {},
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        varianceCol: Optional[str] = None,
        weightCol: Optional[str] = None,
        inputCols: Optional[List[str]] = None,
        categoricalCols: List[str] = [],
        foldCol: Optional[str] = None,
        contributionsCol: Optional[str] = None,
        numMembers: int = 5,
        strategy: str = "fold",
        combiner: str = "mean",
        lossFunction: str = "RMSE",
        validationFraction: float = 0.1,
        validationIndicatorCol: Optional[str] = None,
        validationMaxRows: int = 100_000,
        earlyStoppingRounds: int = 100,
        maxRowsPerMember: int = 1_000_000,
        stackerMaxRows: int = 100_000,
        initModelPath: Optional[str] = None,
        maxMembers: Optional[int] = None,
        iterations: int = 1000,
        depth: int = 6,
        learningRate: Optional[float] = None,
        l2LeafReg: Optional[float] = None,
        catboostParams: Dict[str, Any] = {},
        seed: int = 0,
    ) -> SampledEnsembleRegressor:
        """Set the Params given by keyword; the others keep their values.

        The keywords are the constructor's, documented on
        :class:`SampledEnsembleRegressor`; ``None`` leaves a Param as it is.

        Returns
        -------
        SampledEnsembleRegressor
            This estimator, so that calls chain.
        """
        return self._set_given(self._input_kwargs)

    def setLossFunction(self, value: str) -> SampledEnsembleRegressor:
        """Sets the value of :py:attr:`lossFunction`."""
        return self._set(lossFunction=value)

    def setVarianceCol(self, value: str) -> SampledEnsembleRegressor:
        """Sets the value of :py:attr:`varianceCol`."""
        return self._set(varianceCol=value)
