"""Sets of integer keys as sorted numpy arrays, for the copy-group pass (`searchkit.dupes.grouping`) and its
LSH candidate search (`searchkit.dupes.sketch.candidate_pairs`): millions of pair keys at 100k articles, where
Python sets would cost ~100 bytes a key and one ``np.unique`` over everything added would hold several copies."""
from __future__ import annotations

import numpy as np

from ..arrays import distinct, id_dtype


class DistinctKeys:
    """A growing set of int64 keys, kept sorted and distinct: what is added waits in a list and is merged in
    once it reaches a quarter of what is kept, by a linear merge of two sorted runs (`np.searchsorted`), not
    by sorting everything again. Memory stays about twice the distinct keys: re-sorting the kept keys with the
    waiting ones (``np.unique`` of both, at every doubling) was the copy-group pass's largest transient at
    100k articles (~85 MB over 2.2 M kept pair keys)."""

    def __init__(self) -> None:
        self._kept = np.zeros(0, np.int64)
        self._new: list[np.ndarray] = []
        self._pending = 0

    def __len__(self) -> int:
        self._merge()
        return len(self._kept)

    def add(self, keys: np.ndarray) -> None:
        keys = distinct(np.asarray(keys, np.int64))
        self._new.append(keys)
        self._pending += len(keys)
        if self._pending > max(len(self._kept) // 4, 1 << 16):
            self._merge()

    def _merge(self) -> None:
        if not self._new:
            return
        new = self._new[0] if len(self._new) == 1 else distinct(np.concatenate(self._new))
        self._new, self._pending = [], 0
        kept = self._kept
        if not len(kept):
            self._kept = new
            return
        at = np.searchsorted(kept, new)
        fresh = kept[np.minimum(at, len(kept) - 1)] != new
        new, at = new[fresh], at[fresh]
        del fresh
        out = np.empty(len(kept) + len(new), np.int64)
        at += np.arange(len(new))  # where each new key lands among the merged
        out[at] = new
        old = np.ones(len(out), bool)
        old[at] = False
        out[old] = kept
        self._kept = out

    def array(self) -> np.ndarray:
        """Every key once, ascending (a view of what is kept: do not change it)."""
        self._merge()
        return self._kept


class PairSet:
    """Distinct unordered pairs of row numbers below ``n``, as `DistinctKeys` ``low * n + high``."""

    def __init__(self, n: int):
        self.n = n
        self._keys = DistinctKeys()

    def add(self, a: np.ndarray, b: np.ndarray) -> None:
        a, b = a.astype(np.int64), b.astype(np.int64)
        keys = np.minimum(a, b) * self.n + np.maximum(a, b)
        self._keys.add(keys[a != b])

    def pairs(self) -> np.ndarray:
        """(m, 2): each pair (low, high) once, in (low, high) order (what ``np.unique(axis=0)`` gave); int32
        when the rows fit (they do below 2**31 rows: half the memory of the 2.2 M piece pairs at 100k)."""
        kept = self._keys.array()
        out = np.empty((len(kept), 2), id_dtype(self.n))
        out[:, 0] = kept // self.n
        out[:, 1] = kept % self.n
        return out
