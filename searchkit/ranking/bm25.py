"""BM25 weighting: whoosh's BM25F with Lucene's idf, and headline/quote words taking the body's df.

Why a subclass of whoosh's BM25F: whoosh's idf is ``log(N / (df + 1)) + 1``, which keeps very common words
(present in most passages) at a weight near 1; Lucene/Anserini use ``log(1 + (N - df + .5) / (df + .5))``,
the form the published BM25 anchors were measured with; and headline/quote words take the body's df (see
BLENDED_IDF_FIELDS). Everything else (per-field length normalisation) is whoosh's.
"""
from __future__ import annotations

from math import log

from whoosh.scoring import BM25F

from ..settings import DEFAULT_SETTINGS, Settings
from ..store.schema import BODY, HEADLINE, QUOTE

# Fields whose words take the body's document frequency for idf ("how rare is this word" is a property of the
# word, not of the field; Lucene's cross-field queries blend it the same way). Needed because every passage
# carries its article's headline: a headline word's own df counts the article's passages, so an article with
# many passages would see its headline words look common and rank below a single body mention elsewhere.
# Quotes are text inside the body, so their body df is the honest count too. Words found in no body keep
# their own field's df.
BLENDED_IDF_FIELDS = (HEADLINE, QUOTE)


class LuceneBM25(BM25F):
    """BM25F with Lucene's idf and blended headline/quote document frequencies."""

    def idf(self, searcher, fieldname, text):
        n = 0
        if fieldname in BLENDED_IDF_FIELDS:
            n = searcher.doc_frequency(BODY, text)
        n = n or searcher.doc_frequency(fieldname, text)
        dc = searcher.doc_count_all()
        return log(1.0 + (dc - n + 0.5) / (n + 0.5))


def weighting(settings: Settings = DEFAULT_SETTINGS) -> LuceneBM25:
    """The whoosh weighting model searchkit ranks with, for ``settings``' K1 and B."""
    return LuceneBM25(B=settings.b, K1=settings.k1)


def is_weighting_for(w, settings: Settings) -> bool:
    """True when ``w`` (a searcher's weighting) is `weighting(settings)`'s model."""
    return isinstance(w, LuceneBM25) and w.K1 == settings.k1 and w.B == settings.b
