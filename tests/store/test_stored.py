"""Block-compressed stored fields (`searchkit.store.stored`): values read back as written, through whoosh's
reader; an index whose segments predate them (whoosh's stored layout, zlib-compressed article JSON) still
reads, and merges with new segments into the new layout."""
from __future__ import annotations

import json
import random
import zlib
from pathlib import Path

from io import BytesIO

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from searchkit import open_index
from searchkit.index import writers
from searchkit.store.codec import SearchkitCodec, SearchkitCodec2, SearchkitCodec4
from searchkit.store.schema import decode_article
from searchkit.store.stored import BlockBytesColumn

ROOT = Path(__file__).resolve().parents[2]

def _column_round_trip(values: dict[int, bytes], doccount: int, blocksize: int, dictionary: bool = False,
                       sizes: list | None = None) -> list[bytes]:
    buf = BytesIO()
    f = StructFile(buf)
    w = BlockBytesColumn(blocksize=blocksize, dictionary=dictionary).writer(f)
    for d in sorted(values):
        w.add(d, values[d])
    w.finish(doccount)
    data = buf.getvalue()
    if sizes is not None:
        sizes.append(len(data))
    # in three orders, each through a fresh reader: a frame is decompressed only up to the document asked
    # for, so later documents of a frame cached part-way must still come back whole
    shuffled = list(range(doccount))
    random.Random(7).shuffle(shuffled)
    reads = []
    for order in (shuffled, range(doccount), range(doccount - 1, -1, -1)):
        r = BlockBytesColumn(dictionary=dictionary).reader(StructFile(BytesIO(data)), 0, len(data), doccount)
        got = {d: r[d] for d in order}
        reads.append([got[d] for d in range(doccount)])
    assert reads[0] == reads[1] == reads[2]
    return reads[0]


def test_block_column_reads_back_every_value_with_gaps_and_many_frames():
    rng = random.Random(3)
    values = {d: bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for d in range(500) if d % 7}
    got = _column_round_trip(values, 520, blocksize=1024)
    assert got == [values.get(d, b"") for d in range(520)]
    assert _column_round_trip({}, 3, blocksize=1024) == [b"", b"", b""]


def test_dictionary_frames_read_back_and_are_smaller_on_text():
    """Frames compressed against a preset dictionary (SearchkitCodec3): every value back, with gaps, for a
    column large enough to get a dictionary and for one too small (plain frames); on article-like JSON the
    dictionary layout is smaller than plain frames."""
    from searchkit.store.stored import DICT_MIN_BYTES

    rng = random.Random(4)
    words = [w for w in (ROOT / "README.md").read_text().split() if w.isalpha()]
    values = {d: json.dumps({"headline": " ".join(rng.sample(words, 8)), "paragraphs": [" ".join(rng.sample(words, 60))],
                             "passages": [{"start": 0, "end": rng.randrange(400)}]}).encode() for d in range(900) if d % 11}
    assert sum(map(len, values.values())) > 2 * DICT_MIN_BYTES
    plain, with_dict = [], []
    assert _column_round_trip(values, 905, 8192, sizes=plain) == [values.get(d, b"") for d in range(905)]
    assert _column_round_trip(values, 905, 8192, True, with_dict) == [values.get(d, b"") for d in range(905)]
    assert with_dict[0] < 0.95 * plain[0]
    few = {d: values[d] for d in list(values)[:20]}
    assert _column_round_trip(few, 25, 8192, True) == [few.get(d, b"") for d in range(25)]
    assert _column_round_trip({}, 3, 1024, True) == [b"", b"", b""]


def _stored(ix) -> dict:
    r = ix.searcher().reader()
    return {(f["article_id"], f["pindex"]): f for f in map(r.stored_fields, r.all_doc_ids())}


def test_new_segments_store_in_blocks_and_read_through_whoosh(corpus_index):
    segs = corpus_index._whoosh()._segments()
    assert segs and all(isinstance(s.codec(), SearchkitCodec2) for s in segs)  # Codec3 stores as Codec2
    r = FileStorage(str(corpus_index.path)).open_index(corpus_index._whoosh().indexname).reader()
    firsts = [r.stored_fields(d) for d in r.all_doc_ids() if r.stored_fields(d).get("pindex") == 0]
    assert firsts and all(isinstance(f["article"], str) for f in firsts)
    for f in firsts:
        a = corpus_index.article(f["article_id"])
        assert json.loads(f["article"])["paragraphs"] == a.paragraphs


def test_an_index_written_before_stored_blocks_reads_and_merges(tmp_path: Path, monkeypatch, half_corpus):
    corpus, files, keep = half_corpus
    import searchkit.store.layout as layout
    current = layout.encode_article  # what searchkit stored before: the same JSON, zlib-compressed alone
    monkeypatch.setattr(layout, "encode_article", lambda d: zlib.compress(current(d).encode("utf-8"), 6))
    monkeypatch.setattr(writers, "new_codec", SearchkitCodec)
    old = open_index(tmp_path / "index")
    old.add([corpus], jobs=1)
    monkeypatch.undo()
    assert {type(s.codec()) for s in old._whoosh()._segments()} == {SearchkitCodec}
    before = _stored(old)
    assert any(isinstance(f.get("article"), bytes) for f in before.values())
    ix = open_index(tmp_path / "index")
    ids = [k[0] for k in before if k[1] == 0]
    assert all(ix.article(i) is not None for i in ids)
    hits = ix.search("said").hits
    assert hits and all(h.to_dict()["passage"]["text"] for h in hits)
    for f, text in zip(files, keep):
        f.write_text(text)
    ix.add([corpus], jobs=1)
    assert {type(s.codec()) for s in ix._whoosh()._segments()} >= {SearchkitCodec4}
    w = writers.segment_writer(ix._whoosh())
    w.commit(optimize=True)  # whoosh merges old and new segments into one, through both readers
    ix = open_index(tmp_path / "index")
    assert [type(s.codec()) for s in ix._whoosh()._segments()] == [SearchkitCodec4]
    after = _stored(ix)
    assert set(before) < set(after)
    assert all(decode_article(after[k]["article"]) == decode_article(f["article"]) for k, f in before.items()
               if "article" in f)
    assert all(ix.article(k[0]) is not None for k in after if k[1] == 0)

