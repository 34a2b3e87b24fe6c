"""`searchkit.store.values.PostingValues` behaves as the list of per-posting ``bytes`` it replaces: every
operation is checked against the same operation on a plain list, on random values, blocks and selections."""
from __future__ import annotations

import random

import numpy as np
import pytest

from searchkit.store.values import PostingValues


def _random_values(rng: random.Random, n: int) -> list[bytes]:
    return [bytes(rng.randrange(256) for _ in range(rng.choice((0, 1, 2, 5, 40, 300)))) for _ in range(n)]


def _block(rng: random.Random, values: list[bytes]) -> PostingValues:
    """The values as a codec block holds them: after some header bytes, with the per-posting lengths in
    front (what `ArrayLeafMatcher` points into), so that starts do not begin at 0."""
    head = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 30)))
    lens = np.array([len(v) for v in values], np.int64)
    ends = len(head) + np.cumsum(lens)
    return PostingValues(head + b"".join(values) + b"tail", ends - lens, ends)


@pytest.mark.parametrize("seed", range(8))
def test_blocks_joined_taken_and_gathered_equal_the_list_operations(seed):
    rng = random.Random(seed)
    blocks = [_random_values(rng, rng.randrange(0, 12)) for _ in range(rng.randrange(1, 5))]
    flat = [v for b in blocks for v in b]
    joined = PostingValues.joined([_block(rng, b) for b in blocks])
    assert len(joined) == len(flat)
    assert list(joined) == flat and joined == flat
    assert [joined[i] for i in range(len(flat))] == flat
    assert joined.lengths().tolist() == [len(v) for v in flat]
    assert joined.gathered().tobytes() == b"".join(flat)
    mask = np.array([rng.random() < 0.5 for _ in flat], bool)
    kept = [v for v, k in zip(flat, mask) if k]
    assert list(joined.take(mask)) == kept
    assert joined.take(mask).gathered().tobytes() == b"".join(kept)
    order = np.array(sorted(rng.sample(range(len(flat)), len(flat) // 2)), np.int64)
    assert list(joined.take(order)) == [flat[i] for i in order]
    assert PostingValues.of(flat) == flat
    assert PostingValues.of(flat).gathered().tobytes() == b"".join(flat)


def test_fields_without_values_give_none_per_posting_as_whoosh_does():
    none = PostingValues.of([None, None, None])
    assert none.buf is None and list(none) == [None, None, None] and none[2] is None
    with pytest.raises(IndexError):
        none[3]
    both = PostingValues.joined([none, PostingValues.of([None])])
    assert list(both) == [None] * 4 and both.gathered().size == 0
    assert list(PostingValues.joined([])) == [] and PostingValues.joined([]).gathered().size == 0


def test_a_contiguous_selection_is_a_view_and_others_copy_the_right_bytes():
    values = [b"ab", b"", b"cde", b"f"]
    pv = _block(random.Random(3), values)
    whole = pv.gathered()
    assert whole.base is not None and whole.tobytes() == b"abcdef"  # one slice of the block, not a copy
    assert pv.take(np.array([3, 0])).gathered().tobytes() == b"fab"
    assert pv.take(np.array([1])).gathered().tobytes() == b""
    assert pv.nbytes >= len(pv.buf)
