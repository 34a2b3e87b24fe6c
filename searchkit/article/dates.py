"""The article's publication date as ISO YYYY-MM-DD, and the one grammar of dates that searchkit reads.

`DATE_PATTERN` / `date_span`: a real calendar date ``YYYY-MM-DD`` or a prefix of one (``YYYY``, ``YYYY-MM``),
any year 0001-9999, months and days with or without their leading zero, spaces or tabs around ignored. The
library's ``since``/``until`` (results/filters), the web's parameters (web/params, also published in its
OpenAPI document) and the indexer reading ``Article.date`` (store/layout) all use it, so a date one of them
accepts is accepted by all. It is one exact regex (month lengths, leap years) rather than a regex plus a
calendar check, so that the OpenAPI pattern alone says exactly what the server enforces.

Candidates are found with one compact pattern per written shape (month names, ISO, numeric) and handed to
dateutil, which does the calendar work. Which line counts: a labelled date line ("Published On:",
"publish:", "(Last Updated On: ...)") first, else a short line that is mostly a date (a sign-off such as
"CH/L – nsnbc 19.03.2017"). Dates inside prose are events, not the publication date, and lines after the
boilerplate cut (related-article teasers) are never looked at.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b(?P<dmy>\d{{1,2}}{_ORD}\s+{_MONTH},?\s+\d{{4}})\b"
    rf"|\b(?P<mdy>{_MONTH}\s+\d{{1,2}}{_ORD},?\s+\d{{4}})\b"
    r"|\b(?P<iso>\d{4}[-/.]\d{1,2}[-/.]\d{1,2})\b"
    r"|\b(?P<num>\d{1,2}(?P<sep>[-/.])\d{1,2}(?P=sep)\d{4})\b",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"\b(?:published|publish|posted|updated|last updated|date|dated|released|first published|on)\b\s*(?:on)?\s*:?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]{2,}")
MAX_DATE_LINE_WORDS = 12
_YEAR = re.compile(r"\d{4}")

_Y = "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"  # 0001-9999 (datetime has no year 0)
_LEAP_Y = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MD = ("(?:(?:0?[1-9]|1[0-2])-(?:0?[1-9]|1[0-9]|2[0-8])"  # every month has days 1-28
       "|(?:0?[13-9]|1[0-2])-(?:29|30)|(?:0?[13578]|1[02])-31)")
DATE_PATTERN = rf"^[ \t]*(?:{_Y}(?:-(?:0?[1-9]|1[0-2]))?|{_Y}-{_MD}|{_LEAP_Y}-0?2-29)[ \t]*$"
_DATE_SPAN = re.compile(DATE_PATTERN)


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        value = date(y, m, d)
    except ValueError:
        return None
    return value.isoformat() if 1900 <= y <= 2100 else None


def _parse(match: re.Match) -> str | None:
    return _parse_text(match.group(), "iso" if match.group("iso") else "num" if match.group("num") else "words",
                       match.group("sep"))


@lru_cache(maxsize=4096)
def _parse_text(text: str, kind: str, sep: str | None) -> str | None:
    from dateutil import parser  # lazy: keeps `import searchkit` light

    if kind == "iso":
        y, m, d = (int(x) for x in re.split(r"[-/.]", text))
        return _valid(y, m, d)
    if kind == "num":
        a, b, y = (int(x) for x in re.split(r"[-/.]", text))
        if sep == "/" and a <= 12:  # US style 03/19/2017 unless the first part cannot be a month
            return _valid(y, a, b)
        return _valid(y, b, a)  # European 19.03.2017, 19-03-2017, 19/03/2017
    cleaned = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", text, flags=re.IGNORECASE)
    try:
        value = parser.parse(cleaned, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        return None
    return _valid(value.year, value.month, value.day)


def date_span(text: str | None) -> tuple[datetime, datetime] | None:
    """(first, last instant) that a date or date prefix covers, both inclusive; None if ``text`` is not one.

    ``2017`` covers 2017-01-01 00:00 to 2017-12-31 23:59:59.999999; the calendar's last year, month or day
    (9999) runs up to ``datetime.max``.
    """
    if not text or not _DATE_SPAN.fullmatch(text):
        return None
    y, mo, d = ([int(x) for x in text.strip(" \t").split("-")] + [0, 0])[:3]
    start = datetime(y, mo or 1, d or 1)
    try:
        if d:
            end = start + timedelta(days=1)
        elif mo:
            end = datetime(y + (mo == 12), mo % 12 + 1, 1)
        else:
            end = datetime(y + 1, 1, 1)
    except (ValueError, OverflowError):
        return start, datetime.max
    return start, end - timedelta(microseconds=1)


def find_date(text: str) -> str | None:
    """The first valid date written in ``text``, as YYYY-MM-DD."""
    for m in _DATE.finditer(text):
        iso = _parse(m)
        if iso:
            return iso
    return None


def is_date_line(line: str) -> bool:
    """A short line that is there to print a date (with a label, a weekday or a sign-off), not prose."""
    if line.count(" ") >= MAX_DATE_LINE_WORDS or not _YEAR.search(line):
        return False
    m = _DATE.search(line)
    if not m or not _parse(m):
        return False
    if line.endswith(".") and line[m.end():].strip() != ".":
        return False  # a sentence that mentions a date
    rest = line[: m.start()] + line[m.end():]
    rest = _LABEL.sub(" ", rest)
    words = _WORD.findall(rest)
    return len(words) <= 4


def article_date(units: list[str]) -> str | None:
    """The publication date among ``units`` (already cut before related-article teasers)."""
    labelled = None
    short = None
    for u in units:
        if not is_date_line(u):
            continue
        iso = find_date(u)
        if labelled is None and _LABEL.search(u):
            labelled = iso
        if short is None:
            short = iso
    return labelled or short


def normalize_date(value: object) -> str | None:
    """A metadata date (ISO datetime, RFC 2822, "March 19, 2017", epoch seconds...) as YYYY-MM-DD, or None."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.utcfromtimestamp(value).date().isoformat()
        except (ValueError, OverflowError, OSError):
            return None
    text = str(value).strip()
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        return _valid(*(int(x) for x in m.groups()))
    from email.utils import parsedate_to_datetime

    try:
        dt = parsedate_to_datetime(text)
        return _valid(dt.year, dt.month, dt.day)
    except (TypeError, ValueError, IndexError):
        pass
    return find_date(text)
