"""The per-posting values (encoded positions) of a posting list as one buffer and two offset arrays.

Why not a list of ``bytes``: a posting list read with its values (`searchkit.store.layout.posting_arrays`)
had each block's values cut into one Python bytes object per posting, and proximity
(`searchkit.store.positions.compact_position_arrays`) joined them straight back into one buffer to decode
them with array operations. At 100k articles, for three common words, that cutting and joining was a
tenth of a query. Here a block's values stay where the block's bytes hold them; ``take`` selects postings
with an index array and ``gathered`` gives their bytes concatenated in one numpy gather. Indexing and
iteration still give one ``bytes`` per posting, for the callers that decode one document at a time.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from ..arrays import range_indexes

_EMPTY = np.zeros(0, np.int64)


class PostingValues:
    """Values of ``len(starts)`` postings: posting i's bytes are ``buf[starts[i]:ends[i]]``; ``buf`` None when
    the field stores no values (every posting's value is None, as whoosh's matcher gives it)."""

    __slots__ = ("buf", "starts", "ends")

    def __init__(self, buf: bytes | None, starts: np.ndarray, ends: np.ndarray):
        self.buf, self.starts, self.ends = buf, starts, ends

    @classmethod
    def of(cls, values: Sequence[bytes | None]) -> PostingValues:
        """From one value per posting (None where a posting has none)."""
        if all(v is None for v in values):
            n = len(values)
            return cls(None, np.zeros(n, np.int64), np.zeros(n, np.int64))
        lens = np.fromiter((len(v or b"") for v in values), np.int64, len(values))
        ends = np.cumsum(lens)
        return cls(b"".join(v or b"" for v in values), ends - lens, ends)

    @classmethod
    def joined(cls, parts: list[PostingValues]) -> PostingValues:
        """The values of ``parts`` one after the other (a posting list's blocks, in order)."""
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return cls(None, _EMPTY, _EMPTY)
        if all(p.buf is None for p in parts):
            n = sum(len(p) for p in parts)
            return cls(None, np.zeros(n, np.int64), np.zeros(n, np.int64))
        bufs = [p.buf or b"" for p in parts]
        base = np.cumsum([0] + [len(b) for b in bufs[:-1]])
        return cls(b"".join(bufs), np.concatenate([p.starts + o for p, o in zip(parts, base.tolist())]),
                   np.concatenate([p.ends + o for p, o in zip(parts, base.tolist())]))

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> bytes | None:
        if self.buf is None:
            if not -len(self) <= i < len(self):
                raise IndexError(i)
            return None
        return self.buf[int(self.starts[i]):int(self.ends[i])]

    def __iter__(self) -> Iterator[bytes | None]:
        if self.buf is None:
            return iter([None] * len(self))
        buf = self.buf
        return (buf[s:e] for s, e in zip(self.starts.tolist(), self.ends.tolist()))

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (PostingValues, list, tuple)) else NotImplemented

    __hash__ = None  # mutable arrays inside: not a dict key

    def take(self, which: np.ndarray) -> PostingValues:
        """The values of the postings ``which`` selects (an index array or a boolean mask), in its order."""
        return PostingValues(self.buf, self.starts[which], self.ends[which])

    def lengths(self) -> np.ndarray:
        """Each posting's value length in bytes."""
        return self.ends - self.starts

    def gathered(self) -> np.ndarray:
        """Every posting's value bytes concatenated, in order, as a uint8 array (one gather, no Python loop)."""
        if self.buf is None or not len(self):
            return np.zeros(0, np.uint8)
        lens = self.lengths()
        total = int(lens.sum())
        data = np.frombuffer(self.buf, np.uint8)
        if total == 0:
            return np.zeros(0, np.uint8)
        if len(self) > 1 and np.array_equal(self.starts[1:], self.ends[:-1]):
            return data[int(self.starts[0]):int(self.ends[-1])]  # contiguous: a view
        return data[range_indexes(self.starts, lens)]

    @property
    def nbytes(self) -> int:
        """About what these values hold in memory (the shared buffer counted whole)."""
        return (len(self.buf) if self.buf is not None else 0) + self.starts.nbytes + self.ends.nbytes
