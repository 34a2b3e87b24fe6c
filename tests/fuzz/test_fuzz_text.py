"""Fuzzing the text tools (hypothesis): the quote extractor and the snippet builder.

Quotes: for any paragraphs (quote marks of every kind, balanced or not, speech verbs, names, pronouns) every
quote lies in the text, starts in the paragraph it names, and its speaker is made of words the text prints.
Snippets: for real corpus passages and any match spans (overlapping, unordered, from any query), the snippet
is made of pieces of the passage, its highlights are sorted, disjoint, inside it and mark exactly the matched
text. (test_snippets.py fuzzes make_snippet on a small alphabet; this runs on real passages and raw spans.)
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from searchkit.store.analysis import news_analyzer
from searchkit.article.quotes import MIN_QUOTE_WORDS, SPEECH_VERBS, find_quotes
from searchkit.parse import parse_file
from searchkit.results.snippets import ELLIPSIS, MAX_CHARS, build_snippet, make_snippet, match_spans

ROOT = Path(__file__).resolve().parents[2]
MARKS = ['"', "\u201c", "\u201d", "\u00ab", "\u00bb", "\u201e", "'", "\u2019"]
WORDS = ["Atmar", "Mohammad Hanif Atmar", "Lavrov", "Sergey Lavrov", "he", "she", "He", "They", "the minister",
         "a spokesman for the ministry", "said", "says", "told reporters", "added", "according to", "warned",
         "Russia", "the Taliban", "Kabul", "peace", "talks", "will", "continue", "on Monday", "we", "are", "ready",
         "Star Wars", "NATO", "the U.S.", "Mr.", "Dr."]
PUNCT = [" ", " ", " ", ", ", ". ", "! ", "? ", ": ", "; ", " - ", "\u2014", "(", ")", "\n"]
SPEAKERS = ["Atmar", "Mohammad Hanif Atmar", "Lavrov", "he", "she", "the minister", "a spokesman for the ministry"]
QUOTED = st.lists(st.sampled_from(WORDS[16:]), min_size=1, max_size=6).map(" ".join)
ATTRIBUTED = st.one_of(  # the shapes news text attributes speech in, with any marks around any words
    st.tuples(st.sampled_from(MARKS), QUOTED, st.sampled_from(MARKS), st.sampled_from(SPEAKERS))
    .map(lambda t: f"{t[0]}{t[1]},{t[2]} {t[3]} said. "),
    st.tuples(st.sampled_from(SPEAKERS), st.sampled_from(MARKS), QUOTED, st.sampled_from(MARKS))
    .map(lambda t: f"{t[0]} told reporters: {t[1]}{t[2]}.{t[3]} "),
    st.tuples(st.sampled_from(MARKS), QUOTED, st.sampled_from(MARKS), st.sampled_from(SPEAKERS))
    .map(lambda t: f"{t[0]}{t[1]}{t[2]}, according to {t[3]}. "),
)
PARAGRAPH = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(MARKS), st.sampled_from(PUNCT),
                               st.text(max_size=4), ATTRIBUTED), min_size=1, max_size=30).map("".join).map(str.strip).filter(bool)


def _norm(text: str) -> str:
    return " ".join(text.split())


@settings(max_examples=200, deadline=None)
@given(st.lists(PARAGRAPH, min_size=1, max_size=6))
@example(['Atmar told reporters: "Russia Russia." the U.S.\u201dRussia," the minister said.'])  # a mark that opens
@example(['"Russia," the minister said. \nhe"Russia," he said. heAtmar told reporters: "the Taliban."'])  # a stop, then lower case
def test_quotes_come_from_the_text_and_speakers_are_words_it_prints(paragraphs):
    quotes = find_quotes(paragraphs)
    event("quotes found" if quotes else "no quote")
    event("a speaker found" if any(q.speaker for q in quotes) else "no speaker")
    lowered = " ".join(paragraphs).lower()
    for q in quotes:
        assert 0 <= q.paragraph < len(paragraphs)
        assert q.text == q.text.strip() and len(q.text.split()) >= MIN_QUOTE_WORDS
        rest = _norm(" ".join(paragraphs[q.paragraph:]))
        first = q.text.split()[0]
        assert first in paragraphs[q.paragraph]  # it starts where it says it is
        assert all(w in rest for w in q.text.split())  # and is made of the text that follows
        if q.speaker is not None:
            assert q.speaker == q.speaker.strip() and q.speaker and "\n" not in q.speaker
            assert not re.search(r"[\"\u201c\u201d\u00ab\u00bb\u201e]", q.speaker), q.speaker  # never a quote mark
            assert not re.search(rf"\b(?:{SPEECH_VERBS})\b", q.speaker), q.speaker  # who spoke, not "X said. he"
            for w in re.findall(r"\w+", q.speaker):
                assert w.lower() in lowered, (w, q.speaker)


@lru_cache(maxsize=1)
def corpus_passages() -> list[str]:
    return [p.text for f in sorted((ROOT / "corpus").iterdir()) for a in parse_file(f) for p in a.passages]


def check_snippet(passage: str, snippet, spans: list[tuple[int, int]]) -> None:
    flat = _norm(passage)
    for part in snippet.text.split(ELLIPSIS):
        assert _norm(part) in flat
    assert len(snippet.text) <= MAX_CHARS + 2 * len(f" {ELLIPSIS} ")
    prev = 0
    marked = {passage[s:e] for s, e in spans}
    for s, e in snippet.highlights:
        assert prev <= s < e <= len(snippet.text)
        prev = e
        assert snippet.text[s:e] in passage
        # exactly a matched piece of text, or several overlapping/adjacent ones merged
        assert snippet.text[s:e] in marked or any(m in snippet.text[s:e] for m in marked)
    if spans:
        assert snippet.highlights, "a passage with matches got a snippet with none"


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_snippet_of_a_real_passage_with_any_spans(data):
    passage = data.draw(st.sampled_from(corpus_passages()), label="passage")
    words = [m.span() for m in re.finditer(r"\w+", passage)]
    # matches are tokens: whole words or parts of one (a stem), in any order, duplicated or overlapping
    part = st.sampled_from(words).flatmap(
        lambda w: st.integers(w[0], w[1] - 1).flatmap(lambda s: st.tuples(st.just(s), st.integers(s + 1, w[1]))))
    spans = data.draw(st.lists(st.one_of(st.sampled_from(words), part), max_size=8), label="spans")
    snippet = build_snippet(passage, [(s, e, passage[s:e].lower()) for s, e in spans])
    check_snippet(passage, snippet, spans)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_snippet_for_words_of_the_passage_highlights_what_the_analyzer_matches(data):
    passage = data.draw(st.sampled_from(corpus_passages()), label="passage")
    words = data.draw(st.lists(st.sampled_from(passage.split()), min_size=1, max_size=4), label="words")
    analyzer = news_analyzer()
    terms = {t.text for w in words for t in analyzer(w, mode="query")}
    snippet = make_snippet(passage, terms, analyzer)
    spans = [(s, e) for s, e, _ in match_spans(passage, terms, analyzer)]
    check_snippet(passage, snippet, spans)
    for s, e in snippet.highlights:
        assert {t.text for t in analyzer(snippet.text[s:e], mode="index", removestops=False)} & terms
