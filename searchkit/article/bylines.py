"""Source (the outlet) and author, read from the lines around the body.

Each ``*_source``/``*_author`` function looks at one line and returns a name or None, so the boilerplate
filter can use the same predicates to drop those lines. ``find_source`` decides between them in order of
how explicit they are: an "About X" block describing an outlet, an "About X" heading, a logo line, a
tagline ("The Kabul times, Afghanistan Trustable News Agency."), a syndication notice ("All content
created by X, ..."), a dateline ("nsnbc : ..."), and last a credit sentence ("According to Stars and
Stripes."). The last one is the outlet whose text was excerpted: we report it as the source because it
is the only outlet the page names, and it is what a reader would cite.
"""
from __future__ import annotations

import re
from typing import Callable

from .names import PARTICLES, cap_runs, is_org, strip_titles
from .plausible import plausible_author, plausible_source

_NEWSY = (
    r"news|agency|newspaper|daily|weekly|magazine|media|journal|times|press|newswire|tribune|gazette|"
    r"broadcaster|outlet|publication|portal|website|channel|radio|television|tv|network|trust(?:ed|able)|independent"
)
_OUTLET_KIND = (
    r"newspaper|news agency|news site|news website|news service|news outlet|news portal|newswire|magazine|"
    r"publication|broadcaster|media (?:outlet|organi[sz]ation|company|group)|news organi[sz]ation|online (?:paper|journal)|"
    r"journal|wire service|website|blog"
)
_ABOUT_HEADING = re.compile(r"^about(?: the)? (?P<name>[^.:]{2,50}?)\s*:?$", re.IGNORECASE)
_NOT_AN_OUTLET = re.compile(r"^(?:the )?(?:author|writer|authors|us|me|this (?:site|author|blog)|contributor)s?$", re.I)
_ABOUT_BODY = re.compile(
    rf"^(?P<name>[\w][\w&.'’ -]{{1,50}}?) (?:is|was) (?:a|an|the)\b[^.]{{0,80}}?\b(?:{_OUTLET_KIND})\b",
    re.IGNORECASE,
)
_LOGO = re.compile(r"^(?P<name>[\w][\w&.'’ -]{1,60}?)\s+logo$", re.IGNORECASE)
_TAGLINE = re.compile(r"^(?P<name>[^,|–—]{2,40}?)\s*[,|–—]\s*(?P<rest>[^,|]{2,80}?)\.?$")
_TAGLINE_REST = re.compile(rf"\b(?:{_NEWSY})\b", re.IGNORECASE)
_SYNDICATION = re.compile(
    r"^(?:all )?(?:content|articles?|stories) (?:created|produced|written|published) by (?:the )?(?P<name>[^,.;]{2,60})",
    re.IGNORECASE,
)
_DATELINE = re.compile(r"^(?P<name>[A-Za-z][\w&.'’-]*(?: [A-Za-z][\w&.'’-]*){0,3}) : \S")
_WIRE_DATELINE = re.compile(r"^[A-Z][A-Za-z .,'-]{0,40}\((?P<name>[A-Z][\w .&-]{1,30})\)\s*[-–—]\s")
_CREDIT = re.compile(
    r"(?:^|[.!?][\"”’]?\s+)(?i:according to) (?P<name>(?:the )?[A-Z][\w&'’.-]*(?: (?:[A-Z][\w&'’.-]*|and|of|&)){0,6})\.$"
)

_BY = re.compile(
    r"^(?i:by|written by|story by|words by|posted by|reporting by|authors?)\b\s*[:\-–]?\s*(?P<name>[A-Z][^|,;]{1,60}?)"
    r"\s*(?:[|,;].*|\s+-\s.*)?$"
)
_JOB = (
    r"reporter|correspondent|editor|writer|columnist|contributor|journalist|analyst|"
    r"producer|photographer|staff|bureau chief"
)
_CAP = r"[A-Z][\w.'’-]+"
_STAFF_LINE = re.compile(
    rf"^(?P<name>{_CAP}(?: {_CAP}){{1,3}}?),? (?:(?:[A-Z][\w&'-]*|and|of|for|the|&) ){{0,6}}(?i:{_JOB})s?$"
)
MAX_META_LINE_WORDS = 14


def _short(line: str, limit: int = MAX_META_LINE_WORDS) -> bool:
    """At most ``limit`` words (units have single spaces, so counting spaces is enough and cheap)."""
    return len(line) <= limit * 40 and line.count(" ") < limit


def _name(m: re.Match | None, check: Callable[[re.Match], bool] = lambda m: True) -> str | None:
    return m.group("name").strip() if m and check(m) else None


def about_heading_source(line: str) -> str | None:
    """'About Ariana News' -> 'Ariana News' (not 'About the Author' or 'About Us')."""
    m = _ABOUT_HEADING.match(line) if _short(line, 6) else None
    return _name(m, lambda m: not _NOT_AN_OUTLET.match(m.group("name")) and m.group("name")[:1].isupper())


def about_body_source(line: str) -> str | None:
    """'nsnbc international is a daily, international online newspaper' -> 'nsnbc international'."""
    return _name(_ABOUT_BODY.match(line[:200]))


def logo_source(line: str) -> str | None:
    return _name(_LOGO.match(line) if _short(line, 10) else None)


def tagline_source(line: str) -> str | None:
    """'The Kabul times, Afghanistan Trustable News Agency.' -> 'The Kabul times'."""
    m = _TAGLINE.match(line) if _short(line, 12) else None
    return plausible_source(_name(m, lambda m: bool(_TAGLINE_REST.search(m.group("rest"))) and m.group("name")[:1].isupper()))


def syndication_source(line: str) -> str | None:
    return _name(_SYNDICATION.match(line[:200]))


def dateline_source(paragraph: str) -> str | None:
    return plausible_source(_name(_DATELINE.match(paragraph[:80]) or _WIRE_DATELINE.match(paragraph[:80])))


def credit_source(paragraph: str) -> str | None:
    """A paragraph ending with the standalone sentence 'According to X.' credits outlet X."""
    tail = paragraph[-100:]
    if tail.isascii() and "according to" not in tail.lower():
        return None  # the pattern's literal is missing (on ASCII text its IGNORECASE is plain case folding)
    return _name(_CREDIT.search(tail))


def _person(phrase: str) -> str | None:
    runs = cap_runs(phrase)
    if not runs:
        return None
    toks = strip_titles(runs[0][2]) or runs[0][2]
    return " ".join(toks) or None


def byline_author(line: str) -> str | None:
    """'By: Hesamuddin Hesam', 'Will Racke Immigration and Foreign Policy Reporter', 'Jane Doe, Staff Writer'
    (a heading such as "AUTHORS / CONTRIBUTORS" is no byline: the name must look like one)."""
    return plausible_author(_byline_author(line))


def _byline_author(line: str) -> str | None:
    if not _short(line, 12):
        return None
    m = _BY.match(line)
    if m:
        return _person(m.group("name"))
    m = _STAFF_LINE.match(line)
    if m:
        if "," in line:
            return _person(line.split(",")[0])
        toks = line.split()  # no comma: the name is the first two words (three with a middle initial)
        n = 3 if re.fullmatch(r"[A-Z]\.", toks[1]) else 2
        return _person(" ".join(toks[:n]))
    return None


_BY_PREFIX = re.compile(r"^(?i:by)\s*:?\s+")
_URL = re.compile(r"^(?:https?://)?(?:www\.)?(?P<host>[\w.-]+\.[a-z]{2,})/?$", re.IGNORECASE)


def _title_case(name: str) -> str:
    return " ".join(w.capitalize() if w.isupper() and len(w) > 2 else w for w in name.split())


def clean_author(value: str) -> str:
    """'By TOM KRISHER, AP Auto Writer' -> 'Tom Krisher'; 'Jane Doe, John Roe' stays a list of names."""
    value = _BY_PREFIX.sub("", value.strip())
    parts = [p.strip() for p in re.split(r",|\s+and\s+|\s+&\s+|\s+\|\s+", value) if p.strip()]
    names = []
    for part in parts:
        toks = part.split()
        looks_like_name = 2 <= len(toks) <= 4 and all(t[:1].isupper() for t in toks if t.lower() not in PARTICLES)
        if looks_like_name and not is_org(part) and not re.search(rf"(?i)\b(?:{_JOB})s?\b", part):
            names.append(_title_case(part))
    if not names or len(names) == len(parts):
        return _title_case(value)  # nothing to remove: keep the reader's own wording
    return ", ".join(names)


def clean_source(value: str) -> str:
    """'Autoracing | F1 | Indy' -> 'Autoracing'; 'https://www.example.in' -> 'example.in'."""
    value = value.strip()
    m = _URL.match(value)
    if m:
        return m.group("host")
    return re.split(r"\s+\|\s+", value)[0].strip() or value


def find_author(units: list[str]) -> str | None:
    for u in units:
        name = byline_author(u)
        if name:
            return name
    return None


def find_source(units: list[str], body: list[str], dropped: list[str] = ()) -> str | None:
    """The outlet, from the most explicit evidence on the page (see module docstring)."""
    for i, u in enumerate(units):
        if about_heading_source(u) is not None or re.match(r"^about the (?:author|writer)\b", u, re.I):
            for nxt in units[i + 1: i + 3]:
                name = about_body_source(nxt)
                if name:
                    return name
    finders = (about_heading_source, logo_source, tagline_source, syndication_source)
    for finder in finders:
        for u in units:
            name = finder(u)
            if name:
                return name
    for p in body[:1]:
        name = dateline_source(p)
        if name:
            return name
    for p in list(body) + list(dropped):
        name = credit_source(p)
        if name:
            return name
    return None
