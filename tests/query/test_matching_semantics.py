"""README's matching semantics on the bundled corpus (issue 11 item 3): a passage matches by its own text; the
headline is article-level evidence, matched once per article (its first passage); ``-headline:word`` leaves
out whole articles; a phrase matches only where it occurs, and is highlighted there (snippet or headline)."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from searchkit.cli import main
from searchkit.store.analysis import analyze


def _has(text: str | None, word: str) -> bool:
    return analyze(word)[0] in analyze(text or "")


def _has_phrase(text: str | None, phrase: str) -> bool:
    words = analyze(phrase)
    got = analyze(text or "")
    return any(got[i:i + len(words)] == words for i in range(len(got)))


def test_taliban_minus_russia_gives_taliban_passages_without_russia_in_their_text(corpus_index):
    res = corpus_index.search("taliban -russia", unit="passage", limit=100)
    assert res.total == len(res.hits) > 0
    for h in res.hits:
        assert not _has(h.passage_text, "russia")
        assert _has(h.passage_text, "taliban") or (h.passage_index == 0 and _has(h.article.headline, "taliban"))


@pytest.mark.parametrize("word", ["atmar", "taliban", "russia", "moscow"])
def test_a_word_matches_passages_by_their_text_and_a_headline_once_per_article(corpus_index, word):
    res = corpus_index.search(word, unit="passage", limit=100)
    assert res.total == len(res.hits) > 0
    leads = set()
    for h in res.hits:
        if not _has(h.passage_text, word):
            # only through the headline: then it is the article's lead, and its headline has the word
            assert h.passage_index == 0 and _has(h.article.headline, word), (h.article.id, h.passage_index)
        if h.passage_index == 0:
            leads.add(h.article.id)
    # every article whose headline has the word is found, at its lead
    articles = corpus_index.search(word, unit="article", limit=100)
    assert {h.article.id for h in articles.hits if _has(h.article.headline, word)} <= leads


def test_a_headline_only_word_matches_the_article_once(corpus_index):
    # "Hanif Atmar: ..." is 001's headline; several of its passages never say Atmar
    res = corpus_index.search("atmar", unit="passage", limit=100)
    hits = [h for h in res.hits if _has(h.article.headline, "atmar")]
    assert hits
    by_article: dict[str, list] = {}
    for h in hits:
        by_article.setdefault(h.article.id, []).append(h)
    for aid, got in by_article.items():
        without = [h for h in got if not _has(h.passage_text, "atmar")]
        assert all(h.passage_index == 0 for h in without), aid


def test_headline_scope_matches_each_article_once_on_its_lead(corpus_index):
    res = corpus_index.search("headline:russia", unit="passage", limit=100)
    assert res.total == len(res.hits) > 0
    assert all(h.passage_index == 0 and _has(h.article.headline, "russia") for h in res.hits)
    assert len({h.article.id for h in res.hits}) == len(res.hits)
    articles = corpus_index.search("headline:russia", unit="article", limit=100)
    assert articles.total == res.total  # article mode: articles with a match


def test_minus_headline_leaves_out_whole_articles(corpus_index):
    every = corpus_index.search("taliban", unit="passage", limit=100)
    res = corpus_index.search("taliban -headline:atmar", unit="passage", limit=100)
    dropped = {h.article.id for h in every.hits if _has(h.article.headline, "atmar")}
    assert dropped and res.total > 0
    assert not {h.article.id for h in res.hits} & dropped
    assert res.total == sum(1 for h in every.hits if h.article.id not in dropped)


def test_headline_and_a_word_keeps_passages_with_the_word_in_those_articles(corpus_index):
    res = corpus_index.search("taliban AND headline:atmar", unit="passage", limit=100)
    assert res.total > 1
    for h in res.hits:
        assert _has(h.article.headline, "atmar")
        assert _has(h.passage_text, "taliban") or (h.passage_index == 0 and _has(h.article.headline, "taliban"))


def test_every_peace_talks_hit_holds_the_phrase_where_it_is_highlighted(corpus_index):
    r = CliRunner().invoke(main, ["search", '"peace talks"', "--index", str(corpus_index.path), "--json", "-n", "50"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["total"] == len(d["results"]) > 0
    for hit in d["results"]:
        passage, article = hit["passage"], hit["article"]
        in_text = _has_phrase(passage["text"], "peace talks")
        in_headline = _has_phrase(article["headline"], "peace talks")
        assert in_text or (in_headline and passage["index"] == 0)
        marked = [passage["snippet"][s:e] for s, e in passage["highlights"]]
        head_marked = [article["headline"][s:e] for s, e in article["headline_highlights"]]
        # the phrase is marked where it is, and nothing else (no lone "talks")
        assert all(re.fullmatch(r"peace\s+talks", m, re.I) for m in marked + head_marked)
        assert (in_text and marked) or (in_headline and head_marked)
        assert bool(head_marked) == in_headline


def test_a_phrase_no_longer_matches_name_codes_anywhere_in_the_passage(corpus_index):
    res = corpus_index.search('"Hanif Atmar"', unit="passage", limit=100)
    assert res.total > 0
    for h in res.hits:
        assert _has_phrase(h.passage_text, "Hanif Atmar") or (h.passage_index == 0
                                                             and _has_phrase(h.article.headline, "Hanif Atmar"))


def test_headline_words_are_marked_in_the_headline(corpus_index):
    res = corpus_index.search("Atmar Taliban", unit="article", limit=10)
    for h in res.hits:
        head = h.article.headline or ""
        marked = {head[s:e].lower() for s, e in h.article.headline_highlights}
        want = {w for w in ("atmar", "taliban") if _has(head, w)}
        assert {m.split("\u2019")[0].split("'")[0] for m in marked} == want
    assert any(h.article.headline_highlights for h in res.hits)


def test_excluded_and_scoped_words_mark_only_where_they_match(corpus_index):
    res = corpus_index.search("headline:taliban", unit="passage", limit=5)
    assert res.hits
    for h in res.hits:
        assert h.article.headline_highlights and not h.snippet.highlights  # a headline clause marks the headline
    res = corpus_index.search("taliban -russia", unit="passage", limit=5)
    for h in res.hits:
        head = h.article.headline or ""
        assert all(head[s:e].lower() == "taliban" for s, e in h.article.headline_highlights)


def test_terminal_marks_headline_words(corpus_index):
    from searchkit.present.terminal import render_results

    res = corpus_index.search("Atmar", unit="article", limit=3)
    head = next(h for h in res.hits if h.article.headline_highlights)
    s, e = head.article.headline_highlights[0]
    shown = render_results(res, color=True, width=200)
    assert "\x1b[33m" + head.article.headline[s:e] in shown.replace("\x1b[1m", "")  # yellow, as in snippets
    assert "\x1b[" not in render_results(res, color=False, width=200)


def test_web_page_marks_headline_words_escaped(corpus_index):
    from searchkit.web.app import create_app

    client = create_app(corpus_index).test_client()
    html = client.get("/", query_string={"q": '"peace talks"'}).get_data(as_text=True)
    heads = re.findall(r"<h2>(.*?)</h2>", html)
    assert any("<mark>peace talks</mark>" in h for h in heads)
    assert not any(re.search(r"<mark>(peace|talks)</mark>", h) for h in heads)  # the phrase, not its words
    res = corpus_index.search('"peace talks"', limit=1)
    page = client.get(f"/articles/{res.hits[0].article.id}", query_string={"q": '"peace talks"'}).get_data(as_text=True)
    assert re.search(r'<h1 id="headline">[^<]*<mark>peace talks</mark>', page)
