"""The bulk segment builder (searchkit.index.bulk) writes what searchkit's whoosh writer writes.

Same documents, same sequence of commits (each: deletions and merges by the parent writer, one new segment
from a writer-process writer, one atomic TOC), once with each writer: every segment file must be the same
bytes, and everything read back through whoosh — terms, term statistics, postings with positions, field
lengths, stored fields, columns, deletions — and the scores of real searches must be equal.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage

from searchkit import open_index
import searchkit.index.bulk
import searchkit.index.spill
from searchkit.index.bulk import BulkSegmentWriter, bulk_segment_writer
from searchkit.store.layout import passage_documents
from searchkit.parse import parse_file
from searchkit.store.codec import BLOCK_LIMIT
from searchkit.store.schema import build_schema
from searchkit.index.writers import commit, segment_writer

ROOT = Path(__file__).resolve().parents[2]
BBC = ROOT.parent / "shared" / "corpora" / "bbc"


def _documents(files: list[Path], root: Path) -> list[dict]:
    docs: list[dict] = []
    for f in files:
        first = True
        for article in parse_file(f, root=root):
            if isinstance(article, tuple) or not hasattr(article, "passages"):
                continue
            docs += passage_documents(article, str(f), "h", str(f), first)
            first = False
    return docs


def _build(path: Path, rounds: list[tuple[list[dict], list[str]]], make) -> None:
    """Each round: the parent writer deletes files' documents (and merges small segments), ``make``'s writer
    writes the round's documents into a new segment, committed together as `searchkit.index.writers` does."""
    path.mkdir()
    ix = FileStorage(str(path)).create_index(build_schema())
    for docs, deleted in rounds:
        parent = segment_writer(ix)
        for key in deleted:
            parent.delete_by_term("file", key)
        sub = make(ix, _lk=False, compound=False)
        for doc in docs:
            sub.add_document(**doc)
        commit(parent, [sub._finalize_segment()])
        ix = FileStorage(str(path)).open_index()


def _segment_files(path: Path) -> list[list[bytes]]:
    """Each live segment's files (in TOC order, by extension; segment ids are random)."""
    ix = FileStorage(str(path)).open_index()
    out = []
    for seg in ix._segments():
        prefix = f"{ix.indexname}_{seg.segid}"
        names = sorted(p.name for p in path.iterdir() if p.name.startswith(prefix))
        out.append([(n[len(prefix):], (path / n).read_bytes()) for n in names])
    return out


def _read_back(path: Path) -> list[dict]:
    ix = FileStorage(str(path)).open_index()
    out = []
    for r in ix.reader().leaf_readers():
        r = r[0]
        docs = list(range(r.doc_count_all()))
        seg: dict = {"deleted": sorted(r.all_deleted()) if hasattr(r, "all_deleted") else
                     [d for d in docs if r.is_deleted(d)],
                     "stored": [r.stored_fields(d) for d in docs]}
        for f in r.indexed_field_names():
            seg[f, "len"] = [r.doc_field_length(d, f) for d in docs]
            for t in r.lexicon(f):
                info = r.term_info(f, t)
                m, posts = r.postings(f, t), []
                fmt = r.schema[f].format
                while m.is_active():
                    positions = fmt.decode_positions(m.value()) if fmt.supports("positions") else None
                    posts.append((m.id(), m.weight(), m.value(), positions))
                    m.next()
                seg[f, t] = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                             info.max_weight(), info.min_id(), info.max_id(), posts)
        for f in r.schema.names():
            if r.has_column(f):
                seg[f, "column"] = list(r.column_reader(f, translate=False))
        out.append(seg)
    return out


def _rounds(files: list[Path], root: Path) -> list[tuple[list[dict], list[str]]]:
    third = len(files) // 3
    a, b, c = files[:third], files[third:2 * third], files[2 * third:]
    return [(_documents(a, root), []),
            (_documents(b, root), [str(f) for f in a[::4]]),
            (_documents(c + a[::8], root), [str(f) for f in b[1::3]] + [str(f) for f in a[::8]])]


def _corpora() -> list:
    bundled = sorted((ROOT / "corpus").iterdir())
    cases = [pytest.param(bundled * 1, ROOT / "corpus", id="bundled")]
    if BBC.is_dir():
        files = sorted(BBC.glob("business/*.txt"))[:150] + sorted(BBC.glob("politics/*.txt"))[:150]
        cases.append(pytest.param(files, BBC, id="bbc-300"))
    else:
        cases.append(pytest.param([], BBC, id="bbc-300", marks=pytest.mark.skip(reason=f"{BBC} not present")))
    return cases


class _Spilling(BulkSegmentWriter):
    """A bulk writer that offers to spill after every document, as the writer processes do after a batch."""

    spills = 0

    def add_document(self, **fields) -> None:
        super().add_document(**fields)
        _Spilling.spills += self.spill_if_full()


@pytest.mark.parametrize("spill", [False, True], ids=["in-memory", "spilled"])
@pytest.mark.parametrize("files,root", _corpora())
def test_bulk_segments_equal_whoosh_writer_segments(tmp_path: Path, files: list[Path], root: Path, spill: bool,
                                                    monkeypatch) -> None:
    rounds = _rounds(files, root)
    _build(tmp_path / "whoosh", rounds, segment_writer)
    if spill:  # postings written out as sorted runs several times a round, merged at commit a window at a time
        words = sum(len(d["body"].split()) for d in rounds[0][0])
        monkeypatch.setattr(searchkit.index.bulk, "SPILL_POSTINGS", words // 4)
        monkeypatch.setattr(searchkit.index.spill, "WINDOW", words // 3)
        _Spilling.spills = 0
    _build(tmp_path / "bulk", rounds, _Spilling if spill else bulk_segment_writer)
    assert not spill or _Spilling.spills >= 6
    theirs, ours = _read_back(tmp_path / "whoosh"), _read_back(tmp_path / "bulk")
    assert len(ours) >= 2 and any(seg["deleted"] for seg in ours)
    assert sum(len(seg) for seg in ours) > 100
    for a, b in zip(ours, theirs):
        assert a.keys() == b.keys()
        assert [k for k in a if a[k] != b[k]] == []
    assert _segment_files(tmp_path / "bulk") == _segment_files(tmp_path / "whoosh")
    text = " ".join(d["body"] for docs, _ in rounds for d in docs[:5])
    words = list(dict.fromkeys(w for w in text.split() if w.isalpha() and len(w) >= 6))[:4]
    assert len(words) == 4
    first = rounds[-1][0][0]
    raw = first["body"].split()
    pair = next(raw[i:i + 2] for i in range(len(raw) - 1) if raw[i].isalpha() and raw[i + 1].isalpha())
    headword = max((w for w in first["headline"].split() if w.isalpha()), key=len)
    for q in words + ['"%s %s"' % tuple(pair), f"headline:{headword}"]:
        hits = [[h.to_dict() | {"score": h.score} for h in
                 open_index(tmp_path / name).search(q, limit=30).hits] for name in ("bulk", "whoosh")]
        assert hits[0] and hits[0] == hits[1]


def test_multi_block_terms_and_wide_position_gaps(tmp_path: Path) -> None:
    """Terms with more postings than a block holds, and positions more than 255 words apart (32-bit gaps)."""
    filler = " ".join(f"w{i}x" for i in range(300))
    n = 3 * BLOCK_LIMIT  # the first round's segment: "common" fills three blocks (two and more once f3 is deleted)
    docs = [{"article_id": f"a{i}", "file": f"f{i % 7}", "pindex": 0,
             "body": f"common start {filler if i % 3 == 0 else ''} common end {'extra ' * (i % 5)}",
             "names": "Alpha Beta Common"} for i in range(n + 300)]
    rounds = [(docs[:n], []), (docs[n:], ["f3"])]
    _build(tmp_path / "whoosh", rounds, segment_writer)
    _build(tmp_path / "bulk", rounds, bulk_segment_writer)
    ours, theirs = _read_back(tmp_path / "bulk"), _read_back(tmp_path / "whoosh")
    assert ours == theirs
    assert max(len(seg["body", b"common"][-1]) for seg in ours) > 2 * BLOCK_LIMIT  # three blocks or more
    assert max(max(p[3]) for p in ours[0]["body", b"end"][-1]) > 300
    assert _segment_files(tmp_path / "bulk") == _segment_files(tmp_path / "whoosh")


def test_spilling_writer_processes_write_one_segment_each(tmp_path: Path, monkeypatch) -> None:
    """Writer processes whose postings are spilled to sorted runs still write one segment each, and the index
    answers as one built by the per-posting writer; no run file is left behind."""
    import searchkit.index.writers

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(6):
        for f in sorted((ROOT / "corpus").iterdir()):
            (corpus / f"{i:02d}_{f.name}").write_text(f.read_text())
    monkeypatch.setattr(searchkit.index.bulk, "SPILL_POSTINGS", 2000)
    monkeypatch.setattr(searchkit.index.spill, "WINDOW", 3000)
    monkeypatch.setattr(searchkit.index.writers, "BATCH_DOCS", 16)
    ours = open_index(tmp_path / "bulk")
    ours.add([corpus], jobs=2)
    monkeypatch.setattr(searchkit.index.writers, "BULK", False)
    theirs = open_index(tmp_path / "whoosh")
    theirs.add([corpus], jobs=2)
    assert len(ours._whoosh()._segments()) == len(theirs._whoosh()._segments())
    assert not [p for p in (tmp_path / "bulk").rglob("*.npy")]
    assert ours.searcher().doc_count() == theirs.searcher().doc_count()
    text = " ".join(d["body"] for d in _documents(sorted((ROOT / "corpus").iterdir())[:1], ROOT / "corpus"))
    for word in list(dict.fromkeys(w for w in text.split() if w.isalpha() and len(w) >= 6))[:3]:
        # copies tie: which copy fills the page depends on the writers' race, the scores do not
        found = [(r.total, sorted(round(h.score, 6) for h in r.hits)) for r in
                 (ix.search(word, limit=100) for ix in (ours, theirs))]
        assert found[0][0] and found[0] == found[1]
