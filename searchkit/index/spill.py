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

import mmap
import os
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ..arrays import range_indexes

WINDOW = 1 << 17  # postings of one merge window at commit: ~150-240 bytes each with the writer's temporaries
# (bulkwrite's block statistics), so ~20-30 MB; at 1 << 20 a writer's commit peak was ~150 MB above its buffers,
# at 1 << 18 ~90 MB (100k articles, the body field: 279 MB against 248 at 1 << 17, in the same 4.5 s)
_ARRAYS = ("tid", "doc", "weight", "sizes", "stream", "terms", "tpos", "vpos")
_FIND = 64  # term ranks a merge window reads at once from a run while it looks for the window's end


def gather(stream: np.ndarray, starts: np.ndarray, sizes: np.ndarray, piece: int = 1 << 18) -> np.ndarray:
    """The byte ranges ``stream[starts[i]:starts[i] + sizes[i]]`` concatenated, without a Python loop per
    range; ``piece`` ranges at a time, so the index arrays stay small beside the stream."""
    out = np.empty(int(sizes.sum()), np.uint8)
    at = 0
    for i in range(0, len(sizes), piece):
        st, sz = starts[i:i + piece].astype(np.int64), sizes[i:i + piece].astype(np.int64)
        n = int(sz.sum())
        out[at:at + n] = stream[range_indexes(st, sz)]
        at += n
    return out


@dataclass
class Run:
    """One field's postings sorted by (term bytes, docnum): per posting ``tid, doc, weight, sizes`` and the
    values ``stream``; per distinct term (in byte order) its id ``terms``; ``tpos`` and ``vpos`` (one longer):
    where each term's postings and value bytes start. In memory, or memory-mapped from the files of `write`.
    The offsets are stored, not recomputed at the merge, so a merge holds no per-run array of every term (with
    the many runs of a large segment, those outgrew the merge window)."""

    tid: np.ndarray
    doc: np.ndarray
    weight: np.ndarray
    sizes: np.ndarray
    stream: np.ndarray
    terms: np.ndarray
    tpos: np.ndarray
    vpos: np.ndarray

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
        tpos = np.concatenate(([0], np.cumsum(np.bincount(key, minlength=len(uniq)))))
        vpos = np.concatenate(([0], np.cumsum(np.bincount(key, weights=sizes, minlength=len(uniq)).astype(np.int64))))
        return cls(tid[order], doc[order], weight[order], sizes[order], gather(stream, vstart[order], sizes[order]),
                   uniq[ranked], tpos, vpos)

    def find(self, rank: np.ndarray, end: int, at: int) -> int:
        """The index of this run's first term from ``at`` on whose rank (``rank``: term id -> rank) is ``end``
        or more. The terms are in rank order, so only the ranks up to there are read, a few at a time."""
        n = len(self.terms)
        step = _FIND
        while at < n:
            r = rank[np.asarray(self.terms[at:at + step], np.int64)]
            i = int(np.searchsorted(r, end))
            if i < len(r):
                return at + i
            at += len(r)
            step *= 2
        return n

    def write(self, prefix: str) -> "Run":
        """Save the arrays as ``<prefix>.<name>.npy`` and return the run memory-mapped from them."""
        for name in _ARRAYS:
            np.save(f"{prefix}.{name}.npy", getattr(self, name), allow_pickle=False)
        return Run(**{name: np.load(f"{prefix}.{name}.npy", mmap_mode="r") for name in _ARRAYS})

    def release(self) -> None:
        """Drop the pages of the memory-mapped arrays read so far (`write`'s run; in-memory arrays are left):
        a merge reads every run once, and mapped pages stay in the process's resident set until unmapped,
        so without this a writer's RSS grew by the size of all its runs — with the corpus, not the window."""
        for name in _ARRAYS:
            m = getattr(getattr(self, name), "_mmap", None)
            if m is not None and hasattr(m, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
                m.madvise(mmap.MADV_DONTNEED)

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
    for run in runs:
        counts[rank[np.asarray(run.terms, np.int64)]] += np.diff(run.tpos)
        run.release()
    cum = np.cumsum(counts)
    del counts
    cuts = np.unique(np.searchsorted(cum, np.arange(window, int(cum[-1]) if nterms else 0, window), side="left") + 1)
    del cum
    bounds = [0, *[int(c) for c in cuts if 0 < c < nterms], nterms]
    at = [0] * len(runs)  # per run: its first term not merged yet
    for r0, r1 in zip(bounds, bounds[1:]):
        parts = []
        for k, run in enumerate(runs):
            i0 = at[k]
            i1 = at[k] = run.find(rank, r1, i0)
            p0, p1, v0, v1 = int(run.tpos[i0]), int(run.tpos[i1]), int(run.vpos[i0]), int(run.vpos[i1])
            if p1 > p0:
                parts.append((run.tid[p0:p1], run.doc[p0:p1], run.weight[p0:p1], run.sizes[p0:p1], run.stream[v0:v1]))
        if not parts:
            continue
        tid, doc, weight, sizes, stream = (np.concatenate([p[i] for p in parts]) for i in range(5))
        del parts
        for run in runs:
            run.release()
        key = rank[tid.astype(np.int64)]
        order = np.argsort(key, kind="stable")
        sizes = sizes.astype(np.int64)
        vstart = np.cumsum(sizes) - sizes
        yield r0, r1, (key[order], doc[order].astype(np.int64), weight[order].astype(np.float64), sizes[order],
                       gather(stream, vstart[order], sizes[order]))
