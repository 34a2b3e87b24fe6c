"""Writing a bulk segment's postings: every block statistic computed with numpy, Python once per block.

`searchkit.index.bulk` builds a field's postings as arrays (`FieldPostings`); here, a window of terms at a time
(`FieldPostings.windows`), block boundaries, block statistics, docnum deltas and weights are computed for all
blocks at once (`_blocks`), and the loop left in Python slices the prepared bytes and writes each block
through `searchkit.store.blocks.pack_block` — the function the per-posting writer uses too, so the two write
the same bytes (tests/index/test_bulk.py). Term infos are filed by the codec's field writer
(`searchkit.store.terms.CompactFieldWriter.add_term`), as the per-posting writer files them.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.util.numeric import byte_to_length, length_to_byte

from ..arrays import range_indexes
from ..store.blocks import V_FIXED, V_NONE, V_VAR, W_EACH, W_ONES, W_SAME, pack_block


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
_BYTE_LENGTHS = np.array([0] + [byte_to_length(b) for b in range(1, 256)], np.int64)  # length byte -> length


def _length_column(lengths: bytes | bytearray, ndocs: int) -> np.ndarray:
    """Each of the segment's ``ndocs`` documents' quantized field length (0: none; what the length column gives
    back) from `FieldPostings.lengths` (a length byte per document)."""
    lencol = np.zeros(ndocs, np.int64)
    lencol[:len(lengths)] = _BYTE_LENGTHS[np.frombuffer(lengths, np.uint8)]
    return lencol


def _blocks(key, doc, weight, sizes, stream, lencol: np.ndarray, blocklimit: int) -> _Blocks:
    """Block boundaries (each term's postings cut every ``blocklimit``) and every statistic whoosh's
    postings writer and term infos keep, computed for a window of the field's terms with numpy."""
    n = len(key)
    tstart = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    tcount = np.diff(np.append(tstart, n))
    nblocks = -(-tcount // blocklimit)
    bterm = np.repeat(np.arange(len(tstart)), nblocks)
    bstart = tstart[bterm] + range_indexes(np.zeros(len(nblocks), np.int64), nblocks) * blocklimit
    bend = np.minimum(bstart + blocklimit, tstart[bterm] + tcount[bterm])
    first = np.zeros(n, bool)
    first[bstart] = True
    deltas = doc.copy()
    deltas[1:] -= doc[:-1]
    deltas[first] = doc[first]  # each block's docnums are deltas from 0
    w32 = weight.astype(np.float32)
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


def write_field(fieldwriter, name: str, field, fp, compression: int, blocklimit: int,
                ndocs: int, narrow: bool = False) -> None:
    """Write one field's terms and posting blocks from ``fp`` (a `searchkit.index.bulk.FieldPostings`;
    ``ndocs``: documents in the segment): the layout of
    `searchkit.store.codec.TightPostingsWriter` (``narrow``: `NarrowPostingsWriter`'s) with whoosh's term infos, prepared a window of terms at a time
    (`FieldPostings.windows`, `_blocks`); Python runs once per block."""
    started = False
    lencol = _length_column(fp.lengths, ndocs)
    for btexts, (key, doc, weight, sizes, stream) in fp.windows():
        if not started:
            fieldwriter.start_field(name, field)
            started = True
        bl = _blocks(key, doc, weight, sizes, stream, lencol, blocklimit)
        del key, doc, weight, sizes, stream
        _write_terms(fieldwriter, field, btexts, bl, compression, blocklimit, narrow)
    if started:
        fieldwriter.finish_field()


def _write_terms(fieldwriter, field, btexts: list[bytes], bl: _Blocks, compression: int,
                 blocklimit: int, narrow: bool) -> None:
    """The blocks and term infos of the terms ``btexts`` (of the field being written) from their `_Blocks`
    ``bl``, with ``compression``, ``blocklimit`` and ``narrow`` as the codec's."""
    postfile = fieldwriter._postfile
    fixed = field.format.fixed_value_size()
    block = 0
    for t, btext in enumerate(btexts):
        offset = postfile.tell()
        out = []  # the term's blocks, written at once (tight blocks: no tag before them)
        minlen, maxlen, maxw = None, 0, 0.0
        nb = -(-bl.tcount[t] // blocklimit)
        for k in range(nb):
            s, e = bl.start[block], bl.end[block]
            if bl.ones[block]:
                wflag, wb = W_ONES, b""
            elif bl.same[block]:
                wflag, wb = W_SAME, struct.pack("<f", bl.firstweight[block])
            else:
                wflag, wb = W_EACH, bl.weights[4 * s:4 * e]
            values = bl.values[bl.vstart[block]:bl.vstart[block] + bl.vsize[block]]
            if not values or fixed == 0:
                vflag, values = V_NONE, b""
            elif fixed is not None and fixed > 0:
                vflag = V_FIXED
            else:
                vflag, values = V_VAR, bl.sizes[4 * s:4 * e] + values
            bmin = None if bl.minlen[block] == NO_LENGTH else bl.minlen[block]
            out.append(pack_block(wflag | vflag, e - s, bl.deltas[4 * s:4 * e], bl.maxdelta[block], wb + values,
                                  bl.lastid[block], bl.maxweight[block], length_to_byte(bmin),
                                  length_to_byte(bl.maxlen[block]), compression, k == nb - 1, tight=True,
                                  narrow=narrow))
            if bmin is not None:
                minlen = bmin if minlen is None else min(minlen, bmin)
            maxlen, maxw = max(maxlen, bl.maxlen[block]), max(maxw, bl.maxweight[block])
            block += 1
        postfile.write(b"".join(out))
        ti = W3TermInfo(weight=bl.tweight[t], df=bl.tcount[t], minlength=minlen, maxlength=maxlen,
                        maxweight=maxw, minid=bl.minid[t], maxid=bl.maxid[t])
        ti.set_extent(offset, sum(map(len, out)))
        fieldwriter.add_term(btext, ti)
