"""Sorted runs of a bulk segment's postings on disk, merged a window of terms at a time when it is written.

The bulk builder (`searchkit.index.bulk`) used to hold a segment's postings in memory until commit and cap a
segment at a few million postings (~350 MB per writer process), starting another segment when full: memory
grew with the cap and large corpora got many small segments (a term dictionary each, every query word
looked up in each). Now a field's reduced postings are written out as a *run* when the writer's buffers
fill (`Run.write`): sorted by term bytes then docnum, with each term's posting and value-byte counts. Term
byte order is the segment's final order, whatever terms come later, so at commit the runs (and what is
still in memory, as one more run) are merged by slicing each at the same term ranks (`windows`): one window
of about `WINDOW` postings is in memory at a time. Docnums rise from run to run, so concatenating the slices
in run order and sorting stably by term gives the (term, docnum) order the codec writes.

Runs live in the writer's whoosh temp folder (``<generation>.tmp/``: removed with the writer, and by
`searchkit.index.leftovers` after a killed run).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator

import numpy as np

WINDOW = 1 << 20  # postings of one merge window at commit
_ARRAYS = ("tid", "doc", "weight", "sizes", "stream", "terms", "tcount", "tbytes")


def gather(stream: np.ndarray, starts: np.ndarray, sizes: np.ndarray, piece: int = 1 << 18) -> np.ndarray:
    """The byte ranges ``stream[starts[i]:starts[i] + sizes[i]]`` concatenated, without a Python loop per
    range; ``piece`` ranges at a time, so the index arrays stay small beside the stream."""
    out = np.empty(int(sizes.sum()), np.uint8)
    at = 0
    for i in range(0, len(sizes), piece):
        st, sz = starts[i:i + piece].astype(np.int64), sizes[i:i + piece].astype(np.int64)
        n = int(sz.sum())
        out[at:at + n] = stream[np.repeat(st - (np.cumsum(sz) - sz), sz) + np.arange(n)]
        at += n
    return out


@dataclass
class Run:
    """One field's postings sorted by (term bytes, docnum): per posting ``tid, doc, weight, sizes`` and the
    values ``stream``; per distinct term (in byte order) its id ``terms``, postings ``tcount`` and value bytes
    ``tbytes``. In memory, or memory-mapped from the files of `write`."""

    tid: np.ndarray
    doc: np.ndarray
    weight: np.ndarray
    sizes: np.ndarray
    stream: np.ndarray
    terms: np.ndarray
    tcount: np.ndarray
    tbytes: np.ndarray

    @classmethod
    def sort(cls, tid, doc, weight, sizes, stream, btexts_of) -> "Run":
        """A run of the postings ``tid, doc, weight, sizes, stream`` (docnum order within each term id);
        ``btexts_of(ids)``: the term bytes of the term ids ``ids``."""
        uniq, inv = np.unique(tid, return_inverse=True)
        texts = btexts_of(uniq.tolist())
        ranked = sorted(range(len(uniq)), key=texts.__getitem__)
        local = np.empty(len(uniq), np.int64)
        local[ranked] = np.arange(len(uniq))
        key = local[inv]
        order = np.argsort(key, kind="stable")
        vstart = np.cumsum(sizes, dtype=np.int64) - sizes
        tcount = np.bincount(key, minlength=len(uniq))
        tbytes = np.bincount(key, weights=sizes, minlength=len(uniq)).astype(np.int64)
        return cls(tid[order], doc[order], weight[order], sizes[order], gather(stream, vstart[order], sizes[order]),
                   uniq[ranked], tcount, tbytes)

    def write(self, prefix: str) -> "Run":
        """Save the arrays as ``<prefix>.<name>.npy`` and return the run memory-mapped from them."""
        for name in _ARRAYS:
            np.save(f"{prefix}.{name}.npy", getattr(self, name), allow_pickle=False)
        return Run(**{name: np.load(f"{prefix}.{name}.npy", mmap_mode="r") for name in _ARRAYS})

    @staticmethod
    def remove(prefix: str) -> None:
        """Delete the files `write` made with ``prefix``."""
        for name in _ARRAYS:
            try:
                os.unlink(f"{prefix}.{name}.npy")
            except OSError:
                pass


def windows(runs: list[Run], rank: np.ndarray, window: int | None = None) -> Iterator[tuple[int, int, tuple]]:
    """(first rank, end rank, postings) for consecutive ranges of term ranks (``rank``: term id -> its rank in
    the segment's term order) holding about ``window`` postings each; postings in (rank, docnum) order as
    (rank, doc int64, weight float64, value sizes int64, value bytes). ``runs`` in docnum order; ``window``
    defaults to `WINDOW`."""
    window = window or WINDOW
    nterms = len(rank)
    counts = np.zeros(nterms, np.int64)
    starts = []
    for run in runs:
        r = rank[np.asarray(run.terms, np.int64)]
        counts[r] += run.tcount
        starts.append((r, np.concatenate(([0], np.cumsum(run.tcount))), np.concatenate(([0], np.cumsum(run.tbytes)))))
    cum = np.cumsum(counts)
    cuts = np.unique(np.searchsorted(cum, np.arange(window, int(cum[-1]) if nterms else 0, window), side="left") + 1)
    bounds = [0, *[int(c) for c in cuts if 0 < c < nterms], nterms]
    for r0, r1 in zip(bounds, bounds[1:]):
        parts = []
        for run, (r, tstart, vstart) in zip(runs, starts):
            i0, i1 = np.searchsorted(r, [r0, r1])
            p0, p1, v0, v1 = tstart[i0], tstart[i1], vstart[i0], vstart[i1]
            if p1 > p0:
                parts.append((run.tid[p0:p1], run.doc[p0:p1], run.weight[p0:p1], run.sizes[p0:p1], run.stream[v0:v1]))
        if not parts:
            continue
        tid, doc, weight, sizes, stream = (np.concatenate([p[i] for p in parts]) for i in range(5))
        key = rank[tid.astype(np.int64)]
        order = np.argsort(key, kind="stable")
        sizes = sizes.astype(np.int64)
        vstart = np.cumsum(sizes) - sizes
        yield r0, r1, (key[order], doc[order].astype(np.int64), weight[order].astype(np.float64), sizes[order],
                       gather(stream, vstart[order], sizes[order]))
