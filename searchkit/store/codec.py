"""How postings are laid out on disk: whoosh's W3 codec with array-coded blocks and compact positions.

whoosh (W3Codec) writes each block of up to 128 postings as a zlib-compressed *pickle* of
(docnum deltas, weights, one pickled bytes object per posting's positions). Measured on the 10k benchmark
corpus, the body field's blocks take 6.5 MB that way; as flat arrays (docnum deltas as 32-bit integers,
weights as 32-bit floats when they are not all equal, value lengths plus the values concatenated) they take
2.7 MB, and 1.8 MB with positions coded as one byte per gap (`searchkit.store.schema.CompactPositions`). Reading
a block is then ``zlib.decompress`` and a few ``numpy.frombuffer`` calls instead of unpickling a Python object
per posting, which is what searching spent most of its time on (`searchkit.ranking.evaluator` reads whole posting
lists). New segments are written with this codec by `searchkit.index.writers.segment_writer`.

Everything else (term dictionary, block headers, stored fields, columns) is whoosh's own, and each segment
records the codec that wrote it, so segments written by plain whoosh still read (and merge) as before.
"""
from __future__ import annotations

import pickle
import struct
import zlib
from array import array
from itertools import accumulate
from operator import sub

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.system import emptybytes
from whoosh.util.numeric import length_to_byte

from .stored import BlockStoredPerDocReader, BlockStoredPerDocWriter

# Block layout (before zlib): header "<BI" = (flags, number of postings n), then
#   n docnum deltas as uint32 (the first from 0),
#   weights: none (all 1.0) | one float32 (all equal) | n float32, as the flags say,
#   values: none (the format has none) | n x fixed size | n uint32 lengths then the bytes concatenated.
_HEADER = struct.Struct("<BI")
_W_ONES, _W_SAME, _W_EACH = 0, 1, 2
_V_NONE, _V_FIXED, _V_VAR = 0, 4, 8


class SearchkitCodec(W3Codec):
    """W3Codec whose posting blocks are flat arrays (see the module docstring)."""

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors: whoosh's own (searchkit's schema has none)
            return super().postings_writer(dbfile, byteids=byteids)
        return ArrayPostingsWriter(dbfile, blocklimit=self._blocklimit, compression=self._compression,
                                   inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class StoredBlocksCodec(SearchkitCodec):
    """`SearchkitCodec` with the stored fields compressed several documents per frame
    (`searchkit.store.stored`): the codec new segments are written with. A class of its own, not an option of
    `SearchkitCodec`: segments record their codec in the TOC, so a segment written before keeps being read
    with whoosh's stored-field layout, and a searchkit that predates this class refuses an index holding such
    segments (it cannot unpickle the TOC: "unreadable, rebuild it") instead of misreading them."""

    def per_document_writer(self, storage, segment):
        return BlockStoredPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return BlockStoredPerDocReader(storage, segment)


def new_codec() -> StoredBlocksCodec:
    """The codec searchkit writes new segments with."""
    return StoredBlocksCodec()


class ArrayPostingsWriter(W3PostingsWriter):
    def add_many(self, ids: list, weights: list, values: list, lengths: list) -> None:
        """One whole term's postings (docnums ascending) at once: what ``add_posting`` does one call per
        posting (a dozen checks and updates each), a block at a time."""
        lim = self._blocklimit
        n = len(ids)
        for start in range(0, n, lim):
            end = min(start + lim, n)
            if self._ids:  # a block already buffered: full, since each call starts at a block boundary
                self._write_block()
            self._ids = array("I", ids[start:end])
            w = weights[start:end]
            self._weights = array("f", w)
            self._maxweight = max(w)
            self._values = [v for v in values[start:end] if v]  # as add_posting: empty values are not kept
            ls = [x for x in lengths[start:end] if x]
            self._minlength = min(ls) if ls else None
            self._maxlength = max(ls) if ls else 0

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        n = len(ids)
        deltas = array("I", map(sub, ids, (0, *ids)))
        weights = self._weights
        first = weights[0]
        if all(w == 1.0 for w in weights):
            wflag, wbytes = _W_ONES, emptybytes
        elif all(w == first for w in weights):
            wflag, wbytes = _W_SAME, struct.pack("<f", first)
        else:
            wflag, wbytes = _W_EACH, array("f", weights).tobytes()
        fixed = self._format.fixed_value_size()
        values = self._values
        if not values or fixed == 0:
            vflag, vbytes = _V_NONE, emptybytes
        elif fixed is not None and fixed > 0:
            vflag, vbytes = _V_FIXED, emptybytes.join(values)
        else:
            vflag = _V_VAR
            vbytes = array("I", map(len, values)).tobytes() + emptybytes.join(values)
        data = _HEADER.pack(wflag | vflag, n) + deltas.tobytes() + wbytes + vbytes
        comp = self._compression
        if comp:
            data = zlib.compress(data, comp)
        # the block header is whoosh's (pickled), so whoosh's block skipping and statistics work unchanged
        info = pickle.dumps((n, ids[-1], self._maxweight, comp, length_to_byte(self._minlength),
                             length_to_byte(self._maxlength)), 2)
        postfile = self._postfile
        blocklength = len(info) + len(data)
        postfile.write_int(-blocklength if last else blocklength)
        postfile.write(info)
        postfile.write(data)
        self._blockcount += 1
        self._new_block()


class ArrayLeafMatcher(W3LeafMatcher):
    """Reads `ArrayPostingsWriter` blocks; `arrays` gives a block as numpy arrays (for `searchkit.ranking.evaluator`)."""

    def _read_data(self):
        b = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compression:
            b = zlib.decompress(b)
        self._data = b

    def _parse(self):
        """(docnums, weights, (value flag, offset of the values)) of the current block as numpy arrays."""
        if self._data is None:
            self._read_data()
        b = self._data
        flags, n = _HEADER.unpack_from(b)
        pos = _HEADER.size
        ids = np.cumsum(np.frombuffer(b, np.uint32, n, pos), dtype=np.int64)
        pos += 4 * n
        wflag = flags & 3
        if wflag == _W_ONES:
            weights = np.ones(n)
        elif wflag == _W_SAME:
            weights = np.full(n, struct.unpack_from("<f", b, pos)[0], np.float64)
            pos += 4
        else:
            weights = np.frombuffer(b, np.float32, n, pos).astype(np.float64)
            pos += 4 * n
        return ids, weights, (flags & 12, pos)

    def arrays(self, values: bool = False):
        """(docnums int64, weights float64, list of value bytes or None) of the current block."""
        ids, weights, (vflag, pos) = self._parse()
        return ids, weights, (self._split_values(vflag, pos, len(ids)) if values else None)

    def _split_values(self, vflag: int, pos: int, n: int) -> list:
        b = self._data
        if vflag == _V_NONE:
            return [None] * n
        if vflag == _V_FIXED:
            size = self._fixedsize
            return [b[pos + i * size:pos + (i + 1) * size] for i in range(n)]
        ends = list(accumulate(np.frombuffer(b, np.uint32, n, pos).tolist(), initial=pos + 4 * n))
        return [b[s:e] for s, e in zip(ends, ends[1:])]

    def _read_ids(self):
        ids, weights, extra = self._parse()
        self._ids = array("I", ids.astype(np.uint32).tobytes())

    def _read_weights(self):
        _, weights, _ = self._parse()
        self._weights = array("f", weights.astype(np.float32).tobytes())

    def _read_values(self):
        ids, _, (vflag, pos) = self._parse()
        self._values = tuple(self._split_values(vflag, pos, len(ids)))
