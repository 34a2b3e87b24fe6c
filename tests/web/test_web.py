"""The web app (in-process, Flask test client) over a real index of corpus/ plus a hostile article.

Browser behaviour is in tests/browser/; the OpenAPI fuzzing in test_web_openapi.py; the `serve`
command and the threaded server in test_web_server.py.
"""
from __future__ import annotations

import json
import logging
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from searchkit import open_index
from searchkit.model import Snippet
from searchkit.present.html import article_paragraphs, highlight_html, snippet_html
from searchkit.web import create_app
from searchkit.web.params import MAX_LIMIT, MAX_PAGE, MAX_QUERY_CHARS

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "fixtures" / "web" / "hostile.jsonl"
HOSTILE_ID = json.loads(HOSTILE.read_text(encoding="utf-8").splitlines()[0])["id"]


@pytest.fixture(scope="module")
def web_index(tmp_path_factory):
    index = open_index(tmp_path_factory.mktemp("web") / "index")
    index.add([ROOT / "corpus", HOSTILE.parent])
    return index


@pytest.fixture(scope="module")
def client(web_index):
    return create_app(web_index).test_client()


def article_path(article_id: str, api: bool = False) -> str:
    from urllib.parse import quote

    return ("/api/articles/" if api else "/articles/") + quote(article_id, safe="/")


# --- the <mark> renderer -------------------------------------------------------------------------

class _MarkedText(HTMLParser):
    """Reads back what a browser would show: the text, and which parts are inside <mark>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.marked, self.tags, self._in = "", [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in = tag == "mark"

    def handle_endtag(self, tag):
        self._in = False

    def handle_data(self, data):
        if self._in:
            self.marked.append(data)
        self.text += data


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab <>&\"'/=x;") + ["<script>", "<img src=x onerror=alert(1)>", "&amp;"]))
       .map("".join),
       st.lists(st.tuples(st.integers(-3, 60), st.integers(-3, 60)), max_size=6))
def test_highlight_html_escapes_every_segment_and_marks_only_spans(text, spans):
    html = highlight_html(text, spans)
    assert isinstance(html, Markup)
    parsed = _MarkedText()
    parsed.feed(str(html))
    parsed.close()
    assert parsed.text == text, "the reader sees exactly the original text"
    assert set(parsed.tags) <= {"mark"}, "no element but <mark> can come out of document text"


def test_snippet_html_marks_the_highlight_spans():
    snippet = Snippet("Atmar & <b>Patrushev</b> met", [(0, 5), (11, 20)])
    assert str(snippet_html(snippet)) == "<mark>Atmar</mark> &amp; &lt;b&gt;<mark>Patrushev</mark>&lt;/b&gt; met"


# --- pages ---------------------------------------------------------------------------------------

def test_home_page_is_a_plain_get_form_with_security_headers(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert re.search(r'<form[^>]*role="search"[^>]*method="get"', html)
    assert re.search(r'<input type="search" id="q" name="q"[^>]*autofocus', html)
    assert '<label for="q"' in html
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"]
    assert "<script>" not in html and "style=" not in html, "no inline script or style (CSP)"


def test_results_page_shows_highlighted_passages_linking_to_their_article(client, web_index):
    expected = web_index.search("Atmar", limit=10)
    assert expected.hits
    r = client.get("/?q=Atmar")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<mark>" in html
    assert f">{expected.total:,} passage" in html
    first = expected.hits[0]
    link = f'{article_path(first.article.id)}?q=Atmar&passage={first.passage_index}#p{first.passage_index}'
    assert link.replace("&", "&amp;") in html
    assert 'value="Atmar"' in html, "the search box keeps the query"


def test_article_page_shows_clean_article_with_anchors_and_quotes(client, web_index):
    hit = web_index.search("Atmar", limit=1).hits[0]
    article = web_index.article(hit.article.id)
    r = client.get(article_path(article.id) + "?q=Atmar")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert f'id="p{hit.passage_index}"' in html
    assert re.search(r"<mark>Atmar</mark>", html), "the query's words are marked in the article"
    for p in article.passages:
        assert f'id="p{p.index}"' in html
    if article.headline:
        assert str(Markup.escape(article.headline)) in html
    for q in article.quotes:
        assert q.speaker is None or str(Markup.escape(q.speaker)) in html


def test_each_passage_maps_to_the_paragraphs_that_hold_it(web_index):
    ids = {h.article.id for q in ("Atmar", "Taliban", "quokkas") for h in web_index.search(q, limit=50).hits}
    assert len(ids) >= 3
    for article in map(web_index.article, sorted(ids)):
        views = article_paragraphs(article)
        assert len(views) == len(article.paragraphs)
        for passage in article.passages:
            holding = [i for i, v in enumerate(views) if passage.index in v.passages]
            assert passage.index in views[holding[0]].anchors
            assert holding == list(range(holding[0], holding[-1] + 1))
            words = " ".join(article.paragraphs[i] for i in holding).split()
            assert " ".join(passage.text.split()) in " ".join(words)


def test_article_page_marks_words_as_the_index_analyses_them(client, web_index):
    hit = web_index.search('"peace talks"', limit=1).hits[0]
    html = client.get(article_path(hit.article.id), query_string={"q": "talk"}).get_data(as_text=True)
    assert "<mark>talks</mark>" in html, "stemming: the query talk marks talks"


def test_unknown_article_is_a_404_page_and_ids_never_reach_the_filesystem(client, web_index):
    index_file = next(p.name for p in Path(web_index.path).iterdir() if p.is_file())
    for bad in ("nope", "../../../etc/passwd", "/etc/passwd", "%2e%2e/%2e%2e/etc/passwd", f"../index/{index_file}",
                str(ROOT / "corpus" / "000_4550e499fde3997a.txt")):
        r = client.get("/api/articles/" + bad)
        assert r.status_code == 404, bad
        assert r.get_json()["status"] == 404
        assert client.get("/articles/" + bad).status_code == 404


FIXTURE_IDS = [json.loads(line)["id"] for line in HOSTILE.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("article_id", FIXTURE_IDS)
def test_ids_with_slash_hash_and_dots_round_trip(client, web_index, article_id):
    assert "/" in article_id and "#" in article_id
    r = client.get(article_path(article_id, api=True))
    assert r.status_code == 200
    from searchkit.web.app import without_absolute_paths

    assert r.get_json() == without_absolute_paths(web_index.article(article_id).to_dict())
    with client.application.test_request_context():
        from searchkit.web.app import article_url

        url = article_url(article_id, "x")
    assert "#" not in url and client.get(url).status_code == 200


def test_hostile_article_is_rendered_as_text(client, web_index):
    article = web_index.article(HOSTILE_ID)
    assert "<script>" in article.headline, "fixture keeps its payload (else this test proves nothing)"
    for url in (article_path(HOSTILE_ID) + "?q=quokkas", "/?q=quokkas+marmalade", "/?q=quokkas&unit=article"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>window" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;window.xssFired=1" in html, url
    page = client.get(article_path(HOSTILE_ID)).get_data(as_text=True)
    assert 'href="javascript:' not in page, "non-http(s) article URLs are never links"


@pytest.mark.parametrize("q", ["<script>window.xssFired=1</script>", '"><img src=x onerror=alert(1)>', "</title><script>x"])
def test_hostile_queries_are_rendered_as_text(client, q):
    r = client.get("/", query_string={"q": q})
    html = r.get_data(as_text=True)
    assert r.status_code in (200, 400)
    assert q not in html
    assert "<img src=x" not in html and "<script>window" not in html


# --- JSON API ------------------------------------------------------------------------------------

def _without_time(d: dict) -> dict:
    return {k: v for k, v in d.items() if k != "elapsed_ms"}


def test_api_search_is_the_cli_json_object(client, web_index):
    params = {"q": "Russia Taliban", "limit": "3", "page": "2", "unit": "article"}
    api = client.get("/api/search", query_string=params).get_json()
    from searchkit.cli import main

    cli = CliRunner().invoke(main, ["search", params["q"], "--index", str(web_index.path), "--limit", "3",
                                    "--page", "2", "--articles", "--json"])
    assert cli.exit_code == 0, cli.output
    from searchkit.web.app import without_absolute_paths  # the API does not say where the user's files are

    assert _without_time(api) == _without_time(without_absolute_paths(json.loads(cli.stdout)))
    assert api["page"] == 2 and api["unit"] == "article" and len(api["results"]) <= 3


def test_api_filters_narrow_the_results(client, web_index):
    everything = client.get("/api/search?q=Afghanistan&limit=100").get_json()
    source = max(everything["facets"]["source"], key=everything["facets"]["source"].get)
    narrowed = client.get("/api/search", query_string={"q": "Afghanistan", "limit": 100, "source": source}).get_json()
    assert narrowed["results"] and all(h["article"]["source"] == source for h in narrowed["results"])
    years = sorted(everything["facets"].get("year", {}))
    if years:
        y = years[0]
        dated = client.get("/api/search", query_string={"q": "Afghanistan", "since": f"{y}-01-01",
                                                        "until": f"{y}-12-31", "limit": 100}).get_json()
        assert all(h["article"]["date"].startswith(str(y)) for h in dated["results"])


def test_api_info_and_openapi(client):
    info = client.get("/api/info")
    assert info.status_code == 200 and isinstance(info.get_json(), dict)
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = set(doc["paths"])
    served = {re.sub(r"<[^:>]+:(\w+)>", r"{id}", r.rule) for r in client.application.url_map.iter_rules()
              if r.endpoint != "static"}
    assert documented == served


@pytest.mark.parametrize("query,fragment", [
    ({"q": "x" * (MAX_QUERY_CHARS + 1)}, "too long"),
    ({"q": "Atmar", "limit": str(MAX_LIMIT + 1)}, "limit"),
    ({"q": "Atmar", "limit": "0"}, "limit"),
    ({"q": "Atmar", "page": str(MAX_PAGE + 1)}, "page"),
    ({"q": "Atmar", "page": "two"}, "page"),
    ({"q": "Atmar", "page": "-1"}, "page"),
    ({"q": "Atmar", "unit": "sentence"}, "unit"),
    ({"q": "Atmar", "since": "last week"}, "since"),
    ({"q": "Atmar", "until": "2017-13-01"}, "until"),
    ({"q": "Atmar", "colour": "red"}, "unknown parameter"),
    ({"q": "Atmar\x00"}, "control characters"),
    ({}, "q is required"),
])
def test_api_rejects_junk_with_a_json_400(client, query, fragment):
    r = client.get("/api/search", query_string=query)
    assert r.status_code == 400
    body = r.get_json()
    assert body["status"] == 400 and fragment in body["error"]
    assert "\n" not in body["error"]


def test_page_explains_bad_parameters_and_bad_queries(client):
    r = client.get("/", query_string={"q": "Atmar", "limit": "500"})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'role="alert"' in html and "limit must be at most" in html
    assert 'value="Atmar"' in html, "the query is kept so it can be fixed"


def test_only_get_and_head(client):
    assert client.head("/api/search?q=Atmar").status_code == 200
    for method in ("post", "put", "delete", "patch"):
        r = getattr(client, method)("/api/search?q=Atmar")
        assert r.status_code == 405
        assert r.get_json()["status"] == 405
        assert getattr(client, method)("/").status_code == 405


def test_internal_errors_are_logged_not_shown(web_index, monkeypatch, caplog):
    app = create_app(web_index)

    def broken(*a, **k):
        raise RuntimeError("secret internals at /home/someone/.ssh")

    monkeypatch.setattr(web_index, "search", broken)
    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        api = client.get("/api/search?q=Atmar")
        page = client.get("/?q=Atmar")
    assert api.status_code == 500 and page.status_code == 500
    for body in (api.get_data(as_text=True), page.get_data(as_text=True)):
        assert "secret" not in body and "Traceback" not in body
    assert api.get_json() == {"error": api.get_json()["error"], "status": 500}
    assert "secret internals" in caplog.text and "Traceback" in caplog.text


def test_new_commits_show_up_without_restart(tmp_path):
    index = open_index(tmp_path / "index")
    index.add([ROOT / "corpus"])
    client = create_app(index).test_client()
    assert client.get("/api/search?q=wombatcheese").get_json()["total"] == 0
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "late.jsonl").write_text(json.dumps({
        "id": "late-1", "title": "A late arrival",
        "text": "The wombatcheese festival opened on Sunday with three hundred stalls and a brass band. "
                "Organisers said the wombatcheese tradition began in a village hall forty years ago."}) + "\n",
        encoding="utf-8")
    open_index(tmp_path / "index").add([extra])  # another writer, as `searchkit index` would be
    after = client.get("/api/search?q=wombatcheese").get_json()
    assert after["total"] >= 1
    assert after["results"][0]["article"]["id"] == "late-1"


def test_article_page_validates_its_query_like_the_search(client):
    assert client.get(article_path(HOSTILE_ID), query_string={"q": "x" * (MAX_QUERY_CHARS + 1)}).status_code == 400
    assert client.get(article_path(HOSTILE_ID), query_string={"q": "quokkas\x01"}).status_code == 400
    assert client.get(article_path(HOSTILE_ID), query_string={"q": "quokkas"}).status_code == 200
