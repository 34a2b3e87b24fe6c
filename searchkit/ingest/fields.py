"""Field names that containers (JSON records, Markdown front matter) use for article metadata.

One table, so that every format accepts the same aliases.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

# canonical meta key -> accepted source keys, in order of preference
META_FIELDS: dict[str, tuple[str, ...]] = {
    "headline": ("headline", "title"),
    "date": ("date", "published", "published_at", "pubdate"),
    "author": ("author", "byline", "authors"),
    "source": ("source", "site", "publisher"),
    "url": ("url", "link"),
}
TEXT_FIELDS = ("text", "body", "content")
ID_FIELDS = ("id", "_id")
_SPACE = re.compile(r"\s+")
_URLISH = re.compile(r"^(?:https?:|www\.|/)", re.IGNORECASE)


def author_hint(value: str | None) -> str | None:
    """A declared author worth passing on, as written; None for a profile URL (as article:author often is),
    so that the next candidate gets its turn. The name itself ("By ...", job titles, capitals) is cleaned
    once, by the article parser (`searchkit.article.bylines.clean_author`), like every other meta hint."""
    if not value or _URLISH.match(value):
        return None
    return value


def as_string(value: Any) -> str | None:
    """A metadata value as one clean line: strings, numbers, {"name": ...} and lists of those (joined)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Mapping):
        return as_string(value.get("name"))
    if isinstance(value, (list, tuple)):
        parts = [p for p in (as_string(v) for v in value) if p]
        return ", ".join(dict.fromkeys(parts)) or None
    if isinstance(value, str):
        return _SPACE.sub(" ", value).strip() or None
    return None


def meta_from(record: Mapping[str, Any]) -> dict[str, str]:
    """The meta hints (headline/date/author/source/url) a record declares, keys matched case-insensitively."""
    lower = {str(k).lower(): v for k, v in record.items()}
    meta: dict[str, str] = {}
    for key, aliases in META_FIELDS.items():
        for alias in aliases:
            value = as_string(lower.get(alias))
            if key == "author":
                value = author_hint(value)
            if value:
                meta[key] = value
                break
    return meta
