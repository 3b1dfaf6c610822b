"""Holdout, row cap and presampling: choices made from row hashes alone. No Spark here."""

import numpy as np
import pyarrow as pa

from sparkensemble.assignment import RowCap, holdout_mask


def hashes(n, seed=0):
    return np.random.default_rng(seed).integers(-(2**63), 2**63 - 1, size=n, dtype=np.int64)


def test_holdout_is_deterministic_and_close_to_the_fraction():
    row_hash = hashes(20000)
    mask = holdout_mask(row_hash, 0.2)
    np.testing.assert_array_equal(mask, holdout_mask(row_hash.copy(), 0.2))
    assert abs(mask.mean() - 0.2) < 0.01


def test_holdout_is_independent_of_the_member_assignment():
    # Members take hash % k; the holdout must not pick rows by the same residue.
    row_hash = hashes(30000, seed=1)
    mask = holdout_mask(row_hash, 0.3)
    for residue in range(3):
        share = mask[np.mod(row_hash, 3) == residue].mean()
        assert abs(share - 0.3) < 0.02


def capped(frames, max_rows):
    cap = RowCap(max_rows, "h")
    for frame in frames:
        cap.add(frame)
    return cap


def arrow_rows(**columns):

    return pa.RecordBatch.from_pydict({k: np.asarray(v) for k, v in columns.items()})


def test_row_cap_keeps_the_same_rows_whatever_the_order_and_batching():
    data = arrow_rows(h=hashes(1000, seed=2), v=np.arange(1000))
    shuffled = data.take(np.random.default_rng(3).permutation(1000))
    first = capped([data.slice(i, 70) for i in range(0, 1000, 70)], 120)
    second = capped([shuffled.slice(i, 33) for i in range(0, 1000, 33)], 120)
    assert first.seen == second.seen == 1000
    assert sorted(first.rows()["v"].to_pylist()) == sorted(second.rows()["v"].to_pylist())
    assert first.rows().num_rows == 120


def test_row_cap_keeps_everything_under_the_bound():
    data = arrow_rows(h=hashes(50), v=np.arange(50))
    cap = capped([data.slice(0, 20), data.slice(20)], 100)
    assert cap.seen == 50 and sorted(cap.rows()["v"].to_pylist()) == list(range(50))
    assert RowCap(10, "h").rows() is None


def test_row_cap_keeps_the_smallest_row_hashes():
    data = arrow_rows(h=hashes(500, seed=4), v=np.arange(500))
    kept = capped([data], 40).rows()
    assert sorted(kept["h"].to_pylist()) == sorted(data["h"].to_pylist())[:40]


def test_the_presample_keeps_a_superset_of_what_each_capped_member_keeps():
    from sparkensemble.assignment import presample_threshold

    assert presample_threshold(rows=1000, members=2, max_rows=500) is None  # no cap binds
    assert presample_threshold(rows=1200, members=2, max_rows=500) is None  # within margin
    row_hash = hashes(400_000, seed=5)
    members, cap = 4, 20_000
    threshold = presample_threshold(len(row_hash), members, cap)
    assert threshold is not None
    kept = row_hash < threshold
    assert kept.mean() < 0.25  # most rows never cross the shuffle
    for member in range(members):
        mine = row_hash[np.mod(row_hash, members) == member]
        smallest = np.sort(mine)[:cap]
        assert (smallest < threshold).all()  # the cap's choice survives the presample


def test_a_grouped_row_cap_keeps_whole_groups_whatever_the_order_and_batching():
    group_hash = np.repeat(hashes(100, seed=5), 7)  # 100 groups of 7 rows
    data = arrow_rows(g=group_hash, v=np.arange(700))
    shuffled = data.take(np.random.default_rng(6).permutation(700))
    caps = []
    for frame, step in ((data, 50), (shuffled, 23)):
        cap = RowCap(100, "g", whole_groups=True)
        for start in range(0, 700, step):
            cap.add(frame.slice(start, step))
        caps.append(cap.rows())
    first, second = caps
    assert sorted(first["v"].to_pylist()) == sorted(second["v"].to_pylist())
    kept = first["g"].to_numpy()
    assert first.num_rows == 98  # 14 whole groups; a 15th would pass 100 rows
    assert set(kept) == set(np.sort(np.unique(group_hash))[:14])
