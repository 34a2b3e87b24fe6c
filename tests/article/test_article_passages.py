"""Passages: readable size, exact offsets into the body, every body character covered once."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit.article.passages import MAX_WORDS, MIN_WORDS, make_passages
from searchkit.model import join_paragraphs, paragraph_spans

SENTENCE = st.builds(
    lambda words, end: " ".join(words).capitalize() + end,
    st.lists(st.sampled_from("port ships the union said on Monday U.S. strike wages dock workers".split()),
             min_size=1, max_size=40),
    st.sampled_from([".", "!", "?", ".\u201d"]),
)
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=12).map(" ".join)


def _check(paragraphs: list[str]) -> None:
    body = "\n\n".join(paragraphs)
    assert join_paragraphs(paragraphs) == body
    assert [body[s:e] for s, e in paragraph_spans(paragraphs)] == paragraphs  # the offsets everyone maps with
    passages = make_passages(paragraphs)
    pos = 0
    for i, p in enumerate(passages):
        assert p.index == i
        assert body[p.start:p.end] == p.text and p.text == p.text.strip()
        assert body[pos:p.start].strip() == ""  # only whitespace between passages
        assert len(p.text.split()) <= MAX_WORDS or " " not in p.text.strip()
        pos = p.end
    assert body[pos:].strip() == ""


@settings(max_examples=40, deadline=None)
@given(st.lists(PARAGRAPH, min_size=1, max_size=8))
def test_passages_cover_the_body_exactly(paragraphs):
    _check(paragraphs)


def test_short_paragraphs_merge_and_long_ones_split_at_sentence_ends():
    short = ["The port reopened.", "Ships queued at dawn.", "Crews worked all night to clear the backlog."]
    long = " ".join(f"Sentence number {i} describes the strike and its many effects on trade." for i in range(40))
    passages = make_passages(short + [long])
    assert passages[0].text.startswith("The port reopened.\n\nShips queued at dawn.")
    for p in passages:
        assert MIN_WORDS <= len(p.text.split()) <= MAX_WORDS
    assert all(p.text.endswith(".") for p in passages)


def test_a_sentence_longer_than_the_limit_is_cut_at_words():
    passages = make_passages(["word " * 500])
    assert [len(p.text.split()) for p in passages] == [125, 125, 125, 125]
    _check(["word " * 500])


def test_empty_body_has_no_passages():
    assert make_passages([]) == []
