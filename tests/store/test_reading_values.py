"""`reading_values` (searchkit.store.layout): a read hinted to keep values gives the same docnums and
frequencies as a plain one, and passage searches give the same results with the hint as without it."""
from __future__ import annotations

import numpy as np

from searchkit.index import searching
from searchkit.store import layout
from searchkit.store.layout import posting_arrays, reading_values


def _clear():
    layout._POSTINGS.clear()
    layout._POSTINGS_SIZE[0] = 0


def test_hinted_read_equals_the_plain_one_and_keeps_values(corpus_index):
    reader = corpus_index.searcher().reader()
    seg = reader if reader.is_atomic() else reader.leaf_readers()[0][0]
    terms = [t for t in list(seg.lexicon("body"))[:50]]
    _clear()
    plain = [posting_arrays(seg, "body", t) for t in terms]
    _clear()
    with reading_values("body", [t.decode("utf-8") for t in terms]):
        hinted = [posting_arrays(seg, "body", t) for t in terms]
    for (a, b), (c, d) in zip(plain, hinted):
        assert np.array_equal(a, c) and np.array_equal(b, d)
    assert all(len(posting_arrays(seg, "body", t, values=True)) == 3 for t in terms)
    assert any(k[-1] is True for k in layout._POSTINGS)


def test_passage_results_equal_without_the_hint(corpus_index, monkeypatch):
    queries = ["port strike workers", "minister said", "tripartite talks union", '"trade union" wages']
    def run():
        _clear()
        out = []
        for q in queries:
            res = corpus_index.search(q, unit="passage", limit=20)
            out.append([repr(h) for h in res.hits] + [res.total, res.facets])
        return out
    with_hint = run()
    monkeypatch.setattr(searching, "proximity_terms", lambda words: [])
    assert run() == with_hint
