"""The search page in a real browser: search, read, filter, page, did-you-mean, no-JS, XSS, phone width."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

XSS_QUERIES = ["<script>window.xssFired=1;document.title='pwned'</script>",
               "\"><img src=x onerror=\"window.xssFired=2;alert(1)\">",
               "</title><script>alert(1)</script>"]


def params(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def assert_no_script_ran(page):
    assert page.evaluate("typeof window.xssFired") == "undefined"
    assert page.title() != "pwned"
    assert page.guard.dialogs == [], page.guard.dialogs
    assert not [e for e in page.guard.errors if "Content Security Policy" in e], \
        "escaping failed and only the CSP stopped a script"


def test_type_a_query_and_see_highlighted_results(page, base_url):
    page.goto(base_url + "/")
    assert page.evaluate("document.activeElement && document.activeElement.id") == "q", "search box has focus"
    page.keyboard.type("Atmar Patrushev")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q=Atmar"))
    marks = page.locator(".hit .snippet mark")
    expect(marks.first).to_be_visible()
    assert all(re.match(r"(?i)(atmar|patrushev)", t) for t in marks.all_inner_texts())
    expect(page.locator("#count")).to_contain_text(re.compile(r"\d+ passages?\s+in \d+ ms"))
    expect(page.locator("#q")).to_have_value("Atmar Patrushev")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results.png"), full_page=True)
    assert page.guard.errors == []


def test_search_as_you_type(page, base_url):
    page.goto(base_url + "/")
    page.locator("#q").press_sequentially("Taliban", delay=30)
    expect(page.locator(".hit").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?q=Taliban$"))
    expect(page.locator(".hit .snippet mark").first).to_have_text(re.compile("taliban", re.I))


def test_open_an_article_scrolled_to_the_passage(page, base_url):
    page.goto(base_url + "/?q=opium+poppy")
    link = page.locator(".hit h2 a").first
    headline = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/articles/.+#p\d+$"))
    expect(page.locator("h1#headline")).to_have_text(headline)
    anchor = urlsplit(page.url).fragment
    target = page.locator(f"[id='{anchor}']")
    expect(target).to_be_in_viewport()
    expect(page.locator(".body p.current").first).to_be_visible()
    assert page.locator(".body p.current mark").count() >= 1, "the marked passage holds the query's words"
    expect(page.locator(".body mark").first).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Back to results"))).to_be_visible()


def test_apply_a_filter(page, base_url):
    page.goto(base_url + "/?q=Afghanistan")
    facet = page.locator("a[data-facet='source']").first
    source = facet.inner_text()
    facet.click()
    page.wait_for_url(re.compile(r"source="))
    assert params(page)["source"] == [source]
    expect(page.locator("ul.chips")).to_contain_text(source)
    sources = page.locator(".hit .source").all_inner_texts()
    assert sources and set(sources) == {source}
    page.get_by_role("link", name=re.compile("Remove filter")).click()
    page.wait_for_url(lambda url: "source=" not in url)


def test_page_forward(page, base_url):
    page.goto(base_url + "/?q=Afghanistan&limit=2")
    first_page = page.locator(".hit h2 a").all_inner_texts()
    page.get_by_role("link", name=re.compile("Next")).click()
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator("ol.hits")).to_have_attribute("start", "3")
    expect(page.locator("nav.pages [aria-current=page]")).to_have_text("2")
    assert page.locator(".hit .snippet").count() == 2  # two passages (one article's are grouped under one heading)
    assert page.locator(".hit").first.inner_text() != first_page[0] or len(set(first_page)) == 1


def test_did_you_mean(page, base_url):
    page.goto(base_url + "/?q=Patrushef")
    suggestion = page.locator(".suggestion a")
    expect(suggestion).to_be_visible()
    corrected = suggestion.inner_text()
    assert corrected.lower() == "patrushev"
    suggestion.click()
    page.wait_for_url(re.compile(r"q=" + corrected))
    expect(page.locator(".hit .snippet mark").first).to_be_visible()


def test_passages_articles_toggle(page, base_url):
    page.goto(base_url + "/?q=Russia")
    page.get_by_role("link", name="Articles", exact=True).click()
    page.wait_for_url(re.compile(r"unit=article"))
    expect(page.locator("#count")).to_contain_text("article")
    ids = [urlsplit(h).path for h in page.locator(".hit h2 a").evaluate_all("as => as.map(a => a.href)")]
    assert len(ids) == len(set(ids)), "one hit per article"


def test_works_without_javascript(page_without_js, base_url):
    page = page_without_js
    page.goto(base_url + "/")
    page.fill("#q", "Taliban peace")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"\?q=Taliban"))
    expect(page.locator(".hit .snippet mark").first).to_be_visible()
    page.locator(".hit h2 a").first.click()
    expect(page.locator("h1#headline")).to_be_visible()


def test_bad_query_explains_itself(page, base_url):
    page.goto(base_url + "/?q=Atmar&limit=5000")
    expect(page.get_by_role("alert")).to_contain_text("limit must be at most")
    page.goto(base_url + "/?q=zzzqqqxxx")
    expect(page.locator(".notice.empty")).to_contain_text("Nothing matches")


def test_hostile_documents_and_queries_render_as_text(page, base_url, web_index):
    page.goto(base_url + "/?q=quokkas+marmalade")
    link = page.locator(".hit h2 a").first
    expect(link).to_contain_text("<script>window.xssFired=1")
    expect(page.locator(".hit .snippet").first).to_contain_text("quokkas")
    link.click()
    page.wait_for_url(re.compile(r"/articles/"))
    expect(page.locator("h1#headline")).to_contain_text("<img src=x onerror=")
    expect(page.locator(".body")).to_contain_text("<script>window.xssFired=1")
    assert page.locator("a[href^='javascript:']").count() == 0
    assert_no_script_ran(page)
    for q in XSS_QUERIES:
        page.goto(base_url + "/")
        page.fill("#q", q)
        page.press("#q", "Enter")
        page.wait_for_load_state()
        expect(page.locator("#q")).to_have_value(q)
        assert_no_script_ran(page)
    page.goto(base_url + "/api/search?q=" + XSS_QUERIES[0])
    assert_no_script_ran(page)


def test_awkward_article_ids_survive_the_browser(page, base_url):
    # '/', '.', '..', '#', '?', '%' and '&' in an id: the link must reach that article, not a normalised path.
    page.goto(base_url + "/?q=lighthouse+keepers+rota")
    page.locator(".hit h2 a").first.click()
    page.wait_for_url(re.compile(r"/articles/"))
    expect(page.locator("h1#headline")).to_have_text("Lighthouse keepers vote on a new rota")
    expect(page.locator("dl.meta code")).to_have_text("web/./odd/../id#2?x=1%20&y")


def test_keyboard_and_screen_reader_basics(page, base_url):
    page.goto(base_url + "/?q=Atmar")
    page.focus("#q")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Search", "Tab goes from the box to its button"
    names = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), button')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
        .map(e => e.outerHTML)""")
    assert names == [], "every control has a label"
    for landmark in ("banner", "search", "main", "contentinfo"):
        expect(page.get_by_role(landmark)).to_have_count(1)
    page.locator(".hit h2 a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/articles/"))


def test_readable_at_phone_width(phone_page, base_url):
    page = phone_page
    for path in ("/?q=Atmar", "/?q=quokkas"):
        page.goto(base_url + path)
        expect(page.locator(".hit").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator(".hit h2 a").first.click()
    page.wait_for_url(re.compile(r"/articles/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
