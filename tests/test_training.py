"""The training glue's pure parts: splitting an Arrow batch by member."""

import numpy as np
import pyarrow as pa


def arrow_rows(**columns):
    return pa.RecordBatch.from_pydict({k: np.asarray(v) for k, v in columns.items()})


def test_a_batch_of_one_member_passes_whole_and_a_mixed_batch_is_split():
    from sparkensemble.rows import MEMBER
    from sparkensemble.training import _by_member

    single = arrow_rows(**{MEMBER: [2, 2, 2], "x": [1.0, 2.0, 3.0]})
    [(member, rows)] = list(_by_member(single))
    assert member == 2 and rows is single  # no copy
    mixed = arrow_rows(**{MEMBER: [1, 0, 1], "x": [1.0, 2.0, 3.0]})
    split = {member: rows["x"].to_pylist() for member, rows in _by_member(mixed)}
    assert split == {1: [1.0, 3.0], 0: [2.0]}
    assert list(_by_member(single.slice(0, 0))) == []
