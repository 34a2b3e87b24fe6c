"""Quoted date values (issue 12, defect 5): `date:"x"` and friends are a one-line error (or a dropped part
with a warning), never a traceback or a 500; in --batch only that query fails; a quoted good date works."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from searchkit.cli import main
from searchkit.errors import QueryError
from searchkit.web.app import create_app

BAD = ['date:"x"', 'date:":"', 'date:" "', 'date:"a b"', 'date:"2017-13-45"', 'date:""', 'date:"[2017 TO x]"']


@pytest.mark.parametrize("query", BAD)
def test_a_bad_quoted_date_is_a_query_error(corpus_index, query):
    with pytest.raises(QueryError, match="not a date"):
        corpus_index.search(query)


def test_a_bad_quoted_date_beside_words_is_dropped_with_a_warning(corpus_index):
    plain = corpus_index.search("taliban")
    mixed = corpus_index.search('taliban date:"x"')
    assert mixed.total == plain.total > 0
    assert any("not a date" in w for w in mixed.warnings)


def test_a_good_quoted_date_filters_like_the_unquoted_one(corpus_index):
    first = corpus_index.info()["date_from"]
    assert first, "the bundled corpus has dated articles (else this test proves nothing)"
    year = first[:4]
    assert corpus_index.search(f'the date:"{year}"').total == corpus_index.search(f"the date:{year}").total > 0


def test_cli_one_line_error_and_batch_goes_on(corpus_index):
    runner = CliRunner()
    for query in BAD:
        r = runner.invoke(main, ["search", query, "--index", str(corpus_index.path)])
        assert r.exit_code == 1 and r.exception is None or isinstance(r.exception, SystemExit), (query, r.output)
        assert "Traceback" not in r.output and r.output.count("\n") == 1 and "not a date" in r.output, r.output
    lines = [json.dumps({"id": i, "query": q}) for i, q in enumerate(BAD + ["taliban"])]
    r = runner.invoke(main, ["search", "--batch", "-", "--index", str(corpus_index.path)], input="\n".join(lines))
    assert r.exit_code == 0, r.output
    out = [json.loads(x) for x in r.output.splitlines()]
    assert [o["id"] for o in out] == list(range(len(BAD) + 1))
    assert all("not a date" in o["error"] for o in out[:-1]) and out[-1]["total"] > 0


def test_web_gives_400_not_500(corpus_index):
    client = create_app(corpus_index).test_client()
    for query in BAD:
        for url in ("/api/search", "/"):
            r = client.get(url, query_string={"q": query})
            assert r.status_code == 400, (url, query, r.status_code)
