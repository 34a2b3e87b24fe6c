"""Near pairs of query words in the article score (`searchkit.ranking.pairs`): the counting rule, the pairs a
query text makes, and their effect on the bundled corpus (article mode only)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from searchkit.index.searching import ranked_searcher
from searchkit.ranking.articles import query_words, score_articles
from searchkit.ranking.pairs import query_pairs
from searchkit.store.positions import near_count
from searchkit.settings import DEFAULT_SETTINGS
from searchkit.store.layout import article_id


def test_near_count_counts_first_word_occurrences_with_the_second_close_by_either_side():
    assert near_count([3, 20, 40], [5, 17], 8) == 2  # 3 has 5 after it, 20 has 17 before it, 40 has none
    assert near_count([3], [12], 8) == 0 and near_count([3], [11], 8) == 1  # the window is inclusive
    assert near_count([4], [4], 8) == 0  # one token read as both words is not a pair
    assert near_count([4], [4, 6], 8) == 1
    assert near_count([], [1], 8) == 0 and near_count([1], [], 8) == 0


def test_query_pairs_follow_the_text_not_the_distinct_words():
    assert query_pairs(["a", "b", "c", "a", "d"]) == [("a", "b"), ("b", "c"), ("c", "a"), ("a", "d")]
    assert query_pairs(["a", "b", "a", "b"]) == [("a", "b"), ("b", "a")]
    assert query_pairs(["a", "a"]) == [] and query_pairs(["a"]) == []


def _scores(index, text: str, pairs: bool, settings=DEFAULT_SETTINGS) -> dict[str, float]:
    searcher = ranked_searcher(index, settings)
    words = query_words(index.parse(text, settings).query, text)
    out = {}
    for seg, _, starts, s in score_articles(searcher, words, settings, pairs=pairs).segments:
        for k, d in enumerate(starts.tolist()):
            if s[k] > 0:
                out[article_id(seg, d)] = float(s[k])
    return out


def test_articles_holding_the_words_together_gain_and_only_they(corpus_index):
    text = "Moscow Process"
    words = query_words(corpus_index.parse(text, DEFAULT_SETTINGS).query, text)
    assert words.sequence == ["moscow", "process"]
    plain, paired = _scores(corpus_index, text, False), _scores(corpus_index, text, True)
    phrase = {h.article.id for h in corpus_index.search('"moscow process"', unit="article", limit=20).hits}
    assert phrase and set(plain) == set(paired)
    for art in plain:
        if art in phrase:
            assert paired[art] > plain[art]  # side by side is within any window
    assert any(paired[a] == plain[a] for a in plain if a not in phrase)  # words apart (or one only) gain nothing
    off = replace(DEFAULT_SETTINGS, pair_weight=0.0)
    assert _scores(corpus_index, text, True, off) == plain


def test_passage_mode_is_untouched_by_the_pair_term(corpus_index):
    off = replace(DEFAULT_SETTINGS, pair_weight=0.0)

    def ranking(settings):
        res = corpus_index.search("Russia Taliban talks", unit="passage", limit=20, settings=settings)
        return [(h.article.id, h.passage_index, round(h.score, 9)) for h in res.hits]

    assert ranking(DEFAULT_SETTINGS) == ranking(off)


def test_article_mode_uses_the_pair_term(corpus_index):
    off = replace(DEFAULT_SETTINGS, pair_weight=0.0)
    on = corpus_index.search("Moscow Process", unit="article", limit=20).hits
    plain = corpus_index.search("Moscow Process", unit="article", limit=20, settings=off).hits
    assert {h.article.id for h in on} == {h.article.id for h in plain}
    assert np.sum([h.score for h in on]) > np.sum([h.score for h in plain])
