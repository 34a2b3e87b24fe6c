"""Compact term infos (`searchkit.store.terms`): every statistic reads back as whoosh's own term info gives
it, in fewer bytes; an index whose segments hold whoosh's term infos (SearchkitCodec2) still searches the
same and merges with new segments into the compact layout; so does an index of SearchkitCodec3 segments
(before one-byte weights and value lengths) into SearchkitCodec4's."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh.codec.whoosh3 import W3TermInfo

from searchkit import open_index
from searchkit.index import bulk, writers
from searchkit.store.codec import SearchkitCodec2, SearchkitCodec3, SearchkitCodec4
from searchkit.store.terms import CompactTermInfo, encode

ROOT = Path(__file__).resolve().parents[2]

def _postings(ix) -> dict:
    """Every (field, term) of ``ix``: its postings as sorted (article id, weight, value) triples."""
    r = ix._whoosh().reader()
    ids = {d: str(f.get("article_id", d)) for d, f in r.iter_docs()}
    out = {}
    for f in ("body", "headline", "names", "quote"):
        for t in r.lexicon(f):
            m, posts = r.postings(f, t), []
            while m.is_active():
                posts.append((ids[m.id()], m.weight(), m.value()))
                m.next()
            out[f, t] = sorted(posts)
    return out


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


@pytest.mark.parametrize("older", [SearchkitCodec2, SearchkitCodec3])
def test_an_index_of_older_segments_searches_the_same_and_merges_into_the_new_codec(tmp_path: Path, monkeypatch,
                                                                                    half_corpus, older):
    """Codec2 (whoosh's term infos) or Codec3 (float32 weights, uint32 value lengths: `searchkit.store.narrow`)
    segments beside new Codec4 ones: the same results, and whoosh merges both into Codec4 with every posting
    (docnum, weight, positions) as it was."""
    corpus, files, keep = half_corpus
    monkeypatch.setattr(writers, "new_codec", older)  # the serial writer (jobs=1)
    monkeypatch.setattr(bulk, "new_codec", older)
    old = open_index(tmp_path / "index")
    old.add([corpus], jobs=1)
    monkeypatch.undo()
    assert {type(s.codec()) for s in old._whoosh()._segments()} == {older}

    def view(ix, query: str) -> list:
        return [(h.article.id, h.passage_index, round(h.score, 6)) for h in ix.search(query, limit=20).hits]

    queries = ["said", "taliban talks", '"peace talks"', "headline:russia", "negot*"]
    before = {q: view(old, q) for q in queries}
    assert all(before.values())
    for f, text in zip(files, keep):
        f.write_text(text)
    ix = open_index(tmp_path / "index")
    ix.add([corpus], jobs=1)
    assert {type(s.codec()) for s in ix._whoosh()._segments()} == {older, SearchkitCodec4}
    both = {q: view(ix, q) for q in queries}
    posts = _postings(ix)
    writers.segment_writer(ix._whoosh()).commit(optimize=True)  # whoosh merges through both readers
    merged = open_index(tmp_path / "index")
    assert [type(s.codec()) for s in merged._whoosh()._segments()] == [SearchkitCodec4]
    assert {q: view(merged, q) for q in queries} == both
    assert _postings(merged) == posts
    r = merged._whoosh().reader()
    assert all(r.doc_frequency(f, t) == r.term_info(f, t).doc_frequency() > 0
               for f in ("body", "headline") for t in list(r.lexicon(f))[:300])


def test_block_term_file_finds_every_key_and_iterates_from_any_point():
    from io import BytesIO

    from whoosh.filedb.structfile import StructFile

    from searchkit.store.termfile import BLOCK, BlockTermsReader, BlockTermsWriter

    rng = random.Random(5)
    words = {bytes(rng.choice(b"abcde") for _ in range(rng.randrange(0, 9))) for _ in range(3000)}
    keys = sorted(b"\x00\x01" + w for w in words) + [b"\x00\x02" + b"z" * 300]  # a long key: 2-byte varints
    assert len(keys) > 5 * BLOCK
    buf = BytesIO()
    f = StructFile(buf)
    f.close = lambda: None  # keep the buffer readable
    w = BlockTermsWriter(f)
    w.extras["fieldmap"] = {"body": 1}
    for i, k in enumerate(keys):
        w.add(k, b"v%d" % i * (i % 3))
    w.close()
    data = buf.getvalue()
    r = BlockTermsReader(StructFile(BytesIO(data)), len(data))
    assert r.extras == {"fieldmap": {"body": 1}}
    assert all(r[k] == b"v%d" % i * (i % 3) for i, k in enumerate(keys))
    assert list(r.items_from()) == [(k, b"v%d" % i * (i % 3)) for i, k in enumerate(keys)]
    for probe in [b"", b"\x00\x01", b"\x00\x01c", b"\x00\x01cab\xff", b"\x00\x02", b"\x00\x03", *rng.sample(keys, 50)]:
        after = [k for k in keys if k >= probe]
        assert [k for k, _ in r.items_from(probe)] == after
        assert (probe in r) == (probe in set(keys))
    for k in rng.sample(keys, 50):
        at = r.position(k)
        nxt = r.after(at)
        assert r.entry(at)[0] == k and (nxt is None and k == keys[-1] or r.entry(nxt)[0] == keys[keys.index(k) + 1])
    with pytest.raises(ValueError):
        w2 = BlockTermsWriter(StructFile(BytesIO()))
        w2.add(b"b", b"")
        w2.add(b"a", b"")


def test_whoosh_term_queries_read_a_block_dictionary_as_they_read_whoosh_own(tmp_path: Path, monkeypatch):
    """Cursors, prefixes, ranges and fuzzy terms over a SearchkitCodec4 segment (Codec3's term dictionary) give
    what whoosh gives over the same documents in a SearchkitCodec2 segment (whoosh's hash file and term infos)."""
    corpus = ROOT / "corpus"
    ours = open_index(tmp_path / "ours")
    ours.add([corpus], jobs=1)
    monkeypatch.setattr(writers, "new_codec", SearchkitCodec2)
    theirs = open_index(tmp_path / "theirs")
    theirs.add([corpus], jobs=1)
    monkeypatch.undo()
    a, b = ours._whoosh().reader(), theirs._whoosh().reader()
    assert [type(s.codec()) for s in ours._whoosh()._segments()] == [SearchkitCodec4]
    assert list(a.all_terms()) == list(b.all_terms()) and len(list(a.all_terms())) > 1000
    assert [(t, _stats(i)[:7]) for t, i in a._terms.items()] == [(t, _stats(i)[:7]) for t, i in b._terms.items()]
    assert sorted(a.indexed_field_names()) == sorted(b.indexed_field_names())
    for field, text in [("body", "tal"), ("body", "a"), ("body", "zz"), ("headline", ""), ("names", "pat"), ("article_id", "")]:
        assert list(a.expand_prefix(field, text)) == list(b.expand_prefix(field, text))
        assert list(a.terms_from(field, text))[:50] == list(b.terms_from(field, text))[:50]
    for field, text in [("body", "taliban"), ("body", "talks"), ("names", "PATRUSHEV"), ("names", "patrushev")]:
        for dist in (1, 2):
            assert sorted(a.terms_within(field, text, dist)) == sorted(b.terms_within(field, text, dist))
        ca, cb = a.cursor(field), b.cursor(field)
        walked = []
        for cur in (ca, cb):
            seen = [cur.find(text[:3]), cur.next(), _stats(cur.term_info())[:7] if cur.is_valid() else None]
            seen += [cur.first(), cur.next(), cur.next(), cur.find("~~~~"), cur.is_valid(), cur.next()]
            walked.append(seen)
        assert walked[0] == walked[1] and walked[0][3] is not None
    assert ("body", b"taliban") in a._terms and ("body", b"no-such-word") not in a._terms
    assert a.doc_frequency("body", "no-such-word") == 0 == a.frequency("body", "no-such-word")
