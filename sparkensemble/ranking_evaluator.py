"""GroupNDCGEvaluator: mean NDCG@k over the groups of a scored DataFrame, for tuning a ranker.

pyspark's ``RankingEvaluator`` cannot express it: it takes one row per query holding an
array of predicted items and an array of relevant ones, so relevance is binary and the
scores must first be collected into ranked lists. This evaluator reads the rows as a
ranker scores them: a group column, a graded relevance and a score per row. Spark glue,
one job per evaluation.
"""

from __future__ import annotations

from typing import Any, Optional

from pyspark.ml.evaluation import Evaluator
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasLabelCol, HasPredictionCol, HasWeightCol
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from sparkensemble.param_checks import int_at_least, keyword_only
from sparkensemble.schema import input_field
from sparkensemble.tasks.ranking import NDCG_TOP


class GroupNDCGEvaluator(
    Evaluator,
    HasLabelCol,
    HasPredictionCol,
    HasWeightCol,
    DefaultParamsReadable,
    DefaultParamsWritable,
):
    """Mean NDCG@k over groups, as CatBoost's ``NDCG:top=k;type=Base`` computes it.

    Within each group, rows are ranked by ``predictionCol``, highest first (tied scores
    put the less relevant row first). A row at position ``i`` gains ``relevance /
    log2(i + 1)``; a group's DCG sums the top ``k`` gains, and its NDCG divides that by
    the DCG of the ideal order. A group with no relevant row scores 1, as in CatBoost.
    The result is the mean over groups, weighted by ``weightCol`` (a group weight) when
    it is set. Larger is better, so ``CrossValidator`` maximises it.

    Parameters
    ----------
    groupCol : str, default="group"
        Column of each row's group (query) id.
    labelCol : str, default="label"
        Column of graded relevance, ``>= 0``.
    predictionCol : str, default="prediction"
        Column of ranking scores.
    weightCol : str, optional
        Column of group weights, the same on every row of a group.
    k : int, default=10
        How many of each group's top-ranked rows count, ``>= 1``.

    Examples
    --------
    >>> from pyspark.sql import SparkSession
    >>> spark = SparkSession.builder.getOrCreate()
    >>> rows = [(1, 3.0, 0.9), (1, 0.0, 0.1), (2, 1.0, 0.2), (2, 2.0, 0.8)]
    >>> scored = spark.createDataFrame(rows, ["query", "label", "prediction"])
    >>> GroupNDCGEvaluator(groupCol="query").evaluate(scored)
    1.0
    """

    groupCol: Param[str] = Param(
        Params._dummy(),
        "groupCol",
        "column of each row's group (query) id",
        typeConverter=TypeConverters.toString,
    )
    k: Param[int] = Param(
        Params._dummy(),
        "k",
        "how many of each group's top-ranked rows count (>= 1)",
        typeConverter=int_at_least("k", 1),
    )

    @keyword_only
    def __init__(
        self,
        *,
        groupCol: str = "group",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        weightCol: Optional[str] = None,
        k: int = NDCG_TOP,
    ) -> None:
        super().__init__()
        self._setDefault(groupCol="group", k=NDCG_TOP)
        self._set(**{key: value for key, value in self._input_kwargs.items() if value is not None})

    def getGroupCol(self) -> str:
        """Gets the value of groupCol or its default value."""
        return self.getOrDefault(self.groupCol)

    def setGroupCol(self, value: str) -> GroupNDCGEvaluator:
        """Sets the value of :py:attr:`groupCol`."""
        return self._set(groupCol=value)

    def getK(self) -> int:
        """Gets the value of k or its default value."""
        return self.getOrDefault(self.k)

    def setK(self, value: int) -> GroupNDCGEvaluator:
        """Sets the value of :py:attr:`k`."""
        return self._set(k=value)

    def isLargerBetter(self) -> bool:
        """NDCG is larger for better rankings.

        Returns
        -------
        bool
            True.
        """
        return True

    def _evaluate(self, dataset: DataFrame) -> float:
        weighted = self.isDefined(self.weightCol) and bool(self.getWeightCol())
        named = {
            "groupCol": self.getGroupCol(),
            "labelCol": self.getLabelCol(),
            "predictionCol": self.getPredictionCol(),
        }
        if weighted:
            named["weightCol"] = self.getWeightCol()
        for param, column in named.items():  # before any job, naming the Param
            input_field(dataset.schema, column, param)
        group, k = F.col(self.getGroupCol()), self.getK()
        label = F.col(self.getLabelCol()).cast("double")
        score = F.col(self.getPredictionCol()).cast("double")
        weight = F.col(self.getWeightCol()).cast("double") if weighted else F.lit(1.0)
        rows = dataset.select(
            group.alias("g"), label.alias("y"), score.alias("s"), weight.alias("w")
        )
        ranked = Window.partitionBy("g").orderBy(F.col("s").desc(), F.col("y").asc())
        ideal = Window.partitionBy("g").orderBy(F.col("y").desc())
        rows = rows.withColumn("at", F.row_number().over(ranked))
        rows = rows.withColumn("best", F.row_number().over(ideal))
        missing = F.col("g").isNull() | F.col("y").isNull() | F.col("s").isNull()
        groups = rows.groupBy("g").agg(
            _dcg(F.col("at"), k).alias("dcg"),
            _dcg(F.col("best"), k).alias("ideal"),
            F.max("w").alias("w"),
            F.count_if(missing).alias("nulls"),
        )
        ndcg = F.when(F.col("ideal") > 0, F.col("dcg") / F.col("ideal")).otherwise(F.lit(1.0))
        # The checks ride on the one job: counted with the result, raised after it.
        result = groups.agg(
            (F.sum(ndcg * F.col("w")) / F.sum("w")).alias("ndcg"),
            F.count(F.lit(1)).alias("groups"),
            F.sum("nulls").alias("nulls"),
        ).first()
        if not result["groups"]:
            raise ValueError("GroupNDCGEvaluator was given an empty DataFrame; NDCG needs rows.")
        if result["nulls"]:
            raise ValueError(
                f"{result['nulls']} rows have a null {named['groupCol']!r} (groupCol), "
                f"{named['labelCol']!r} (labelCol) or {named['predictionCol']!r} "
                f"(predictionCol); a null would rank as a row of its own group, or not at "
                f"all. Drop or fill those rows first."
            )
        return float(result["ndcg"])


def _dcg(position: Any, k: int) -> Any:
    """The summed gains of the rows at ``position`` 1..k: relevance / log2(position + 1)."""
    gain = F.col("y") / F.log2(position + F.lit(1.0))
    return F.coalesce(F.sum(F.when(position <= k, gain)), F.lit(0.0))
