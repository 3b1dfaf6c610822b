"""The public classes document what a user reads in help() and the API reference.

Each estimator's Parameters section lists its Params in signature order, with the Params'
own defaults and allowed values; the examples in the docstrings run; and every public
method and property that sparkensemble defines has numpydoc sections.
"""

from __future__ import annotations

import ast
import doctest
import inspect
import io
import re
from typing import Dict, List, Tuple

import pytest

import sparkensemble
from sparkensemble import (
    SampledEnsembleClassificationModel,
    SampledEnsembleClassifier,
    SampledEnsembleRanker,
    SampledEnsembleRankingModel,
    SampledEnsembleRegressionModel,
    SampledEnsembleRegressor,
)
from sparkensemble.tasks.ranking import RANKING_LOSSES
from sparkensemble.tasks.regression import REGRESSION_LOSSES

ESTIMATORS = [SampledEnsembleClassifier, SampledEnsembleRegressor, SampledEnsembleRanker]
MODELS = [
    SampledEnsembleClassificationModel,
    SampledEnsembleRegressionModel,
    SampledEnsembleRankingModel,
]
by_name = {"ids": lambda cls: cls.__name__}
# The class-level lists that both a Param's doc and its error message use.
ALLOWED = {"strategy": "supportedStrategies", "combiner": "supportedCombiners"}


def section(docstring: str, title: str) -> List[str]:
    """The lines of one numpydoc section, dedented, without its underline."""
    lines = inspect.cleandoc(docstring).splitlines()
    start = lines.index(title) + 2
    assert set(lines[start - 1]) == {"-"}, f"{title} is not underlined"
    end = next(
        (i for i in range(start, len(lines) - 1) if lines[i + 1] and set(lines[i + 1]) == {"-"}),
        len(lines),
    )
    return lines[start:end]


def parameters(docstring: str) -> Dict[str, Tuple[str, str]]:
    """name -> (type line, description) from a numpydoc Parameters section."""
    entries: Dict[str, Tuple[str, str]] = {}
    name = None
    for line in section(docstring, "Parameters"):
        if line and not line.startswith(" "):
            name, _, kind = line.partition(" : ")
            entries[name] = (kind, "")
        elif name is not None:
            kind, text = entries[name]
            entries[name] = (kind, f"{text} {line.strip()}".strip())
    return entries


@pytest.mark.parametrize("estimator_class", ESTIMATORS, **by_name)
def test_every_param_is_documented_in_signature_order(estimator_class):
    documented = list(parameters(estimator_class.__doc__))
    signature = list(inspect.signature(estimator_class).parameters)
    assert documented == signature


@pytest.mark.parametrize("estimator_class", ESTIMATORS, **by_name)
def test_the_documented_defaults_and_choices_are_the_params_own(estimator_class):
    estimator = estimator_class()
    for name, (kind, text) in parameters(estimator_class.__doc__).items():
        param = estimator.getParam(name)
        assert text, f"{name} has no description"
        if estimator.hasDefault(param):
            default = re.search(r"default=(.+)$", kind)
            assert default, f"{name}: {kind!r} does not say its default"
            assert ast.literal_eval(default.group(1)) == estimator.getOrDefault(param), name
        else:
            assert kind.endswith(", optional"), f"{name} has no default, so is optional"
        choices = re.match(r"\{(.*)\}", kind)
        assert bool(choices) == (name in ALLOWED), name
        if choices:
            allowed = getattr(estimator, ALLOWED[name])
            assert ast.literal_eval(f"[{choices.group(1)}]") == allowed, name
    losses = parameters(SampledEnsembleRegressor.__doc__)["lossFunction"][1]
    assert all(loss in losses for loss in REGRESSION_LOSSES)
    losses = parameters(SampledEnsembleRanker.__doc__)["lossFunction"][1]
    assert all(loss in losses for loss in RANKING_LOSSES)


def own_public_members(cls):
    """Public methods and properties that sparkensemble (not pyspark) defines on ``cls``."""
    for name in dir(cls):
        if name.startswith("_"):
            continue
        owner = next(k for k in cls.__mro__ if name in vars(k))
        if owner.__module__.startswith("sparkensemble"):
            yield name, inspect.getattr_static(owner, name)


def test_every_public_method_and_property_has_numpydoc_sections():
    checked = set()
    for cls in ESTIMATORS + MODELS:
        for name, member in own_public_members(cls):
            if isinstance(member, property):
                function = member.fget
            elif isinstance(member, (classmethod, staticmethod)):
                function = member.__func__
            elif inspect.isfunction(member):
                function = member
            else:
                continue  # Param declarations and the supportedX lists
            doc = inspect.getdoc(function)
            assert doc and doc.splitlines()[0].endswith("."), f"{cls.__name__}.{name}"
            checked.add(name)
            if name.startswith(("get", "set")) and name != "setParams":
                continue  # one-line getters and setters, as in pyspark.ml
            signature = inspect.signature(function)
            arguments = [p for p in signature.parameters if p not in ("self", "cls")]
            returns = signature.return_annotation not in ("None", None, inspect.Signature.empty)
            if arguments and name != "setParams":  # setParams points to the class's section
                assert "Parameters\n----------" in doc, f"{cls.__name__}.{name}"
            if returns and not isinstance(member, property):
                assert "Returns\n-------" in doc, f"{cls.__name__}.{name}"
    expected = {"members", "summary", "nativeModel", "saveNativeModel", "featureImportances"}
    assert expected | {"predict", "predictRaw", "predictProbability", "setParams"} <= checked


@pytest.mark.parametrize("public_class", ESTIMATORS + MODELS, **by_name)
def test_the_class_docstring_example_runs(spark, public_class):
    globs = {name: getattr(sparkensemble, name) for name in sparkensemble.__all__}
    finder = doctest.DocTestFinder(recurse=False)
    (test,) = finder.find(public_class, globs=globs)
    assert test.examples, f"{public_class.__name__} has no example"
    output = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=output.write)
    assert runner.failures == 0, output.getvalue()
