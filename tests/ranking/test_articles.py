"""Article-level BM25F (`searchkit.ranking.articles`) on the bundled corpus: article statistics, every
matching article scored, article-mode pages partitioning one ranking, passages ranked with their article."""
from __future__ import annotations

import math

import numpy as np
import pytest

from searchkit.index.searching import ranked_searcher
from searchkit.ranking.articles import pair_accumulators, query_words, score_articles
from searchkit.store.layout import article_id
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


def test_proximity_rewards_the_articles_holding_the_words_together(corpus_index):
    searcher = ranked_searcher(corpus_index, DEFAULT_SETTINGS)
    text = "Moscow Process"
    words = query_words(corpus_index.parse(text, DEFAULT_SETTINGS).query, text)
    gained = set()
    for seg, _, starts, _ in score_articles(searcher, words, DEFAULT_SETTINGS).segments:
        docs = np.arange(seg.doc_count_all())
        for _, _, acc in pair_accumulators(seg, docs, words, DEFAULT_SETTINGS.proximity_window):
            gained |= {article_id(seg, int(starts[np.searchsorted(starts, d, side="right") - 1]))
                       for d, a in acc.items() if a > 0}
    phrase = {h.article.id for h in corpus_index.search('"moscow process"', unit="article", limit=20).hits}
    assert phrase and phrase <= gained  # the words side by side always earn the bonus


def test_moscow_process_puts_the_phrase_passage_first(corpus_index):
    # 004 says "known as the Moscow Process" in one passage, "Moscow" and "process" far apart in others
    res = corpus_index.search("Moscow Process", unit="passage", limit=5)
    assert "moscow process" in " ".join(res.hits[0].passage_text.lower().split())
    assert any("moscow process" not in " ".join(h.passage_text.lower().split()) for h in res.hits[1:])


def test_pair_accumulator_rewards_words_together_and_in_order(corpus_index):
    searcher = ranked_searcher(corpus_index, DEFAULT_SETTINGS)
    seg = searcher.reader() if searcher.is_atomic() else searcher.reader().leaf_readers()[0][0]
    docs = np.arange(seg.doc_count_all())

    def acc(text):
        words = query_words(corpus_index.parse(text, DEFAULT_SETTINGS).query, text)
        return pair_accumulators(seg, docs, words, DEFAULT_SETTINGS.proximity_window)[0][2]

    near, back = acc("Moscow Process"), acc("Process Moscow")
    best = max(near, key=near.get)
    assert near[best] > 0 and back[best] < near[best]  # the same passage, the words asked for the other way round


@pytest.mark.parametrize("text", ["russia", "headline:taliban", "Atmar Patrushev", "tripartite meeting kabul"])
@pytest.mark.parametrize("pairs", [False, True])
def test_sparse_and_dense_article_scores_are_the_same_floats(corpus_index, text, pairs, monkeypatch):
    """Articles holding a query word are scored alone when they are few (`articles.SPARSE_ARTICLES`), every
    article otherwise: forced each way, every article's score is the same float."""
    import searchkit.ranking.articles as articles

    searcher = ranked_searcher(corpus_index, DEFAULT_SETTINGS)
    parsed = corpus_index.parse(text, DEFAULT_SETTINGS)
    words = query_words(parsed.query, text)
    got = {}
    for way, factor in (("sparse", 0), ("dense", 10 ** 9)):
        monkeypatch.setattr(articles, "SPARSE_ARTICLES", factor)
        scores = score_articles(searcher, words, DEFAULT_SETTINGS, pairs=pairs)
        got[way] = [s.tolist() for _, _, _, s in scores.segments], scores.idfs
    assert any(v > 0 for seg in got["sparse"][0] for v in seg)
    assert got["sparse"] == got["dense"]
