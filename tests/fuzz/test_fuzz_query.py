"""Fuzzing the search path end to end (hypothesis): any query string, with any filters and paging, through
`Index.search` on the corpus index gives SearchResults that keep their contract, or a one-line QueryError.

test_search.py fuzzes sequences of query-syntax pieces; here the strings are arbitrary Unicode (control
characters, combining marks, huge words, operators glued to anything) mixed with the corpus's own words, the
filters are arbitrary strings too, and every answer is checked against the invariants a renderer relies on.
"""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchkit import QueryError, SearchResults
from searchkit.results.snippets import ELLIPSIS

WORDS = ["Atmar", "Patrushev", "Taliban", "Russia’s", "Kabul", "peace", "talks", "security", "Moscow", "Hanif",
         "drug", "negot", "afghan", "adviser", "2017", "march"]
SYNTAX = ['"', "(", ")", "-", "+", "*", "?", "~", "~2", "^", ":", "[", "]", "{", "}", " TO ", " AND ", " OR ", " NOT ",
          "headline:", "quote:", "speaker:", "source:", "author:", "date:", "body:", "names:", "pid:", "article:",
          "\\", "/", "'", "\u00a0", "\u200b", "\x00", "\n", "\t"]
QUERY = st.one_of(
    st.text(max_size=200),  # anything at all
    st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(SYNTAX), st.text(max_size=6)), max_size=25).map("".join),
    st.sampled_from(WORDS).map(lambda w: w * 300),  # one giant word
)
FILTER = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["2017", "2017-03", "2017-03-18", "2017-13",
                                                                       "0000", "9999-12-31", "Ariana News", "Atmar"]))


def check_results(res: SearchResults, limit: int, page: int) -> None:
    assert isinstance(res, SearchResults)
    assert 0 <= len(res.hits) <= limit and res.total >= 0
    if res.unit == "passage":
        assert len(res.hits) <= max(0, res.total - (page - 1) * limit)
    assert [h.rank for h in res.hits] == list(range((page - 1) * limit + 1, (page - 1) * limit + 1 + len(res.hits)))
    for h in res.hits:
        snippet, passage = h.snippet.text, " ".join(h.passage_text.split())
        for part in snippet.split(ELLIPSIS):
            assert " ".join(part.split()) in passage
        prev = 0
        for s, e in h.snippet.highlights:
            assert prev <= s < e <= len(snippet)
            prev = e
    assert all("\n" not in w for w in res.warnings)
    json.dumps(res.to_dict())  # the JSON contract always serialises


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=QUERY, unit=st.sampled_from(["passage", "article"]), page=st.integers(1, 3),
       limit=st.sampled_from([1, 3, 10]))
def test_any_query_gives_results_or_a_one_line_query_error(corpus_index, query, unit, page, limit):
    try:
        res = corpus_index.search(query, unit=unit, page=page, limit=limit)
    except QueryError as e:
        assert str(e) and "\n" not in str(e)
        return
    check_results(res, limit, page)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
       since=FILTER, until=FILTER, source=FILTER, speaker=FILTER)
def test_any_filters_narrow_or_give_a_one_line_query_error(corpus_index, query, since, until, source, speaker):
    try:
        res = corpus_index.search(query, since=since, until=until, source=source, speaker=speaker)
    except QueryError as e:
        assert str(e) and "\n" not in str(e)
        return
    check_results(res, 10, 1)
    unfiltered = corpus_index.search(query, limit=100)
    assert res.total <= unfiltered.total  # a filter never adds matches
    for h in res.hits:
        if source is not None and source.strip():  # the facet values the typed source named (issue 11 item 7)
            assert h.article.source in res.filters["source"]
        if since and res.hits and h.article.date:
            assert h.article.date[: len(since)] >= since[:10]


@settings(max_examples=40, deadline=None)
@given(limit=st.one_of(st.integers(-5, 200), st.floats(allow_nan=True), st.text(max_size=3), st.none()),
       page=st.one_of(st.integers(-5, 10**9), st.text(max_size=3), st.none()),
       unit=st.one_of(st.sampled_from(["passage", "article"]), st.text(max_size=8)))
def test_bad_paging_arguments_are_a_query_error(corpus_index, limit, page, unit):
    try:
        res = corpus_index.search("Atmar", limit=limit, page=page, unit=unit)
    except QueryError as e:
        assert "\n" not in str(e)
        return
    assert isinstance(limit, int) and isinstance(page, int)
    check_results(res, limit, page)
