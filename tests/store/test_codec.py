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


def test_compact_blocks_read_back_what_was_written():
    """Compact blocks (SearchkitCodec2) with docnum gaps needing 1, 2 and 4 bytes, varying weights and values,
    compressed or not: both matcher interfaces give back the postings written."""
    import random
    from io import BytesIO

    from whoosh.codec.whoosh3 import W3TermInfo
    from whoosh.filedb.structfile import StructFile

    from searchkit.store.codec import CompactLeafMatcher, CompactPostingsWriter
    from searchkit.store.schema import build_schema

    fmt = build_schema()["body"].format
    rng = random.Random(11)
    for gap in (3, 900, 200_000):
        for level in (0, 3):
            buf = BytesIO()
            w = CompactPostingsWriter(StructFile(buf), blocklimit=128, compression=level)
            w.start_postings(fmt, W3TermInfo())
            doc, posts = 0, []
            for _ in range(300):
                doc += rng.randrange(1, gap + 1)
                positions = sorted(rng.sample(range(400), rng.randrange(1, 4)))
                posts.append((doc, float(len(positions)), fmt.encode(positions)))
                w.add_posting(doc, posts[-1][1], posts[-1][2], 10)
            w.finish_postings()
            data = buf.getvalue()
            m = CompactLeafMatcher(StructFile(BytesIO(data)), 0, len(data), fmt)
            got = []
            while m.is_active():
                got.append((m.id(), m.weight(), m.value()))
                m.next()
            assert got == posts
            m = CompactLeafMatcher(StructFile(BytesIO(data)), 0, len(data), fmt)
            ids = []
            while m.is_active():
                ids += m.arrays()[0].tolist()
                m._next_block()
            assert ids == [p[0] for p in posts]
