"""HTML pages: main-content extraction (trafilatura) rendered as Markdown-ish text, plus page metadata.

Why these settings (measured with bench/extraction.py on the 88 DEV pages of the Zyte article-extraction
benchmark, reader level; trafilatura defaults give F1 0.955):
- ``favor_precision`` and no comments: readers' comments and teasers are not the article (F1 0.969).
- ``fast`` first: trafilatura's readability/justext comparison changes one page in 88 in precision mode but
  costs ~40% of the time, so it only runs when the fast pass comes back shorter than a news brief.
- a leading <h1> that repeats the declared headline goes to ``meta`` (F1 0.970, exact-match accuracy 0.34 -> 0.39).
- the extracted XML is rendered straight to Markdown (headings, lists, quotes, tables kept, nothing escaped);
  going through HTML + markdownify gave the same words at ~2.5 ms more per page. markdownify still
  converts HTML found inside JSON text fields.
- an article body split into sibling containers is joined first, and embedded posts (tweets) are lifted
  out of their "social embed" wrappers, which extraction discards as share widgets (F1 0.971 -> 0.975).
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


_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_INLINE_SKIP = {"graphic"}


def _inline(el, sublists: bool = True) -> str:
    """An element's text with inline children (hi, ref, del, span ...) flattened; <lb> is a line break."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag not in _INLINE_SKIP and (sublists or child.tag != "list"):
            parts.append(_inline(child))
        parts.append(child.tail or "")
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _list(el, out: list[str], indent: str = "") -> None:
    # Every list gets "-": numbers of an <ol> are not page text (the browser draws them).
    lines: list[str] = []
    for item in (c for c in el if c.tag == "item"):
        text = _inline(item, sublists=False).replace("\n", " ")
        if text:
            lines.append(f"{indent}- {text}")
        for sub in item.iter("list"):
            if sub.getparent() is item:
                _list(sub, lines, indent + "  ")
    if lines:
        out.append("\n".join(lines))


def _blocks(el, out: list[str]) -> None:
    """Render trafilatura's XML body (p, head, list/item, quote, code, table/row/cell, lb, hi, ref) as Markdown.

    Why not markdownify here: it would need trafilatura's internal XML -> HTML conversion and a second
    HTML parse (BeautifulSoup) of the result, a fifth of the reader's time, for the same text.
    """
    tag = el.tag
    if tag == "head":
        rend = el.get("rend", "h2")
        level = int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1] in "123456" else 2
        text = _inline(el).replace("\n", " ")
        if text:
            out.append("#" * level + " " + text)
    elif tag == "list":
        _list(el, out)
    elif tag == "quote":
        inner: list[str] = []
        _container(el, inner)
        if inner:
            out.append("\n".join("> " + line if line else ">" for line in "\n\n".join(inner).split("\n")))
    elif tag in ("code", "pre"):
        code = "".join(el.itertext()).strip("\n")
        if code.strip():
            out.append(f"```\n{code}\n```")
    elif tag == "table":
        rows = ["| " + " | ".join(_inline(c).replace("\n", " ") for c in row if c.tag == "cell") + " |"
                for row in el.iter("row")]
        rows = [r for r in rows if r.strip("| ")]
        if rows:
            out.append("\n".join(rows))
    elif tag in ("p", "item", "cell", "row") or not len(el):
        text = _inline(el)
        if text:
            out.append(text)
    else:
        _container(el, out)


def _container(el, out: list[str]) -> None:
    """A block holding blocks (body, div, quote): loose text becomes paragraphs of its own."""
    if el.text and el.text.strip():
        out.append(_SPACES.sub(" ", el.text).strip())
    for child in el:
        if child.tag == "lb":
            pass
        elif child.tag not in _INLINE_SKIP:
            _blocks(child, out)
        if child.tail and child.tail.strip():
            out.append(_SPACES.sub(" ", child.tail).strip())


_BODY_CLASS = re.compile(r"(?:article|story|entry|post)[_-]{1,2}(?:body|content|text)\b|\bbody__container\b", re.I)


def join_split_bodies(tree) -> int:
    """Join an article body that the page splits into sibling containers (same class, an advert row
    between them) into the first one, so that extraction, which keeps one container, keeps all of it.

    Only containers with the *same* class string are joined, and never across an <h1> or <article>
    start: a page that scrolls on to the next story starts that story with its own headline. Returns how
    many containers were joined.
    """
    found = [el for el in tree.iter("div", "section") if _BODY_CLASS.search(el.get("class") or "")]
    if len(found) < 2:
        return 0
    outer = set(found)
    found = [el for el in found if not any(a in outer for a in el.iterancestors())]
    order = {el: i for i, el in enumerate(tree.iter())}
    walls = [order[el] for el in tree.iter("h1", "article")]
    first, joined = found[0], 0
    last = max((order[d] for d in first.iter()), default=order[first])
    for el in found[1:]:
        if el.get("class") != first.get("class") or any(last < w <= order[el] for w in walls):
            break
        for child in list(el):
            first.append(child)
        el.getparent().remove(el)
        joined += 1
    return joined


_EMBED_WRAPPER = re.compile(r"social|embed|tweet", re.I)


def unwrap_embedded_posts(tree) -> int:
    """Lift embedded social posts (``<blockquote class="twitter-tweet">``, Instagram, Threads) out of
    their "social-media-embed" wrappers: extraction discards such wrappers as share widgets, but the post
    is text the article quotes. Returns how many posts were lifted."""
    lifted = 0
    for bq in list(tree.iter("blockquote")):
        if not re.search(r"twitter-tweet|instagram-media|text-post-media", bq.get("class") or ""):
            continue
        wrapper = bq.getparent()
        while (wrapper is not None and wrapper.tag in ("div", "figure", "section")
               and _EMBED_WRAPPER.search(wrapper.get("class") or "")
               and all(c is bq or c.tag == "script" for c in wrapper)):
            parent = wrapper.getparent()
            if parent is None:
                break
            bq.tail = wrapper.tail
            parent.replace(wrapper, bq)
            lifted += 1
            wrapper = parent
        bq.attrib.pop("class", None)  # "twitter-tweet" itself reads as a widget class to the extractor
    return lifted


def _main_content(tree, url: str | None, fast: bool) -> str:
    """trafilatura's main content of a parsed page, as Markdown ('' if it found none)."""
    import trafilatura

    # output_format only keeps bare_extraction from also rendering plain text we would not use.
    doc = trafilatura.bare_extraction(tree, url=url, fast=fast, output_format="xml", **_EXTRACT_OPTIONS)
    if doc is None or doc.body is None:
        return ""
    out: list[str] = []
    _container(doc.body, out)
    return "\n\n".join(out)


def extract(html: str, url: str | None = None) -> tuple[str, dict[str, Any]]:
    """(main text as Markdown, declared metadata) of one page; ('', meta) when it has no main content."""
    import trafilatura

    _quiet_trafilatura()
    tree = trafilatura.load_html(html)
    if tree is None:
        return "", {}
    meta = page_meta(tree)
    if "date" not in meta:  # not declared: trafilatura's date search (htmldate) reads the visible page too
        found = trafilatura.extract_metadata(tree, default_url=url, extensive=False)
        if found is not None and found.date:
            meta["date"] = found.date
    url = url or meta.get("url")
    # Extraction prunes the tree it is given, so the slow retry parses the page again.
    join_split_bodies(tree)
    unwrap_embedded_posts(tree)
    body = _main_content(tree, url, fast=True)
    if len(body) < ESCALATE_BELOW:
        again = trafilatura.load_html(html)
        if again is not None:
            join_split_bodies(again)
            unwrap_embedded_posts(again)
        retry = _main_content(again, url, fast=False) if again is not None else ""
        if len(retry) > len(body):
            body = retry
    # A leading <h1> repeating the declared headline is not body text (and names the headline if none was declared).
    return take_headline(tidy(body), meta), meta


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
