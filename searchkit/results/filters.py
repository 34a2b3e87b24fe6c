"""Search filters: the keyword arguments ``source``, ``speaker``, ``since``, ``until``, ``collapse`` -> `Filters`,
and what a person typed for a source or speaker -> the index's exact facet values (`resolve`).

Dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (the grammar is `searchkit.article.dates.date_span`'s,
shared with the web and the indexer); ``since`` starts at the first instant a prefix covers and ``until``
ends at its last, so both bounds are inclusive.

Why resolve names here, once, above the engines (issue 11 item 7): people type ``--source "ariana news"`` or
``--speaker lavrov``, not the exact facet value "Ariana News" / "Sergey Lavrov". Matching against the engine's
own facet values (`searchkit.engine.Engine.facet_values`) hands every engine exact values, so the whoosh and
OpenSearch engines filter alike, and the values matched are reported back (``SearchResults.filters``). The
best kind of match wins, all values of that kind are kept (any of them may match):

1. the same words, ignoring case, accents and punctuation ("ariana news" -> "Ariana News");
2. each typed word starts a word of the value, in order ("lavrov" -> "Sergey Lavrov", "kabul" -> "The Kabul times");
3. the typed text is part of the value ("caller" -> "Daily Caller News Foundation");
4. speakers only: a variant of the person's name (`searchkit.article.variants.same_person`: "haneef atmar").

Nothing matching is an error naming the closest values (the search could only say "0 results", which reads as
"nothing about that" rather than "no such source"); saved searches resolve leniently instead (`strict=False`:
the typed value is kept, and matches once such a source is indexed).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import replace
from datetime import datetime
from typing import Sequence

from ..article.dates import date_span
from ..article.variants import same_person
from ..engine import Filters
from ..errors import QueryError
from ..store.analysis import fold

FILTER_FIELDS = ("source", "speaker")
MAX_CLOSEST = 3  # values an unmatched filter's error names
_WORD = re.compile(r"[^\W_]+(?:['\u2019.][^\W_]+)*", re.UNICODE)


def date_bounds(text: str, what: str) -> tuple[datetime, datetime]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> (first, last) instant it covers; `QueryError` otherwise.
    ``what`` names the option in the message."""
    span = date_span(text)
    if span is None:
        raise QueryError(f"{what}: {text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return span


def make_filters(source: str | Sequence[str] | None = None, speaker: str | Sequence[str] | None = None,
                 since: str | None = None, until: str | None = None, collapse: bool = True) -> Filters:
    """`Filters` for the search keyword arguments, ``source``/``speaker`` as given (see `resolve`);
    ``since``/``until`` dates; ``collapse`` copies. `QueryError` for a bad date or an empty range."""
    lo = date_bounds(since, "since")[0] if since else None
    hi = date_bounds(until, "until")[1] if until else None
    if lo and hi and lo > hi:
        raise QueryError(f"since {since} is after until {until}")
    return Filters(source=source or None, speaker=speaker or None, since=lo, until=hi, collapse_copies=bool(collapse))


def _words(text: str) -> list[str]:
    return [w for w in (fold(m) for m in _WORD.findall(text)) if w]


def _starts_words(typed: list[str], words: list[str]) -> bool:
    """Each typed word is the start of a word of the value, in order."""
    k = 0
    for w in words:
        if k < len(typed) and w.startswith(typed[k]):
            k += 1
    return k == len(typed)


def match_values(typed: str, values: Sequence[str], people: bool = False) -> list[str]:
    """The values (of ``values``, in their order) that ``typed`` names, by the best kind of match that finds
    any (see the module docstring); ``people``: also match name variants (speakers). [] when none does."""
    want = _words(typed)
    if not want:
        return []
    folded = [(v, _words(v)) for v in values]
    joined = " ".join(want)
    tiers = (
        lambda v, ws: ws == want,
        lambda v, ws: _starts_words(want, ws),
        lambda v, ws: joined in " ".join(ws),
        lambda v, ws: people and same_person(typed, v),
    )
    for test in tiers:
        found = [v for v, ws in folded if test(v, ws)]
        if found:
            return found
    return []


def _no_match(name: str, typed: str, values: Sequence[str]) -> QueryError:
    """The error for a filter that names no value: the closest values, else the most frequent ones."""
    if not values:
        return QueryError(f"{name} {typed!r}: no article in this index has a {name} to filter on")
    keys = {" ".join(_words(v)): v for v in values}
    close = difflib.get_close_matches(" ".join(_words(typed)), list(keys), n=MAX_CLOSEST, cutoff=0.6)
    shown = [keys[k] for k in close] or list(values[:MAX_CLOSEST])
    label = "closest" if close else "most frequent"
    return QueryError(f"no {name} matches {typed!r}; {label}: " + ", ".join(f'"{v}"' for v in shown))


def resolve(index, filters: Filters, strict: bool = True) -> tuple[Filters, dict[str, list[str]]]:
    """(``filters`` with each typed source/speaker replaced by the exact facet values of ``index`` (any
    `searchkit.engine.Engine`) it names, {"source"/"speaker": the values matched}).

    ``strict``: a typed value that names nothing is a `QueryError` listing the closest values; otherwise it
    is kept as typed (it matches nothing until such a value is indexed: what saved searches want).
    """
    changes: dict[str, tuple[str, ...]] = {}
    matched: dict[str, list[str]] = {}
    for name in FILTER_FIELDS:
        typed = getattr(filters, name)
        if not typed:
            continue
        values = index.facet_values(name)
        found: list[str] = []
        for t in typed:
            hits = match_values(t, values, people=name == "speaker")
            if not hits and strict:
                raise _no_match(name, t, values)
            found += hits or [t]
        changes[name] = tuple(dict.fromkeys(found))
        matched[name] = list(changes[name])
    return (replace(filters, **changes) if changes else filters), matched


def matched_notes(matched: dict[str, list[str]], typed: dict[str, str | None]) -> list[str]:
    """One line per filter whose matched values are not exactly what was typed, e.g.
    ``source: matched "Ariana News"``: what the terminal and the page tell the person. ``matched``:
    `resolve`'s second value; ``typed``: the filter as typed, per name."""
    return [f"{name}: matched " + ", ".join(f'"{v}"' for v in values)
            for name, values in matched.items() if values and values != [typed.get(name)]]
