"""Which rows a member keeps, holds out, or gives the stacker: functions of row hashes.

Every choice here depends only on each row's content hash (and the seed inside it), so
it is the same on every run, on any partitioning, after any task retry. No Spark here.
"""

from __future__ import annotations

from typing import List, Optional, Union

import numpy as np
import pyarrow as pa


def _mix64(row_hash: np.ndarray, salt: int = 0) -> np.ndarray:
    """splitmix64 of each hash (xor ``salt``): uniform 64-bit values, one stream per salt."""
    with np.errstate(over="ignore"):
        z = (row_hash.astype(np.int64) ^ np.int64(salt)).view(np.uint64)
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def holdout_mask(row_hash: np.ndarray, fraction: float) -> np.ndarray:
    """Rows held out for validation: a deterministic function of each row's hash.

    The hash is mixed before thresholding, because the fold assignment uses the same hash
    modulo the member count and the two must not be correlated.
    """
    uniform = (_mix64(row_hash) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return uniform < fraction


class RowCap:
    """Keeps at most ``max_rows`` of the Arrow rows added to it, whatever their order.

    It keeps the rows with the smallest row hashes. The smallest k of a set do not depend
    on the order rows arrive in, so the sample survives repartitioning and retries; and
    Spark can apply the same order before the shuffle (:func:`presample_threshold`), so
    only about the kept rows travel. The content hash is uniform, and independent of the
    holdout and stacker samples, which mix it first. It holds at most twice ``max_rows``
    plus one batch at any time.

    With ``whole_groups``, ``hash_column`` is a group's hash, shared by all its rows, and
    the cap keeps whole groups: the rows whose hash is below the ``max_rows + 1``-th
    smallest, so at most ``max_rows`` (fewer when a group straddles the cut). Compacting
    keeps the group at the cut too, so the final choice sees every row it could keep.
    """

    def __init__(self, max_rows: int, hash_column: str, whole_groups: bool = False) -> None:
        self.max_rows = max_rows
        self.hash_column = hash_column
        self.whole_groups = whole_groups
        self.seen = 0
        self._tables: List[pa.Table] = []
        self._priorities: List[np.ndarray] = []
        self._held = 0

    def add(self, rows: Union[pa.RecordBatch, pa.Table]) -> None:
        table = pa.Table.from_batches([rows]) if isinstance(rows, pa.RecordBatch) else rows
        self.seen += table.num_rows
        self._tables.append(table)
        self._priorities.append(table.column(self.hash_column).to_numpy())
        self._held += table.num_rows
        if self._held > 2 * self.max_rows:
            self._compact()

    def rows(self) -> Optional[pa.Table]:
        """The kept rows: all of them, or the ``max_rows`` with the smallest hashes."""
        self._compact(final=True)
        return self._tables[0] if self._tables else None

    def _compact(self, final: bool = False) -> None:
        if not self._tables:
            return
        table = pa.concat_tables(self._tables) if len(self._tables) > 1 else self._tables[0]
        priority = np.concatenate(self._priorities)
        if table.num_rows > self.max_rows:
            if self.whole_groups:
                cut = np.partition(priority, self.max_rows)[self.max_rows]
                keep = np.flatnonzero(priority < cut if final else priority <= cut)
            else:
                keep = np.argpartition(priority, self.max_rows - 1)[: self.max_rows]
            table, priority = table.take(pa.array(keep)), priority[keep]
        self._tables, self._priorities, self._held = [table], [priority], table.num_rows


def presample_threshold(rows: int, members: int, max_rows: int) -> Optional[int]:
    """A row hash below which Spark keeps rows before the shuffle, or None to keep all.

    Members of ``rows / members`` rows each keep their ``max_rows`` smallest hashes. The
    threshold keeps, in expectation, ``max_rows`` plus five standard deviations plus 100
    rows per member, so every member still holds its ``max_rows`` smallest (and the cap
    then keeps exactly those) except with odds far below one in a million.
    """
    expected = rows / members
    margin = max_rows + 5.0 * max_rows**0.5 + 100.0
    if expected <= margin:
        return None
    fraction = margin / expected
    return int(-(2**63) + fraction * 2.0**64)


def stacker_sample_mask(row_hash: np.ndarray, fraction: float) -> np.ndarray:
    """A deterministic sample of rows for the stacker, independent of the holdout choice."""
    if fraction >= 1.0:
        return np.ones(len(row_hash), dtype=bool)
    uniform = (_mix64(row_hash, 0x5DEECE66D) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return uniform < fraction
