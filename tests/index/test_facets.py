"""Facets (`searchkit.index.facets`) count distinct matching *articles*, not passages, per value."""
from __future__ import annotations

from searchkit.index.searching import ranked_searcher
from searchkit.ranking.evaluator import match
from searchkit.index.facets import FACETS, count
from searchkit.settings import DEFAULT_SETTINGS


def test_facet_counts_are_distinct_articles_and_agree_with_filters(corpus_index):
    parsed = corpus_index.parse("Russia", DEFAULT_SETTINGS)
    matches = match(ranked_searcher(corpus_index, DEFAULT_SETTINGS), parsed.query)
    facets = count(matches)
    assert set(facets) == set(FACETS)
    articles = corpus_index.search("Russia", unit="article", limit=1).total
    assert facets["source"] and all(0 < n <= articles for n in facets["source"].values())
    for source, n in list(facets["source"].items())[:3]:
        assert corpus_index.search("Russia", unit="article", source=source, limit=1).total == n
    for year, n in facets["year"].items():
        assert corpus_index.search("Russia", unit="article", since=year, until=year, limit=1).total == n
