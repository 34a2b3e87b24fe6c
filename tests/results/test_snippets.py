"""Snippets: best sentences of a passage with highlight spans, analysed like the index."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit.store.analysis import analyze, name_analyzer, news_analyzer
from searchkit.results.snippets import ELLIPSIS, MAX_CHARS, make_snippet, sentences

REPO = Path(__file__).resolve().parents[2]
PASSAGE = (
    "Afghanistan’s National Security Advisor Mohammad Hanif Atmar on Friday met with Russian Foreign Minister "
    "Sergey Lavrov in Moscow. The two sides discussed regional security. Russia’s envoy said the talks would "
    "continue next month, and that Moscow talked to the Taliban only to push them towards peace. Officials in "
    "Kabul declined to comment on the meeting, which lasted three hours and ended without a joint statement."
)


def terms(query: str) -> set[str]:
    return set(analyze(query))


def marked(snippet) -> list[str]:
    return [snippet.text[s:e] for s, e in snippet.highlights]


def check_invariants(passage: str, snippet) -> None:
    flat = " ".join(passage.split())
    for part in snippet.text.split(ELLIPSIS):
        # each part is an excerpt of the passage (adjacent sentences are joined by one space)
        assert " ".join(part.split()) in flat, (part, passage)
    prev_end = 0
    for s, e in snippet.highlights:
        assert 0 <= s < e <= len(snippet.text)
        assert s >= prev_end
        prev_end = e


def test_stemmed_and_folded_matches_are_highlighted():
    snip = make_snippet(PASSAGE, terms("talk russia"), news_analyzer())
    words = marked(snip)
    assert "talks" in words and "Russia’s" in words  # stemming and curly-apostrophe possessive
    check_invariants(PASSAGE, snip)


def test_best_sentence_is_the_one_with_most_distinct_terms():
    snip = make_snippet(PASSAGE, terms("kabul comment meeting"), news_analyzer())
    assert "Kabul declined to comment" in snip.text
    assert snip.text.startswith(ELLIPSIS)  # cut after the passage start: says so


def test_name_variants_are_highlighted_through_the_phonetic_analyzer():
    codes = set(analyze("Haneef", "names", mode="query"))
    snip = make_snippet(PASSAGE, set(), news_analyzer(), name_terms=codes, name_analyzer=name_analyzer())
    assert "Hanif" in marked(snip)


def test_no_match_gives_the_opening_sentences_within_the_length_cap():
    snip = make_snippet(PASSAGE, set(), news_analyzer())
    assert PASSAGE.startswith(snip.text.rstrip(" " + ELLIPSIS)) and snip.highlights == []
    assert len(snip.text) <= MAX_CHARS + 2


def test_a_very_long_sentence_is_cut_around_the_match():
    long = "word " * 200 + "Patrushev spoke. " + "more " * 200
    snip = make_snippet(long, terms("patrushev"), news_analyzer())
    assert "Patrushev" in marked(snip) and len(snip.text) <= MAX_CHARS + 4
    check_invariants(long, snip)


def test_sentences_split_on_end_marks_and_line_breaks():
    text = "One. Two! Three?\nFour “quoted.” Five"
    assert [text[s:e] for s, e in sentences(text)] == ["One.", "Two!", "Three?", "Four “quoted.”", "Five"]


def test_phrase_words_on_real_corpus_text():
    text = (REPO / "corpus" / "000_4550e499fde3997a.txt").read_text(encoding="utf-8")[:3000]
    snip = make_snippet(text, terms("peace talks"), news_analyzer())
    assert {"peace", "talks"} <= {w.lower() for w in marked(snip)}
    check_invariants(text, snip)


@settings(max_examples=150, deadline=None)
@given(text=st.lists(st.sampled_from(list("abc ABC.!?\n’'é…\"“”") + ["talks", "Russia", " "]), max_size=150).map("".join),
       query=st.sampled_from(["talk", "russia", "a b c", "abc", "é"]))
def test_invariants_hold_for_any_text(text, query):
    snip = make_snippet(text, terms(query), news_analyzer())
    check_invariants(text, snip)
    assert len(snip.text) <= MAX_CHARS + 8


def test_fast_spans_equal_the_token_streams_on_the_corpus():
    """snippets.match_spans (distinct words decided once, then marked) finds exactly the spans whoosh's
    token stream gives, for text terms and phonetic name codes, on every passage of the bundled corpus."""
    from pathlib import Path

    from searchkit.store.analysis import name_analyzer, news_analyzer
    from searchkit.parse import parse_file
    from searchkit.results.snippets import match_spans, spans_for

    def slow(text, terms, analyzer):
        return sorted((t.startchar, t.endchar, t.text)
                      for t in analyzer(text, chars=True, positions=True, removestops=False, mode="index")
                      if t.text in terms and t.endchar > t.startchar)

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    passages = [p.text for f in sorted(corpus.iterdir()) for a in parse_file(f, corpus) for p in a.passages]
    assert len(passages) > 20
    news, names = news_analyzer(), name_analyzer()
    found = both = 0
    for i, text in enumerate(passages):
        words = text.split()
        chosen = " ".join(words[i % 7::9] + ["Patrushev", "talks", "Russia"])
        wanted = []
        for analyzer in (news, names):
            terms = {t.text for t in analyzer(chosen, mode="index")}
            got = sorted(match_spans(text, terms, analyzer))
            assert got == slow(text, terms, analyzer), text[:60]
            found += len(got)
            wanted.append((terms, analyzer))
        # both analyzers in one tokenizer pass (what the highlighter asks): the union of the two
        together = sorted(spans_for(text, wanted))
        assert together == sorted(slow(text, *wanted[0]) + slow(text, *wanted[1])), text[:60]
        both += len(together)
    assert found > 100 and both == found


@pytest.mark.parametrize("text", [
    "Russia Russian xRussia Russia's Russia’s Russia.Russia U.S. US.S.R. S.Russia",
    "Russia", "talks\ntalks\ttalks—talks(talks)talks", "l’Russia d'Russia Russia'", "u.s.a u.s. U.S.A. U.S",
    "Talks,talks;TALKS talkstalks talks", "naïve naive nai\u0308ve", "x" * 50 + "Russia" + "Russia",
])
def test_words_are_marked_only_where_they_are_whole_tokens(text):
    """The marking pass finds a word by substring search and keeps an occurrence only where the tokenizer
    makes it a token: inside longer words, after apostrophes and dots, at line breaks, the spans are the
    token stream's."""
    from searchkit.results.snippets import spans_for
    from searchkit.store.analysis import name_analyzer, news_analyzer

    news, names = news_analyzer(), name_analyzer()
    for query in ("Russia talks us naive", "U.S. u.s.a S"):
        wanted = [({t.text for t in a(query, mode="index")}, a) for a in (news, names)]
        want = sorted((t.startchar, t.endchar, t.text) for terms, a in wanted
                      for t in a(text, chars=True, positions=True, removestops=False, mode="index")
                      if t.text in terms and t.endchar > t.startchar)
        assert sorted(spans_for(text, wanted)) == want
