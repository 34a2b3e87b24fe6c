"""One-byte weights and value lengths in posting blocks (`searchkit.store.codec.SearchkitCodec4`).

Term frequencies are whole numbers, nearly always below 256, and a posting's positions take well under 256
bytes (`searchkit.store.schema.CompactPositions`), yet earlier layouts stored them as float32 and uint32:
on the 10k benchmark corpus those two arrays were 8.3 of the 14.6 MB of uncompressed block payloads. A block
whose every weight (or every value length) fits a byte keeps it in one, said by a flag bit that earlier
layouts never set, so one reader serves both.
"""
from __future__ import annotations

import numpy as np

W_SAME, W_EACH, V_VAR = 1, 2, 8  # `searchkit.store.codec`'s weight and value flags this rewrites

# Narrow flags (SearchkitCodec4 blocks; free bits of the flags byte in earlier layouts, so readers of those
# never see them set): every weight is a whole number below 256 stored as one uint8; every value length is
# below 256 stored as one uint8.
W_BYTE, V_BYTE = 64, 128


def narrow_block(flags: int, n: int, rest: bytes) -> tuple[int, bytes]:
    """(flags, weights and values bytes) of a block with per-posting float32 weights and uint32 value lengths
    cut to one byte each where every one of them fits; anything else is returned as it came."""
    pos, parts = 0, []
    if flags & 3 == W_EACH:
        w = np.frombuffer(rest, np.float32, n)
        if w.min() >= 0 and w.max() < 256 and np.all(w == np.floor(w)):
            parts.append(w.astype(np.uint8).tobytes())
            flags |= W_BYTE
        else:
            parts.append(rest[:4 * n])
        pos = 4 * n
    elif flags & 3 == W_SAME:
        parts.append(rest[:4])
        pos = 4
    if flags & 12 == V_VAR:
        lens = np.frombuffer(rest, np.uint32, n, pos)
        if lens.max() < 256:
            parts.append(lens.astype(np.uint8).tobytes())
            flags |= V_BYTE
            pos += 4 * n
    parts.append(rest[pos:])
    return flags, b"".join(parts)
