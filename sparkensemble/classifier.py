"""SampledEnsembleClassifier and its model: the classification task on the shared core."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from pyspark.ml.classification import ProbabilisticClassificationModel, ProbabilisticClassifier
from pyspark.ml.util import MLReadable, MLWritable

from sparkensemble.estimator import _SampledEnsembleEstimator
from sparkensemble.model import _SampledEnsembleModel
from sparkensemble.param_checks import keyword_only
from sparkensemble.task_params import _SampledEnsembleClassifierParams
from sparkensemble.tasks import CLASSIFICATION
from sparkensemble.vector_scoring import ClassificationVectorScoring


class SampledEnsembleClassificationModel(
    _SampledEnsembleModel,
    ClassificationVectorScoring,  # ahead of pyspark's abstract predict methods in the MRO
    ProbabilisticClassificationModel,
    _SampledEnsembleClassifierParams,
    MLWritable,
    MLReadable,
):
    """A fitted classifier ensemble: the members' native CatBoost models and how to combine them.

    :meth:`SampledEnsembleClassifier.fit` returns one; ``load(path)`` reads one that
    ``save(path)`` wrote. ``transform`` adds ``rawPrediction`` (the combined member
    probabilities before renormalisation; the margins with ``combiner="stacked"`` or
    ``"geometric"``), ``probability`` and ``prediction``, and ``contributionsCol`` when
    set. Set an output column to ``""`` to skip it. The combiner, thresholds and output
    columns can be changed on the fitted model, without refitting; the other Params
    record how it was fitted.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from pyspark.sql import SparkSession
    >>> spark = SparkSession.builder.getOrCreate()
    >>> rows = [(Vectors.dense([float(i % 7), float(i % 3)]), float(i % 7 > 3)) for i in range(400)]
    >>> df = spark.createDataFrame(rows, ["features", "label"]).cache()
    >>> model = SampledEnsembleClassifier(numMembers=2, iterations=20, depth=3).fit(df)
    >>> model.setCombiner("median").transform(df).columns
    ['features', 'label', 'rawPrediction', 'probability', 'prediction']
    >>> list(model.summary["member"])
    [0, 1]
    >>> model.predict(Vectors.dense([6.0, 0.0]))
    1.0
    """

    _task = CLASSIFICATION

    @property
    def numClasses(self) -> int:
        """Number of classes (``int``): the label's values are ``0, ..., numClasses - 1``."""
        return self._state.width

    def _output_columns(self) -> Dict[str, str]:
        return {
            "raw": self.getRawPredictionCol(),
            "probability": self.getProbabilityCol(),
            "prediction": self.getPredictionCol(),
        }

    def _thresholds(self) -> Optional[List[float]]:
        if not self.isDefined(self.thresholds):
            return None
        thresholds = self.getThresholds()
        if len(thresholds) != self._state.width:
            raise ValueError(
                f"thresholds has {len(thresholds)} values, but the model has "
                f"{self._state.width} classes; give one threshold per class."
            )
        return thresholds


class SampledEnsembleClassifier(
    _SampledEnsembleEstimator,
    ProbabilisticClassifier,
    _SampledEnsembleClassifierParams,
    MLWritable,
    MLReadable,
):
    """Train CatBoost classifiers on disjoint pieces of a DataFrame, in parallel, and ensemble them.

    Each member trains in its own Spark task on one fold (``strategy="fold"``, rows
    assigned by a hash of their content and ``seed``, or by ``foldCol``) or on one input
    partition (``strategy="partition"``, no shuffle). ``fit`` returns a
    :class:`SampledEnsembleClassificationModel`. Every Param below is also a keyword of
    :meth:`setParams`, has a ``getX`` and ``setX`` method, and can be tuned with
    ``ParamGridBuilder``. A Param left unset keeps its default.

    Parameters
    ----------
    featuresCol : str, default="features"
        Column of features: a ``Vector`` or an array of numbers. Vector slots that the
        column's ML attribute metadata marks nominal (as ``StringIndexer`` followed by
        ``VectorAssembler`` produce) are categorical. Not read when ``inputCols`` is set.
    labelCol : str, default="label"
        Column of class indices ``0.0, 1.0, ..., C-1``, as numbers; two classes or more.
    predictionCol : str, default="prediction"
        Output column of the predicted class index (a double). ``""`` skips it.
    probabilityCol : str, default="probability"
        Output ``Vector`` column of the class probabilities. ``""`` skips it.
    rawPredictionCol : str, default="rawPrediction"
        Output ``Vector`` column of the combined member probabilities before they are
        renormalised (the stacker's or the merged model's margins for ``"stacked"`` and
        ``"geometric"``). ``""`` skips it.
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
        feature, then the expected value (one such block per class for multiclass).
        Needs a combiner that merges the members into one CatBoost model:
        ``"geometric"``, or ``"stacked"`` for two classes.
    numMembers : int, default=5
        Number of members, ``>= 1``. With ``strategy="partition"`` and ``numMembers``
        unset, one member per input partition; set, the input is coalesced to that many
        partitions, without a shuffle, and it must have at least that many.
    strategy : {"fold", "partition"}, default="fold"
        How rows are split among members. ``"fold"`` assigns each row by a hash of its
        content and ``seed`` (or by ``foldCol``), so members do not depend on the input's
        partitioning; ``"partition"`` trains one member per input partition, with no
        shuffle.
    combiner : {"mean", "median", "max", "geometric", "stacked"}, default="mean"
        How member probabilities are combined at transform time; a fitted model can
        change it with ``setCombiner`` without refitting. Median and max rows are
        renormalised to sum to 1. ``"geometric"`` averages the members' raw scores
        (log-odds), a renormalised geometric mean of the probabilities, and merges into
        one CatBoost model. ``"stacked"`` applies a logistic regression fitted on
        out-of-fold predictions; it must be set at fit and needs scikit-learn
        (``sparkensemble[stacking]``).
    thresholds : list of float, optional
        One threshold per class, as in Spark ML: the class with the largest ratio of
        probability to threshold is predicted. Values ``>= 0``, at most one of them 0.
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
    iterations : int, default=300
        CatBoost iterations (trees) per member, ``>= 1``. Below CatBoost's own 1000:
        CatBoost raises its automatic learning rate to match, and the fit is several
        times faster for a few thousandths of AUC at most on the benchmark tables.
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
        ``random_seed``, ``train_dir``, ...) and keys that have a Param of their own
        (``iterations``, ``depth``, ...) are refused with the Param to use instead. With
        categorical features the library sets ``one_hot_max_size`` and
        ``max_ctr_complexity`` from the data, and where a column keeps target statistics
        in a binary task, ``leaf_estimation_iterations=1`` with a ``learning_rate`` of
        its own (``model.categoricalEncoding``); a key set here, or ``learningRate`` or
        ``l2LeafReg``, wins.
    seed : int, default=0
        Seed of the row assignment and of the members' CatBoost seeds, which are derived
        from it once and recorded on the model. The same seed gives the same members.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from pyspark.sql import SparkSession
    >>> spark = SparkSession.builder.getOrCreate()
    >>> rows = [(Vectors.dense([float(i % 7), float(i % 3)]), float(i % 7 > 3)) for i in range(400)]
    >>> df = spark.createDataFrame(rows, ["features", "label"]).cache()
    >>> clf = SampledEnsembleClassifier(numMembers=2, iterations=20, depth=3, seed=1)
    >>> model = clf.fit(df)
    >>> model.numClasses, len(model.members)
    (2, 2)
    >>> model.transform(df).select("prediction").distinct().count()
    2
    """

    _task = CLASSIFICATION
    _model_class = SampledEnsembleClassificationModel

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: Optional[str] = None,
        inputCols: Optional[List[str]] = None,
        categoricalCols: List[str] = [],
        foldCol: Optional[str] = None,
        contributionsCol: Optional[str] = None,
        numMembers: int = 5,
        strategy: str = "fold",
        combiner: str = "mean",
        thresholds: Optional[List[float]] = None,
        validationFraction: float = 0.1,
        validationIndicatorCol: Optional[str] = None,
        validationMaxRows: int = 100_000,
        earlyStoppingRounds: int = 100,
        maxRowsPerMember: int = 1_000_000,
        stackerMaxRows: int = 100_000,
        initModelPath: Optional[str] = None,
        maxMembers: Optional[int] = None,
        iterations: int = 300,
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
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: Optional[str] = None,
        inputCols: Optional[List[str]] = None,
        categoricalCols: List[str] = [],
        foldCol: Optional[str] = None,
        contributionsCol: Optional[str] = None,
        numMembers: int = 5,
        strategy: str = "fold",
        combiner: str = "mean",
        thresholds: Optional[List[float]] = None,
        validationFraction: float = 0.1,
        validationIndicatorCol: Optional[str] = None,
        validationMaxRows: int = 100_000,
        earlyStoppingRounds: int = 100,
        maxRowsPerMember: int = 1_000_000,
        stackerMaxRows: int = 100_000,
        initModelPath: Optional[str] = None,
        maxMembers: Optional[int] = None,
        iterations: int = 300,
        depth: int = 6,
        learningRate: Optional[float] = None,
        l2LeafReg: Optional[float] = None,
        catboostParams: Dict[str, Any] = {},
        seed: int = 0,
    ) -> SampledEnsembleClassifier:
        """Set the Params given by keyword; the others keep their values.

        The keywords are the constructor's, documented on
        :class:`SampledEnsembleClassifier`; ``None`` leaves a Param as it is.

        Returns
        -------
        SampledEnsembleClassifier
            This estimator, so that calls chain.
        """
        return self._set_given(self._input_kwargs)
