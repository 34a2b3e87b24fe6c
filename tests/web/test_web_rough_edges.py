"""The search page's rough edges (issue 14), server side: each test failed on the page before the fix."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from searchkit.web import create_app


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def web_index(story_index):
    return story_index


@pytest.fixture(scope="module")
def client(web_index):
    return create_app(web_index).test_client()


def test_passage_mode_shows_an_articles_headline_once(client, web_index):
    results = web_index.search("Atmar Patrushev", limit=10)
    ids = [h.article.id for h in results.hits]
    repeated = next(a for a in ids if ids.count(a) > 1)
    headline = next(h.article.headline for h in results.hits if h.article.id == repeated)
    html = client.get("/", query_string={"q": "Atmar Patrushev"}).get_data(as_text=True)
    escaped = headline.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&#34;")
    assert html.count(f">{escaped}</a></h2>") == 1
    assert html.count('class="snippet"') == len(results.hits), "every passage still shown"
    api = client.get("/api/search", query_string={"q": "Atmar Patrushev"}).get_json()
    assert len(api["results"]) == len(results.hits), "the JSON keeps one result per passage"


def test_results_region_is_a_live_region(client):
    html = client.get("/?q=Atmar").get_data(as_text=True)
    assert re.search(r'<div id="results"[^>]*aria-live="polite"', html)


def test_not_found_page_has_a_search_box(client):
    r = client.get("/articles/no-such-article")
    html = r.get_data(as_text=True)
    assert r.status_code == 404 and "Not found" in html
    assert 'role="search"' in html and 'name="q"' in html


def test_year_facet_is_in_date_order(client, web_index):
    years = list(web_index.search("dockworkers strike").facets["year"])  # most frequent first
    assert len(years) >= 3 and years != sorted(years)
    html = client.get("/?q=dockworkers+strike").get_data(as_text=True)
    section = html[html.index('id="facet-year"'):]
    section = section[:section.index("</section>")]
    shown = re.findall(r'data-facet="year">(\d{4})<', section)
    assert shown == sorted(years)


def test_the_opened_passage_is_marked_for_screen_readers(client, web_index):
    hit = web_index.search("Patrushev", limit=1).hits[0]
    path = "/articles/" + quote(hit.article.id, safe="/")
    html = client.get(path, query_string={"q": "Patrushev", "passage": hit.passage_index}).get_data(as_text=True)
    marked = re.findall(r'<p id="p(\d+)"[^>]*class="current"><span class="visually-hidden passage-marker">', html)
    assert marked == [str(hit.passage_index)]
    plain = client.get(path, query_string={"q": "Patrushev"}).get_data(as_text=True)
    assert "passage-marker" not in plain


def test_phone_placeholder_fits(client):
    html = client.get("/").get_data(as_text=True)
    placeholder = re.search(r'placeholder="([^"]*)"', html).group(1)
    # the box is ~250 px wide on a 390 px phone beside its button: about 25 characters of 16 px text
    assert 0 < len(placeholder) <= 25
