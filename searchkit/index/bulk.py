"""Bulk segment building: a segment's postings built with array operations, written in one pass.

whoosh's writer turns every posting into a Python tuple, pools and sorts the tuples, then hands them to
the postings writer (`searchkit.index.writers`): at the 100k benchmark, ``add_document`` and commit were three
quarters of indexing time, almost all of it per-posting Python work. Here a writer process keeps, per
field, the term ids of each document's words (one dictionary lookup per *distinct* word, through the
analyzer's cached ``index_terms``) in flat arrays; every few hundred thousand words they are reduced with
numpy to postings (sort by term id, stable, so docnums stay ascending; frequencies, position gaps coded as
`searchkit.store.schema.CompactPositions` values, all as arrays). When the writer holds `SPILL_POSTINGS` of them
they are written out as sorted runs (`searchkit.index.spill`), so memory stays flat however large the
segment. At commit the vocabulary is sorted once, the runs are merged into (term, docnum) order a window of
terms at a time, and `searchkit.index.bulkwrite` computes block boundaries and statistics for a window with
numpy and writes it with Python once per *block*. Stored fields, lengths and columns go through whoosh's
per-document writer as before (one call per field of a document, not per posting).

The segment is the one `searchkit.index.writers.segment_writer` writes from the same documents, byte for byte:
the same codec (`searchkit.codec`), term dictionary, statistics and block layout
(``tests/index/test_bulk.py`` compares them file by file and read back). Fields without the fast analysis path
(ids, dates, numbers, keyword facets: one to four terms each) are analysed by their whoosh field, one call
per document and field, and joined into the same arrays.
"""
from __future__ import annotations

import os
from typing import Any, Iterator

import numpy as np
from whoosh.fields import NUMERIC
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from ..store.analysis import clear_caches
from ..store.codec import SearchkitCodec3, new_codec
from ..store.schema import CompactPositions, FastFrequency
from .bulkwrite import write_field
from .spill import Run, windows

REDUCE_TOKENS = 1 << 19  # words of a field buffered before they are reduced to postings (memory stays small)
NUMERIC_CACHED = 4096  # distinct (field, value) analyses kept: an article's passages come one after the other, and
# kept for the whole segment the dates' terms were ~9 MB of each writer at 100k articles (40k distinct dates)
SPILL_POSTINGS = 1 << 19  # postings buffered (~10 MB) before they are written out as sorted runs (spill.py);
# sorting a run takes ~5x its buffers in temporaries: at 2 << 20 a writer sat at ~130 MB while parsing 30k articles
# Buffered postings take 16 bytes each (term id, docnum, weight, value size as 32-bit numbers) plus their
# values; weights are float32, exact for the small whole numbers they are (a frequency times boost 1.0)
# and turned back into float64 for writing, so the written statistics are whoosh's.


def _concat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


class FieldPostings:
    """One field's postings for the segment being built, as reduced chunks of arrays."""

    def __init__(self, field: Any):
        self.field = field
        fmt = field.format
        self.fast = isinstance(fmt, (CompactPositions, FastFrequency)) and hasattr(field.analyzer, "index_terms")
        self.positions = isinstance(fmt, CompactPositions)
        self.boost = float(fmt.field_boost)
        self.vocab: dict = {}  # term (str on the fast path, bytes otherwise) -> id
        self._tids: list[int] = []  # fast path, pending: term ids of every kept word
        self._docs: list[tuple[int, int, int]] = []  # (docnum, words, position of the first)
        self._generic: list[tuple[int, int, float, bytes]] = []  # slow path: (tid, docnum, weight, value)
        self.chunks: list[tuple[np.ndarray, ...]] = []  # (tid, doc, weight, value sizes, value bytes)
        self.lengths = bytearray()  # per docnum up to the last with a length, whoosh's length byte (0: none;
        # scorable fields). One byte a document: (docnum, byte) pairs as 32-bit numbers were 8 bytes a document
        # and field, ~28 MB of each writer process at 300k articles
        self.total_length = 0  # the sum of the field's (exact) lengths: the segment's field length
        self.first_length = -1  # the first document with a length (the order whoosh's writer first counts fields in)
        self.runs: list[tuple[str, Run]] = []  # (file prefix, memory-mapped run) spilled to disk, in docnum order
        self._words: list = []  # the vocabulary's terms by id (filled when term bytes are needed)
        self._last: tuple = (None, None)  # the previous document's value and its (first position, term ids),
        # or off the fast path its terms

    def add(self, docnum: int, value: Any, terms=None) -> int:
        """Add one document's value; returns its field length (what whoosh's writer counts)."""
        if self.fast:
            if value == self._last[0]:  # headline, source, author: the same on every passage of an article
                first, tids = self._last[1]
            else:
                first, words = self.field.analyzer.index_terms(value)
                vocab = self.vocab
                for w in set(words).difference(vocab):
                    vocab[w] = len(vocab)
                tids = list(map(vocab.__getitem__, words))
                self._last = (value, (first, tids))
            self._tids += tids
            self._docs.append((docnum, len(tids), first))
            length = len(tids)
            if len(self._tids) >= REDUCE_TOKENS:
                self._reduce()
        else:
            length = 0
            vocab = self.vocab
            if terms is None:  # an id, file or facet value: the same on every passage of an article (or file)
                if value != self._last[0]:
                    self._last = (value, list(self.field.index(value)))
                terms = self._last[1]
            for tbytes, freq, weight, vbytes in terms:
                length += freq
                tid = vocab.setdefault(tbytes, len(vocab))
                self._generic.append((tid, docnum, weight, vbytes or b""))
        if length and self.field.scorable:
            if self.first_length < 0:
                self.first_length = docnum
            gap = docnum - len(self.lengths)
            if gap:
                self.lengths += bytes(gap)
            self.lengths.append(length_to_byte(length))
            self.total_length += length
        return length

    def length_bytes(self) -> bytes:
        """The field's length column as whoosh's writer leaves it: a length byte per document up to the last
        with a length (0 for documents without), written in one piece instead of one column call per document
        and field (those calls were a sixth of the writers' ``add_document``)."""
        return bytes(self.lengths)

    def buffered(self) -> int:
        """Postings (reduced) and words (pending) held in memory."""
        return sum(len(c[0]) for c in self.chunks) + len(self._tids) + len(self._generic)

    def _reduce(self) -> None:
        """Pending words -> postings: sorted by term id (stable: docnum, then position, stay in order)."""
        if self._generic:
            tid, doc, weight, values = zip(*self._generic)
            sizes = np.fromiter(map(len, values), np.int32, len(values))
            self.chunks.append((np.array(tid, np.int32), np.array(doc, np.int32), np.array(weight, np.float32),
                                sizes, np.frombuffer(b"".join(values), np.uint8)))
            self._generic = []
        if not self._tids:
            return
        tids = np.array(self._tids, np.int64)
        docnums, counts, firsts = (np.array(c, np.int64) for c in zip(*self._docs))
        self._tids, self._docs = [], []
        starts = np.cumsum(counts) - counts
        docs = np.repeat(docnums, counts)
        pos = np.arange(len(tids)) - np.repeat(starts - firsts, counts)
        order = np.argsort(tids, kind="stable")
        tids, docs, pos = tids[order], docs[order], pos[order]
        new = np.ones(len(tids), bool)
        new[1:] = (tids[1:] != tids[:-1]) | (docs[1:] != docs[:-1])
        pstart = np.flatnonzero(new)
        freq = np.diff(np.append(pstart, len(tids)))
        if self.positions:
            sizes, stream = _position_values(pos, new, pstart, freq)
        else:  # whoosh's Frequency value: the count as a big-endian uint32
            sizes = np.full(len(pstart), 4, np.int32)
            stream = np.frombuffer(freq.astype(">u4").tobytes(), np.uint8)
        self.chunks.append((tids[pstart].astype(np.int32), docs[pstart].astype(np.int32),
                            (freq * self.boost).astype(np.float32), sizes.astype(np.int32), stream))

    def _btexts(self, ids: list[int]) -> list[bytes]:
        words = self._words
        if len(words) < len(self.vocab):
            words += list(self.vocab)[len(words):]  # ids are insertion order
        return [words[i].encode("utf-8") for i in ids] if self.fast else [words[i] for i in ids]

    def _run(self) -> Run | None:
        """The reduced postings held in memory as one sorted `Run` (None when there are none); released."""
        self._reduce()
        chunks, self.chunks = self.chunks, []
        if not chunks:
            return None
        arrays = [_concat([c[i] for c in chunks], t)
                  for i, t in enumerate((np.int32, np.int32, np.float32, np.int32, np.uint8))]
        del chunks
        return Run.sort(*arrays, self._btexts)

    def spill(self, prefix: str) -> None:
        """Write what is buffered as a sorted run to disk (files ``<prefix>.*``): memory is released."""
        run = self._run()
        if run is not None:
            self.runs.append((prefix, run.write(prefix)))

    def windows(self) -> Iterator[tuple[list[bytes], tuple[np.ndarray, ...]]]:
        """(term bytes, postings) a window of terms at a time, in term order, over the runs on disk and what is
        still in memory: postings in (term, docnum) order as (term rank, doc, weight, value sizes, value
        bytes). The buffers are released; the run files are deleted at the end."""
        last = self._run()
        runs = [r for _, r in self.runs] + ([last] if last is not None else [])
        try:
            if not runs:
                return
            btexts = self._btexts(list(range(len(self.vocab))))
            ranked = sorted(range(len(btexts)), key=btexts.__getitem__)
            rank = np.empty(len(ranked), np.int64)
            rank[ranked] = np.arange(len(ranked))
            ordered = [btexts[i] for i in ranked]
            del btexts
            for r0, r1, postings in windows(runs, rank):
                yield ordered[r0:r1], postings
        finally:
            del runs
            for prefix, _ in self.runs:
                Run.remove(prefix)
            self.runs = []


def _position_values(pos: np.ndarray, new: np.ndarray, pstart: np.ndarray, freq: np.ndarray):
    """Each posting's `CompactPositions` value (a flag byte, then one byte per position gap, or four when
    a gap is 256 or more) as (sizes, concatenated bytes)."""
    gaps = pos.copy()
    gaps[1:] -= pos[:-1]
    gaps[new] = pos[new]
    wide = np.maximum.reduceat(gaps, pstart) >= 256 if len(pstart) else np.zeros(0, bool)
    width = np.where(wide, 4, 1)
    sizes = 1 + freq * width
    ends = np.cumsum(sizes)
    out = np.zeros(int(ends[-1]) if len(ends) else 0, np.uint8)
    flagpos = ends - sizes
    out[flagpos] = wide
    posting = np.cumsum(new) - 1  # each word's posting
    tokwidth = width[posting]
    within = np.arange(len(pos)) - np.repeat(pstart, freq)
    off = flagpos[posting] + 1 + within * tokwidth
    narrow = tokwidth == 1
    out[off[narrow]] = gaps[narrow]
    if wide.any():
        w = ~narrow
        out[off[w, None] + np.arange(4)] = gaps[w].astype("<u4").view(np.uint8).reshape(-1, 4)
    return sizes, out


class BulkSegmentWriter(SegmentWriter):
    """A whoosh ``SegmentWriter`` (searchkit's codec) whose postings are built by `FieldPostings` and
    written by `write_field`; the segment's life cycle (files, ``_finalize_segment``, the TOC) is whoosh's.
    For the writer processes, which only add documents: boosts, term vectors and spelling words (not in
    searchkit's schema) are refused."""

    def __init__(self, ix, **kwargs) -> None:
        kwargs.setdefault("codec", new_codec())
        if not isinstance(kwargs["codec"], SearchkitCodec3):
            raise TypeError("bulk segments are written in SearchkitCodec3's layout (or Codec4's) only")
        super().__init__(ix, **kwargs)
        self._bulk: dict = {}
        self._numeric = {n for n in self.schema.names() if isinstance(self.schema[n], NUMERIC)}
        self._numeric_cache: dict = {}
        self._spills = 0

    def add_document(self, **fields) -> None:
        self._check_state()
        schema, perdoc, docnum = self.schema, self.perdocwriter, self.docnum
        names = sorted(n for n in fields if not n.startswith("_"))
        self._check_fields(schema, names)
        if any(k.endswith("_boost") for k in fields):
            raise NotImplementedError("bulk segments take no boosts; use searchkit.index.writers.segment_writer")
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                length = self._field_postings(name, field).add(docnum, value, self._numeric_terms(name, value))
                if not field.scorable:
                    length = 0
            if field.vector or field.separate_spelling():
                raise NotImplementedError(f"field {name!r}: vectors/spelling need whoosh's add_document")
            stored = fields.get("_stored_" + name, value)
            perdoc.add_field(name, field, stored if field.stored else None, 0)  # lengths: `_flush_segment`
            if field.column_type and stored is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def spill_if_full(self) -> bool:
        """Write every field's buffered postings out as sorted runs (`searchkit.index.spill`) once they reach
        `SPILL_POSTINGS`, so memory stays flat however large the segment grows; True when it did."""
        if sum(fp.buffered() for fp in self._bulk.values()) < SPILL_POSTINGS:
            return False
        folder = self._tempstorage.folder
        for name, fp in self._bulk.items():
            fp.spill(os.path.join(folder, f"{self.newsegment.segment_id()}.{name}.{self._spills}"))
        self._spills += 1
        return True

    def _field_postings(self, name: str, field) -> FieldPostings:
        fp = self._bulk.get(name)
        if fp is None:
            fp = self._bulk[name] = FieldPostings(field)
        return fp

    def _numeric_terms(self, name: str, value):
        """A date, year or passage number's terms, analysed once per distinct value (None otherwise)."""
        if name not in self._numeric:
            return None
        cache = self._numeric_cache
        terms = cache.get((name, value))
        if terms is None:
            if len(cache) >= NUMERIC_CACHED:
                cache.clear()
            terms = cache[(name, value)] = list(self.schema[name].index(value))
        return terms

    def _flush_segment(self) -> None:
        # nothing is analysed from here on: the analyzers' word caches make room for the build's arrays
        clear_caches(getattr(self.schema[name], "analyzer", None) for name in self._bulk)
        self._numeric_cache.clear()
        counted = [n for n, fp in self._bulk.items() if fp.first_length >= 0]
        for name in sorted(counted, key=lambda n: (self._bulk[n].first_length, n)):  # whoosh's order of first counts
            fp = self._bulk[name]
            self.perdocwriter.add_length_column(name, fp.length_bytes(), fp.total_length)
        self.perdocwriter.close()
        codec = self.codec
        for name in sorted(self._bulk):
            write_field(self.fieldwriter, name, self.schema[name], self._bulk.pop(name),
                        codec._compression, codec._blocklimit, self.docnum, codec.NARROW)
        self.fieldwriter.close()


def bulk_segment_writer(ix, **kwargs) -> BulkSegmentWriter:
    """A `BulkSegmentWriter` on ``ix`` (kwargs as whoosh's ``SegmentWriter``)."""
    return BulkSegmentWriter(ix, **kwargs)
