"""Article-level BM25F (`searchkit.ranking.articles`) on the bundled corpus: article statistics, every
matching article scored, article-mode pages partitioning one ranking, passages ranked with their article."""
from __future__ import annotations

import math

from searchkit.index.searching import ranked_searcher
from searchkit.ranking.articles import query_words, score_articles
from searchkit.settings import DEFAULT_SETTINGS


def test_idf_counts_articles_not_passages(corpus_index):
    searcher = ranked_searcher(corpus_index, DEFAULT_SETTINGS)
    words = query_words(corpus_index.parse("taliban", DEFAULT_SETTINGS).query, "taliban")
    scores = score_articles(searcher, words, DEFAULT_SETTINGS)
    holding = sum(int((s > 0).sum()) for _, _, _, s in scores.segments)
    assert scores.n_articles >= 5 and holding <= scores.n_articles
    assert abs(scores.idfs[0] - math.log(1 + (scores.n_articles - holding + 0.5) / (holding + 0.5))) < 1e-9


def test_article_pages_partition_one_ranking(corpus_index):
    whole = [h.article.id for h in corpus_index.search("Russia talks", unit="article", limit=4).hits]
    pages = [h.article.id for p in (1, 2) for h in corpus_index.search("Russia talks", unit="article", limit=2, page=p).hits]
    assert len(whole) >= 3 and pages == whole and len(set(pages)) == len(pages)


def test_every_matching_article_is_ranked(corpus_index):
    res = corpus_index.search("Russia talks", unit="article", limit=50)
    passages = corpus_index.search("Russia talks", unit="passage", limit=100)
    assert res.total == len(res.hits) == len({h.article.id for h in passages.hits})
    scores = [h.score for h in res.hits]
    assert scores == sorted(scores, reverse=True)
