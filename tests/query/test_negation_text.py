"""``-word`` leaves out passages whose *text* has the word (issue 11 item 3): every passage carries its
article's headline, so excluding through the headline emptied `taliban -russia` on the bundled corpus."""
from __future__ import annotations

from searchkit.store.analysis import analyze


def test_minus_word_keeps_passages_without_it_in_their_text(corpus_index):
    res = corpus_index.search("taliban -russia", unit="passage", limit=100)
    assert res.total > 0  # all five headlines say Russia, some Taliban passages do not
    assert all("russia" not in analyze(h.passage_text) for h in res.hits)


def test_minus_headline_word_still_excludes_by_headline(corpus_index):
    every = corpus_index.search("taliban", unit="article", limit=100)
    res = corpus_index.search("taliban -headline:russia", unit="article", limit=100)
    assert every.total > 0
    assert all("russia" not in analyze(h.article.headline or "") for h in res.hits)
