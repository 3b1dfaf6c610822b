"""combiner='stacked' against 'mean' on held-out rows, at several holdout sizes.

The stacker learns on the ensemble's holdout rows (validationFraction of the training
rows) and keeps its learned weights only when cross-validation over those rows says they
win clearly; otherwise it applies the mean's equal weights. For scikit-learn's diabetes
(442 rows, regression), breast cancer (569 rows, binary) and digits (1,797 rows, ten
classes), each split 70/30 with random_state=0, this fits 3 members of 300 iterations
(seed=1) at each validationFraction and scores both combiners on the 30% test rows:
RMSE for the regressor, accuracy and AUC for the classifiers. It records which weights
the stacker chose, the stacker's row count, and what the learned weights alone would
have scored.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
from _common import local_session, write


def tables():
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits

    found = {}
    for name, loader, task in (
        ("diabetes", load_diabetes, "regression"),
        ("breast_cancer", load_breast_cancer, "binary"),
        ("digits", load_digits, "multiclass"),
    ):
        frame = loader(as_frame=True).frame.rename(columns={"target": "label"})
        frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
        found[name] = (frame.astype({"label": float}), task)
    return found


def scores(model, test, task):
    """The test metrics of the model's current combiner."""
    from sklearn.metrics import roc_auc_score

    frame = model.transform(test).toPandas()
    label = frame["label"].to_numpy()
    if task == "regression":
        return {"rmse": float(np.sqrt(np.mean((frame["prediction"] - label) ** 2)))}
    probability = np.stack([v.toArray() for v in frame["probability"]])
    if task == "binary":
        auc = roc_auc_score(label, probability[:, 1])
    else:
        auc = roc_auc_score(label, probability, multi_class="ovr")
    accuracy = float(np.mean(probability.argmax(axis=1) == label))
    return {"accuracy": round(accuracy, 4), "auc": round(float(auc), 4)}


def one_fit(spark, train, test, task, fraction, args):
    from sparkensemble import SampledEnsembleClassifier, SampledEnsembleRegressor
    from sparkensemble.weight_choice import WeightChoice

    estimator = SampledEnsembleRegressor if task == "regression" else SampledEnsembleClassifier
    columns = [c for c in train.columns if c != "label"]
    model = estimator(
        inputCols=columns,
        numMembers=args.members,
        combiner="stacked",
        iterations=args.iterations,
        seed=args.seed,
        validationFraction=fraction,
    ).fit(train)
    result = {
        "stacker_rows": model._state.stacker.training_rows,
        "chosen": model.stackerChoice["weights"],
        "stacked": scores(model, test, task),
        "mean": scores(model.copy().setCombiner("mean"), test, task),
    }
    # The same model with its learned weights forced: what the choice avoided or kept.
    forced = replace(model._state.stacker, choice=WeightChoice())
    learned = model._with_state(replace(model._state, stacker=forced))
    result["learned_only"] = scores(learned, test, task)
    if task == "regression":
        result["stacked_over_mean"] = round(result["stacked"]["rmse"] / result["mean"]["rmse"], 4)
        result["learned_over_mean"] = round(
            result["learned_only"]["rmse"] / result["mean"]["rmse"], 4
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.05, 0.1, 0.2, 0.3, 0.5])
    parser.add_argument("--tables", nargs="+", default=["diabetes", "breast_cancer", "digits"])
    args = parser.parse_args()
    from sklearn.model_selection import train_test_split

    spark = local_session(2)
    results = {}
    for name, (frame, task) in tables().items():
        if name not in args.tables:
            continue
        train, test = train_test_split(frame, test_size=0.3, random_state=0)
        train_df = spark.createDataFrame(train).repartition(2).cache()
        test_df = spark.createDataFrame(test).cache()
        results[name] = {"task": task, "rows": len(frame)}
        for fraction in args.fractions:
            fit = one_fit(spark, train_df, test_df, task, fraction, args)
            results[name][f"validationFraction_{fraction}"] = fit
    write(
        "stacker_choice",
        {
            "iterations": args.iterations,
            "members": args.members,
            "seed": args.seed,
            "split": "70/30, random_state=0",
            **results,
        },
    )


if __name__ == "__main__":
    main()
