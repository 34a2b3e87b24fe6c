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


RANGE_HELP = "a range needs two dates, e.g. date:[2017-01 TO 2017-06]"
ERRORS = [("date:[2017 TO", RANGE_HELP), ("date:{2017 TO", RANGE_HELP),
          ("date:[2017-06-30 TO 2017-01-01]", "from the earlier date to the later one"),
          ("taliban date:[2017-06-30 TO 2017-01-01]", "from the earlier date to the later one"),
          ("the and of", "nothing to search for"), ("🙂", "nothing to search for")]


@pytest.mark.parametrize("query,message", ERRORS)
def test_each_error_reads_the_same_in_cli_json_and_web(corpus_index, query, message):
    from searchkit.web.app import create_app

    runner = CliRunner()
    r = runner.invoke(main, ["search", "--index", str(corpus_index.path), query])
    assert r.exit_code == 1 and r.stdout == "" and r.stderr.count("\n") == 1, r.output
    assert r.stderr.startswith("error: ") and message in r.stderr, r.stderr
    if message == RANGE_HELP:
        assert r.stderr == f"error: {RANGE_HELP}\n"  # not prefixed with whoosh's "[2017"
    r = runner.invoke(main, ["search", "--index", str(corpus_index.path), "--json", query])
    assert r.exit_code == 1 and message in json.loads(r.stdout)["error"]
    client = create_app(corpus_index).test_client()
    api = client.get("/api/search", query_string={"q": query})
    assert api.status_code == 400 and message in api.get_json()["error"]
    page = client.get("/", query_string={"q": query})
    assert page.status_code == 400 and message.split(",")[0] in page.get_data(as_text=True)


def test_a_page_past_the_last_says_so_everywhere(corpus_index):
    from searchkit.web.app import create_app

    r = CliRunner().invoke(main, ["search", "--index", str(corpus_index.path), "taliban", "-p", "99"])
    assert r.exit_code == 0 and "past the last page" in r.stderr and "page 99 of" not in r.stdout, r.output
    client = create_app(corpus_index).test_client()
    api = client.get("/api/search", query_string={"q": "taliban", "page": "99"}).get_json()
    assert api["results"] == [] and any("past the last page" in w for w in api["warnings"])
    page = client.get("/", query_string={"q": "taliban", "page": "99"}).get_data(as_text=True)
    assert "There is no page 99" in page
