"""The timeline (issue 14): facets.month, its bars, the terminal histogram and the page's SVG chart."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from searchkit.cli import main
from searchkit.present.timeline import text_histogram
from searchkit.results.timeline import bars
from searchkit.web import create_app
from story import STORY

ROOT = Path(__file__).resolve().parents[2]


def expected_months(items) -> dict[str, int]:
    return dict(sorted(Counter(d[:7] for d, _ in items).items()))


def test_facets_month_counts_matching_articles_per_month(story_index):
    r = story_index.search("dockworkers strike")
    assert r.facets["month"] == expected_months(STORY)
    assert list(r.facets["month"]) == sorted(r.facets["month"]), "oldest first"
    narrowed = story_index.search("dockworkers strike", source="Coast Wire")
    assert narrowed.facets["month"] == expected_months([x for x in STORY if x[1] == "Coast Wire"])
    since = story_index.search("dockworkers strike", since="2020")
    assert since.facets["month"] == expected_months([x for x in STORY if x[0] >= "2020"])
    # passages of one article count once; the bundled corpus's months are counted the same way
    afg = story_index.search("Afghanistan")
    assert sum(afg.facets["month"].values()) == sum(afg.facets["year"].values())
    assert story_index.search("zzzxqnothing").facets["month"] == {}


def test_bars_per_month_with_gaps_and_per_year_for_long_spans():
    short = bars({"2017-03": 2, "2017-06": 1})
    assert [b.label for b in short] == ["2017-03", "2017-04", "2017-05", "2017-06"]
    assert [b.count for b in short] == [2, 0, 0, 1] and short[0].since == short[0].until == "2017-03"
    long = bars(expected_months(STORY))  # 2019-03 .. 2021-01 is 23 months: still per month
    assert len(long) == 23
    years = bars(expected_months(STORY), max_month_bars=12)
    assert [(b.label, b.count, b.since, b.until) for b in years] == [
        ("2019", 3, "2019", "2019"), ("2020", 1, "2020", "2020"), ("2021", 2, "2021", "2021")]
    assert bars({}) == []


def test_cli_timeline_prints_a_histogram(story_index):
    out = CliRunner().invoke(main, ["search", "dockworkers strike", "--index", str(story_index.path), "--timeline"],
                             env={"COLUMNS": "60"})
    assert out.exit_code == 0, out.output
    lines = [line for line in out.output.splitlines() if re.match(r"\d{4}-\d{2} ", line)]
    assert len(lines) == 23
    counted = {line[:7]: int(line.split()[-1]) for line in lines if "█" in line}
    assert counted == expected_months(STORY)
    assert all(len(line) <= 60 for line in lines)
    as_json = CliRunner().invoke(main, ["search", "dockworkers strike", "--index", str(story_index.path), "--json"])
    assert json.loads(as_json.output)["facets"]["month"] == expected_months(STORY)


def test_text_histogram_scales_to_the_largest_count():
    text = text_histogram(bars({"2017-01": 4, "2017-02": 1}), width=40)
    a, b = text.splitlines()
    assert a.count("█") > b.count("█") >= 1 and len(a) <= 40


def test_page_has_a_server_rendered_chart_whose_bars_link_to_month_filters(story_index):
    client = create_app(story_index).test_client()
    html = client.get("/", query_string={"q": "dockworkers strike"}).get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    links = re.findall(r'<a href="([^"]+)" class="bar" aria-label="(\d{4}-\d{2}): (\d+) article', svg)
    assert {m: int(n) for _, m, n in links} == expected_months(STORY)
    href, month, _ = links[0]
    href = href.replace("&amp;", "&")
    assert f"since={month}" in href and f"until={month}" in href
    filtered = client.get(href).get_data(as_text=True)
    n = re.search(r'id="count" class="count">(\d+)', filtered).group(1)
    api = client.get("/api/search", query_string={"q": "dockworkers strike", "since": month, "until": month}).get_json()
    assert int(n) == api["total"] and api["facets"]["month"] == {month: expected_months(STORY)[month]}
