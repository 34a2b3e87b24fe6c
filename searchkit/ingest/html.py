"""HTML pages: main-content extraction (trafilatura) kept as Markdown structure (markdownify), plus page metadata.

Why these settings (measured with bench/extraction.py on the 88 DEV pages of the Zyte article-extraction
benchmark; figures in the module docstring of that script and in the report):
- ``favor_precision`` and no comments: readers' comments and teasers are not the article (F1 0.955 -> 0.969).
- ``fast`` first: trafilatura's readability/justext comparison changes almost nothing in precision mode but
  costs ~40% of the time, so it only runs when the fast pass comes back nearly empty.
- trafilatura emits HTML (headings, lists, quotes, tables survive), markdownify turns it into Markdown-ish
  text without escaping (the text is for reading and indexing, not for re-rendering).
trafilatura and markdownify are imported lazily: commands that do not read HTML must start fast.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from ..errors import ReadError
from .htmlmeta import page_meta
from .load import tidy
from .markdown import take_headline

MIN_WORDS = 10  # fewer words than a one-line brief is a menu or a scrap, not an article
ESCALATE_BELOW = 500  # characters: a fast pass shorter than a news brief gets the full cascade
_EXTRACT_OPTIONS = dict(favor_precision=True, include_comments=False, include_tables=True,
                        include_images=False, include_links=False, deduplicate=False)
_DOC_START = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)
_STRONG_TAG = re.compile(r"<(?:head|body)\b[^>]*>", re.IGNORECASE)
_CLOSING_TAG = re.compile(r"</(?:p|div|li|ul|ol|h[1-6]|td|tr|table|section|article|blockquote|span|a|em|strong)\s*>",
                          re.IGNORECASE)
_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)


def looks_like_html(text: str, min_closing_tags: int = 3) -> bool:
    """Sniff: a document start (doctype/<html>), a <head>/<body>, or several closing tags of real markup.

    A plain-text article that merely *mentions* tags (e.g. a comment form's "you can use these html tags:
    <a> <b> ...") has no closing tags and stays text.
    """
    head = text[:20000]
    if _DOC_START.match(head) or _STRONG_TAG.search(head):
        return True
    return len(_CLOSING_TAG.findall(head)) >= min_closing_tags


def _quiet_trafilatura() -> None:
    # trafilatura logs expected failures ("not enough text") as warnings; without a handler Python would
    # print them on stderr between our own messages. A NullHandler keeps them available to apps that log.
    logger = logging.getLogger("trafilatura")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


def to_markdown(fragment: str) -> str:
    """HTML (a page's extracted main content, or an HTML body field) as Markdown-ish plain text."""
    from markdownify import markdownify

    md = markdownify(fragment, heading_style="ATX", bullets="-", escape_underscores=False, escape_asterisks=False,
                     escape_misc=False, strip=["a", "img"])
    md = _TRAILING_SPACE.sub("", md)
    return _BLANK_RUNS.sub("\n\n", md).strip()


def _main_content(tree, url: str | None, fast: bool) -> str | None:
    """trafilatura's main content of a parsed page as simple HTML (headings, lists, quotes, tables)."""
    import trafilatura

    try:
        from lxml.etree import tostring
        from trafilatura.htmlprocessing import convert_to_html
    except ImportError:  # an internal helper moved: fall back to the public call (which also fingerprints)
        return trafilatura.extract(tree, url=url, fast=fast, output_format="html", **_EXTRACT_OPTIONS)
    # bare_extraction + conversion = extract(output_format="html") minus the content fingerprint it computes.
    doc = trafilatura.bare_extraction(tree, url=url, fast=fast, output_format="html", **_EXTRACT_OPTIONS)
    if doc is None or doc.body is None:
        return None
    return tostring(convert_to_html(doc.body), encoding="unicode")


def extract(html: str, url: str | None = None) -> tuple[str, dict[str, Any]]:
    """(main text as Markdown, declared metadata) of one page; ('', meta) when it has no main content."""
    import trafilatura

    _quiet_trafilatura()
    tree = trafilatura.load_html(html)
    if tree is None:
        return "", {}
    meta = page_meta(tree)
    url = url or meta.get("url")
    # Extraction prunes the tree it is given, so the slow retry parses the page again.
    body = _main_content(tree, url, fast=True) or ""
    if len(body) < ESCALATE_BELOW:
        again = trafilatura.load_html(html)
        retry = _main_content(again, url, fast=False) if again is not None else None
        if retry and len(retry) > len(body):
            body = retry
    # A leading <h1> repeating the declared headline is not body text (and names the headline if none was declared).
    return (take_headline(tidy(to_markdown(body)), meta) if body else ""), meta


def html_text(html: str, where: str) -> tuple[str, dict[str, Any]]:
    """``extract`` with failures turned into a one-line ReadError (``where`` names the file or record)."""
    try:
        text, meta = extract(html)
    except RecursionError:
        raise ReadError(where, "HTML nested too deeply to parse") from None
    except Exception as e:  # noqa: BLE001 - a heuristic third-party extractor on hostile input: one file fails, not the run
        raise ReadError(where, f"cannot parse HTML ({type(e).__name__}: {str(e)[:80]})") from None
    if len(text.split()) < MIN_WORDS:
        raise ReadError(where, "no article text found in HTML page")
    return text, meta
