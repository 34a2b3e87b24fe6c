"""Positions as flat arrays (`searchkit.store.positions`) against the one-document reference definitions:
decoding the index's compact position bytes, the near-pair counts of the article score and the passage-mode
1/d^2 accumulators — on random position lists (windows, repeats, ties, gaps past one byte) and on every pair
of frequent words of the bundled corpus's index."""
from __future__ import annotations

import random

import numpy as np
import pytest

from searchkit.store.layout import read_postings
from searchkit.store.positions import (compact_position_arrays, near_count, near_counts, pair_acc, pair_acc_arrays,
                                       position_arrays)
from searchkit.store.schema import CompactPositions


def _flat(lists: dict[int, list[int]]) -> tuple[np.ndarray, np.ndarray]:
    docs = sorted(d for d in lists if lists[d])
    return (np.array([d for d in docs for _ in lists[d]], np.int64),
            np.array([p for d in docs for p in lists[d]], np.int64))


def _random_lists(rng: random.Random, n_docs: int, span: int) -> dict[int, list[int]]:
    return {d: sorted(rng.sample(range(span), rng.randint(0, 6))) for d in range(0, 3 * n_docs, 3)}


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("window", [1, 5, 8])
def test_array_forms_equal_the_per_document_references(seed, window):
    rng = random.Random(seed)
    span = rng.choice([10, 40, 400])
    a, b = _random_lists(rng, 40, span), _random_lists(rng, 40, span)
    docs, counts = near_counts(_flat(a), _flat(b), window)
    want = {d: near_count(a[d], b.get(d, []), window) for d in a}
    assert dict(zip(docs.tolist(), counts.tolist())) == {d: n for d, n in want.items() if n}
    both, acc = pair_acc_arrays(_flat(a), _flat(b), window)
    assert both.tolist() == sorted(d for d in a if a[d] and b.get(d))
    for d, got in zip(both.tolist(), acc.tolist()):
        assert got == pair_acc(a[d], b[d], window)


def test_compact_position_bytes_decode_together_as_one_by_one():
    fmt = CompactPositions()
    rng = random.Random(7)
    narrow = [sorted(rng.sample(range(200), rng.randint(1, 8))) for _ in range(300)]  # every gap < 256
    ids = np.arange(len(narrow), dtype=np.int64) * 2
    docs, poss = compact_position_arrays(ids, [fmt.encode(p) for p in narrow])
    assert docs.tolist() == [int(d) for d, p in zip(ids, narrow) for _ in p]
    assert poss.tolist() == [x for p in narrow for x in p]
    wide = narrow[:5] + [[3, 300]]  # a gap of 297: the 32-bit form, which the caller decodes one by one
    assert fmt.encode(wide[-1])[:1] == b"\x01"
    assert compact_position_arrays(ids[:6], [fmt.encode(p) for p in wide]) is None


def test_position_arrays_and_pairs_match_the_references_on_the_corpus_index(corpus_index):
    searcher = corpus_index.searcher()
    subs = [(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers
    checked = 0
    for sub, _ in subs:
        seg = sub.reader()
        fmt = seg.schema["body"].format
        frequent = sorted(((seg.doc_frequency("body", t), t.decode()) for t in seg.lexicon("body")), reverse=True)[:12]
        words = [t for _, t in frequent]
        alldocs = np.arange(seg.doc_count_all(), dtype=np.int64)
        ref = {}
        for w in words:
            ids, _ = read_postings(seg, "body", w)
            m = seg.postings("body", w)
            lists = {}
            while m.is_active():
                lists[m.id()] = sorted(fmt.decode_positions(m.value()))
                m.next()
            ref[w] = lists
            docs, poss = position_arrays(seg, "body", w, alldocs)
            assert (docs.tolist(), poss.tolist()) == (
                [d for d in sorted(lists) for _ in lists[d]], [p for d in sorted(lists) for p in lists[d]])
            # some documents only, holding the word or not (the first and last docnums among them)
            rng = np.random.default_rng(len(w))
            for share in (0.02, 0.3):
                some = np.unique(np.concatenate([[0, len(alldocs) - 1], rng.choice(alldocs, int(len(alldocs) * share))]))
                want = {d: ps for d, ps in lists.items() if d in set(some.tolist())}
                docs, poss = position_arrays(seg, "body", w, some)
                assert (docs.tolist(), poss.tolist()) == (
                    [d for d in sorted(want) for _ in want[d]], [p for d in sorted(want) for p in want[d]])
        for x in words:
            for y in words:
                if x == y:
                    continue
                a, b = position_arrays(seg, "body", x, alldocs), position_arrays(seg, "body", y, alldocs)
                docs, counts = near_counts(a, b, 8)
                want = {d: near_count(ref[x][d], ref[y].get(d, []), 8) for d in ref[x]}
                assert dict(zip(docs.tolist(), counts.tolist())) == {d: n for d, n in want.items() if n}
                both, acc = pair_acc_arrays(a, b, 5)
                assert dict(zip(both.tolist(), acc.tolist())) == {
                    d: pair_acc(ref[x][d], ref[y][d], 5) for d in ref[x].keys() & ref[y].keys()}
                checked += 1
    assert checked >= 100
