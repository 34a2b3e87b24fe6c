"""Export (issue 14): `searchkit search --format csv|jsonl [--all]`, the page's CSV link and the API's format=csv."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from searchkit import open_index
from searchkit.cli import main
from searchkit.export import COLUMNS, safe_cell, write_csv
from searchkit.results.search import iter_hits
from searchkit.web import create_app

HOSTILE = [
    {"id": "evil-1", "title": "=HYPERLINK(\"http://evil.example\",\"click\") dockworkers strike", "date": "2022-02-02",
     "source": "+Source", "author": "@mallory", "url": "http://example.org/a?x=1,2",
     "text": "-2+3 dockworkers strike, \"quoted\", commas, and a newline\nin the middle; ünïcödé ✓."},
]


@pytest.fixture(scope="module")
def export_index(tmp_path_factory, story_index):
    tmp = tmp_path_factory.mktemp("export")
    (tmp / "in").mkdir()
    (tmp / "in" / "evil.jsonl").write_text("\n".join(json.dumps(h) for h in HOSTILE) + "\n", encoding="utf-8")
    index = open_index(tmp / "index")
    index.add([story_index.path.parent / "story", tmp / "in"])
    return index


def run(index, *args) -> str:
    out = CliRunner().invoke(main, ["search", *args, "--index", str(index.path)])
    assert out.exit_code == 0, out.output
    return out.output


def test_csv_rows_are_the_page_hits(export_index):
    results = export_index.search("dockworkers strike", limit=5)
    rows = list(csv.DictReader(io.StringIO(run(export_index, "dockworkers strike", "-n", "5", "--format", "csv"))))
    assert tuple(rows[0]) == COLUMNS
    assert [(r["rank"], r["article_id"], r["passage_index"]) for r in rows] == \
        [(str(h.rank), h.article.id, str(h.passage_index)) for h in results.hits]
    assert rows[0]["snippet"] == safe_cell(results.hits[0].snippet.text)


def test_csv_neutralises_formulas_and_keeps_text_intact(export_index):
    text = run(export_index, "HYPERLINK", "--format", "csv")
    assert text.startswith('"rank","score"')  # header row, every field quoted
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["headline"].startswith("'=HYPERLINK(") and row["source"] == "'+Source"
    # "@mallory" is no byline since issue 13 (`searchkit.article.plausible.plausible_author`): not indexed at all
    assert not row["author"].startswith("@")
    assert row["url"] == HOSTILE[0]["url"] and row["date"] == "2022-02-02"
    evil = list(csv.DictReader(io.StringIO(run(export_index, "ünïcödé", "--format", "csv"))))
    assert evil and "ünïcödé" in evil[0]["snippet"]


def test_jsonl_keeps_values_untouched(export_index):
    lines = run(export_index, "HYPERLINK", "--format", "jsonl").splitlines()
    row = json.loads(lines[0])
    assert list(row) == list(COLUMNS) and row["headline"] == HOSTILE[0]["title"] and row["url"] == HOSTILE[0]["url"]


def test_all_streams_every_match_in_rank_order(export_index):
    results = export_index.search("dockworkers strike", limit=3)
    rows = [json.loads(x) for x in run(export_index, "dockworkers strike", "--format", "jsonl", "--all").splitlines()]
    assert len(rows) == results.total > 3
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert [(r["article_id"], r["passage_index"]) for r in rows[:3]] == \
        [(h.article.id, h.passage_index) for h in results.hits], "the first page is the page search gives"
    articles = [json.loads(x) for x in run(export_index, "dockworkers strike", "--articles", "--format", "jsonl",
                                           "--all").splitlines()]
    assert len(articles) == export_index.search("dockworkers strike", unit="article").total
    assert len({a["article_id"] for a in articles}) == len(articles)


def test_writers_stream_one_hit_at_a_time(export_index):
    out = io.StringIO()
    written = []

    def hits():
        for i, hit in enumerate(iter_hits(export_index, "dockworkers strike")):
            written.append(out.getvalue().count("\r\n"))  # rows on the page before this hit was made
            yield hit

    n = write_csv(hits(), out)
    assert n == export_index.search("dockworkers strike").total
    assert written == list(range(1, n + 1)), "each row is written before the next hit is read"


def test_all_needs_a_format_and_a_bad_query_fails_before_any_row(export_index):
    bad = CliRunner().invoke(main, ["search", "x", "--all", "--index", str(export_index.path)])
    assert bad.exit_code == 2 and "--format" in bad.output
    broken = CliRunner().invoke(main, ["search", "date:2017-13", "--format", "csv", "--all",
                                       "--index", str(export_index.path)])
    assert broken.exit_code == 1 and '"rank"' not in broken.output


def test_api_format_csv_and_the_page_link(export_index):
    client = create_app(export_index).test_client()
    r = client.get("/api/search", query_string={"q": "dockworkers strike", "limit": 4, "format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    body = r.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    api = client.get("/api/search", query_string={"q": "dockworkers strike", "limit": 4}).get_json()
    assert [r["article_id"] for r in rows] == [h["article"]["id"] for h in api["results"]]
    page = client.get("/", query_string={"q": "dockworkers strike", "limit": 4, "page": 2}).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" download>Download CSV</a>', page).group(1).replace("&amp;", "&")
    assert link.startswith("/api/search?") and "format=csv" in link and "page=2" in link and "limit=4" in link
    assert client.get("/api/search", query_string={"q": "x", "format": "xml"}).status_code == 400
