"""What a web page declares about its article: headline, date, author, site name, canonical URL.

Read from the page's own declarations only (JSON-LD, OpenGraph/Dublin Core/<meta>, <link rel=canonical>,
<time>, <title>), which is cheap and reliable; guessing from the visible text is the article parser's job.
Values are passed on raw (dates as written, titles with any " | Site" suffix); the article parser
normalises them.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator

from .fields import as_string, author_hint

_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "socialmediaposting", "techarticle", "scholarlyarticle", "report", "review",
}
# <meta> keys (name / property / itemprop, lower-cased) in order of preference.
_META_KEYS = {
    "headline": ("og:title", "twitter:title", "dc.title", "dcterms.title", "parsely-title", "sailthru.title", "headline"),
    "date": (
        "article:published_time", "og:article:published_time", "datepublished", "article.published",
        "published_time", "og:published_time", "publishdate", "publish-date", "publish_date", "pubdate",
        "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "parsely-pub-date",
        "sailthru.date", "date", "article:modified_time", "datemodified",
    ),
    "author": ("author", "article:author", "byl", "dc.creator", "dcterms.creator", "parsely-author", "sailthru.author"),
    "source": ("og:site_name", "application-name", "publisher", "dc.publisher", "cre"),
    "url": ("og:url", "twitter:url"),
}
_SPACE = re.compile(r"\s+")
_MAX_VALUE = 300  # longer "titles"/"authors" are descriptions or junk


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = _SPACE.sub(" ", value).strip()
    return value if 0 < len(value) <= _MAX_VALUE else None


def _meta_tags(tree) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        content = _clean(el.get("content"))
        if content is None:
            continue
        for attr in ("property", "name", "itemprop"):
            key = el.get(attr)
            if key:
                found.setdefault(key.strip().lower(), content)
    return found


def _ld_objects(tree) -> Iterator[dict]:
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])


def _ld_article(tree) -> dict:
    for obj in _ld_objects(tree):
        types = obj.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types):
            return obj
    return {}


def _name(value: Any) -> str | None:
    """A JSON-LD person/organisation: a string, {"name": ...}, or a list of those (joined)."""
    return _clean(as_string(value))


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_.]|$)")
_AUTHOR_XPATH = (
    './/*[@itemprop="author"]//*[@itemprop="name"]',
    './/*[@itemprop="author"]',
    './/a[@rel="author"]',
    './/*[contains(concat(" ", normalize-space(@class), " "), " author-name ")]',
    './/*[contains(concat(" ", normalize-space(@class), " "), " byline ")]//a',
    './/*[contains(concat(" ", normalize-space(@class), " "), " byline ")]',
)
_MAX_AUTHOR_WORDS = 6


def _plausible_date(value: str | None) -> str | None:
    """Drop placeholder dates some CMSs emit (e.g. "0001-01-01T00:00:00Z")."""
    if not value:
        return None
    years = [int(y) for y in _YEAR.findall(value)]
    return value if not years or 1800 <= years[0] <= 2100 else None


def url_date(url: str | None) -> str | None:
    """The YYYY/MM/DD (or YYYY-MM-DD) a news URL path often carries, as ISO."""
    m = _URL_DATE.search(url or "")
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def _dom_author(tree) -> str | None:
    """A byline element (schema.org itemprop, rel=author, byline/author-name class) with a short name in it."""
    for xpath in _AUTHOR_XPATH:
        for el in tree.xpath(xpath)[:3]:
            text = author_hint(_clean(el.get("content") or el.text_content()))
            if text and len(text.split()) <= _MAX_AUTHOR_WORDS and any(c.isalpha() for c in text):
                return text
    return None


def page_meta(tree) -> dict[str, str]:
    """The declared metadata of a parsed page (lxml HtmlElement), only keys that were found."""
    tags = _meta_tags(tree)
    ld = _ld_article(tree)

    def first(field: str) -> str | None:
        return next((tags[k] for k in _META_KEYS[field] if k in tags), None)

    page = ld.get("mainEntityOfPage")
    canonical = next((_clean(el.get("href")) for el in tree.iter("link")
                      if "canonical" in (el.get("rel") or "").lower().split()), None)
    time_el = next((el.get("datetime") for el in tree.iter("time") if el.get("datetime")), None)
    title_el = next((el.text_content() for el in tree.iter("title")), None)
    url = canonical or first("url") or _clean(ld.get("url")) or _clean(page.get("@id") if isinstance(page, dict) else page)
    dates = (_clean(ld.get("datePublished")), _clean(ld.get("dateCreated")),
             *(tags.get(k) for k in _META_KEYS["date"]), _clean(time_el))
    meta = {
        "headline": first("headline") or _clean(ld.get("headline")) or _clean(ld.get("name")) or _clean(title_el),
        "date": next((d for d in dates if _plausible_date(d)), None) or url_date(url),
        "author": author_hint(_name(ld.get("author"))) or author_hint(first("author")) or _dom_author(tree),
        "source": first("source") or _name(ld.get("publisher")),
        "url": url,
    }
    return {k: v for k, v in meta.items() if v}
