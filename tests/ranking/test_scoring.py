"""Whole-article scoring (`searchkit.ranking.scoring.article_scores`) on the bundled corpus: plain-word
queries get a score per candidate article, other queries keep best-passage scoring (None), and the
settings reach it (article mode with whole-article scoring off ranks by best passage)."""
from __future__ import annotations

from whoosh.query import Phrase

from searchkit.index.searching import ranked_searcher
from searchkit.ranking.evaluator import match
from searchkit.ranking.scoring import article_scores
from searchkit.index.facets import best_per_article
from searchkit.settings import DEFAULT_SETTINGS, Settings


def test_plain_words_score_every_candidate_article(corpus_index):
    parsed = corpus_index.parse("Russia talks", DEFAULT_SETTINGS)
    searcher = ranked_searcher(corpus_index, DEFAULT_SETTINGS)
    n, docs, _ = best_per_article(match(searcher, parsed.query))
    assert n >= 2
    scores = article_scores(searcher, parsed.query, docs.tolist())
    assert set(scores) == set(docs.tolist()) and all(s > 0 for s in scores.values())


def test_a_phrase_keeps_best_passage_scoring(corpus_index):
    searcher = ranked_searcher(corpus_index, DEFAULT_SETTINGS)
    assert article_scores(searcher, Phrase("body", ["russia", "talks"]), [0]) is None


def test_article_level_off_ranks_articles_by_their_best_passage(corpus_index):
    off = corpus_index.search("Russia talks", unit="article", limit=20, settings=Settings(article_level=False))
    # the same settings: article_level off is passage statistics in both modes
    passages = corpus_index.search("Russia talks", unit="passage", limit=100, settings=Settings(article_level=False))
    best: dict[str, float] = {}
    for h in passages.hits:
        best.setdefault(h.article.id, h.score)
    assert [h.article.id for h in off.hits] == list(best)[:len(off.hits)]
    assert [h.score for h in off.hits] == [best[h.article.id] for h in off.hits]
