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
import zlib
from array import array
from operator import sub

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.util.numeric import byte_to_length, length_to_byte

from .blocks import (ARRAY_HEADER, BLOCK_HEADER, D_TYPE, FLOAT32, T_FLOAT, TIGHT_HEAD, V_FIXED, V_NONE, block_weights,
                     pack_block, weights_values)
from .narrow import V_BYTE
from .stored import BlockStoredPerDocReader, BlockStoredPerDocWriter, DictStoredPerDocReader, DictStoredPerDocWriter
from .termfile import read_varint
from .terms import CompactFieldWriter, terms_reader
from .values import PostingValues


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
        wflag, wbytes, vflag, vbytes = weights_values(self._weights, self._values, self._format.fixed_value_size())
        data = ARRAY_HEADER.pack(wflag | vflag, n) + deltas.tobytes() + wbytes + vbytes
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
        flags, n = ARRAY_HEADER.unpack_from(b)
        pos = ARRAY_HEADER.size
        ids = np.cumsum(np.frombuffer(b, np.uint32, n, pos), dtype=np.int64)
        return (ids, *block_weights(b, flags, n, pos + 4 * n))

    def arrays(self, values: bool = False):
        """(docnums int64, weights float64, `PostingValues` or None) of the current block."""
        ids, weights, (vflag, pos) = self._parse()
        return ids, weights, (self._block_values(vflag, pos, len(ids)) if values else None)

    def _block_values(self, vflag: int, pos: int, n: int) -> PostingValues:
        """The block's values where its bytes hold them (no bytes object per posting)."""
        b = self._data
        if vflag & 12 == V_NONE:
            return PostingValues(None, np.zeros(n, np.int64), np.zeros(n, np.int64))
        if vflag & 12 == V_FIXED:
            starts = pos + np.arange(n, dtype=np.int64) * self._fixedsize
            return PostingValues(b, starts, starts + self._fixedsize)
        width = 1 if vflag & V_BYTE else 4
        ends = pos + width * n + np.cumsum(np.frombuffer(b, np.uint8 if width == 1 else np.uint32, n, pos),
                                           dtype=np.int64)
        return PostingValues(b, np.concatenate(([pos + width * n], ends[:-1])) if n else ends, ends)

    def _read_ids(self):
        ids, weights, extra = self._parse()
        self._ids = array("I", ids.astype(np.uint32).tobytes())

    def _read_weights(self):
        _, weights, _ = self._parse()
        self._weights = array("f", weights.astype(np.float32).tobytes())

    def _read_values(self):
        ids, _, (vflag, pos) = self._parse()
        self._values = tuple(self._block_values(vflag, pos, len(ids)))


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
        wflag, wbytes, vflag, vbytes = weights_values(self._weights, self._values, self._format.fixed_value_size())
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
        ids = np.cumsum(np.frombuffer(b, D_TYPE[flags & 48], n, 1), dtype=np.int64)
        pos = 1 + n * (1 << ((flags & 48) >> 4))
        return (ids, *block_weights(b, flags, n, pos))


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
        if flags & T_FLOAT:
            self._maxweight, pos = FLOAT32.unpack_from(head, pos)[0], pos + 4
        else:
            weight, pos = read_varint(head, pos)
            self._maxweight = float(weight)
        self._minlength, self._maxlength = byte_to_length(head[pos]), byte_to_length(head[pos + 1])
        self._dataoffset = position + pos + 2
