"""The postings codec (`searchkit.store.codec`): the array view of a posting block (what the evaluator reads)
gives exactly the postings whoosh's own matcher interface reads from the same blocks."""
from __future__ import annotations

import numpy as np

from searchkit.store.codec import ArrayLeafMatcher, SearchkitCodec
from searchkit.store.layout import posting_arrays


def test_array_blocks_equal_the_matcher_postings(corpus_index):
    reader = corpus_index.searcher().reader()
    leaves = [reader] if reader.is_atomic() else [r for r, _ in reader.leaf_readers()]
    assert all(isinstance(seg.segment().codec(), SearchkitCodec) for seg in leaves)
    checked = 0
    for seg in leaves:
        for field in ("body", "headline"):
            for btext in list(seg.lexicon(field))[:200]:
                m = seg.postings(field, btext)
                ids, weights, values = [], [], []
                while m.is_active():
                    ids.append(m.id())
                    weights.append(m.weight())
                    values.append(m.value())
                    m.next()
                got_ids, got_w, got_v = posting_arrays(seg, field, btext, values=True)
                assert got_ids.tolist() == ids and np.allclose(got_w, weights) and got_v == values
                checked += 1
    assert checked > 100
    m = leaves[0].postings("body", next(iter(leaves[0].lexicon("body"))))
    assert isinstance(getattr(m, "child", m), ArrayLeafMatcher)
