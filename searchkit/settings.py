"""Ranking settings: one frozen object instead of module globals, passed to ``open_index(..., settings=)``
or ``search(..., settings=)``.

Why an object: the figures in docs/ranking.md (the tuning log) were measured by changing one of these at a
time (``python bench/relevance.py --set k1=0.9``); a value carried by the index or the call, not patched into
a module, cannot leak from one index or test into another.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

from .store.schema import BODY, HEADLINE, NAMES, QUOTE

# Query-time field boosts: changed without re-indexing. See docs/ranking.md for how each was chosen.
DEFAULT_BOOSTS: Mapping[str, float] = MappingProxyType({HEADLINE: 2.0, QUOTE: 0.5, BODY: 1.0, NAMES: 0.2})


@dataclass(frozen=True)
class Settings:
    """Every tunable of ranking; the defaults are the measured ones (docs/ranking.md)."""

    boosts: Mapping[str, float] = field(default_factory=lambda: DEFAULT_BOOSTS)  # field -> query-time boost (0 = the field is not searched)
    k1: float = 1.5  # BM25 term-frequency saturation (1.5: long news articles, docs/ranking-issue11.md)
    b: float = 0.75  # BM25 length normalisation
    coordination: float = 0.5  # score x (1 - c + c x matched words / words): `searchkit.query.nodes.coord_or`
    field_group: str = "sum"  # how one word's matches in several fields combine: "sum" or "dismax" (best field)
    article_level: bool = True  # article mode scores whole articles; False = best passage
    # With article_stats off (the exact article-level ranking scores every matching article, so it needs no
    # blocks), article mode ranks articles by best passage, then re-ranks each block of this many (ranks 1-100, 101-200,
    # ...) by whole-article score. Blocks are fixed, not sized by the page asked for, so that pages partition one
    # ranking (a pool of max(100, 5 x wanted) re-ranked differently per page: 46 of page 1's 100 ids came back on
    # page 2). For the first 100 ranks this is exactly the old ranking at limit <= 20 (relevance figures unchanged).
    article_block: int = 100
    headline_b: float = 0.75  # length normalisation of headline words in article scoring
    bm25f: bool = True  # article scoring merges headline and body tf before one saturation (BM25F)
    article_stats: bool = True  # issue 11: rank with article-level statistics (`searchkit.ranking.articles`)
    # fields of the article score: quotes are body text already, name variants are phonetic codes that
    # collide across unrelated words (both inflate df); the prototype measured headline + body
    article_fields: tuple = ("headline", "body")
    headline_weight: float = 3.0  # BM25F weight of the headline, counted once per article
    passage_weight: float = 0.3  # passage mode: share of the passage's own BM25 beside its article's score
    proximity: float = 1.0  # passage mode: weight of the BM25TP word-pair proximity term in a passage's own score
    article_proximity: float = 1.0  # passage mode: the same term on the article score (0 = off)
    proximity_window: int = 5  # ... counting pairs at most this many positions apart
    proximity_idf: str = "max"  # a pair's weight in the passage term: "max" of its idfs (a pair is at least as rare
    # as its rarer word; TIME passage 0.6322, BM25TP's "min" 0.6256: docs/ranking-issue11.md), "mean" or "min"
    passage_b: float = 0.5  # length normalisation of the passage's own BM25
    # adjacent query words near each other as a term of the article score (`searchkit.ranking.pairs`; article mode
    # only): its weight (0 = off) and how many positions apart they may be (TIME dev +0.009: docs/ranking-issue11.md)
    pair_weight: float = 0.2
    pair_window: int = 8
    # RM3 pseudo-relevance feedback (`searchkit.ranking.expansion`), off unless asked for (search(expand=True))
    expand: bool = False
    expand_docs: int = 10  # feedback articles
    expand_terms: int = 30  # words added
    expand_weight: float = 0.7  # weight the original query keeps (0.6 cost SciFact 0.0014: tuning log)

    def with_boosts(self, boosts: Mapping[str, float] | None) -> "Settings":
        """These settings with ``boosts`` overriding some field boosts (the others kept)."""
        if not boosts:
            return self
        return replace(self, boosts=MappingProxyType({**self.boosts, **boosts}))


DEFAULT_SETTINGS = Settings()
