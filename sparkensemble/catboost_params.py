"""What ``catboostParams`` may hold: the keys the library manages or gives a Param of its own.

These checks need no CatBoost, so they run when the Param is set. Whether CatBoost knows
every key is asked at fit, of the task's CatBoost class
(:meth:`sparkensemble.tasks.base.EnsembleTask.check_catboost_kwargs`), since building a
model on every ``copy()`` of an estimator would cost each grid point a CatBoost object.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping

# Keys of catboostParams that sparkensemble sets itself, with the reason and what to do instead.
MANAGED_CATBOOST_PARAMS: Dict[str, str] = {
    "thread_count": "each member uses spark.task.cpus threads; raise spark.task.cpus instead",
    "random_seed": "set the estimator's seed Param; each member gets a seed derived from it",
    "random_state": "set the estimator's seed Param; each member gets a seed derived from it",
    "train_dir": "members train inside Spark tasks and write no files",
    "allow_writing_files": "members train inside Spark tasks and write no files",
    "use_best_model": "members always keep their best iteration on the holdout",
    "class_names": "the class set is fixed on the driver from the label column",
}

# Aliases CatBoost accepts for settings that are first-class Params here.
FIRST_CLASS_CATBOOST_PARAMS: Dict[str, str] = {
    "iterations": "iterations",
    "n_estimators": "iterations",
    "num_boost_round": "iterations",
    "num_trees": "iterations",
    "depth": "depth",
    "max_depth": "depth",
    "learning_rate": "learningRate",
    "eta": "learningRate",
    "l2_leaf_reg": "l2LeafReg",
    "reg_lambda": "l2LeafReg",
    "early_stopping_rounds": "earlyStoppingRounds",
    "od_wait": "earlyStoppingRounds",
}


def validate_catboost_params(params: Any) -> Dict[str, Any]:
    """Check a ``catboostParams`` dict and return a copy of it.

    Raises ``ValueError`` for keys sparkensemble manages, keys with a Param of their own,
    and values that are not JSON-serialisable; ``TypeError`` for what is not a dict of
    string keys.
    """
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise TypeError(f"catboostParams must be a dict, got {type(params).__name__}.")
    checked = dict(params)
    for key in checked:
        if not isinstance(key, str):
            raise TypeError(f"catboostParams keys must be strings, got {key!r}.")
        if key in MANAGED_CATBOOST_PARAMS:
            raise ValueError(f"catboostParams may not set {key!r}: {MANAGED_CATBOOST_PARAMS[key]}.")
        if key in FIRST_CLASS_CATBOOST_PARAMS:
            param = FIRST_CLASS_CATBOOST_PARAMS[key]
            raise ValueError(
                f"catboostParams may not set {key!r}: use the {param} Param "
                f"(set{param[0].upper()}{param[1:]}), so that ParamGridBuilder can tune it."
            )
    try:
        json.dumps(checked)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"catboostParams must be JSON-serialisable so the model can be saved: {error}"
        ) from None
    return checked
