"""The timeline: how many matching *articles* there are per month, to see when a story was covered.

``month_counts(matches)`` is ``facets.month`` of every search (``{"2017-03": 4, ...}``, oldest first, every
month with a match, months without one left out). It is array work like `searchkit.index.facets`: each segment's
articles' months are read once from the sortable ``date`` column at each article's first passage (cached
per segment), then a query's matching articles are counted with one ``bincount``.

``bars(months)`` turns those counts into the bars a chart or the terminal draws: one per month, or one per
year when the span is longer than ``MAX_MONTH_BARS`` months (a decade of months is unreadable on a phone),
each with the ``since``/``until`` filter values that select it. Months without matches inside the span get
empty bars, so gaps in coverage show as gaps.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..arrays import distinct
from ..ranking.evaluator import Matches
from ..store.layout import article_starts, segment_cache
from ..store.schema import DATE

MAX_MONTH_BARS = 36
_USECS_PER_DAY = 86_400_000_000
_EPOCH_DAYS = 719_162  # days from 0001-01-01 (whoosh's datetime.min) to 1970-01-01 (numpy's epoch)
_NO_MONTH = np.iinfo(np.int64).min


@dataclass
class Bar:
    """One bar: a month (``2017-03``) or a year (``2017``), its count of matching articles, and the
    ``since``/``until`` filter values that select exactly it."""

    label: str
    count: int
    since: str
    until: str


def _article_months(reader) -> np.ndarray:
    """Months since 1970-01 of each article of a segment (``_NO_MONTH`` for undated ones), cached."""
    def make():
        starts = article_starts(reader)
        months = np.full(len(starts), _NO_MONTH, np.int64)
        if not reader.has_column(DATE) or not len(starts):
            return months
        col = reader.column_reader(DATE, translate=False)
        missing = reader.schema[DATE].column_type._default  # what undated documents hold
        raw = np.array([col[int(d)] for d in starts], dtype=object)
        dated = raw != missing
        if dated.any():
            days = np.array([v // _USECS_PER_DAY for v in raw[dated]], np.int64) - _EPOCH_DAYS
            months[dated] = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        return months

    return segment_cache(reader, ("article-months",), make)


@lru_cache(maxsize=1 << 14)  # a query over a decades-long archive labels hundreds of months, the same ones
def _label(month: int) -> str:
    return f"{1970 + month // 12:04d}-{month % 12 + 1:02d}"


def month_counts(matches: Matches) -> dict[str, int]:
    """Distinct matching articles per month (``YYYY-MM``), oldest first; undated articles are not counted."""
    total: dict[int, int] = {}
    for seg in matches.segments:
        months = _article_months(seg.reader)
        if not len(months) or not len(seg.ids):
            continue
        found = months[distinct(seg.articles())]
        found = found[found != _NO_MONTH]
        if not len(found):
            continue
        # months span a few hundred values: counted by bincount in one pass, not sorted (np.unique: ~0.5 ms
        # per segment for a three-word query's ~30k matching articles at 100k)
        low = int(found.min())
        counts = np.bincount(found - low)
        for k in np.flatnonzero(counts).tolist():
            total[low + k] = total.get(low + k, 0) + int(counts[k])
    return {_label(m): total[m] for m in sorted(total) if 0 <= m + 1970 * 12 < 10000 * 12}


def bars(months: dict[str, int], max_month_bars: int = MAX_MONTH_BARS) -> list[Bar]:
    """Bars for ``months`` (``facets.month``): per month over the whole span, per year when the span is
    longer than ``max_month_bars`` months; empty list when there is nothing dated."""
    keys = sorted(k for k in months if len(k) == 7)
    if not keys:
        return []
    first, last = (int(keys[0][:4]), int(keys[0][5:])), (int(keys[-1][:4]), int(keys[-1][5:]))
    span = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    if span > max_month_bars:
        years: dict[int, int] = {}
        for k, n in months.items():
            years[int(k[:4])] = years.get(int(k[:4]), 0) + n
        return [Bar(str(y), years.get(y, 0), str(y), str(y)) for y in range(first[0], last[0] + 1)]
    out = []
    y, m = first
    for _ in range(span):
        label = f"{y:04d}-{m:02d}"
        out.append(Bar(label, months.get(label, 0), label, label))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
