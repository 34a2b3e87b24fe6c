"""Ranking: BM25 weighting per field and the passage -> article aggregation.

Why a subclass of whoosh's BM25F: whoosh's idf is ``log(N / (df + 1)) + 1``, which keeps very common words
(present in most passages) at a weight near 1; Lucene/Anserini use ``log(1 + (N - df + .5) / (df + .5))``,
the form the published BM25 anchors were measured with; and headline/quote words take the body's df (see
BLENDED_IDF_FIELDS). Everything else (per-field length normalisation) is whoosh's.

Parameters were chosen on ``bench/relevance.py`` (SciFact train judgments, article mode), cross-checked on CISI
and Cranfield; the figures are in ``searchkit.search``'s docstring.
"""
from __future__ import annotations

from math import log
from typing import Sequence

K1 = 1.2
B = 0.75
# Fields whose words take the body's document frequency for idf ("how rare is this word" is a property of the
# word, not of the field; Lucene's cross-field queries blend it the same way). Needed because every passage
# carries its article's headline: a headline word's own df counts the article's passages, so an article with
# many passages would see its headline words look common and rank below a single body mention elsewhere.
# Quotes are text inside the body, so their body df is the honest count too. Words found in no body keep
# their own field's df.
BLENDED_IDF_FIELDS = ("headline", "quote")
# Article score = best passage + ARTICLE_SHARE x the sum of the other matching passages: a second passage that
# also matches is evidence the article is about the query, but must not let long articles win on length alone.
ARTICLE_SHARE = 0.0


def weighting(k1: float | None = None, b: float | None = None):
    """The whoosh weighting model searchkit ranks with (BM25 with Lucene's idf); defaults K1, B."""
    from whoosh.scoring import BM25F

    class LuceneBM25(BM25F):
        def idf(self, searcher, fieldname, text):
            n = 0
            if fieldname in BLENDED_IDF_FIELDS:
                n = searcher.doc_frequency("body", text)
            n = n or searcher.doc_frequency(fieldname, text)
            dc = searcher.doc_count_all()
            return log(1.0 + (dc - n + 0.5) / (n + 0.5))

    return LuceneBM25(B=B if b is None else b, K1=K1 if k1 is None else k1)


def aggregate(scores: Sequence[float], share: float | None = None) -> float:
    """One article's score from its passages' scores (any order); ``share`` defaults to ARTICLE_SHARE."""
    share = ARTICLE_SHARE if share is None else share
    if not scores:
        return 0.0
    best = max(scores)
    return best + share * (sum(scores) - best)


def coord_or(subqueries, boost: float = 1.0, scale: float | None = None):
    """An Or over the query's words whose score is multiplied by ``1 - scale + scale * matched / words``.

    Why not whoosh's ``Or(scale=...)``: its coordination counts *term matchers*, i.e. one word found in
    body and headline counts twice, and it adds a bonus that is negligible next to BM25 scores. Here each
    direct sub-query is one word (or phrase, or group) of what the person typed, whatever fields it spans.
    """
    return _coord_classes()[0](subqueries, boost=boost, scale=scale)


def _coord_classes():
    global _COORD
    if _COORD is None:
        _COORD = _make_coord_classes()
    return _COORD


_COORD = None


def _make_coord_classes():
    from whoosh.matching import Matcher
    from whoosh.query import Or

    class CoordOrMatcher(Matcher):
        def __init__(self, kids, n: int, scale: float, boost: float):
            self._all = kids
            self._n, self._scale, self._boost = n, scale, boost
            self._advance()

        def _advance(self):
            self._kids = [m for m in self._all if m.is_active()]
            self._all = self._kids
            self._id = min(m.id() for m in self._kids) if self._kids else None

        def is_active(self):
            return self._id is not None

        def id(self):
            return self._id

        def next(self):
            for m in self._kids:
                if m.id() == self._id:
                    m.next()
            self._advance()

        def skip_to(self, target):
            for m in self._kids:
                if m.id() < target:
                    m.skip_to(target)
            self._advance()

        def score(self):
            total, k = 0.0, 0
            for m in self._kids:
                if m.id() == self._id:
                    total += m.score()
                    k += 1
            return self._boost * total * (1.0 - self._scale + self._scale * k / self._n)

        def supports(self, astype):
            return all(m.supports(astype) for m in self._kids)

        def supports_block_quality(self):
            return False

        def max_quality(self):
            # an upper bound (the coordination factor is at most 1), asked for by AndMaybe/AndNot pruning
            return self._boost * sum(m.max_quality() for m in self._kids)

        def children(self):
            return list(self._kids)

        def term_matchers(self):
            for m in self._kids:
                yield from m.term_matchers()

        def matching_terms(self, id=None):
            id = self._id if id is None else id
            for m in self._kids:
                if m.is_active() and m.id() == id:
                    yield from m.matching_terms(id)

        def copy(self):
            return CoordOrMatcher([m.copy() for m in self._kids], self._n, self._scale, self._boost)

        def reset(self):
            for m in self._all:
                m.reset()
            self._advance()

        def replace(self, minquality=0):
            return self if self.is_active() else _null_matcher()

    class CoordOr(Or):
        """Or with per-word coordination (see `coord_or`); a distinct class so whoosh's normalisation
        does not flatten the per-field Ors of each word into it."""

        def apply(self, fn):
            return CoordOr([fn(q) for q in self.subqueries], boost=self.boost, scale=self.scale)

        def _matcher(self, subs, searcher, context):
            if not self.scale:
                return Or._matcher(self, subs, searcher, context)
            kids = [q.matcher(searcher, context) for q in subs]
            return CoordOrMatcher(kids, len(subs), self.scale, self.boost)

    return CoordOr, CoordOrMatcher


def _null_matcher():
    from whoosh.matching import NullMatcher

    return NullMatcher()
