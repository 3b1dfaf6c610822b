"""The group profile: one Spark job over the groups of a grouped fit, checked on the driver.

A ranker's rows come in groups (queries) that must reach CatBoost whole. Before any member
trains, one aggregate over the groups counts them and their sizes, and refuses what no
member could train on: null group ids, fewer groups than members, a group larger than a
member may hold, groups of one row only, weights or folds that vary inside a group, and,
with ``strategy="partition"``, a group spread over several input partitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkensemble.phases import phase
from sparkensemble.rows import group_hash

_GROUP = "__se_group"
_PARTITION = "__se_partition"
_WEIGHT = "__se_weight"
_FOLD = "__se_fold"
_HASH = "__se_group_hash"


@dataclass(frozen=True)
class GroupProfile:
    """What the driver learns of the groups: how many, and the largest one's rows."""

    groups: int
    largest: int


def profile_groups(
    df: DataFrame,
    group_col: str,
    weight_col: Optional[str],
    strategy: str,
    num_members: int,
    max_rows: int,
    fold_col: Optional[str] = None,
    seed: int = 0,
) -> GroupProfile:
    """Run one aggregate job over ``df``'s groups and refuse what members cannot train on.

    ``seed`` is the fit's: the group hashes it gives pick each group's member, so the job
    also counts the distinct hashes, and the members they reach.
    """
    columns = [
        F.col(group_col).alias(_GROUP),
        F.spark_partition_id().alias(_PARTITION),
        group_hash(group_col, seed).alias(_HASH),
    ]
    if weight_col:
        columns.append(F.col(weight_col).cast("double").alias(_WEIGHT))
    if fold_col:
        columns.append(F.col(fold_col).alias(_FOLD))
    # The partition ids are those of the input, taken before the aggregation's shuffle.
    rows = df.select(*columns)
    per_group = [
        F.count(F.lit(1)).alias("rows"),
        (F.min(_PARTITION) != F.max(_PARTITION)).alias("spans"),
        F.min(_HASH).alias("hash"),
    ]
    if weight_col:
        per_group.append((F.min(_WEIGHT) != F.max(_WEIGHT)).alias("uneven"))
    if fold_col:
        per_group.append((F.min(_FOLD) != F.max(_FOLD)).alias("split"))
    groups = rows.groupBy(_GROUP).agg(*per_group)
    named = F.col(_GROUP).isNotNull()
    totals = [
        F.count_if(named).alias("groups"),
        F.sum(F.when(~named, F.col("rows"))).alias("null_rows"),
        F.max(F.when(named, F.col("rows"))).alias("largest"),
        F.max_by(F.col(_GROUP).cast("string"), F.col("rows")).alias("largest_group"),
        F.count_if(named & F.col("spans")).alias("spanning"),
        F.min(F.when(named & F.col("spans"), F.col(_GROUP).cast("string"))).alias("spanning_group"),
        F.count_distinct(F.when(named, F.col("hash"))).alias("hashes"),
        # The member each group trains, as the fit's fold strategy will assign it.
        F.count_distinct(F.when(named, F.pmod(F.col("hash"), F.lit(num_members)))).alias(
            "members_reached"
        ),
    ]
    if weight_col:
        totals += [
            F.count_if(named & F.col("uneven")).alias("uneven"),
            F.min(F.when(named & F.col("uneven"), F.col(_GROUP).cast("string"))).alias(
                "uneven_group"
            ),
        ]
    if fold_col:
        totals.append(F.count_if(named & F.col("split")).alias("split"))
    with phase(df.sparkSession, "profile the groups"):
        stats = groups.agg(*totals).first().asDict()
    check_groups(stats, group_col, weight_col, strategy, num_members, max_rows, fold_col, seed)
    return GroupProfile(groups=int(stats["groups"]), largest=int(stats["largest"] or 0))


def check_groups(
    stats: Dict[str, Any],
    group_col: str,
    weight_col: Optional[str],
    strategy: str,
    num_members: int,
    max_rows: int,
    fold_col: Optional[str] = None,
    seed: int = 0,
) -> None:
    """Refuse what the group profile found wrong, naming the column and the fix."""
    if stats["null_rows"]:
        raise ValueError(
            f"groupCol={group_col!r} is null on {stats['null_rows']} rows; every row needs "
            f"its group (query) id. Drop those rows or fill the ids."
        )
    groups, largest = stats["groups"], stats["largest"] or 0
    if groups < num_members:
        raise ValueError(
            f"groupCol={group_col!r} has {groups} groups, fewer than numMembers={num_members}; "
            f"each member trains on whole groups. Lower numMembers or add groups."
        )
    if stats.get("hashes", groups) < groups:
        raise ValueError(
            f"{groups - stats['hashes']} ids of groupCol={group_col!r} share a 64-bit hash "
            f"with another id under seed={seed}; rows are grouped by that hash, so those "
            f"groups would train as one query. Set another seed."
        )
    if (
        strategy == "fold"
        and not fold_col
        and stats.get("members_reached", num_members) < (num_members)
    ):
        raise ValueError(
            f"the {groups} groups of groupCol={group_col!r} reach only "
            f"{stats['members_reached']} of numMembers={num_members} members under "
            f"seed={seed} (a group's hash picks its member), so some member would have no "
            f"rows. Lower numMembers, set another seed, or add groups."
        )
    if largest > max_rows:
        raise ValueError(
            f"groupCol={group_col!r} has a group of {largest} rows "
            f"({stats['largest_group']!r}), more than maxRowsPerMember={max_rows}, and a "
            f"group reaches its member whole. Raise maxRowsPerMember, or split or trim that "
            f"group."
        )
    if largest <= 1:
        raise ValueError(
            f"every group of groupCol={group_col!r} has a single row, so there is nothing to "
            f"rank within a group; check that groupCol holds the query id, not a row id."
        )
    if weight_col and stats["uneven"]:
        raise ValueError(
            f"weightCol={weight_col!r} varies within {stats['uneven']} groups of "
            f"groupCol={group_col!r} (for example {stats['uneven_group']!r}); it holds group "
            f"weights, as CatBoost takes them: one value for all the rows of a group."
        )
    if fold_col and stats["split"]:
        raise ValueError(
            f"foldCol={fold_col!r} varies within {stats['split']} groups of "
            f"groupCol={group_col!r}; a group trains one member whole, so give all its rows "
            f"one fold (for example F.pmod(F.hash({group_col!r}), F.lit(numMembers)))."
        )
    if strategy == "partition" and stats["spanning"]:
        raise ValueError(
            f"strategy='partition' trains one member per input partition, and "
            f"{stats['spanning']} groups of groupCol={group_col!r} span more than one "
            f"partition (for example {stats['spanning_group']!r}); a group must train one "
            f"member whole. Repartition by the group first, df.repartition(n, "
            f"{group_col!r}), or use strategy='fold', which assigns whole groups itself."
        )
