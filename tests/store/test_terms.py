"""Compact term infos (`searchkit.store.terms`): every statistic reads back as whoosh's own term info gives
it, in fewer bytes; an index whose segments hold whoosh's term infos (SearchkitCodec2) still searches the
same and merges with new segments into the compact layout."""
from __future__ import annotations

import random
from pathlib import Path

from whoosh.codec.whoosh3 import W3TermInfo

from searchkit import open_index
from searchkit.index import writers
from searchkit.store.codec import SearchkitCodec2, SearchkitCodec3
from searchkit.store.terms import CompactTermInfo, encode

def _stats(ti) -> tuple:
    return (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight(), ti.min_id(),
            ti.max_id(), ti.extent()[0], ti.extent()[1] if not isinstance(ti.extent()[1], tuple) else ti.extent()[1][0])


def test_compact_term_infos_decode_to_whoosh_values_and_are_smaller():
    rng = random.Random(11)
    cases = []
    for _ in range(3000):
        df = rng.choice([1, 1, 1, 2, 3, rng.randrange(1, 200000)])
        whole = rng.random() < 0.8
        weight = float(df * rng.randrange(1, 5)) if whole else df * rng.uniform(0.3, 7.0)
        maxweight = weight if df == 1 else (float(rng.randrange(1, 9)) if whole else rng.uniform(0.1, weight))
        minid = rng.randrange(0, 1 << 31)
        ids = (None, None) if rng.random() < 0.05 else (minid, minid + rng.randrange(0, 1 << 20))
        minlength = None if rng.random() < 0.1 else rng.randrange(1, 5000)
        ti = W3TermInfo(weight=weight, df=df, minlength=minlength, maxlength=rng.randrange(1, 100000),
                        maxweight=maxweight, minid=ids[0], maxid=ids[1])
        ti.set_extent(rng.randrange(0, 1 << 40), rng.randrange(1, 1 << 24))
        cases.append(ti)
    cases.append(W3TermInfo(weight=float(1 << 25), df=1, maxweight=float(1 << 25), minid=0, maxid=0))  # > float32's whole numbers
    cases[-1].set_extent(0, 1)
    for ti in cases:
        theirs = W3TermInfo.from_bytes(ti.to_bytes())
        ours = CompactTermInfo.from_bytes(encode(ti))
        assert _stats(ours) == _stats(theirs), (vars(ti), _stats(ours), _stats(theirs))
    small = W3TermInfo(weight=1.0, df=1, minlength=40, maxlength=40, maxweight=1.0, minid=5000, maxid=5000)
    small.set_extent(3_000_000, 30)
    assert len(encode(small)) <= 13 < len(small.to_bytes()) == 35


def test_an_index_of_whoosh_term_infos_searches_the_same_and_merges_into_compact(tmp_path: Path, monkeypatch, half_corpus):
    corpus, files, keep = half_corpus
    monkeypatch.setattr(writers, "new_codec", SearchkitCodec2)  # the serial writer (jobs=1) writes Codec2
    old = open_index(tmp_path / "index")
    old.add([corpus], jobs=1)
    monkeypatch.undo()
    assert {type(s.codec()) for s in old._whoosh()._segments()} == {SearchkitCodec2}

    def view(ix, query: str) -> list:
        return [(h.article.id, h.passage_index, round(h.score, 6)) for h in ix.search(query, limit=20).hits]

    queries = ["said", "taliban talks", '"peace talks"', "headline:russia", "negot*"]
    before = {q: view(old, q) for q in queries}
    assert all(before.values())
    for f, text in zip(files, keep):
        f.write_text(text)
    ix = open_index(tmp_path / "index")
    ix.add([corpus], jobs=1)
    assert {type(s.codec()) for s in ix._whoosh()._segments()} == {SearchkitCodec2, SearchkitCodec3}
    both = {q: view(ix, q) for q in queries}
    writers.segment_writer(ix._whoosh()).commit(optimize=True)  # whoosh merges through both readers
    merged = open_index(tmp_path / "index")
    assert [type(s.codec()) for s in merged._whoosh()._segments()] == [SearchkitCodec3]
    assert {q: view(merged, q) for q in queries} == both
    r = merged._whoosh().reader()
    assert all(r.doc_frequency(f, t) == r.term_info(f, t).doc_frequency() > 0
               for f in ("body", "headline") for t in list(r.lexicon(f))[:300])
