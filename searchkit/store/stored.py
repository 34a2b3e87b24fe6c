"""Stored fields compressed in blocks: several documents' stored values per zlib frame.

whoosh's W3 codec keeps each document's stored fields as one pickle, zlib-compressed on its own
(``whoosh.codec.whoosh3.STORED_COLUMN``). A passage stores a few short values and its article's passage 0 the
whole article as JSON: compressed one document at a time, a 900-byte Reuters story barely shrinks, and at 10k
articles the stored fields were 1.34x the raw text (``bench/index_size.py``). Here the pickles of consecutive
documents are concatenated and compressed together, a frame every `BLOCK_BYTES` of them (whole documents per
frame), so the words, JSON keys and paths one article shares with the next are coded once per frame.

File layout of the column (inside the segment's compound file, where whoosh keeps its columns): the frames one
after the other, then a zlib-compressed directory — per frame its compressed size and its number of documents,
per document the size of its value (0: none) — then the directory's size as 8 bytes. Reading a document
decompresses its frame; the last `CACHED_FRAMES` frames read are kept (an LRU), so the passages of one article,
a scan in docnum order, or the next queries' hits on the same articles decompress each frame once. Frame size is a trade of size against hit latency, measured on the 10k
benchmark's stored values: 4 KB frames 5.87 MB, 8 KB 5.33, 16 KB 4.92, 32 KB 4.58 (one document at a time:
11.58); a frame of 32 KB took ~0.25-0.7 ms to decompress on a loaded machine, about 5 ms of a 10-hit query,
8 KB about a third of that.

`BlockStoredPerDocWriter` / `BlockStoredPerDocReader` are whoosh's per-document writer and reader with this
column for ``_stored``; `searchkit.store.codec.SearchkitCodec2` returns them. Segments written by an earlier
codec keep whoosh's layout and are read by whoosh's reader (each segment records its codec in the TOC).
"""
from __future__ import annotations

import struct
import zlib
from array import array
from collections import OrderedDict

import numpy as np
from whoosh.codec.whoosh3 import W3PerDocReader, W3PerDocWriter
from whoosh.columns import Column, ColumnReader, ColumnWriter, PickleColumn

BLOCK_BYTES = 8 << 10  # uncompressed stored values per frame: a hit decompresses one (see the module docstring)
CACHED_FRAMES = 256  # decompressed frames kept per segment reader (~2 MB: 256 frames of ~8 KB)
LEVEL = 6
_FOOTER = struct.Struct("<Q")


class BlockBytesColumn(Column):
    """A column of bytes values compressed `BLOCK_BYTES` at a time (see the module docstring); the default
    value (a document never added) is ``b""``."""

    def __init__(self, blocksize: int = BLOCK_BYTES, level: int = LEVEL):
        self._blocksize, self._level = blocksize, level

    def writer(self, dbfile):
        return _BlockWriter(dbfile, self._blocksize, self._level)

    def reader(self, dbfile, basepos, length, doccount):
        return _BlockReader(dbfile, basepos, length, doccount)


class _BlockWriter(ColumnWriter):
    def __init__(self, dbfile, blocksize: int, level: int):
        super().__init__(dbfile)
        self._blocksize, self._level = blocksize, level
        self._sizes = array("I")  # per document
        self._frames = array("I")  # per frame: compressed size, documents
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._pending_docs = 0

    def add(self, docnum: int, v: bytes) -> None:
        gap = docnum - len(self._sizes)
        if gap:
            self._sizes.extend([0] * gap)
            self._pending_docs += gap
        self._sizes.append(len(v))
        self._pending.append(v)
        self._pending_bytes += len(v)
        self._pending_docs += 1
        if self._pending_bytes >= self._blocksize:
            self._emit()

    def _emit(self) -> None:
        if not self._pending_docs:
            return
        frame = zlib.compress(b"".join(self._pending), self._level)
        self._dbfile.write(frame)
        self._frames.extend((len(frame), self._pending_docs))
        self._pending, self._pending_bytes, self._pending_docs = [], 0, 0

    def finish(self, doccount: int) -> None:
        if doccount > len(self._sizes):
            self._pending_docs += doccount - len(self._sizes)
            self._sizes.extend([0] * (doccount - len(self._sizes)))
        self._emit()
        head = array("I", (len(self._frames) // 2, len(self._sizes)))
        directory = zlib.compress(head.tobytes() + self._frames.tobytes() + self._sizes.tobytes(), self._level)
        self._dbfile.write(directory)
        self._dbfile.write(_FOOTER.pack(len(directory)))


class _BlockReader(ColumnReader):
    def __init__(self, dbfile, basepos, length, doccount):
        super().__init__(dbfile, basepos, length, doccount)
        (dirsize,) = _FOOTER.unpack(bytes(dbfile.get(basepos + length - _FOOTER.size, _FOOTER.size)))
        raw = zlib.decompress(bytes(dbfile.get(basepos + length - _FOOTER.size - dirsize, dirsize)))
        nframes, ndocs = np.frombuffer(raw, np.uint32, 2)
        frames = np.frombuffer(raw, np.uint32, 2 * int(nframes), 8).reshape(-1, 2).astype(np.int64)
        sizes = np.frombuffer(raw, np.uint32, int(ndocs), 8 + 8 * int(nframes)).astype(np.int64)
        self._fstart = np.concatenate(([0], np.cumsum(frames[:, 0])))  # each frame's file offset
        self._fdoc = np.concatenate(([0], np.cumsum(frames[:, 1])))  # each frame's first document
        ends = np.cumsum(sizes)
        self._starts = (ends - sizes).tolist()  # a document's offset in the concatenated values
        self._ends = ends.tolist()
        self._ndocs = int(ndocs)
        self._last: tuple = (-1, b"", 0)  # (frame, its bytes, its first value's offset)
        self._frames: OrderedDict[int, tuple[bytes, int]] = OrderedDict()  # frame -> (bytes, offset): an LRU

    def __getitem__(self, docnum: int) -> bytes:
        if not 0 <= docnum < self._ndocs:
            return b""
        start, end = self._starts[docnum], self._ends[docnum]
        if start == end:
            return b""
        frame, data, base = self._last
        if not (frame >= 0 and self._fdoc[frame] <= docnum < self._fdoc[frame + 1]):
            frame = int(np.searchsorted(self._fdoc, docnum, side="right")) - 1
            data, base = self._frame(frame)
            self._last = (frame, data, base)
        return data[start - base:end - base]

    def _frame(self, frame: int) -> tuple[bytes, int]:
        """(the decompressed ``frame``, its first value's offset), from the last `CACHED_FRAMES` read: the
        hits of the next queries (and `searchkit.query.nodes.HeadlineFree`'s headline reads) come back to the
        same articles, and decompressing a frame was the largest cost of reading a stored article."""
        got = self._frames.get(frame)
        if got is not None:
            self._frames.move_to_end(frame)
            return got
        at, size = int(self._fstart[frame]), int(self._fstart[frame + 1] - self._fstart[frame])
        data = zlib.decompress(bytes(self._dbfile.get(self._basepos + at, size)))
        first = int(self._fdoc[frame])
        got = (data, self._starts[first] if first < self._ndocs else 0)
        self._frames[frame] = got
        if len(self._frames) > CACHED_FRAMES:
            self._frames.popitem(last=False)
        return got


STORED_BLOCKS_COLUMN = PickleColumn(BlockBytesColumn())


class BlockStoredPerDocWriter(W3PerDocWriter):
    """whoosh's per-document writer with the stored fields in `BlockBytesColumn` frames."""

    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, STORED_BLOCKS_COLUMN if fieldname == "_stored" else column)


class BlockStoredPerDocReader(W3PerDocReader):
    """whoosh's per-document reader for `BlockStoredPerDocWriter`'s segments."""

    def stored_fields(self, docnum):
        return self._cached_reader("_stored", STORED_BLOCKS_COLUMN)[docnum] or {}
