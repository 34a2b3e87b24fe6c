"""One posting block's bytes: the layouts searchkit's codecs write (`searchkit.store.codec`), and the functions
that write and read them.

Why a module of its own: two writers produce these bytes — the per-posting postings writers of the codec and the
bulk segment builder (`searchkit.index.bulkwrite`) — and the leaf matchers read them; each needs the layout, none
needs the others' classes. ``pack_block`` is the one function both writers call, so their bytes are equal.
"""
from __future__ import annotations

import struct
import zlib
from array import array

import numpy as np
from whoosh.system import emptybytes, pack_int

from .narrow import V_BYTE, W_BYTE, narrow_block
from .termfile import varint

# Block layout (before zlib): header "<BI" = (flags, number of postings n), then
#   n docnum deltas as uint32 (the first from 0),
#   weights: none (all 1.0) | one float32 (all equal) | n float32, as the flags say,
#   values: none (the format has none) | n x fixed size | n uint32 lengths then the bytes concatenated.
ARRAY_HEADER = struct.Struct("<BI")
W_ONES, W_SAME, W_EACH = 0, 1, 2
V_NONE, V_FIXED, V_VAR = 0, 4, 8

# Compact block (SearchkitCodec2): whoosh's signed block length (int32, negative for a term's last block),
# BLOCK_HEADER = (compression level or 0, n, last docnum, max weight, min and max length bytes), then the
# payload, zlib-compressed when that made it smaller: a flags byte (weights and values as in ARRAY_HEADER, plus
# the width of the docnum deltas), n deltas, then weights and values as in the array blocks above.
BLOCK_HEADER = struct.Struct("<BHIfBB")
D_WIDTH = {1: 0, 2: 16, 4: 32}  # delta width -> flag bits
D_TYPE = {0: np.uint8, 16: np.uint16, 32: np.uint32}


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
        deltas = np.frombuffer(deltas, "<u4").astype(D_TYPE[D_WIDTH[width]]).tobytes()
    payload = bytes((flags | D_WIDTH[width],)) + deltas + rest
    comp = 0
    if level:
        packed = zlib.compress(payload, level)
        if len(packed) < len(payload):
            payload, comp = packed, level
    if tight:
        whole = 0 <= maxweight < WHOLE and maxweight == int(maxweight)
        body = b"".join((bytes(((1 if comp else 0) | (0 if whole else T_FLOAT),)), varint(n), varint(lastid),
                         varint(int(maxweight)) if whole else FLOAT32.pack(maxweight), bytes((minlen, maxlen)), payload))
        return varint(len(body) << 1 | last) + body
    size = BLOCK_HEADER.size + len(payload)
    return pack_int(-size if last else size) + BLOCK_HEADER.pack(comp, n, lastid, maxweight, minlen, maxlen) + payload


# Tight block (SearchkitCodec3): varint(length of the rest << 1 | last block), a flags byte (1: compressed,
# 2: max weight as float32), varint n, varint last docnum, the max weight (varint when a whole number below
# 2**24, which float32 holds exactly, as the fixed header's float32 gives it back), min and max length bytes,
# then the payload as above. A term's blocks start at its extent, with no tag before them.
T_FLOAT = 2
WHOLE = 1 << 24
FLOAT32 = struct.Struct("<f")
TIGHT_HEAD = 5 + 1 + 5 + 5 + 5 + 2  # the longest tight header


def weights_values(weights, values: list, fixed: int | None) -> tuple[int, bytes, int, bytes]:
    """(weight flag, weight bytes, value flag, value bytes) of a block's ``weights`` and non-empty ``values``
    (``fixed``: the format's fixed value size, None when it varies)."""
    first = weights[0]
    if all(w == 1.0 for w in weights):
        wflag, wbytes = W_ONES, emptybytes
    elif all(w == first for w in weights):
        wflag, wbytes = W_SAME, struct.pack("<f", first)
    else:
        wflag, wbytes = W_EACH, array("f", weights).tobytes()
    if not values or fixed == 0:
        vflag, vbytes = V_NONE, emptybytes
    elif fixed is not None and fixed > 0:
        vflag, vbytes = V_FIXED, emptybytes.join(values)
    else:
        vflag, vbytes = V_VAR, array("I", map(len, values)).tobytes() + emptybytes.join(values)
    return wflag, wbytes, vflag, vbytes


def block_weights(b: bytes, flags: int, n: int, pos: int) -> tuple[np.ndarray, tuple[int, int]]:
    """(weights as float64, (value flags, offset of the values)) of a block's bytes ``b`` from ``pos``
    (value flags: the value layout and `V_BYTE`)."""
    wflag = flags & 3
    if wflag == W_ONES:
        weights = np.ones(n)
    elif wflag == W_SAME:
        weights = np.full(n, struct.unpack_from("<f", b, pos)[0], np.float64)
        pos += 4
    elif flags & W_BYTE:
        weights = np.frombuffer(b, np.uint8, n, pos).astype(np.float64)
        pos += n
    else:
        weights = np.frombuffer(b, np.float32, n, pos).astype(np.float64)
        pos += 4 * n
    return weights, (flags & (12 | V_BYTE), pos)
