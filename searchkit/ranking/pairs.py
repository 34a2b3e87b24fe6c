"""Word pairs of the query that occur near each other in an article: a term of the article score (issue 11).

Why: a verbose news query names things in several words ("PRIME MINISTER OF GREAT BRITAIN", "SOUTH VIET NAM",
"TEST BAN TREATY"); an article that only holds the words apart (a story about some minister, another about
Britain) ties with one about the thing itself under bag-of-words BM25F. The sequential dependence model's
unordered-window feature (Metzler & Croft 2005) scores each pair of adjacent query words as one more
"term": its frequency in an article is how often the first word has the second within ``window`` positions
(either side), its df the number of articles where that happens, and it enters BM25 like a word, weighted
``pair_weight``. Article mode only: passage mode has its own proximity terms, and with both TIME dev passage
mode lost 0.02. Measured (docs/ranking-issue11.md, section 8, `python bench/relevance.py --no-peers`): window 8,
weight 0.2, headline pairs counted once: TIME dev article 0.6205 -> 0.6297 (12 queries better, 7 worse),
Cranfield +0.004, CISI +0.002, SciFact train -0.0013. In the prototype the pair's own df mattered (the higher
or the lower idf of its two words instead: TIME -0.006 / -0.016).

Positions are the index's, inside one passage (stop words renumbered away, as phrases see them): a pair split
by a passage boundary does not count. The headline (passage 0's copy) counts a pair once, like its words.
"""
from __future__ import annotations

from bisect import bisect_left

import numpy as np

from ..store.layout import article_of, article_starts, posting_arrays, read_postings, term_bytes

HEADLINE = "headline"
BODY = "body"
HEADLINE_PAIR = 1.0  # what a pair in the headline adds (once); 3, the headline's word weight, cost SciFact 0.0007


def term_positions(seg, field: str, text: str, docs: np.ndarray) -> dict[int, list[int]]:
    """{docnum: sorted positions of ``text`` in ``field``} for those of the segment's sorted ``docs`` holding it."""
    btext = term_bytes(seg, field, text)
    if btext is None or not len(docs):
        return {}
    decode = seg.schema[field].format.decode_positions
    ids, _, vals = posting_arrays(seg, field, btext, values=True, within=docs)
    keep = np.isin(ids, docs)
    return {int(d): sorted(decode(v)) for d, v, k in zip(ids.tolist(), vals, keep.tolist()) if k}


def near_count(pa: list[int], pb: list[int], window: int) -> int:
    """How many occurrences in ``pa`` have an occurrence in ``pb`` at most ``window`` positions away (either
    side; the same position, one token read as both words, does not count)."""
    n = 0
    for x in pa:
        j = bisect_left(pb, x - window)
        while j < len(pb) and pb[j] == x:
            j += 1
        if j < len(pb) and abs(pb[j] - x) <= window:
            n += 1
    return n


def _field_counts(seg, field: str, a: str, b: str, window: int, docs: np.ndarray | None) -> dict[int, int]:
    """{docnum: `near_count`} of the pair (a, b) in ``field`` over the segment's passages holding both words
    (only ``docs`` among them when given)."""
    ids_a = read_postings(seg, field, a)[0]
    ids_b = read_postings(seg, field, b)[0]
    both = np.intersect1d(ids_a, ids_b, assume_unique=True)
    if docs is not None:
        both = both[np.isin(both, docs)]
    if not len(both):
        return {}
    pa, pb = term_positions(seg, field, a, both), term_positions(seg, field, b, both)
    out = {}
    for d in pa.keys() & pb.keys():
        n = near_count(pa[d], pb[d], window)
        if n:
            out[d] = n
    return out


def query_pairs(sequence: list[str]) -> list[tuple[str, str]]:
    """The distinct pairs of adjacent index terms of the query text (``sequence``: its terms in order, repeats
    kept), a word next to itself left out. From the text, not from the distinct words: "A B C A D" pairs C with
    A and A with D (CISI, whose long queries repeat their key words: 0.3810 from the distinct words, 0.3856 from the text)."""
    return [p for p in dict.fromkeys(zip(sequence, sequence[1:])) if p[0] != p[1]]


def pair_tfs(seg, pairs: list[tuple[str, str]], window: int, live: np.ndarray) -> list[np.ndarray]:
    """Per pair of `query_pairs`, each article's pair frequency in one segment: body counts summed over its
    passages, plus `HEADLINE_PAIR` when its headline holds the pair (once); 0 for articles not ``live``."""
    starts = article_starts(seg)
    n = len(starts)
    out = []
    for a, b in pairs:
        tf = np.zeros(n)
        for field, weight, docs in ((BODY, 1.0, None), (HEADLINE, HEADLINE_PAIR, starts)):
            if field not in seg.schema:
                continue
            counts = _field_counts(seg, field, a, b, window, docs)
            if not counts:
                continue
            ids = np.fromiter(counts, np.int64, len(counts))
            vals = np.fromiter(counts.values(), np.float64, len(counts))
            if field == HEADLINE:
                vals = np.minimum(vals, 1.0) * weight
            tf += np.bincount(article_of(seg, ids), weights=vals, minlength=n)[:n]
        out.append(tf * live)
    return out
