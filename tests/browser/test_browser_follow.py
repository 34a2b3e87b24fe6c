"""Issue 14 in a real browser: the phone layout, the opened passage, the timeline, CSV export, saved searches."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import _page

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context, page = _page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    yield page
    context.close()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_phone_results_filters_reachable_and_touch_targets(phone, base_url):
    ARTIFACTS.mkdir(exist_ok=True)
    phone.goto(base_url + "/?q=Afghanistan")
    expect(phone.locator(".hit").first).to_be_visible()
    phone.screenshot(path=str(ARTIFACTS / "phone-results.png"), full_page=True)
    assert no_horizontal_scroll(phone)
    jump = phone.get_by_role("link", name=re.compile("Filters"))
    expect(jump).to_be_in_viewport()  # at the top, not below ten results
    jump.click()
    expect(phone.locator("#filters-heading")).to_be_in_viewport()
    facet_links = phone.locator(".facet a")
    assert facet_links.count() >= 2
    for box in facet_links.evaluate_all("as => as.map(a => a.getBoundingClientRect().height)"):
        assert box >= 44
    width = phone.evaluate("""() => { const i = document.getElementById('q');
        const c = document.createElement('canvas').getContext('2d'); c.font = getComputedStyle(i).font;
        return [c.measureText(i.placeholder).width, i.clientWidth]; }""")
    assert width[0] < width[1] - 8, f"placeholder {width[0]:.0f} px in a {width[1]} px box"


def test_phone_article_marks_the_opened_passage(phone, base_url):
    phone.goto(base_url + "/?q=opium+poppy")
    phone.locator(".hit h2 a").first.click()
    phone.wait_for_url(re.compile(r"/articles/.+#p\d+$"))
    current = phone.locator(".body p.current").first
    expect(current).to_be_in_viewport()
    expect(current.locator(".passage-marker")).to_have_text(re.compile("Passage you opened"))
    bg, border = current.evaluate("p => [getComputedStyle(p).backgroundColor, getComputedStyle(p).borderLeftWidth]")
    assert bg not in ("rgba(0, 0, 0, 0)", "rgb(254, 247, 224)") and float(border.rstrip("px")) >= 3
    phone.screenshot(path=str(ARTIFACTS / "phone-article.png"), full_page=True)
    assert no_horizontal_scroll(phone)


def test_timeline_visible_and_a_bar_filters_to_its_month(page, base_url):
    page.goto(base_url + "/?q=Afghanistan")
    chart = page.locator("svg.timeline-chart")
    expect(chart).to_be_visible()
    bars = page.locator("svg.timeline-chart a.bar")
    assert bars.count() >= 2
    label = bars.first.get_attribute("aria-label")  # "2017-03: 2 articles"
    month, count = re.match(r"(\d{4}-\d{2}): (\d+)", label).groups()
    bars.first.click()
    page.wait_for_url(re.compile(rf"since={month}.*until={month}"))
    expect(page.locator("ul.chips")).to_contain_text(month)
    dates = page.locator(".hit time").all_inner_texts()
    assert dates and all(d.startswith(month) for d in dates)
    assert page.locator("svg.timeline-chart a.bar").count() == 1
    assert page.locator(".hit").count() == int(count), "one heading per matching article of that month"


def test_csv_link_downloads_the_rows_of_the_page(page, base_url):
    import csv
    import io

    page.goto(base_url + "/?q=Afghanistan&limit=5")
    shown = page.locator(".hit .snippet").count()
    headings = page.locator(".hit h2 a").all_inner_texts()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == shown == 5
    assert list(dict.fromkeys(r["headline"] for r in rows)) == headings  # same hits, same order


def test_save_from_the_page_then_a_matching_article_shows_a_new_count(browser, tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from story import STORY, write_story

    from searchkit import open_index
    from searchkit.web.server import running

    data = tmp_path / "data"
    write_story(data, STORY[:2])
    index = open_index(tmp_path / "index")
    index.add([data])
    context, page = _page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        with running(index) as url:
            page.goto(url.rstrip("/") + "/?q=dockworkers+strike")
            page.fill("#save-name", "port strike")
            page.get_by_role("button", name="Save").click()
            page.wait_for_url(re.compile(r"/saved\?saved="))
            item = page.locator("ul.saved-list li", has_text="port strike")
            expect(item.locator(".new-count")).to_have_text("0 new")
            write_story(data, [("2022-05-01", "Coast Wire")], name="later.jsonl")
            index.add([data])
            page.reload()
            expect(item.locator(".new-count")).to_have_text("1 new")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "phone-saved.png"), full_page=True)
            assert no_horizontal_scroll(page)
            assert page.guard.errors == []
    finally:
        context.close()
