"""Term positions of many documents at once, as flat arrays, and what proximity asks of them.

Why: proximity (`searchkit.ranking.pairs`, the passage-mode accumulators of `searchkit.ranking.articles`)
looked at one document at a time — decode its positions into a list, bisect the other word's list — a
Python loop per posting; for two common words at 100k articles that was most of a query. Here a term's
positions over a set of documents are one pair of arrays (document, position), decoded from the index's
compact position bytes with array operations, and the nearest occurrence of the other word is one
``searchsorted`` over *keys* ``document << 32 | position``, which sort by document, then position, so a
search never crosses from one document into the next (positions are far below 2**32 - window).

The results are exactly those of the per-document definitions (`near_count`, `pair_acc`), which stay as the
reference the tests compare against.
"""
from __future__ import annotations

from bisect import bisect_left

import numpy as np

from .layout import posting_arrays, term_bytes
from .schema import CompactPositions
from .values import PostingValues

SHIFT = 32
EMPTY_POSITIONS = (np.zeros(0, np.int64), np.zeros(0, np.int64))


def position_arrays(seg, field: str, text: str, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, positions) of every occurrence of ``text`` in ``field`` in those of the segment's sorted
    ``docs`` holding it: documents ascending, positions ascending within each."""
    btext = term_bytes(seg, field, text)
    if btext is None or not len(docs):
        return EMPTY_POSITIONS
    ids, _, vals = posting_arrays(seg, field, btext, values=True, within=docs)
    # both sorted and unique, ``docs`` mostly far fewer: a binary search per wanted docnum, not a set test
    # per posting (np.isin sorted the whole posting list, two thirds of this function at 100k articles)
    at = np.searchsorted(ids, docs)
    at = at[at < len(ids)]
    keep = at[ids[at] == docs[:len(at)]] if len(at) else at
    if len(keep) < len(ids):
        ids = ids[keep]
        vals = vals.take(keep)
    if not len(ids):
        return EMPTY_POSITIONS
    fmt = seg.schema[field].format
    if isinstance(fmt, CompactPositions):
        got = compact_position_arrays(ids, vals)
        if got is not None:
            return got
    lists = [sorted(fmt.decode_positions(v)) for v in vals]
    counts = np.fromiter(map(len, lists), np.int64, len(lists))
    flat = np.fromiter((p for ps in lists for p in ps), np.int64, int(counts.sum()))
    return np.repeat(ids.astype(np.int64), counts), flat


def compact_position_arrays(ids: np.ndarray, vals: PostingValues | list[bytes]):
    """`CompactPositions` values (a 0 byte, then one byte per gap) decoded together; None when some value
    uses the 32-bit form (a gap of 256 or more: the caller decodes one by one)."""
    if not isinstance(vals, PostingValues):
        vals = PostingValues.of(vals)
    lens = vals.lengths()
    buf = vals.gathered()
    heads = np.cumsum(lens) - lens
    if buf[heads].any():
        return None
    counts = lens - 1
    gaps = np.delete(buf, heads).astype(np.int64)
    total = np.cumsum(gaps)
    first = np.cumsum(counts) - counts  # index of each value's first gap
    base = np.repeat(total[np.minimum(first, len(total) - 1)] - gaps[np.minimum(first, len(total) - 1)], counts) \
        if len(total) else np.zeros(0, np.int64)
    return np.repeat(ids.astype(np.int64), counts), total - base


def _keys(docs: np.ndarray, positions: np.ndarray) -> np.ndarray:
    return (docs.astype(np.int64) << SHIFT) | positions.astype(np.int64)


def near_counts(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray],
                window: int) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, counts): per document, how many occurrences of ``a`` (`position_arrays`) have an occurrence of
    ``b`` at most ``window`` positions away, either side, the same position not counting (`near_count`); only
    documents with a count above 0."""
    ka, kb = _keys(*a), _keys(*b)
    if not len(ka) or not len(kb):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    last = len(kb) - 1
    j = np.searchsorted(kb, ka - window, side="left")
    j = j + ((j <= last) & (kb[np.minimum(j, last)] == ka))  # one token read as both words: the next one
    hit = (j <= last) & (np.abs(kb[np.minimum(j, last)] - ka) <= window)
    docs, counts = np.unique(a[0][hit], return_counts=True)
    return docs, counts


def pair_acc_arrays(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray],
                    window: int) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, accumulators): per document holding both words, the sum of 1/d**2 of `pair_acc` (``b``'s
    nearest occurrence to each of ``a``'s within ``window``, one more when ``b`` comes first)."""
    both = np.intersect1d(a[0], b[0])
    if not len(both):
        return both, np.zeros(0)
    ka, kb = _keys(*a), _keys(*b)
    last = len(kb) - 1
    j = np.searchsorted(kb, ka, side="left")
    big = window + 1
    at = kb[np.minimum(j, last)]
    ahead = np.where(j <= last, at - ka, big)
    nxt = kb[np.minimum(j + 1, last)]
    ahead = np.where(ahead == 0, np.where(j + 1 <= last, nxt - ka, big), ahead)
    behind = np.where(j > 0, ka - kb[np.maximum(j - 1, 0)] + 1, big)
    d = np.minimum(ahead, behind)
    hit = (d > 0) & (d <= window)
    weights = np.where(hit, 1.0 / np.maximum(d, 1).astype(np.float64) ** 2, 0.0)
    index = np.searchsorted(both, a[0])
    inside = (index < len(both)) & (both[np.minimum(index, len(both) - 1)] == a[0])
    acc = np.bincount(index[inside], weights=weights[inside], minlength=len(both))
    return both, acc


def near_count(pa: list[int], pb: list[int], window: int) -> int:
    """How many occurrences in ``pa`` have an occurrence in ``pb`` at most ``window`` positions away (either
    side; the same position, one token read as both words, does not count): one document, the reference."""
    n = 0
    for x in pa:
        j = bisect_left(pb, x - window)
        while j < len(pb) and pb[j] == x:
            j += 1
        if j < len(pb) and abs(pb[j] - x) <= window:
            n += 1
    return n


def pair_acc(pa: list[int], pb: list[int], window: int) -> float:
    """Sum of 1/d^2 over occurrences in ``pa`` whose nearest occurrence in ``pb`` is 1..window away, ``d``
    counted one more when that occurrence comes first (the words in the query's order rank higher): one
    document, the reference."""
    acc = 0.0
    for x in pa:
        j = bisect_left(pb, x)
        ahead = pb[j] - x if j < len(pb) else window + 1
        if ahead == 0:  # the same position (one token, two query words): look past it
            ahead = pb[j + 1] - x if j + 1 < len(pb) else window + 1
        behind = x - pb[j - 1] + 1 if j > 0 else window + 1
        d = min(ahead, behind)
        if 0 < d <= window:
            acc += 1.0 / (d * d)
    return acc
