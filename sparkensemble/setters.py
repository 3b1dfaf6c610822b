"""The estimators' ``setX`` methods for the Params every task shares, as pyspark.ml has them.

Each returns the estimator, so calls chain. The task-specific setters are on the public
classes (``classifier.py``, ``regressor.py``).
"""

from __future__ import annotations

from typing import Any, Dict, List, TypeVar

from sparkensemble.params import _SampledEnsembleParams

E = TypeVar("E", bound="_SampledEnsembleSetters")


class _SampledEnsembleSetters(_SampledEnsembleParams):
    """``setX`` for each shared Param."""

    def setWeightCol(self: E, value: str) -> E:
        """Sets the value of :py:attr:`weightCol`."""
        return self._set(weightCol=value)

    def setInputCols(self: E, value: List[str]) -> E:
        """Sets the value of :py:attr:`inputCols`."""
        return self._set(inputCols=value)

    def setCategoricalCols(self: E, value: List[str]) -> E:
        """Sets the value of :py:attr:`categoricalCols`."""
        return self._set(categoricalCols=value)

    def setNumMembers(self: E, value: int) -> E:
        """Sets the value of :py:attr:`numMembers`."""
        return self._set(numMembers=value)

    def setStrategy(self: E, value: str) -> E:
        """Sets the value of :py:attr:`strategy`."""
        return self._set(strategy=value)

    def setFoldCol(self: E, value: str) -> E:
        """Sets the value of :py:attr:`foldCol`."""
        return self._set(foldCol=value)

    def setCombiner(self: E, value: str) -> E:
        """Sets the value of :py:attr:`combiner`."""
        return self._set(combiner=value)

    def setValidationFraction(self: E, value: float) -> E:
        """Sets the value of :py:attr:`validationFraction`."""
        return self._set(validationFraction=value)

    def setValidationIndicatorCol(self: E, value: str) -> E:
        """Sets the value of :py:attr:`validationIndicatorCol`."""
        return self._set(validationIndicatorCol=value)

    def setValidationMaxRows(self: E, value: int) -> E:
        """Sets the value of :py:attr:`validationMaxRows`."""
        return self._set(validationMaxRows=value)

    def setEarlyStoppingRounds(self: E, value: int) -> E:
        """Sets the value of :py:attr:`earlyStoppingRounds`."""
        return self._set(earlyStoppingRounds=value)

    def setMaxRowsPerMember(self: E, value: int) -> E:
        """Sets the value of :py:attr:`maxRowsPerMember`."""
        return self._set(maxRowsPerMember=value)

    def setStackerMaxRows(self: E, value: int) -> E:
        """Sets the value of :py:attr:`stackerMaxRows`."""
        return self._set(stackerMaxRows=value)

    def setIterations(self: E, value: int) -> E:
        """Sets the value of :py:attr:`iterations`."""
        return self._set(iterations=value)

    def setDepth(self: E, value: int) -> E:
        """Sets the value of :py:attr:`depth`."""
        return self._set(depth=value)

    def setLearningRate(self: E, value: float) -> E:
        """Sets the value of :py:attr:`learningRate`."""
        return self._set(learningRate=value)

    def setL2LeafReg(self: E, value: float) -> E:
        """Sets the value of :py:attr:`l2LeafReg`."""
        return self._set(l2LeafReg=value)

    def setCatboostParams(self: E, value: Dict[str, Any]) -> E:
        """Sets the value of :py:attr:`catboostParams`."""
        return self._set(catboostParams=value)

    def setContributionsCol(self: E, value: str) -> E:
        """Sets the value of :py:attr:`contributionsCol`."""
        return self._set(contributionsCol=value)

    def setSeed(self: E, value: int) -> E:
        """Sets the value of :py:attr:`seed`."""
        return self._set(seed=value)

    def setInitModelPath(self: E, value: str) -> E:
        """Sets the value of :py:attr:`initModelPath`."""
        return self._set(initModelPath=value)

    def setMaxMembers(self: E, value: int) -> E:
        """Sets the value of :py:attr:`maxMembers`."""
        return self._set(maxMembers=value)
