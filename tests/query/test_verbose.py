"""Issue 11 item 5: a query all in upper case, or a long question, reads AND/OR/NOT as words; typed operators
keep working in ordinary queries (`searchkit.query.words`)."""
from __future__ import annotations

import re

import pytest
import whoosh.query as wq

from searchkit.query.parser import parse_query
from searchkit.query.words import is_verbose, operators_as_words
from searchkit.store.schema import build_schema

SCHEMA = build_schema()


def parse(text: str):
    return parse_query(text, SCHEMA).query


def kinds(q) -> set[type]:
    out = {type(q)}
    if not q.is_leaf():
        for sub in q.children():
            out |= kinds(sub)
    return out


@pytest.mark.parametrize("text", ["WHAT DID RUSSIA AND THE TALIBAN SAY", "TALIBAN NOT RUSSIA PEACE TALKS",
                                  "KABUL OR MOSCOW TALKS NOT HELD", "What did Russia AND the Taliban say?",
                                  "did Kabul OR Moscow host the talks"])
def test_verbose_queries_read_operators_as_words(text):
    assert is_verbose(text)
    q = parse(text)
    assert q == parse(text.lower()), text  # exactly the query of the same words typed in lower case
    assert not kinds(q) & {wq.And, wq.AndNot, wq.Not}, q


@pytest.mark.parametrize("text,kind", [("kabul OR moscow", wq.Or), ("kabul AND moscow", wq.And),
                                       ("taliban NOT russia", wq.AndNot), ("KABUL AND MOSCOW", wq.And),
                                       ("russia AND taliban AND pakistan AND china", wq.And),
                                       ("taliban NOT russia peace talks held", wq.AndNot),
                                       ('What did Lavrov say NOT "peace talks"?', wq.AndNot)])
def test_typed_operators_keep_working_in_ordinary_queries(text, kind):
    assert not is_verbose(text) or '"' in text
    assert kind in kinds(parse(text)), (text, parse(text))


def test_only_the_operators_change():
    assert operators_as_words("US AND UK OR NOT-A-WORD (NOT NATO)") == "US and UK or NOT-A-WORD (not NATO)"
    assert operators_as_words("kabul AND moscow") == "kabul AND moscow"


def test_an_upper_case_question_with_not_keeps_the_word_on_the_corpus(corpus_index):
    """``NOT`` in a pasted title is a word: passages about Russia are not left out."""
    pasted = corpus_index.search("TALIBAN NOT RUSSIA PEACE TALKS", limit=50)
    typed = corpus_index.search("taliban NOT russia peace talks", limit=50)
    says_russia = re.compile(r"\brussia\b", re.IGNORECASE)
    assert any(says_russia.search(h.passage_text) for h in pasted.hits)
    assert not any(says_russia.search(h.passage_text) for h in typed.hits)
    assert pasted.total > typed.total
