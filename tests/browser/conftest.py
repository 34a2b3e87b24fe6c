"""A real server and Debian's Chromium for the browser tests.

The server is `searchkit serve`'s waitress server in a thread on 127.0.0.1 (a free port), over an index
of corpus/ plus the hostile fixture article built in a temporary folder. Chromium comes from Debian
(`/usr/bin/chromium`; the README's test command installs it): Playwright's own browser download does
not work here. Without Chromium the tests fail in CI and are skipped, with the reason, elsewhere.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from searchkit import open_index
from searchkit.web.server import running

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SEARCHKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def web_index(tmp_path_factory):
    index = open_index(tmp_path_factory.mktemp("browser") / "index")
    index.add([ROOT / "corpus", ROOT / "tests" / "fixtures" / "web"])
    return index


@pytest.fixture(scope="session")
def base_url(web_index):
    with running(web_index) as url:
        yield url.rstrip("/")


class Guard:
    """What a page did that it must not: dialogs opened, console errors (CSP violations included)."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def _page(browser, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.guard = Guard(page)
    return context, page


@pytest.fixture
def page(browser):
    context, page = _page(browser, viewport={"width": 1100, "height": 900})
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser):
    context, page = _page(browser, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context, page = _page(browser, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    yield page
    context.close()
