"""SampledEnsembleRanker and its model: the ranking task on the shared core."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from pyspark.ml.base import PredictionModel, Predictor
from pyspark.ml.util import MLReadable, MLWritable

from sparkensemble.estimator import _SampledEnsembleEstimator
from sparkensemble.model import _SampledEnsembleModel
from sparkensemble.param_checks import keyword_only
from sparkensemble.task_params import _SampledEnsembleRankerParams
from sparkensemble.tasks import RANKING
from sparkensemble.vector_scoring import VectorScoring


class SampledEnsembleRankingModel(
    _SampledEnsembleModel,
    VectorScoring,  # ahead of pyspark's abstract predict in the MRO
    PredictionModel,
    _SampledEnsembleRankerParams,
    MLWritable,
    MLReadable,
):
    """A fitted ranker ensemble: the members' native CatBoost rankers and how to combine them.

    :meth:`SampledEnsembleRanker.fit` returns one; ``load(path)`` reads one that
    ``save(path)`` wrote. ``transform`` adds ``prediction``, a ranking score per row (only
    its order within a group means anything; ``groupCol`` is not needed to score), and
    ``contributionsCol`` when set. The combiner and output columns can be changed on the
    fitted model, without refitting; the other Params record how it was fitted.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from pyspark.sql import SparkSession
    >>> spark = SparkSession.builder.getOrCreate()
    >>> rows = [(i // 8, Vectors.dense([float(i % 8), float(i % 3)]), float(i % 8 // 2))
    ...         for i in range(640)]
    >>> df = spark.createDataFrame(rows, ["query", "features", "label"]).cache()
    >>> ranker = SampledEnsembleRanker(groupCol="query", numMembers=2, iterations=30, depth=3)
    >>> model = ranker.fit(df)
    >>> model.transform(df).columns
    ['query', 'features', 'label', 'prediction']
    >>> model.predict(Vectors.dense([7.0, 0.0])) > model.predict(Vectors.dense([0.0, 0.0]))
    True
    """

    _task = RANKING

    def _output_columns(self) -> Dict[str, str]:
        return {"prediction": self.getPredictionCol()}

    def _loss(self) -> str:
        return self.getLossFunction()


class SampledEnsembleRanker(
    _SampledEnsembleEstimator,
    Predictor,
    _SampledEnsembleRankerParams,
    MLWritable,
    MLReadable,
):
    """Train CatBoost rankers on disjoint sets of whole groups, in parallel, and ensemble them.

    Each member is a ``CatBoostRanker`` that minimises ``lossFunction`` on the groups it
    was given. With ``strategy="fold"`` a group's member is chosen by a hash of its
    ``groupCol`` value and ``seed``, so every row of a group trains the same member and
    members do not depend on the input's partitioning; each member holds out whole
    groups, early-stops on their NDCG@10, and orders its rows by group, as CatBoost needs.
    ``fit`` returns a :class:`SampledEnsembleRankingModel`. Every Param below is also a
    keyword of :meth:`setParams`, has a ``getX`` and ``setX`` method, and can be tuned
    with ``ParamGridBuilder``. A Param left unset keeps its default.

    Parameters
    ----------
    groupCol : str, optional
        Column of each row's group (query) id, integer or string; required. Rows are
        ranked against the other rows of their group.
    featuresCol : str, default="features"
        Column of features: a ``Vector`` or an array of numbers. Vector slots that the
        column's ML attribute metadata marks nominal (as ``StringIndexer`` followed by
        ``VectorAssembler`` produce) are categorical. Not read when ``inputCols`` is set.
    labelCol : str, default="label"
        Column of graded relevance: finite numbers ``>= 0``, higher for rows that should
        rank first.
    predictionCol : str, default="prediction"
        Output column of the combined ranking score (a double). ``""`` skips it.
    weightCol : str, optional
        Column of group weights, as CatBoost takes them: non-negative, and the same on
        every row of a group. Unset, every group weighs 1.
    inputCols : list of str, optional
        Raw columns to train on instead of ``featuresCol``: numeric columns, plus the
        string, integer or boolean columns named in ``categoricalCols``.
    categoricalCols : list of str, default=[]
        Columns among ``inputCols`` that CatBoost treats as categorical, passed as they
        are (no indexing, no one-hot encoding); a null is a category of its own.
    foldCol : str, optional
        Integer column in ``[0, numMembers)`` naming the member each row trains, instead
        of the group hash. It must be the same on every row of a group. Needs
        ``strategy="fold"``.
    contributionsCol : str, optional
        Output column of per-row SHAP contributions in raw-score space: one value per
        feature, then the expected value. Needs ``combiner="mean"``, which merges the
        members into one CatBoost ranker.
    numMembers : int, default=5
        Number of members, ``>= 1``, and at most the number of groups. With
        ``strategy="partition"`` and ``numMembers`` unset, one member per input
        partition; set, the input is coalesced to that many partitions, without a
        shuffle, and it must have at least that many.
    strategy : {"fold", "partition"}, default="fold"
        How groups are split among members. ``"fold"`` assigns each group by a hash of its
        id and ``seed`` (or by ``foldCol``); ``"partition"`` trains one member per input
        partition, with no shuffle, and refuses, before training, a group that spans
        partitions: ``df.repartition(n, groupCol)`` first.
    combiner : {"mean", "median"}, default="mean"
        How member scores are combined at transform time; a fitted model can change it
        with ``setCombiner`` without refitting. ``"mean"`` averages the raw ranking scores
        and merges into one CatBoost ranker (``nativeModel``, SHAP); ``"median"`` does not
        merge. A ranker has no stacker: its members are exchangeable, and a learned blend
        would need a ranking objective over held-out groups.
    lossFunction : str, default="YetiRank"
        The CatBoost ranking loss each member minimises, in CatBoost's syntax with
        parameters after a colon: one of YetiRank, YetiRankPairwise, PairLogit,
        PairLogitPairwise, QueryRMSE, QuerySoftMax, LambdaMart, StochasticFilter or
        StochasticRank (for example ``"StochasticRank:metric=NDCG"``). The name is
        checked when set, the parameters at fit, by CatBoost, before any Spark job.
    validationFraction : float, default=0.1
        Fraction of each member's groups held out, by group hash, for early stopping and
        the member's holdout NDCG@10 and loss; in ``(0, 1)``.
    validationIndicatorCol : str, optional
        Not supported with ``groupCol``: the flagged rows are capped row by row, which
        would split groups; ``validationFraction`` holds out whole groups instead.
    validationMaxRows : int, default=100_000
        Unused by the ranker (see ``validationIndicatorCol``).
    earlyStoppingRounds : int, default=100
        Stop a member after this many iterations without improvement of its holdout
        NDCG@10, ``>= 0``. With 0 a member trains every iteration, then keeps its best one.
    maxRowsPerMember : int, default=1_000_000
        The most rows one member trains on, ``>= 1``. A larger member keeps whole groups,
        those with the smallest group hashes, with a warning; a single group larger than
        this is refused before training.
    stackerMaxRows : int, default=100_000
        Unused by the ranker, which has no stacker.
    initModelPath : str, optional
        Path of a saved ranker to grow: ``fit`` trains ``numMembers`` new members on the
        given data alone, and returns them beside the saved members. The features,
        categorical columns and loss must be the saved model's.
    maxMembers : int, optional
        Keep only the newest ``maxMembers`` members, ``>= 1``, when growing.
    iterations : int, default=1000
        CatBoost iterations (trees) per member, ``>= 1``. CatBoost's own default: ranking
        losses keep a fixed learning rate of 0.03 when ``learningRate`` is unset.
    depth : int, default=6
        CatBoost tree depth, ``>= 1``.
    learningRate : float, optional
        CatBoost learning rate, ``> 0``. Unset, CatBoost uses 0.03 for ranking losses.
    l2LeafReg : float, optional
        CatBoost L2 regularisation of leaf values, ``> 0``. Unset means CatBoost's default.
    catboostParams : dict, default={}
        Other CatBoost keyword arguments, JSON-serialisable, for example
        ``{"border_count": 32}`` or ``{"eval_metric": "NDCG:top=5"}``. Keys that Spark
        manages, keys that have a Param of their own and the loss (set with
        ``lossFunction``) are refused with the Param to use instead.
    seed : int, default=0
        Seed of the group assignment and of the members' CatBoost seeds, which are
        derived from it once and recorded on the model. The same seed gives the same
        members.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from pyspark.sql import SparkSession
    >>> spark = SparkSession.builder.getOrCreate()
    >>> rows = [(i // 8, Vectors.dense([float(i % 8), float(i % 3)]), float(i % 8 // 2))
    ...         for i in range(640)]
    >>> df = spark.createDataFrame(rows, ["query", "features", "label"]).cache()
    >>> ranker = SampledEnsembleRanker(groupCol="query", numMembers=2, iterations=30, depth=3)
    >>> model = ranker.fit(df)
    >>> len(model.members), model.getLossFunction()
    (2, 'YetiRank')
    """

    _task = RANKING
    _model_class = SampledEnsembleRankingModel

    @keyword_only
    def __init__(
        self,
        *,
        groupCol: Optional[str] = None,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        weightCol: Optional[str] = None,
        inputCols: Optional[List[str]] = None,
        categoricalCols: List[str] = [],
        foldCol: Optional[str] = None,
        contributionsCol: Optional[str] = None,
        numMembers: int = 5,
        strategy: str = "fold",
        combiner: str = "mean",
        lossFunction: str = "YetiRank",
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
        groupCol: Optional[str] = None,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        weightCol: Optional[str] = None,
        inputCols: Optional[List[str]] = None,
        categoricalCols: List[str] = [],
        foldCol: Optional[str] = None,
        contributionsCol: Optional[str] = None,
        numMembers: int = 5,
        strategy: str = "fold",
        combiner: str = "mean",
        lossFunction: str = "YetiRank",
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
    ) -> SampledEnsembleRanker:
        """Set the Params given by keyword; the others keep their values.

        The keywords are the constructor's, documented on :class:`SampledEnsembleRanker`;
        ``None`` leaves a Param as it is.

        Returns
        -------
        SampledEnsembleRanker
            This estimator, so that calls chain.
        """
        return self._set_given(self._input_kwargs)

    def setGroupCol(self, value: str) -> SampledEnsembleRanker:
        """Sets the value of :py:attr:`groupCol`."""
        return self._set(groupCol=value)

    def setLossFunction(self, value: str) -> SampledEnsembleRanker:
        """Sets the value of :py:attr:`lossFunction`."""
        return self._set(lossFunction=value)
