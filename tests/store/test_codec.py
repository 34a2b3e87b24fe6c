"""The postings codec (`searchkit.store.codec`): the array view of a posting block (what the evaluator reads)
gives exactly the postings whoosh's own matcher interface reads from the same blocks."""
from __future__ import annotations

import numpy as np
import pytest

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


@pytest.mark.parametrize("layout", ["compact", "tight", "narrow"])
def test_compact_blocks_read_back_what_was_written(layout):
    """Compact blocks (SearchkitCodec2), tight ones (SearchkitCodec3) and narrow ones (SearchkitCodec4) with
    docnum gaps needing 1, 2 and 4 bytes, varying weights (whole and not, below 256 and not) and values (their
    lengths below 256 bytes and not), compressed or not: both matcher interfaces give back the postings
    written, and whoosh's block statistics (max weight, last docnum) are those written."""
    import random
    from io import BytesIO

    from whoosh.codec.whoosh3 import W3TermInfo
    from whoosh.filedb.structfile import StructFile

    from searchkit.store import codec

    CompactPostingsWriter, CompactLeafMatcher = {
        "compact": (codec.CompactPostingsWriter, codec.CompactLeafMatcher),
        "tight": codec.SearchkitCodec3().block_classes(), "narrow": codec.SearchkitCodec4().block_classes()}[layout]
    from searchkit.store.schema import build_schema

    fmt = build_schema()["body"].format
    rng = random.Random(11)
    for gap in (3, 900, 200_000):
        for level in (0, 3):
            buf = BytesIO()
            w = CompactPostingsWriter(StructFile(buf), blocklimit=128, compression=level)
            w.start_postings(fmt, W3TermInfo())
            doc, posts = 0, []
            for i in range(300):
                doc += rng.randrange(1, gap + 1)
                many = i == 200  # one block with a weight above 255 and a value longer than 255 bytes
                positions = sorted(rng.sample(range(5000) if many else range(400), 300 if many else rng.randrange(1, 4)))
                weight = float(len(positions)) if gap != 900 else float(np.float32(len(positions) * 0.37))  # not whole
                posts.append((doc, weight, fmt.encode(positions)))
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
            ids, stats = [], []
            while m.is_active():
                ids += m.arrays()[0].tolist()
                stats.append((m.block_max_weight(), m._maxid))
                m._next_block()
            assert ids == [p[0] for p in posts]
            f32 = [float(np.float32(p[1])) for p in posts]
            assert stats == [(max(f32[i:i + 128]), posts[min(i + 128, 300) - 1][0]) for i in range(0, 300, 128)]
