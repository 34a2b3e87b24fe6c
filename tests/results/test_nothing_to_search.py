"""Issue 11 item 7: a query with nothing runnable is a one-line error (exit 1, ``{"error"}`` in JSON), and a
page past the last says so."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from searchkit.cli import main
from searchkit.errors import QueryError


@pytest.mark.parametrize("query", ["", "   ", "the and of", "🙂"])
def test_nothing_runnable_is_an_error(corpus_index, query):
    with pytest.raises(QueryError):
        corpus_index.search(query)
    out = CliRunner().invoke(main, ["search", "--index", str(corpus_index.path), "--json", query])
    assert out.exit_code == 1 and "error" in json.loads(out.output.strip().splitlines()[-1])


def test_a_page_past_the_last_says_so(corpus_index):
    res = corpus_index.search("taliban", page=99)
    assert res.total > 0 and not res.hits
    assert any("past the last page" in w for w in res.warnings)


def test_an_unclosed_date_range_says_what_a_range_needs(corpus_index):
    with pytest.raises(QueryError, match="a range needs two dates"):
        corpus_index.search("date:[2017 TO")


def test_a_reversed_date_range_is_an_error_like_since_after_until(corpus_index):
    with pytest.raises(QueryError, match="earlier date"):
        corpus_index.search("taliban date:[2017-06-30 TO 2017-01-01]")
    with pytest.raises(QueryError, match="after"):
        corpus_index.search("taliban", since="2017-06", until="2017-03")
