"""How postings are laid out on disk: whoosh's W3 codec with array-coded blocks and compact positions.

whoosh (W3Codec) writes each block of up to 128 postings as a zlib-compressed *pickle* of
(docnum deltas, weights, one pickled bytes object per posting's positions). Measured on the 10k benchmark
corpus, the body field's blocks take 6.5 MB that way; as flat arrays (docnum deltas as 32-bit integers,
weights as 32-bit floats when they are not all equal, value lengths plus the values concatenated) they take
2.7 MB, and 1.8 MB with positions coded as one byte per gap (`searchkit.store.schema.CompactPositions`). Reading
a block is then ``zlib.decompress`` and a few ``numpy.frombuffer`` calls instead of unpickling a Python object
per posting, which is what searching spent most of its time on (`searchkit.ranking.evaluator` reads whole posting
lists). `SearchkitCodec2` adds compact block headers and narrow docnum deltas to this layout and
block-compressed stored fields (`searchkit.store.stored`); new segments are written with `SearchkitCodec3`
with compact term infos (`searchkit.store.terms`); new segments are written with `SearchkitCodec4` (`new_codec`),
whose blocks keep whole-number weights and value lengths in one byte each (`pack_block` with ``narrow``).

Everything else (the term dictionary's file, columns) is whoosh's own, and each segment
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
from whoosh.system import emptybytes, pack_int
from whoosh.util.numeric import byte_to_length, length_to_byte

from .narrow import V_BYTE, W_BYTE, narrow_block
from .stored import BlockStoredPerDocReader, BlockStoredPerDocWriter, DictStoredPerDocReader, DictStoredPerDocWriter
from .termfile import read_varint, varint
from .terms import CompactFieldWriter, terms_reader

# Block layout (before zlib): header "<BI" = (flags, number of postings n), then
#   n docnum deltas as uint32 (the first from 0),
#   weights: none (all 1.0) | one float32 (all equal) | n float32, as the flags say,
#   values: none (the format has none) | n x fixed size | n uint32 lengths then the bytes concatenated.
_HEADER = struct.Struct("<BI")
_W_ONES, _W_SAME, _W_EACH = 0, 1, 2
_V_NONE, _V_FIXED, _V_VAR = 0, 4, 8


class SearchkitCodec(W3Codec):
    """W3Codec whose posting blocks are flat arrays (see the module docstring)."""

    def block_classes(self) -> tuple[type, type]:
        """(postings writer, leaf matcher) of this codec's posting blocks."""
        return ArrayPostingsWriter, ArrayLeafMatcher

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors: whoosh's own (searchkit's schema has none)
            return super().postings_writer(dbfile, byteids=byteids)
        return self.block_classes()[0](dbfile, blocklimit=self._blocklimit, compression=self._compression,
                                       inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return self.block_classes()[1](dbfile, offset, length, format_, term=term, scorer=scorer)


class SearchkitCodec2(SearchkitCodec):
    """The codec new segments are written with: `SearchkitCodec` with

    - stored fields compressed several documents per frame (`searchkit.store.stored`);
    - compact posting blocks (`pack_block`): a 13-byte struct header instead of whoosh's pickled info tuple
      (~25 bytes), docnum deltas in 1, 2 or 4 bytes as the block's largest needs, and a block left
      uncompressed when zlib would not make it smaller (most terms have one or two postings).

    A class of its own, not an option of `SearchkitCodec`: segments record their codec in the TOC, so a segment
    written before keeps being read with the layouts it was written in (merges rewrite it in these), and a
    searchkit that predates this class refuses an index holding such segments (it cannot unpickle the TOC:
    "unreadable, rebuild it") instead of misreading them."""

    def block_classes(self) -> tuple[type, type]:
        """(postings writer, leaf matcher) of the compact blocks."""
        return CompactPostingsWriter, CompactLeafMatcher

    def per_document_writer(self, storage, segment):
        return BlockStoredPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return BlockStoredPerDocReader(storage, segment)


class SearchkitCodec3(SearchkitCodec2):
    """The codec new segments were written with before `SearchkitCodec4`: `SearchkitCodec2` with compact term dictionaries
    (`searchkit.store.terms`: ~20 bytes a term instead of whoosh's ~80), tight block headers (`pack_block`
    with ``tight``: ~9 bytes instead of 21, and no 4-byte tag before a term's blocks; most terms have one
    block) and stored frames compressed against a preset dictionary (`searchkit.store.stored`). A class of its own for the reason `SearchkitCodec2` is: segments written before are read as they
    were written."""

    NARROW = False  # `SearchkitCodec4`: one-byte weights and value lengths (`pack_block` with ``narrow``)

    def block_classes(self) -> tuple[type, type]:
        """(postings writer, leaf matcher) of the tight blocks."""
        return TightPostingsWriter, TightLeafMatcher

    def per_document_writer(self, storage, segment):
        return DictStoredPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return DictStoredPerDocReader(storage, segment)

    def field_writer(self, storage, segment):
        return CompactFieldWriter(self, storage, segment)

    def terms_reader(self, storage, segment):
        return terms_reader(self, storage, segment)


class SearchkitCodec4(SearchkitCodec3):
    """The codec new segments are written with: `SearchkitCodec3` whose blocks hold whole-number weights
    below 256 as one byte each instead of float32 and value (position) lengths below 256 as one byte instead
    of uint32 (`pack_block` with ``narrow``): measured on the 10k benchmark corpus, those two arrays were 8.3 of
    the 14.6 MB of uncompressed block payloads, and zlib left most of their zero bytes' cost in place.
    A class of its own for the reason `SearchkitCodec2` is; its blocks are read by the same matcher
    (`TightLeafMatcher` reads both widths, from the block's flags), so Codec3 segments read and merge as before."""

    NARROW = True

    def block_classes(self) -> tuple[type, type]:
        """(postings writer, leaf matcher) of the narrow tight blocks."""
        return NarrowPostingsWriter, TightLeafMatcher


# Postings per block in new segments (whoosh's default is 128). searchkit reads whole posting lists as arrays
# (`searchkit.ranking.evaluator`), a Python step per block, so at 100k articles, where a mid-frequency word has
# thousands of postings, block count was a large part of a query's time. Measured on the 100k benchmark corpus
# (bench/search.py queries, passage mode): three-word p95 53-57 ms at 128, 47-49 at 1024, 48 at 4096; phrase
# 40 / 33 / 32; index 265.2 / 251.3 / 248.1 MB (larger zlib frames). 1024 keeps blocks that `within` reads
# may skip small enough. Readers take each block's length from its header, so older segments read unchanged.
BLOCK_LIMIT = 1024


def new_codec() -> SearchkitCodec4:
    """The codec searchkit writes new segments with (`BLOCK_LIMIT` postings per block)."""
    return SearchkitCodec4(blocklimit=BLOCK_LIMIT)


# Compact block (SearchkitCodec2): whoosh's signed block length (int32, negative for a term's last block),
# BLOCK_HEADER = (compression level or 0, n, last docnum, max weight, min and max length bytes), then the
# payload, zlib-compressed when that made it smaller: a flags byte (weights and values as in _HEADER, plus
# the width of the docnum deltas), n deltas, then weights and values as in the array blocks above.
BLOCK_HEADER = struct.Struct("<BHIfBB")
_D_WIDTH = {1: 0, 2: 16, 4: 32}  # delta width -> flag bits
_D_TYPE = {0: np.uint8, 16: np.uint16, 32: np.uint32}


def pack_block(flags: int, n: int, deltas: bytes, maxdelta: int, rest: bytes, lastid: int, maxweight: float,
               minlen: int, maxlen: int, level: int, last: bool, tight: bool = False, narrow: bool = False) -> bytes:
    """One compact posting block, length prefix included. ``flags``: the weight and value flags; ``deltas``:
    the ``n`` docnum deltas as little-endian uint32 (``maxdelta`` the largest); ``rest``: the weights and values
    bytes; ``lastid``, ``maxweight``, ``minlen``/``maxlen`` (length bytes): the block statistics whoosh's
    matcher reads; ``level``: zlib level (0: never compress); ``last``: the term's last block; ``tight``: the
    header of `SearchkitCodec3` (`TIGHT_HEAD`) instead of the fixed one. Both postings writers
    (`CompactPostingsWriter`, `searchkit.index.bulk`) write through this, so their bytes are equal.
    ``narrow`` (`SearchkitCodec4`): weights and value lengths in one byte each where they fit (`searchkit.store.narrow`)."""
    if narrow:
        flags, rest = narrow_block(flags, n, rest)
    width = 1 if maxdelta < 256 else 2 if maxdelta < 65536 else 4
    if width != 4:
        deltas = np.frombuffer(deltas, "<u4").astype(_D_TYPE[_D_WIDTH[width]]).tobytes()
    payload = bytes((flags | _D_WIDTH[width],)) + deltas + rest
    comp = 0
    if level:
        packed = zlib.compress(payload, level)
        if len(packed) < len(payload):
            payload, comp = packed, level
    if tight:
        whole = 0 <= maxweight < _WHOLE and maxweight == int(maxweight)
        body = b"".join((bytes(((1 if comp else 0) | (0 if whole else _T_FLOAT),)), varint(n), varint(lastid),
                         varint(int(maxweight)) if whole else _FLOAT32.pack(maxweight), bytes((minlen, maxlen)), payload))
        return varint(len(body) << 1 | last) + body
    size = BLOCK_HEADER.size + len(payload)
    return pack_int(-size if last else size) + BLOCK_HEADER.pack(comp, n, lastid, maxweight, minlen, maxlen) + payload


# Tight block (SearchkitCodec3): varint(length of the rest << 1 | last block), a flags byte (1: compressed,
# 2: max weight as float32), varint n, varint last docnum, the max weight (varint when a whole number below
# 2**24, which float32 holds exactly, as the fixed header's float32 gives it back), min and max length bytes,
# then the payload as above. A term's blocks start at its extent, with no tag before them.
_T_FLOAT = 2
_WHOLE = 1 << 24
_FLOAT32 = struct.Struct("<f")
TIGHT_HEAD = 5 + 1 + 5 + 5 + 5 + 2  # the longest tight header


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
        wflag, wbytes, vflag, vbytes = _weights_values(self._weights, self._values, self._format.fixed_value_size())
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


def _weights_values(weights, values: list, fixed: int | None) -> tuple[int, bytes, int, bytes]:
    """(weight flag, weight bytes, value flag, value bytes) of a block's ``weights`` and non-empty ``values``
    (``fixed``: the format's fixed value size, None when it varies)."""
    first = weights[0]
    if all(w == 1.0 for w in weights):
        wflag, wbytes = _W_ONES, emptybytes
    elif all(w == first for w in weights):
        wflag, wbytes = _W_SAME, struct.pack("<f", first)
    else:
        wflag, wbytes = _W_EACH, array("f", weights).tobytes()
    if not values or fixed == 0:
        vflag, vbytes = _V_NONE, emptybytes
    elif fixed is not None and fixed > 0:
        vflag, vbytes = _V_FIXED, emptybytes.join(values)
    else:
        vflag, vbytes = _V_VAR, array("I", map(len, values)).tobytes() + emptybytes.join(values)
    return wflag, wbytes, vflag, vbytes


def _read_weights(b: bytes, flags: int, n: int, pos: int) -> tuple[np.ndarray, tuple[int, int]]:
    """(weights as float64, (value flags, offset of the values)) of a block's bytes ``b`` from ``pos``
    (value flags: the value layout and `V_BYTE`)."""
    wflag = flags & 3
    if wflag == _W_ONES:
        weights = np.ones(n)
    elif wflag == _W_SAME:
        weights = np.full(n, struct.unpack_from("<f", b, pos)[0], np.float64)
        pos += 4
    elif flags & W_BYTE:
        weights = np.frombuffer(b, np.uint8, n, pos).astype(np.float64)
        pos += n
    else:
        weights = np.frombuffer(b, np.float32, n, pos).astype(np.float64)
        pos += 4 * n
    return weights, (flags & (12 | V_BYTE), pos)


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
        return (ids, *_read_weights(b, flags, n, pos + 4 * n))

    def arrays(self, values: bool = False):
        """(docnums int64, weights float64, list of value bytes or None) of the current block."""
        ids, weights, (vflag, pos) = self._parse()
        return ids, weights, (self._split_values(vflag, pos, len(ids)) if values else None)

    def _split_values(self, vflag: int, pos: int, n: int) -> list:
        b = self._data
        if vflag & 12 == _V_NONE:
            return [None] * n
        if vflag & 12 == _V_FIXED:
            size = self._fixedsize
            return [b[pos + i * size:pos + (i + 1) * size] for i in range(n)]
        width = 1 if vflag & V_BYTE else 4
        ends = list(accumulate(np.frombuffer(b, np.uint8 if width == 1 else np.uint32, n, pos).tolist(),
                               initial=pos + width * n))
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


class CompactPostingsWriter(ArrayPostingsWriter):
    """`ArrayPostingsWriter` writing compact blocks (`pack_block`; tight ones when ``TIGHT``)."""

    TIGHT = False
    NARROW = False

    def _write_block(self, last=False):
        if not self._blockcount and not self.TIGHT:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        deltas = array("I", map(sub, ids, (0, *ids)))
        wflag, wbytes, vflag, vbytes = _weights_values(self._weights, self._values, self._format.fixed_value_size())
        self._postfile.write(pack_block(wflag | vflag, len(ids), deltas.tobytes(), max(deltas), wbytes + vbytes,
                                        ids[-1], self._maxweight, length_to_byte(self._minlength),
                                        length_to_byte(self._maxlength), self._compression, last, self.TIGHT,
                                        self.NARROW))
        self._blockcount += 1
        self._new_block()


class CompactLeafMatcher(ArrayLeafMatcher):
    """Reads `CompactPostingsWriter` blocks (whoosh's matcher interface and `arrays`)."""

    def _goto(self, position):
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        head = bytes(self._postfile.get(position, 4 + BLOCK_HEADER.size))
        length = int.from_bytes(head[:4], "big", signed=True)
        if length < 0:
            self._lastblock = True
            length = -length
        self._nextoffset = position + 4 + length
        self._dataoffset = position + 4 + BLOCK_HEADER.size
        (self._compression, self._blocklength, self._maxid, self._maxweight, mnlen,
         mxlen) = BLOCK_HEADER.unpack_from(head, 4)
        self._minlength = byte_to_length(mnlen)
        self._maxlength = byte_to_length(mxlen)

    def _parse(self):
        if self._data is None:
            self._read_data()
        b = self._data
        flags, n = b[0], self._blocklength
        ids = np.cumsum(np.frombuffer(b, _D_TYPE[flags & 48], n, 1), dtype=np.int64)
        pos = 1 + n * (1 << ((flags & 48) >> 4))
        return (ids, *_read_weights(b, flags, n, pos))


class TightPostingsWriter(CompactPostingsWriter):
    """Writes tight blocks (`SearchkitCodec3`)."""

    TIGHT = True


class NarrowPostingsWriter(TightPostingsWriter):
    """Writes narrow tight blocks (`SearchkitCodec4`)."""

    NARROW = True


class TightLeafMatcher(CompactLeafMatcher):
    """Reads `TightPostingsWriter` blocks: the header is decoded here, the payload as compact blocks'."""

    def _read_header(self):
        self._baseoffset = self._startoffset  # no tag before the first block

    def _goto(self, position):
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        head = bytes(self._postfile.get(position, TIGHT_HEAD))
        size, pos = read_varint(head, 0)
        self._lastblock = bool(size & 1)
        self._nextoffset = position + pos + (size >> 1)
        flags = head[pos]
        self._compression = flags & 1
        self._blocklength, pos = read_varint(head, pos + 1)
        self._maxid, pos = read_varint(head, pos)
        if flags & _T_FLOAT:
            self._maxweight, pos = _FLOAT32.unpack_from(head, pos)[0], pos + 4
        else:
            weight, pos = read_varint(head, pos)
            self._maxweight = float(weight)
        self._minlength, self._maxlength = byte_to_length(head[pos]), byte_to_length(head[pos + 1])
        self._dataoffset = position + pos + 2
