"""Length statistics for article-level BM25F and passage BM25 (`searchkit.ranking.articles`), per segment.

Why a module of their own: every one of them is a sum or a normalisation over *every* article or passage of
a segment, the same for every query until the index changes. Computed per query they were about a millisecond
of each query at 100k articles (two segments of ~50k articles and ~180k passages); here each is computed once
and kept in the segment cache (`searchkit.store.layout.segment_cache`, whose key holds the segment's live
document count, so a deletion recomputes them).
"""
from __future__ import annotations

import numpy as np

from ..settings import Settings
from ..store.layout import article_starts, deleted_docs, field_lengths, segment_cache

HEADLINE = "headline"  # counted once per article: every passage carries a copy


def field_weight(field: str, settings: Settings) -> float:
    """The BM25F weight of ``field``: the headline's own weight, else the field's query boost."""
    if field not in settings.article_fields:
        return 0.0
    return settings.headline_weight if field == HEADLINE else float(settings.boosts.get(field, 0.0))


def weights_key(settings: Settings) -> tuple:
    """(field, BM25F weight) of every weighted field, sorted: what the article lengths depend on."""
    return tuple(sorted((f, field_weight(f, settings)) for f in settings.boosts if field_weight(f, settings) > 0))


def article_lengths(reader, settings: Settings):
    """(article starts, BM25F length of each article, live mask) of one segment, cached per weights."""
    weights = weights_key(settings)

    def make():
        starts = article_starts(reader)
        total = np.zeros(len(starts))
        if len(starts):
            for f, w in weights:
                lengths = field_lengths(reader, f) if f in reader.schema else None
                if lengths is None:
                    continue
                total += w * (lengths[starts] if f == HEADLINE else np.add.reduceat(lengths, starts))
        deleted = deleted_docs(reader)
        live = np.ones(len(starts), bool) if deleted is None else ~np.isin(starts, deleted)
        return starts, total, live

    return segment_cache(reader, ("bm25f-lengths", weights), make)


def live_totals(reader, settings: Settings) -> tuple[int, float]:
    """(live articles, their summed BM25F length) of one segment."""
    def make():
        _, lengths, live = article_lengths(reader, settings)
        return int(live.sum()), float(lengths[live].sum())

    return segment_cache(reader, ("bm25f-live-totals", weights_key(settings)), make)


def article_norm(reader, settings: Settings, avg: float) -> np.ndarray:
    """``k1 (1 - b + b len~ / avg)`` of each article of one segment: BM25's length normalisation for the mean
    article length ``avg`` of the whole index (part of the key, so it changes when the index does)."""
    k1, b = settings.k1, settings.b

    def make():
        _, lengths, _ = article_lengths(reader, settings)
        return k1 * (1 - b + b * lengths / avg)

    return segment_cache(reader, ("bm25f-norm", weights_key(settings), k1, b, avg), make)


def live_field_length(reader, field: str) -> tuple[float, int] | None:
    """(summed ``field`` length, number) of one segment's live documents; None without lengths."""
    def make():
        lengths = field_lengths(reader, field)
        if lengths is None:
            return False
        deleted = deleted_docs(reader)
        live = np.ones(len(lengths), bool)
        if deleted is not None:
            live[deleted] = False
        return float(lengths[live].sum()), int(live.sum())

    return segment_cache(reader, ("live-field-length", field), make) or None


def mean_live_length(readers, field: str) -> float:
    """Mean ``field`` length of the live documents (passages) of ``readers`` (1.0 when there are none)."""
    total_len, n = 0.0, 0
    for reader in readers:
        got = live_field_length(reader, field)
        if got is not None:
            total_len += got[0]
            n += got[1]
    return total_len / max(1, n) or 1.0
