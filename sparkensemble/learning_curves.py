"""The members' learning curves as one long table, and their plot. No Spark here.

Each member records its loss at every iteration it trained, on its training rows
("learn") and on its holdout ("holdout"), as CatBoost computed them while training; the
members table keeps them, so they are saved with the model.
"""

from __future__ import annotations

from typing import Any, Optional

import pandas as pd

COLUMNS = ["member", "iteration", "split", "metric", "value"]
_SPLITS = (("learn", "learn_curve"), ("holdout", "holdout_curve"))


def curves_frame(members: pd.DataFrame) -> pd.DataFrame:
    """One row per member, iteration and split: ``member, iteration, split, metric, value``."""
    parts = [
        pd.DataFrame(
            {
                "member": member.member,
                "iteration": range(len(values)),
                "split": split,
                "metric": member.curve_metric,
                "value": values,
            }
        )
        for member in members.itertuples()
        for split, column in _SPLITS
        if len(values := getattr(member, column))
    ]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    return frame.astype({"member": "int64", "iteration": "int64", "value": "float64"})


def plot_curves(frame: pd.DataFrame, ax: Optional[Any] = None) -> Any:
    """Draw each member's learn (dashed) and holdout (solid) curves; returns the axes."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "plotLearningCurves draws with matplotlib, which is not installed; "
            "pip install 'sparkensemble[plot]'."
        ) from None
    if frame.empty:
        raise ValueError(
            "This model holds no learning curves: it was saved before members kept them."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, (member, rows) in enumerate(frame.groupby("member")):
        colour = colours[index % len(colours)]
        for split, style in (("learn", "--"), ("holdout", "-")):
            part = rows[rows["split"] == split]
            if len(part):
                ax.plot(
                    part["iteration"],
                    part["value"],
                    style,
                    color=colour,
                    label=f"member {member}, {split}",
                )
    ax.set_xlabel("iteration")
    ax.set_ylabel(frame["metric"].iloc[0])
    ax.legend(fontsize="small")
    return ax
