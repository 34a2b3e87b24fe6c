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

import numpy as np

from ..store.layout import article_of, article_starts, read_postings
from ..store.positions import near_counts, position_arrays

HEADLINE = "headline"
BODY = "body"
HEADLINE_PAIR = 1.0  # what a pair in the headline adds (once); 3, the headline's word weight, cost SciFact 0.0007


def _field_counts(seg, field: str, a: str, b: str, window: int, docs: np.ndarray | None):
    """(docnums, `near_count`s above 0) of the pair (a, b) in ``field`` over the segment's passages holding
    both words (only ``docs`` among them when given), with array operations (`searchkit.store.positions`)."""
    ids_a = read_postings(seg, field, a)[0]
    ids_b = read_postings(seg, field, b)[0]
    both = np.intersect1d(ids_a, ids_b, assume_unique=True)
    if docs is not None:
        both = both[np.isin(both, docs)]
    if not len(both):
        return both, np.zeros(0, np.int64)
    return near_counts(position_arrays(seg, field, a, both), position_arrays(seg, field, b, both), window)


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
            ids, counts = _field_counts(seg, field, a, b, window, docs)
            if not len(ids):
                continue
            vals = counts.astype(np.float64)
            if field == HEADLINE:
                vals = np.minimum(vals, 1.0) * weight
            tf += np.bincount(article_of(seg, ids), weights=vals, minlength=n)[:n]
        out.append(tf * live)
    return out
