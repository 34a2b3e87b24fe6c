"""The headline: the real title among the first lines, not a section label, tagline, date or byline.

Scraped pages open with chrome (markup scraps, "Breaking News", "publish: 24 November 2017", a site
tagline). The headline is the first line after that which reads like a title: a handful of words, not a
sentence-length paragraph. A kicker line ending with a colon ("Hanif Atmar:") belongs to the title below it.
A headline from metadata wins but is still cleaned ("Title | Site Name" -> "Title").
"""
from __future__ import annotations

import re

from . import boilerplate
from .paragraphs import word_count

MAX_HEADLINE_WORDS = 30
MAX_SCAN = 8  # headline must be among the first lines of chrome + title
_META_FIELD = re.compile(r"^[\w ]{1,20}:\s*\S.{0,60}$")  # "time: 12:53 pm", "category: Excerpted"
_NON_WORD = re.compile(r"\W+")
_LABEL_PREFIX = re.compile(r"^([\w ]{2,25}?)\s*(?:\||:|–|—)\s+")
_SUFFIX = re.compile(r"\s+(?:\||–|—|-|::|·)\s+(?P<site>[^|–—]{2,60})$")


def _words(line: str) -> int:
    return len(line.split())


def _is_meta_field(line: str) -> bool:
    """'time: 12:53 pm', 'No: 5186', 'category: Excerpted' (but not a 'Kicker: Title' headline)."""
    if not _META_FIELD.match(line) or line.endswith(":") or _words(line) > 6:
        return False
    key, value = line.split(":", 1)
    return key.islower() or any(c.isdigit() for c in value)


def is_chrome(line: str) -> bool:
    """A header line that is not the title: boilerplate, section label, cut marker, metadata field."""
    return (
        boilerplate.drop_reason(line) is not None
        or boilerplate.is_section_label(line)
        or boilerplate.is_cut_marker(line)
        or _is_meta_field(line)
    )


def is_kicker(line: str) -> bool:
    return line.endswith(":") and 1 <= _words(line) <= 5 and not boilerplate.is_section_label(line)


def find_headline(units: list[str], repeated: set[str]) -> tuple[int, int, str] | None:
    """(first index, last index + 1, headline) among the opening ``units``; None when none reads like a title."""
    for i, line in enumerate(units[:MAX_SCAN]):
        if _words(line) > MAX_HEADLINE_WORDS:
            return None  # the body has started
        if line in repeated or is_chrome(line):
            continue
        if is_kicker(line):
            if i + 1 < len(units) and not is_chrome(units[i + 1]) and _words(units[i + 1]) <= MAX_HEADLINE_WORDS:
                return i, i + 2, f"{line} {units[i + 1]}"
            continue
        if line.endswith(".") and _words(line) > 12:
            return None  # a sentence, not a title
        return i, i + 1, line
    return None


def clean_headline(title: str, source: str | None = None) -> str:
    """Drop a trailing " | Site Name" (or " - Site" when it is the source or short) and odd spacing."""
    title = " ".join(title.split())
    label = _LABEL_PREFIX.match(title)
    if label and boilerplate.is_section_label(label.group(1)) and _words(title[label.end():]) >= 3:
        title = title[label.end():]  # "Opinion | Title", "BREAKING: Title"
    m = _SUFFIX.search(title)
    if m and _words(title[: m.start()]) >= 3:
        site = m.group("site")
        sep = title[m.start(): m.start("site")].strip()
        site_like = _words(site) <= 4 and all(t[:1].isupper() or "." in t for t in site.split())
        if sep in ("|", "::", "·") or (source and site.lower() == source.lower()) or site_like:
            title = title[: m.start()]
    return title.strip()


def locate(units: list[str], headline: str) -> tuple[int, int] | None:
    """Where a metadata headline is printed in the opening units (so it can be kept out of the body)."""
    norm = _NON_WORD.sub(" ", headline).strip().lower()
    for i, line in enumerate(units[:MAX_SCAN]):
        if word_count(line, MAX_HEADLINE_WORDS) > MAX_HEADLINE_WORDS:
            continue  # too long to be the headline: normalising the opening paragraphs was 5% of parsing
        cand = _NON_WORD.sub(" ", line).strip().lower()
        similar = cand in norm and len(cand) >= 0.6 * len(norm) or norm in cand and len(norm) >= 0.6 * len(cand)
        if cand and (cand == norm or similar):
            if i > 0 and is_kicker(units[i - 1]):
                return i - 1, i + 1
            return i, i + 1
    return None
