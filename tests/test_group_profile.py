"""The group profile's checks, on the statistics its one job returns; no Spark here."""

import pytest

from sparkensemble.group_profile import check_groups

FINE = {
    "null_rows": None,
    "groups": 40,
    "largest": 12,
    "largest_group": "7",
    "spanning": 0,
    "spanning_group": None,
    "split": 0,
    "hashes": 40,
    "members_reached": 4,
}


def check(**changes):
    check_groups({**FINE, **changes}, "query", None, "fold", 4, 1000, seed=11)


def test_groups_every_member_can_train_on_pass():
    check()


def test_ids_that_share_a_hash_would_merge_two_queries_and_are_refused():
    with pytest.raises(ValueError, match=r"2 ids of groupCol='query' share a 64-bit hash.*seed=11"):
        check(hashes=38)


def test_a_member_that_no_group_reaches_is_refused_before_training():
    with pytest.raises(ValueError, match=r"reach only 3 of numMembers=4 members under seed=11"):
        check(members_reached=3)


def test_a_fold_column_or_the_partition_strategy_picks_members_without_the_hash():
    stats = {**FINE, "members_reached": 1}
    check_groups(stats, "query", None, "fold", 4, 1000, fold_col="f", seed=11)
    check_groups(stats, "query", None, "partition", 4, 1000, seed=11)
