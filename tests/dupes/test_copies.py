"""`grouping.copies` (the copy rule over all candidates in array operations) against `grouping.is_copy`
(the rule per pair, as its docstring states it) on candidates built to reach every branch."""
from __future__ import annotations

import numpy as np
import pytest

from searchkit.dupes import grouping
from searchkit.dupes.grouping import Pieces, Record


def _collection(seed: int):
    rng = np.random.default_rng(seed)
    n = 120
    pool = rng.integers(0, 1 << 16, (10, 16), dtype=np.uint16)  # few paragraph texts: many shared
    records, cols, sigs = [], [], []
    for row in range(n):
        size = int(rng.choice([40, 40, 60, 80, 120]))  # ties in size: the id decides which body is shorter
        records.append(Record(id=f"a{rng.integers(0, 10_000):05d}", path=f"p{row}", date=None, size=size,
                              sig=np.zeros(128, np.uint16)))
        paragraphs = int(rng.choice([0, 1, 1, 2, 3, 5]))  # none (a table), one (a lede), several
        before = 0
        for q in range(paragraphs):
            before += int(rng.choice([0, 10, 30]))  # menu lines kept before the first paragraph, or not
            for _ in range(int(rng.choice([1, 1, 2]))):  # a paragraph may span two passages: two pieces
                sig = pool[rng.integers(0, len(pool))].copy()
                changed = rng.choice(16, int(rng.choice([0, 6, 12])), replace=False)  # near, loose, unrelated
                sig[changed] = rng.integers(0, 1 << 16, len(changed))
                cols.append((row, int(rng.integers(0, 3)) + 2 * q, before, q))
                sigs.append(sig)
            before += 40
    pieces = Pieces(np.array(cols, np.int64).reshape(-1, 4), np.array(sigs, np.uint16).reshape(-1, 16))
    cand = np.array([(a, b) for a in range(n) for b in range(a + 1, n)], np.int64)
    contained = rng.choice([0.6, 0.85, 0.95, 1.0], len(cand))
    return records, pieces, cand, contained


@pytest.mark.parametrize("seed", range(4))
def test_copies_equals_is_copy_per_pair(seed: int, monkeypatch) -> None:
    records, pieces, cand, contained = _collection(seed)
    monkeypatch.setattr(grouping, "PIECE_PAIRS", 5000)  # many chunks, and candidates larger than one
    monkeypatch.setattr(grouping.sketch, "containment", lambda *_: float(contained[current[0]]))
    current = [0]
    expected = []
    for k, (a, b) in enumerate(cand.tolist()):
        current[0] = k
        expected.append(grouping.is_copy(records[a], records[b], pieces.of(a), pieces.of(b)))
    got = grouping.copies(records, pieces, cand, contained)
    assert 50 < sum(expected) < len(cand) - 50
    assert got.tolist() == expected
