"""Search filters: the keyword arguments ``source``, ``speaker``, ``since``, ``until`` -> `Filters`.

Dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (the grammar is `searchkit.article.dates.date_span`'s,
shared with the web and the indexer); ``since`` starts at the first instant a prefix covers and ``until``
ends at its last, so both bounds are inclusive.
"""
from __future__ import annotations

from datetime import datetime

from ..article.dates import date_span
from ..engine import Filters
from ..errors import QueryError


def date_bounds(text: str, what: str) -> tuple[datetime, datetime]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> (first, last) instant it covers; `QueryError` otherwise."""
    span = date_span(text)
    if span is None:
        raise QueryError(f"{what}: {text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return span


def make_filters(source: str | None = None, speaker: str | None = None, since: str | None = None,
                 until: str | None = None) -> Filters:
    """`Filters` for the search keyword arguments; `QueryError` for a bad date or an empty range."""
    lo = date_bounds(since, "since")[0] if since else None
    hi = date_bounds(until, "until")[1] if until else None
    if lo and hi and lo > hi:
        raise QueryError(f"since {since} is after until {until}")
    return Filters(source=source or None, speaker=speaker or None, since=lo, until=hi)
