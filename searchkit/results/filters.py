"""Search filters: the keyword arguments ``source``, ``speaker``, ``since``, ``until``, ``collapse`` -> `Filters`.

Dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ``since`` starts at the first instant a prefix covers and
``until`` ends at its last, so both bounds are inclusive.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..engine import Filters
from ..errors import QueryError

DATE_PREFIX = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*")


def date_bounds(text: str, what: str) -> tuple[datetime, datetime]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> (first, last) instant it covers; `QueryError` otherwise."""
    m = DATE_PREFIX.fullmatch(text or "")
    try:
        if not m:
            raise ValueError
        y, mo, d = int(m.group(1)), m.group(2), m.group(3)
        start = datetime(y, int(mo or 1), int(d or 1))
    except ValueError:
        raise QueryError(f"{what}: {text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)") from None
    try:
        if d:
            end = start + timedelta(days=1)
        elif mo:
            end = datetime(y + (int(mo) == 12), int(mo) % 12 + 1, 1)
        else:
            end = datetime(y + 1, 1, 1)
    except (ValueError, OverflowError):  # the calendar's last day, month or year (9999): up to its end
        return start, datetime.max
    return start, end - timedelta(microseconds=1)


def make_filters(source: str | None = None, speaker: str | None = None, since: str | None = None,
                 until: str | None = None, collapse: bool = True) -> Filters:
    """`Filters` for the search keyword arguments; `QueryError` for a bad date or an empty range."""
    lo = date_bounds(since, "since")[0] if since else None
    hi = date_bounds(until, "until")[1] if until else None
    if lo and hi and lo > hi:
        raise QueryError(f"since {since} is after until {until}")
    return Filters(source=source or None, speaker=speaker or None, since=lo, until=hi, collapse_copies=bool(collapse))
