"""Passage provenance over classes of identical piece signatures: where a passage first appeared.

The rule (`searchkit.dupes.grouping.provenance` states it on articles): two pieces are *related* when they
belong to different stories, their MinHash signatures share a whole LSH band and agree on at least
``PARAGRAPH_JACCARD`` of their values. A piece related to pieces of more than ``MAX_REUSE`` stories (its own
counted) is furniture and takes no part. Each passage's source is the earliest dated article holding a piece
related to one of its pieces.

Why classes: copied news repeats paragraphs verbatim, so most pieces share their *whole* signature with
others. At 300k bench articles 2.05 M pieces had 110k distinct signatures, and pairing pieces gave 23 M
candidate pairs (1.6 GB of arrays at the indexer's peak, and ~60 s). Pieces with one signature are related
to each other whenever their stories differ, and to exactly the same other pieces, so the LSH runs on the
distinct signatures, and reuse counts and earliest sources are computed per class: memory and time follow
the number of pieces and of distinct near-identical signature pairs, not the square of how often a paragraph
was copied. Every pair of classes sharing a band is a candidate (up to ``sketch.candidate_pairs``' bucket cap,
which now applies to distinct signatures only, where the piece pairing applied it to copies too).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..arrays import distinct, id_dtype, id_ranges, range_indexes
from . import sketch

PARAGRAPH_JACCARD = 0.6  # "nearly identical" passages
PARAGRAPH_ROWS = 2  # rows per LSH band of a piece signature
MAX_REUSE = 25  # a passage found in more stories than this is site furniture or a stock text, not a source
PAIR_CHUNK = 1 << 18  # candidate pairs whose (16-value) signatures are compared in one array operation
COMPARE_CHUNK = 1 << 16  # sorted signatures compared with their neighbours in one array operation
# Per-piece arrays are int32 where their values fit, and products of two ids are formed in int64 only as
# temporaries: at 300k articles (2.05 M pieces) each int64 array of pieces was 16 MB, and the pass held up to
# fourteen at once (+248 MB over its input at its peak, the indexer's largest).


@dataclass
class Provenance:
    """Where passages first appeared, as three parallel int64 arrays sorted by (row, passage): passage
    ``passages[i]`` of article row ``rows[i]`` first appeared in article row ``sources[i]``. Arrays, not a dict
    of (row, passage) tuples: at 100k articles (bench corpus) there were 306k entries, ~75 MB as a dict."""

    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    passages: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sources: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.rows)

    def as_dict(self) -> dict[tuple[int, int], int]:
        """{(row, passage): source row} (for tests and small collections)."""
        return dict(zip(zip(self.rows.tolist(), self.passages.tolist()), self.sources.tolist()))


def agreement(sigs: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Per pair (a, b), the share of signature values of ``sigs[a]`` and ``sigs[b]`` that agree, in chunks of
    `PAIR_CHUNK` 16-value signatures' worth (article signatures are 8x wider: 8x fewer pairs a chunk), so the
    gathered signatures stay a few MB whatever the number of pairs."""
    out = np.empty(len(pairs), np.float64)
    step = max(1, PAIR_CHUNK * 16 // max(sigs.shape[1], 1))
    for lo in range(0, len(pairs), step):
        a, b = pairs[lo:lo + step, 0], pairs[lo:lo + step, 1]
        out[lo:lo + len(a)] = (sigs[a] == sigs[b]).mean(axis=1)
    return out


def signature_classes(sigs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct rows of ``sigs``, each row's class: its index among them). The rows are compared as whole
    64-bit words (``np.unique(axis=0)`` took 4.6 s for the 2 M pieces of 300k articles, this 0.8 s); the
    classes' order follows the signature values only, never the order articles were indexed in."""
    sigs = np.ascontiguousarray(sigs)
    n, width = sigs.shape
    if sigs.itemsize * width % 8:
        sigs = np.pad(sigs, ((0, 0), (0, 8 // sigs.itemsize - width % (8 // sigs.itemsize))))
    words = sigs.view(np.uint64).reshape(n, -1)
    order = np.lexsort(words.T[::-1])
    new = np.ones(n, bool)
    for lo in range(1, n, COMPARE_CHUNK):  # neighbours compared a chunk at a time: no sorted copy of every row
        hi = min(n, lo + COMPARE_CHUNK)
        new[lo:hi] = np.any(words[order[lo:hi]] != words[order[lo - 1:hi - 1]], axis=1)
    cls = np.empty(n, id_dtype(n))
    cls[order] = np.cumsum(new) - 1
    return sigs[order[new], :width], cls


def _earliest_two(cls: np.ndarray, pos: np.ndarray, story: np.ndarray, m: int) -> np.ndarray:
    """Per class of ``m``: (pos, story) of its earliest entry and of its earliest entry of another story than
    that one (pos -1 when there is none), as an (m, 4) int64 array. Sorts its arguments in place (callers
    pass temporaries): one more array at a time instead of a second copy of all three."""
    out = np.full((m, 4), -1, np.int64)
    if not len(cls):
        return out
    order = np.lexsort((pos, cls))
    for a in (cls, pos, story):
        a[:] = a[order]
    del order
    start, count = id_ranges(cls, m)
    has = count > 0
    out[has, 0], out[has, 1] = pos[start[has]], story[start[has]]
    other = story != np.repeat(out[:, 1], count)  # entries of another story than their class's earliest
    at = np.flatnonzero(other)
    del other
    if len(at):
        first = distinct(cls[at])  # classes with such an entry: the first one of each run (sorted by pos)
        where = at[np.searchsorted(cls[at], first)]
        out[first, 2], out[first, 3] = pos[where], story[where]
    return out


def first_seen(sigs: np.ndarray, owners: np.ndarray, passages: np.ndarray, story: np.ndarray,
               pos: np.ndarray, dated: np.ndarray) -> Provenance:
    """Provenance of pieces: ``sigs`` their (compact) signatures, ``owners`` their article rows,
    ``passages`` their passage indexes; per article row, ``story`` (group, or a story id of its own), ``pos``
    (rank in the "earliest" order: distinct) and ``dated``."""
    if len(sigs) < 2:
        return Provenance()
    uniq, cls = signature_classes(sigs)
    m = len(uniq)
    pairs = sketch.candidate_pairs(uniq, PARAGRAPH_ROWS).astype(np.int64)
    pairs = pairs[agreement(uniq, pairs) >= PARAGRAPH_JACCARD]
    # neighbourhoods: each class with itself and with each related class, both ways
    frm = np.concatenate([np.arange(m), pairs[:, 0], pairs[:, 1]])
    to = np.concatenate([np.arange(m), pairs[:, 1], pairs[:, 0]])
    del pairs
    stories = int(story.max()) + 1
    piece_story = story.astype(id_dtype(stories))[owners]
    # each class's distinct stories, then those of its neighbourhood: how many stories hold the piece
    held = distinct(cls.astype(np.int64) * stories + piece_story)
    held_cls, held_story = held // stories, (held % stories).astype(piece_story.dtype)
    del held
    start, count = id_ranges(held_cls, m)
    del held_cls
    lens = count[to]
    at = range_indexes(start[to], lens)
    reach = distinct(np.repeat(frm, lens) * stories + held_story[at])
    del at, held_story, start, count, lens
    reuse = np.bincount(reach // stories, minlength=m)  # stories in reach, the piece's own among them
    del reach
    ok = (reuse >= 2) & (reuse <= MAX_REUSE)
    # earliest dated sources: per class its two earliest (of two stories), then over each neighbourhood (a class
    # that is not ok has none, so only related pairs of two ok pieces count, as the rule says)
    src = np.flatnonzero(dated[owners] & ok[cls])
    per_class = _earliest_two(cls[src], pos[owners[src]], piece_story[src], m)
    del src
    cand_cls = np.concatenate([frm, frm])
    cand_pos = np.concatenate([per_class[to, 0], per_class[to, 2]])
    cand_story = np.concatenate([per_class[to, 1], per_class[to, 3]])
    real = cand_pos >= 0
    best = _earliest_two(cand_cls[real], cand_pos[real], cand_story[real], m)
    del cand_cls, cand_pos, cand_story, real, per_class
    # each piece of an ok class: the earliest source of another story, if it is earlier than its article
    mine = np.flatnonzero(ok[cls]).astype(id_dtype(len(cls)))
    c = cls[mine]
    source_pos = np.where(best[c, 1] != piece_story[mine], best[c, 0], best[c, 2])
    del c, piece_story, cls
    keep = (source_pos >= 0) & (source_pos < pos[owners[mine]])
    mine, source_pos = mine[keep], source_pos[keep]
    del keep
    rb, passage = owners[mine], passages[mine]
    del mine
    pick = np.lexsort((source_pos, passage, rb))  # per (article, passage): the earliest source first
    rb, passage, source_pos = rb[pick], passage[pick], source_pos[pick]
    first = np.ones(len(rb), bool)
    first[1:] = (rb[1:] != rb[:-1]) | (passage[1:] != passage[:-1])
    article_at = np.empty(len(pos), np.int64)
    article_at[pos] = np.arange(len(pos))
    return Provenance(rb[first].astype(np.int64), passage[first].astype(np.int64),
                      article_at[source_pos[first]].astype(np.int64))
