"""A segment's term dictionary as sorted, front-coded blocks: ~20 bytes a term where whoosh's hash file took ~58.

whoosh's ``.trm`` file (``OrderedHashWriter``) keeps, beside each key (field number + term bytes) and value
(the term info), two 32-bit lengths, two 12-byte hash-table slots and a 4-byte position: 36 bytes of overhead
per term, more than the key and the compact term info (`searchkit.store.terms`) together. Here the keys, in
their sorted order, are cut into blocks of `BLOCK` entries; each entry is the length of the prefix it shares
with the previous key of its block, the rest of the key and the value, each length a varint. A block's first
key and offset go into an index at the end of the file (zlib-compressed, with whoosh's ``extras``: the field
map), which the reader loads once. A look-up is a bisection over the first keys and one block decoded (the
last few are kept, so the terms of one query and a cursor walking the dictionary decode each block once).

File: ``MAGIC``, the blocks, the compressed index, its length as 8 bytes. Ordered iteration and "closest key
at or after" are what whoosh's cursors, prefix and range queries need; they read the blocks in order.
"""
from __future__ import annotations

import os
import pickle
import struct
import zlib
from array import array
from bisect import bisect_left, bisect_right
from typing import Iterator

MAGIC = b"SKT1"
BLOCK = 16  # entries per block: a look-up scans up to one block (~300 bytes), the index holds one key per block
_FOOTER = struct.Struct("<Q")
_CACHED = 8  # decoded blocks kept per reader


def varint(n: int) -> bytes:
    """``n`` (>= 0) in base 128, seven bits a byte, low first; the high bit marks a byte that is not the last."""
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def read_varint(b: bytes, pos: int) -> tuple[int, int]:
    """(value, position after it) of the `varint` at ``b[pos:]``."""
    n = shift = 0
    while True:
        c = b[pos]
        pos += 1
        n |= (c & 0x7F) << shift
        if c < 0x80:
            return n, pos
        shift += 7


class BlockTermsWriter:
    """Writes keys (strictly increasing) and values to ``dbfile``; ``extras`` is saved with the index, as
    whoosh's hash writer saves its own (the field writer keeps the field map there)."""

    def __init__(self, dbfile):
        self.dbfile = dbfile
        self.extras: dict = {}
        dbfile.write(MAGIC)
        self._firsts: list[bytes] = []
        self._offsets = array("Q")
        self._block: list[bytes] = []
        self._last: bytes | None = None

    def add(self, key: bytes, value: bytes) -> None:
        last = self._last
        if last is not None and key <= last:
            raise ValueError(f"keys must increase: {last!r}..{key!r}")
        if len(self._block) == BLOCK:
            self._flush()
        if not self._block:
            self._firsts.append(key)
            shared = 0
        else:
            shared = len(os.path.commonprefix((last, key)))
        self._block.append(b"".join((varint(shared), varint(len(key) - shared), key[shared:], varint(len(value)), value)))
        self._last = key

    def _flush(self) -> None:
        self._offsets.append(self.dbfile.tell())
        self.dbfile.write(b"".join(self._block))
        self._block = []

    def close(self) -> None:
        if self._block:
            self._flush()
        end = self.dbfile.tell()
        index = zlib.compress(pickle.dumps((self.extras, self._firsts, self._offsets.tobytes(), end), 4), 6)
        self.dbfile.write(index)
        self.dbfile.write(_FOOTER.pack(len(index)))
        self.dbfile.close()


class BlockTermsReader:
    """Reads a `BlockTermsWriter` file: ``reader[key]`` (KeyError when absent), ``key in reader``, ordered
    iteration from any key (`items_from`), and ``extras``."""

    def __init__(self, dbfile, length: int):
        self.dbfile = dbfile
        if bytes(dbfile.get(0, len(MAGIC))) != MAGIC:
            raise ValueError("not a searchkit term dictionary")
        (size,) = _FOOTER.unpack(bytes(dbfile.get(length - _FOOTER.size, _FOOTER.size)))
        raw = bytes(dbfile.get(length - _FOOTER.size - size, size))
        self.extras, self._firsts, offsets, end = pickle.loads(zlib.decompress(raw))
        self._bounds = array("Q")
        self._bounds.frombytes(offsets)
        self._bounds.append(end)
        self._cache: dict[int, tuple[list[bytes], list[bytes]]] = {}

    def _block(self, i: int) -> tuple[list[bytes], list[bytes]]:
        """(keys, values) of block ``i``."""
        got = self._cache.get(i)
        if got is not None:
            return got
        start, stop = self._bounds[i], self._bounds[i + 1]
        b = bytes(self.dbfile.get(start, stop - start))
        keys: list[bytes] = []
        values: list[bytes] = []
        pos, key = 0, b""
        while pos < len(b):
            shared, pos = read_varint(b, pos)
            n, pos = read_varint(b, pos)
            key = key[:shared] + b[pos:pos + n]
            pos += n
            n, pos = read_varint(b, pos)
            keys.append(key)
            values.append(b[pos:pos + n])
            pos += n
        if len(self._cache) >= _CACHED:
            self._cache.pop(next(iter(self._cache)))
        self._cache[i] = (keys, values)
        return keys, values

    def position(self, key: bytes) -> tuple[int, int] | None:
        """(block, entry) of the first key at or after ``key``; None when every key is before it."""
        i = max(bisect_right(self._firsts, key) - 1, 0)
        if not self._firsts:
            return None
        keys, _ = self._block(i)
        j = bisect_left(keys, key)
        if j == len(keys):
            i, j = i + 1, 0
            if i == len(self._firsts):
                return None
        return i, j

    def __getitem__(self, key: bytes) -> bytes:
        """The value of ``key``: the one block that can hold it scanned up to it, one-byte lengths read inline
        (a query looks up each of its words in every segment; this is ~5x faster than decoding the block)."""
        i = bisect_right(self._firsts, key) - 1
        if i < 0:
            raise KeyError(key)
        got = self._cache.get(i)
        if got is not None:
            keys, values = got
            j = bisect_left(keys, key)
            if j < len(keys) and keys[j] == key:
                return values[j]
            raise KeyError(key)
        start, stop = self._bounds[i], self._bounds[i + 1]
        b = bytes(self.dbfile.get(start, stop - start))
        pos, cur, end = 0, b"", len(b)
        while pos < end:
            shared = b[pos]
            if shared < 0x80:
                pos += 1
            else:
                shared, pos = read_varint(b, pos)
            n = b[pos]
            if n < 0x80:
                pos += 1
            else:
                n, pos = read_varint(b, pos)
            cur = cur[:shared] + b[pos:pos + n]
            pos += n
            size = b[pos]
            if size < 0x80:
                pos += 1
            else:
                size, pos = read_varint(b, pos)
            if cur >= key:
                if cur == key:
                    return b[pos:pos + size]
                break
            pos += size
        raise KeyError(key)

    def __contains__(self, key: bytes) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def entry(self, at: tuple[int, int]) -> tuple[bytes, bytes]:
        """(key, value) at the (block, entry) ``at``."""
        keys, values = self._block(at[0])
        return keys[at[1]], values[at[1]]

    def after(self, at: tuple[int, int]) -> tuple[int, int] | None:
        """The position after ``at`` (None at the end)."""
        i, j = at
        if j + 1 < len(self._block(i)[0]):
            return i, j + 1
        return (i + 1, 0) if i + 1 < len(self._firsts) else None

    def items_from(self, key: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        """(key, value) of every key at or after ``key``, in order."""
        at = self.position(key)
        while at is not None:
            keys, values = self._block(at[0])
            for j in range(at[1], len(keys)):
                yield keys[j], values[j]
            at = (at[0] + 1, 0) if at[0] + 1 < len(self._firsts) else None

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        """Every (key, value), in order (as whoosh's hash reader's ``items``)."""
        return self.items_from()

    def close(self) -> None:
        self.dbfile.close()
