"""Bulk segment building: a segment's postings built with array operations, written in one pass.

whoosh's writer turns every posting into a Python tuple, pools and sorts the tuples, then hands them to
the postings writer (`searchkit.index.writers`): at the 100k benchmark, ``add_document`` and commit were three
quarters of indexing time, almost all of it per-posting Python work. Here a writer process keeps, per
field, the term ids of each document's words (one dictionary lookup per *distinct* word, through the
analyzer's cached ``index_terms``) in flat arrays; every few hundred thousand words they are reduced with
numpy to postings (sort by term id, stable, so docnums stay ascending; frequencies, position gaps coded as
`searchkit.schema.CompactPositions` values, all as arrays). At commit the vocabulary is sorted once,
postings are permuted into (term, docnum) order, block boundaries, block statistics, docnum deltas and
weights are computed for the whole field, and the loop left in Python runs once per *block*: slice the
prepared bytes, compress, write. Stored fields, lengths and columns go through whoosh's per-document
writer as before (one call per field of a document, not per posting).

The segment is the one `searchkit.index.writers.segment_writer` writes from the same documents, byte for byte:
the same codec (`searchkit.codec`), term dictionary, statistics and block layout
(``tests/index/test_bulk.py`` compares them file by file and read back). Fields without the fast analysis path
(ids, dates, numbers, keyword facets: one to four terms each) are analysed by their whoosh field, one call
per document and field, and joined into the same arrays.
"""
from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.fields import NUMERIC
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from whoosh.writing import SegmentWriter

from ..store.codec import SearchkitCodec2, new_codec, pack_block
from ..store.schema import CompactPositions, FastFrequency

REDUCE_TOKENS = 1 << 19  # words of a field buffered before they are reduced to postings (memory stays small)
SEGMENT_POSTINGS = 3 << 20  # postings of one bulk segment (~100 MB buffered, ~250 MB while it is written)
# Buffered postings take 16 bytes each (term id, docnum, weight, value size as 32-bit numbers) plus their
# values; weights are float32, exact for the small whole numbers they are (a frequency times boost 1.0)
# and turned back into float64 for writing, so the written statistics are whoosh's.
_W_ONES, _W_SAME, _W_EACH = 0, 1, 2  # the codec's weight and value flags (see searchkit.codec)
_V_NONE, _V_FIXED, _V_VAR = 0, 4, 8


def _quantize(length: int) -> int:
    """A field length as the length column gives it back (whoosh stores a byte), 0 for none."""
    b = length_to_byte(length)
    return byte_to_length(b) if b else 0


def _concat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def _gather(stream: np.ndarray, starts: np.ndarray, sizes: np.ndarray, piece: int = 1 << 18) -> np.ndarray:
    """The byte ranges ``stream[starts[i]:starts[i] + sizes[i]]`` concatenated, without a Python loop per
    range; ``piece`` ranges at a time, so the index arrays stay small beside the stream."""
    out = np.empty(int(sizes.sum()), np.uint8)
    at = 0
    for i in range(0, len(sizes), piece):
        st, sz = starts[i:i + piece].astype(np.int64), sizes[i:i + piece].astype(np.int64)
        n = int(sz.sum())
        out[at:at + n] = stream[np.repeat(st - (np.cumsum(sz) - sz), sz) + np.arange(n)]
        at += n
    return out


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
        self.lengths = array("i")  # docnum, quantized field length, docnum, ... (scorable fields)
        self._last: tuple = (None, None)  # the previous document's value and its (first position, term ids)

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
            for tbytes, freq, weight, vbytes in (terms if terms is not None else self.field.index(value)):
                length += freq
                tid = vocab.setdefault(tbytes, len(vocab))
                self._generic.append((tid, docnum, weight, vbytes or b""))
        if length and self.field.scorable:
            self.lengths += array("i", (docnum, _quantize(length)))
        return length

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

    def postings(self) -> tuple[list[bytes], tuple[np.ndarray, ...]]:
        """(term bytes in sorted order, postings in (term, docnum) order as (term rank, doc, weight, value
        sizes, value bytes)); the buffers are released."""
        self._reduce()
        chunks, self.chunks = self.chunks, []
        tid, doc, weight, sizes, stream = (_concat([c[i] for c in chunks], t)
                                           for i, t in enumerate((np.int32, np.int32, np.float32, np.int32, np.uint8)))
        del chunks
        words = list(self.vocab)
        btexts = [w.encode("utf-8") for w in words] if self.fast else words
        ranked = sorted(range(len(btexts)), key=btexts.__getitem__)
        rank = np.empty(len(ranked), np.int64)
        rank[ranked] = np.arange(len(ranked))
        key = rank[tid]
        order = np.argsort(key, kind="stable")  # chunks were added in docnum order
        vstart = np.cumsum(sizes, dtype=np.int64) - sizes
        stream = _gather(stream, vstart[order], sizes[order])
        del vstart
        return [btexts[i] for i in ranked], (key[order], doc[order].astype(np.int64),
                                             weight[order].astype(np.float64), sizes[order].astype(np.int64), stream)


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


@dataclass
class _Blocks:
    """A field's posting blocks, prepared for writing: per-block statistics as lists, per-term counts,
    and the docnum deltas, weights, value sizes and values of all postings as bytes to slice."""

    start: list
    end: list
    maxweight: list
    ones: list
    same: list
    firstweight: list
    minlen: list  # NO_LENGTH where the block has no length
    maxlen: list
    vstart: list
    vsize: list
    lastid: list
    maxdelta: list
    tcount: list
    tweight: list
    minid: list
    maxid: list
    deltas: bytes
    weights: bytes
    sizes: bytes
    values: bytes


NO_LENGTH = np.iinfo(np.int64).max


def _blocks(key, doc, weight, sizes, stream, lengths: array, blocklimit: int) -> _Blocks:
    """Block boundaries (each term's postings cut every ``blocklimit``) and every statistic whoosh's
    postings writer and term infos keep, computed for the whole field with numpy."""
    n = len(key)
    tstart = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    tcount = np.diff(np.append(tstart, n))
    nblocks = -(-tcount // blocklimit)
    bterm = np.repeat(np.arange(len(tstart)), nblocks)
    bstart = tstart[bterm] + (np.arange(len(bterm)) - np.repeat(np.cumsum(nblocks) - nblocks, nblocks)) * blocklimit
    bend = np.minimum(bstart + blocklimit, tstart[bterm] + tcount[bterm])
    first = np.zeros(n, bool)
    first[bstart] = True
    deltas = doc.copy()
    deltas[1:] -= doc[:-1]
    deltas[first] = doc[first]  # each block's docnums are deltas from 0
    w32 = weight.astype(np.float32)
    lencol = np.zeros(int(doc.max()) + 1, np.int64)
    pairs = np.frombuffer(lengths, np.int32).reshape(-1, 2)
    lencol[pairs[:, 0]] = pairs[:, 1]
    plen = lencol[doc]
    vbeg = np.cumsum(sizes) - sizes
    return _Blocks(
        start=bstart.tolist(), end=bend.tolist(), maxweight=np.maximum.reduceat(weight, bstart).tolist(),
        ones=np.minimum.reduceat(w32 == 1.0, bstart).tolist(),
        same=np.minimum.reduceat(w32 == w32[bstart].repeat(bend - bstart), bstart).tolist(),
        firstweight=w32[bstart].tolist(),
        minlen=np.minimum.reduceat(np.where(plen > 0, plen, NO_LENGTH), bstart).tolist(),
        maxlen=np.maximum.reduceat(plen, bstart).tolist(),
        vstart=vbeg[bstart].tolist(), vsize=np.add.reduceat(sizes, bstart).tolist(), lastid=doc[bend - 1].tolist(),
        maxdelta=np.maximum.reduceat(deltas, bstart).tolist(),
        tcount=tcount.tolist(), tweight=np.add.reduceat(w32.astype(np.float64), tstart).tolist(),
        minid=doc[tstart].tolist(), maxid=doc[tstart + tcount - 1].tolist(),
        deltas=deltas.astype("<u4").tobytes(), weights=w32.tobytes(), sizes=sizes.astype("<u4").tobytes(),
        values=stream.tobytes())


def write_field(fieldwriter, name: str, field, fp: FieldPostings, compression: int, blocklimit: int) -> None:
    """Write one field's terms and posting blocks: the layout of `searchkit.codec.ArrayPostingsWriter`
    with whoosh's term infos, prepared for all blocks at once (`_blocks`); Python runs once per block."""
    btexts, (key, doc, weight, sizes, stream) = fp.postings()
    if not len(key):
        return
    bl = _blocks(key, doc, weight, sizes, stream, fp.lengths, blocklimit)
    del key, doc, weight, sizes, stream
    fieldwriter.start_field(name, field)
    fieldid = fieldwriter._fieldmap[name]
    tindex, postfile = fieldwriter._tindex, fieldwriter._postfile
    fixed = field.format.fixed_value_size()
    block = 0
    for t, btext in enumerate(btexts):
        offset = postfile.tell()
        out = [WHOOSH3_HEADER_MAGIC]  # the term's blocks, written at once
        minlen, maxlen, maxw = None, 0, 0.0
        nb = -(-bl.tcount[t] // blocklimit)
        for k in range(nb):
            s, e = bl.start[block], bl.end[block]
            if bl.ones[block]:
                wflag, wb = _W_ONES, b""
            elif bl.same[block]:
                wflag, wb = _W_SAME, struct.pack("<f", bl.firstweight[block])
            else:
                wflag, wb = _W_EACH, bl.weights[4 * s:4 * e]
            values = bl.values[bl.vstart[block]:bl.vstart[block] + bl.vsize[block]]
            if not values or fixed == 0:
                vflag, values = _V_NONE, b""
            elif fixed is not None and fixed > 0:
                vflag = _V_FIXED
            else:
                vflag, values = _V_VAR, bl.sizes[4 * s:4 * e] + values
            bmin = None if bl.minlen[block] == NO_LENGTH else bl.minlen[block]
            out.append(pack_block(wflag | vflag, e - s, bl.deltas[4 * s:4 * e], bl.maxdelta[block], wb + values,
                                  bl.lastid[block], bl.maxweight[block], length_to_byte(bmin),
                                  length_to_byte(bl.maxlen[block]), compression, k == nb - 1))
            if bmin is not None:
                minlen = bmin if minlen is None else min(minlen, bmin)
            maxlen, maxw = max(maxlen, bl.maxlen[block]), max(maxw, bl.maxweight[block])
            block += 1
        postfile.write(b"".join(out))
        ti = W3TermInfo(weight=bl.tweight[t], df=bl.tcount[t], minlength=minlen, maxlength=maxlen,
                        maxweight=maxw, minid=bl.minid[t], maxid=bl.maxid[t])
        ti.set_extent(offset, sum(map(len, out)))
        tindex.add(pack_ushort(fieldid) + btext, ti.to_bytes())
    fieldwriter.finish_field()


class BulkSegmentWriter(SegmentWriter):
    """A whoosh ``SegmentWriter`` (searchkit's codec) whose postings are built by `FieldPostings` and
    written by `write_field`; the segment's life cycle (files, ``_finalize_segment``, the TOC) is whoosh's.
    For the writer processes, which only add documents: boosts, term vectors and spelling words (not in
    searchkit's schema) are refused."""

    def __init__(self, ix, **kwargs) -> None:
        kwargs.setdefault("codec", new_codec())
        if not isinstance(kwargs["codec"], SearchkitCodec2):
            raise TypeError("bulk segments are written in SearchkitCodec2's block layout only")
        super().__init__(ix, **kwargs)
        self._bulk: dict = {}
        self._numeric = {n for n in self.schema.names() if isinstance(self.schema[n], NUMERIC)}
        self._numeric_cache: dict = {}

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
            perdoc.add_field(name, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def full(self) -> bool:
        """True when this segment holds `SEGMENT_POSTINGS` postings: memory grows with a bulk segment
        (it is built at commit, not spilled), so the caller finishes it and starts another."""
        return sum(fp.buffered() for fp in self._bulk.values()) >= SEGMENT_POSTINGS

    def _field_postings(self, name: str, field) -> FieldPostings:
        fp = self._bulk.get(name)
        if fp is None:
            fp = self._bulk[name] = FieldPostings(field)
        return fp

    def _numeric_terms(self, name: str, value):
        """A date, year or passage number's terms, analysed once per distinct value (None otherwise)."""
        if name not in self._numeric:
            return None
        terms = self._numeric_cache.get((name, value))
        if terms is None:
            terms = self._numeric_cache[(name, value)] = list(self.schema[name].index(value))
        return terms

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        codec = self.codec
        for name in sorted(self._bulk):
            write_field(self.fieldwriter, name, self.schema[name], self._bulk.pop(name),
                        codec._compression, codec._blocklimit)
        self.fieldwriter.close()


def bulk_segment_writer(ix, **kwargs) -> BulkSegmentWriter:
    """A `BulkSegmentWriter` on ``ix`` (kwargs as whoosh's ``SegmentWriter``)."""
    return BulkSegmentWriter(ix, **kwargs)
