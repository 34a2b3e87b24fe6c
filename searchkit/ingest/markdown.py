"""Markdown files: optional front matter and the first level-1 heading become metadata; the rest is the text."""
from __future__ import annotations

import re

from .fields import meta_from

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_LIST_ITEM = re.compile(r"^\s+-\s+(.*?)\s*$")
_H1 = re.compile(r"^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_front_matter(block: str) -> dict[str, str | list[str]]:
    """YAML-ish ``key: value`` lines, inline ``[a, b]`` lists and indented ``- item`` lists; nothing fancier.

    Enough for the title/date/author/source/url that blog and static-site exports carry; a full YAML
    parser would be a dependency for features no article uses.
    """
    data: dict[str, str | list[str]] = {}
    key = None
    for line in block.splitlines():
        item = _LIST_ITEM.match(line)
        if item and key is not None:
            current = data.get(key)
            data[key] = (current if isinstance(current, list) else []) + [_unquote(item.group(1))]
            continue
        kv = _KEY_VALUE.match(line)
        if not kv:
            continue
        key, value = kv.group(1).lower(), kv.group(2)
        if value.startswith("[") and value.endswith("]"):
            data[key] = [_unquote(v.strip()) for v in value[1:-1].split(",") if v.strip()]
        elif value:
            data[key] = _unquote(value)
    return data


def take_headline(text: str, meta: dict[str, str]) -> str:
    """Move the first level-1 heading (outside code fences) into ``meta["headline"]`` and out of the text.

    If the container already declared a different headline, the heading is body text and stays.
    """
    lines = text.split("\n")
    fenced = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        h1 = None if fenced else _H1.match(line)
        if h1 and h1.group(1):
            heading = h1.group(1)
            if "headline" not in meta or _same(meta["headline"], heading):
                meta.setdefault("headline", heading)
                del lines[i]
                return "\n".join(lines).strip("\n")
            break
    return text.strip("\n")


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def split_markdown(text: str) -> tuple[str, dict[str, str]]:
    """(text without front matter and without the headline heading, meta)."""
    meta: dict[str, str] = {}
    m = _FRONT_MATTER.match(text)
    if m:
        meta = meta_from(parse_front_matter(m.group(1)))
        text = text[m.end():]
    return take_headline(text, meta), meta
