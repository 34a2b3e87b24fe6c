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
8 KB about a third of that. Re-measured at 100k articles (issue 16's size target, 1.52x the raw text with
8 KB level 6 frames; 32 MB of one segment's stored values, ``bench/stored_frames.py``): 8 KB level 6 ratio
0.2991 and 44 us to decompress a frame, 16 KB level 9 0.2874 and 70 us, 32 KB level 9 0.2789 and 128 us. 16 KB
level 9 is 3.9 % smaller (~3.6 MB of the 93 MB of stored values at 100k) for ~0.3 ms more on a cold ten-hit page.

Preset dictionary (`SearchkitCodec3`): an 8 KB frame compressed alone starts with an empty window, so the JSON
keys and common words of its first documents are coded in full in every frame. Frames are held until the
segment has `DICT_MIN_BYTES` of values; then its first `DICT_BYTES` become a zlib preset dictionary (stored
once, compressed, after the directory) that every frame is compressed against. On the 10k benchmark's stored
values this took 8 KB frames from 2.59 to 2.09 MB for one segment (a dictionary sampled across the whole
segment: 2.04, but that needs the segment before its first frame). A column that never reaches
`DICT_MIN_BYTES` keeps plain frames. Layout: frames, directory, dictionary (may be empty), the dictionary's
size and the directory's as 8 bytes each.

`BlockStoredPerDocWriter` / `BlockStoredPerDocReader` are whoosh's per-document writer and reader with this
column for ``_stored``; `searchkit.store.codec.SearchkitCodec2` returns them, `SearchkitCodec3` the
dictionary ones (`DictStoredPerDocWriter` / `DictStoredPerDocReader`). Segments written by an earlier
codec keep whoosh's layout and are read by whoosh's reader (each segment records its codec in the TOC).
"""
from __future__ import annotations

import struct
import zlib
from array import array
from collections import OrderedDict

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, W3PerDocWriter
from whoosh.columns import Column, ColumnReader, ColumnWriter, PickleColumn

BLOCK_BYTES = 16 << 10  # uncompressed stored values per frame: a hit decompresses one (see the module docstring)
DICT_BYTES = 32 << 10  # preset dictionary: the segment's first stored bytes (zlib's whole window)
DICT_MIN_BYTES = 4 * DICT_BYTES  # a smaller segment's frames are compressed plainly: the dictionary would not pay
CACHED_FRAMES = 128  # decompressed frames kept per segment reader (~2 MB: 128 frames of ~16 KB)
LEVEL = 9  # zlib's best: ~15 % more compression CPU than 6 (1.4 s against 1.2 s per 32 MB), 0.8 % smaller
_FOOTER = struct.Struct("<Q")


class BlockBytesColumn(Column):
    """A column of bytes values compressed `BLOCK_BYTES` at a time (see the module docstring); the default
    value (a document never added) is ``b""``. With ``dictionary``, frames are compressed against a preset
    dictionary (see `DICT_BYTES`), a layout of its own (the reader must be told)."""

    def __init__(self, blocksize: int = BLOCK_BYTES, level: int = LEVEL, dictionary: bool = False):
        self._blocksize, self._level, self._dictionary = blocksize, level, dictionary

    def writer(self, dbfile):
        return _BlockWriter(dbfile, self._blocksize, self._level, self._dictionary)

    def reader(self, dbfile, basepos, length, doccount):
        return _BlockReader(dbfile, basepos, length, doccount, self._dictionary)


class _BlockWriter(ColumnWriter):
    def __init__(self, dbfile, blocksize: int, level: int, dictionary: bool = False):
        super().__init__(dbfile)
        self._blocksize, self._level = blocksize, level
        self._dictionary = dictionary
        self._held: list[tuple[bytes, int]] | None = [] if dictionary else None  # frames before the choice
        self._held_bytes = 0
        self._zdict = b""
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
        raw, docs = b"".join(self._pending), self._pending_docs
        self._pending, self._pending_bytes, self._pending_docs = [], 0, 0
        if self._held is None:
            self._write(raw, docs)
            return
        self._held.append((raw, docs))  # dictionary layout: frames wait until the dictionary is chosen
        self._held_bytes += len(raw)
        if self._held_bytes >= DICT_MIN_BYTES:
            self._release(b"".join(r for r, _ in self._held)[:DICT_BYTES])

    def _release(self, zdict: bytes) -> None:
        held, self._held, self._zdict = self._held or [], None, zdict
        for raw, docs in held:
            self._write(raw, docs)

    def _write(self, raw: bytes, docs: int) -> None:
        if self._zdict:
            c = zlib.compressobj(self._level, zdict=self._zdict)
            frame = c.compress(raw) + c.flush()
        else:
            frame = zlib.compress(raw, self._level)
        self._dbfile.write(frame)
        self._frames.extend((len(frame), docs))

    def finish(self, doccount: int) -> None:
        if doccount > len(self._sizes):
            self._pending_docs += doccount - len(self._sizes)
            self._sizes.extend([0] * (doccount - len(self._sizes)))
        self._emit()
        if self._held is not None:
            self._release(b"")  # too little for a dictionary to pay for itself: plain frames
        head = array("I", (len(self._frames) // 2, len(self._sizes)))
        directory = zlib.compress(head.tobytes() + self._frames.tobytes() + self._sizes.tobytes(), self._level)
        self._dbfile.write(directory)
        if self._dictionary:
            packed = zlib.compress(self._zdict, self._level) if self._zdict else b""
            self._dbfile.write(packed)
            self._dbfile.write(_FOOTER.pack(len(packed)))
        self._dbfile.write(_FOOTER.pack(len(directory)))


class _BlockReader(ColumnReader):
    def __init__(self, dbfile, basepos, length, doccount, dictionary: bool = False):
        super().__init__(dbfile, basepos, length, doccount)
        end = basepos + length - _FOOTER.size
        (dirsize,) = _FOOTER.unpack(bytes(dbfile.get(end, _FOOTER.size)))
        self._zdict = b""
        if dictionary:
            end -= _FOOTER.size
            (dictsize,) = _FOOTER.unpack(bytes(dbfile.get(end, _FOOTER.size)))
            end -= dictsize
            if dictsize:
                self._zdict = zlib.decompress(bytes(dbfile.get(end, dictsize)))
        raw = zlib.decompress(bytes(dbfile.get(end - dirsize, dirsize)))
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
        if not (frame >= 0 and self._fdoc[frame] <= docnum < self._fdoc[frame + 1] and end - base <= len(data)):
            frame = int(np.searchsorted(self._fdoc, docnum, side="right")) - 1
            data, base = self._frame(frame, end)
            self._last = (frame, data, base)
        return data[start - base:end - base]

    def _frame(self, frame: int, end: int) -> tuple[bytes, int]:
        """(the decompressed ``frame`` at least up to value offset ``end``, its first value's offset), from
        the last `CACHED_FRAMES` read: the hits of the next queries (and `searchkit.query.nodes.HeadlineFree`'s
        headline reads) come back to the same articles, and decompressing a frame was the largest cost of
        reading a stored article. A frame is decompressed only as far as the document asked for (half of
        it on average; a later document of the frame decompresses it again, whole)."""
        first = int(self._fdoc[frame])
        base = self._starts[first] if first < self._ndocs else 0
        got = self._frames.get(frame)
        if got is not None and end - base <= len(got[0]):
            self._frames.move_to_end(frame)
            return got
        at, size = int(self._fstart[frame]), int(self._fstart[frame + 1] - self._fstart[frame])
        packed = bytes(self._dbfile.get(self._basepos + at, size))
        d = zlib.decompressobj(zdict=self._zdict) if self._zdict else zlib.decompressobj()
        data = d.decompress(packed, end - base if got is None else 0)  # 0: no limit
        if len(data) < end - base and d.unconsumed_tail:
            data += d.decompress(d.unconsumed_tail)
        got = (data, base)
        self._frames[frame] = got
        if len(self._frames) > CACHED_FRAMES:
            self._frames.popitem(last=False)
        return got


STORED_BLOCKS_COLUMN = PickleColumn(BlockBytesColumn())
STORED_DICT_COLUMN = PickleColumn(BlockBytesColumn(dictionary=True))


class BlockStoredPerDocWriter(W3PerDocWriter):
    """whoosh's per-document writer with the stored fields in `BlockBytesColumn` frames (``STORED``: which
    layout)."""

    STORED = STORED_BLOCKS_COLUMN

    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, self.STORED if fieldname == "_stored" else column)

    def add_length_column(self, fieldname: str, lengths: bytes, total: int) -> None:
        """A whole field's length column at once (`searchkit.index.bulk`, which adds its documents with length
        0): ``lengths`` holds a length byte per document up to the last one with a length, the bytes whoosh's
        ``add_field`` writes one document at a time (its ``NumericColumn("B")`` writer skips zeros and fills
        the gaps before the next value); ``total`` is the field's summed length for the segment."""
        if not lengths:
            return
        name = f"_{fieldname}_len"  # whoosh.codec.whoosh3's name for a field's length column
        self._create_column(name, LENGTHS_COLUMN)
        writer = self._colwriters[name]
        writer._dbfile.write(lengths)
        writer._count = len(lengths)  # as after adding the last document with a length
        self._fieldlengths[fieldname] += total


class BlockStoredPerDocReader(W3PerDocReader):
    """whoosh's per-document reader for `BlockStoredPerDocWriter`'s segments."""

    STORED = STORED_BLOCKS_COLUMN

    def stored_fields(self, docnum):
        return self._cached_reader("_stored", self.STORED)[docnum] or {}


class DictStoredPerDocWriter(BlockStoredPerDocWriter):
    """Stored fields in frames compressed against a preset dictionary (`SearchkitCodec3`)."""

    STORED = STORED_DICT_COLUMN


class DictStoredPerDocReader(BlockStoredPerDocReader):
    """whoosh's per-document reader for `DictStoredPerDocWriter`'s segments."""

    STORED = STORED_DICT_COLUMN
