"""Search: a query string -> one page of ranked passages (or articles) with snippets, facets, suggestion.

``search(index, query, ...)`` is what ``Index.search``, the CLI and the web page call. Ranking is BM25 (Lucene
idf, `searchkit.ranking.bm25`) over passages, with query-time field boosts, so that they can be changed
without re-indexing; every tunable is a field of `searchkit.settings.Settings` (``open_index(path,
settings=...)`` or ``search(..., settings=...)``), and docs/ranking.md records how the defaults were chosen.

Facets count matching *articles* (not passages) per source, year and speaker, over the whole matching set
after filters; each lists at most ``searchkit.index.facets.MAX_FACET_VALUES`` values, most frequent first.
``facets.month`` (`searchkit.results.timeline`) lists every month with a matching article, oldest first.

``iter_hits`` (every match, for ``export --all``) and ``article_ids`` (for saved searches) run a query without
paging.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Iterator, Mapping

from ..engine import FACET_NAMES, Engine, RankedHit
from ..errors import QueryError
from ..model import ArticleRef, Hit, SearchResults
from ..settings import DEFAULT_SETTINGS, Settings
from . import MAX_LIMIT, UNITS
from .filters import make_filters, resolve
from .highlight import Highlighter
from .suggest import runnable_suggestion



def _validate(limit: int, page: int, unit: str) -> None:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
    if not isinstance(page, int) or page < 1:
        raise QueryError(f"page must be a whole number from 1, not {page!r}")
    if unit not in UNITS:
        raise QueryError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")


def _hit(rank: int, found: RankedHit, snip: Highlighter) -> Hit:
    pindex, path, art = found.passage_index, found.path, found.article
    passages = art.get("passages") or []
    passage = passages[pindex] if pindex < len(passages) and passages[pindex].get("index") == pindex else \
        next((p for p in passages if p.get("index") == pindex), {})
    text = passage.get("text") or ""
    ref = ArticleRef(id=str(art.get("id", "")), path=path, headline=art.get("headline"), date=art.get("date"),
                     source=art.get("source"), author=art.get("author"), url=art.get("url"),
                     headline_highlights=snip.headline_spans(art.get("headline")))
    return Hit(rank=rank, score=found.score, article=ref, passage_index=pindex, passage_text=text,
               snippet=snip(text), copies=list(found.copies), first_seen=found.first_seen)


def _settings(index: Engine, settings: Settings | None, boosts: Mapping[str, float] | None,
              expand: bool | None) -> Settings:
    """The settings of one search: ``settings`` or the index's, some ``boosts`` and ``expand`` overridden."""
    settings = (settings or getattr(index, "settings", None) or DEFAULT_SETTINGS).with_boosts(boosts)
    if expand is not None and bool(expand) != settings.expand:
        settings = replace(settings, expand=bool(expand))
    return settings


def _nothing_to_search(query: str, warnings: list[str]) -> str:
    """The one-line error for a query that holds nothing to search (empty, stop words only, symbols)."""
    if not query.strip():
        return "the query is empty: type some words to search for"
    why = f" ({warnings[0]})" if warnings else ""
    return f"nothing to search for in {query.strip()!r}: only very common words or symbols{why}"


def search(index: Engine, query: str, *, limit: int = 10, page: int = 1, unit: str = "passage",
           source: str | None = None, speaker: str | None = None, since: str | None = None,
           until: str | None = None, boosts: Mapping[str, float] | None = None,
           settings: Settings | None = None, collapse: bool = True, expand: bool | None = None) -> SearchResults:
    """Run ``query`` on ``index`` (any `searchkit.engine.Engine`) and return page ``page`` (from 1) of results,
    ``limit`` (1-100) hits.

    ``unit="article"`` gives one hit per article (its best passage as the snippet, scored as a whole article
    by `searchkit.ranking.scoring.article_scores`). ``settings`` default to the index's; ``boosts`` override
    some of their field boosts. ``source``/``speaker`` keep the facet values they name (case-insensitive, by
    part of a name: `searchkit.results.filters.resolve`; the values matched are ``SearchResults.filters``; a
    name that matches none is a `QueryError` naming the closest values); ``since``/``until`` are
    ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (inclusive). ``collapse`` (default) shows one member of each group
    of copies (`searchkit.dupes`): the best-ranked, with the others in ``Hit.copies``; totals and facets count
    the group once; ``collapse=False`` shows every copy as its own result. ``expand=True`` adds words of the
    best articles to a plain-word query (RM3, `searchkit.ranking.expansion`; default: ``settings.expand``,
    off). Raises `QueryError` for invalid
    arguments or a query with nothing runnable in it; recoverable query mistakes become ``SearchResults.warnings``.
    """
    t0 = time.perf_counter()
    _validate(limit, page, unit)
    settings = _settings(index, settings, boosts, expand)
    parsed = index.parse(query, settings)
    res = SearchResults(query=query, total=0, page=page, warnings=list(parsed.warnings), limit=limit, unit=unit,
                        facets={**{name: {} for name in FACET_NAMES}, "month": {}})
    if parsed.is_empty:
        # issue 11 item 7 / README: a query with nothing runnable is an error, not "0 results"
        raise QueryError(_nothing_to_search(query, parsed.warnings))
    filters, res.filters = resolve(index, make_filters(source, speaker, since, until, collapse))
    res.suggestion = runnable_suggestion(index, parsed.text, filters, settings)
    offset = (page - 1) * limit
    ranked = index.run(parsed, filters, unit=unit, offset=offset, limit=limit, settings=settings)
    snip = Highlighter(ranked.query)
    res.total = ranked.total
    res.hits = [_hit(offset + i + 1, h, snip) for i, h in enumerate(ranked.hits)]
    res.facets = ranked.facets
    if not res.hits and res.total:
        pages = -(-res.total // limit)
        res.warnings.append(f"page {page} is past the last page ({pages} of {res.total} results)")
    res.elapsed = time.perf_counter() - t0
    return res


def iter_hits(index: Engine, query: str, *, unit: str = "passage", source: str | None = None,
              speaker: str | None = None, since: str | None = None, until: str | None = None,
              boosts: Mapping[str, float] | None = None, collapse: bool = True,
              expand: bool | None = None) -> Iterator[Hit]:
    """Every match of ``query`` on ``index``, best first, one `Hit` at a time (the ``--all`` export).

    Parameters as for `search`. Only the matches' docnums and scores are held (a few bytes each); each hit's
    article is read and its snippet made when the hit is taken, so memory stays flat however many there
    are. Passage ranks equal `search`'s; with ``unit="article"`` articles come in the order of their best
    passage (`search` re-scores its first pages' articles as wholes, which needs them all at once).
    Raises `QueryError` like `search`, when the first hit is asked for.
    """
    _validate(1, 1, unit)
    settings = _settings(index, None, boosts, expand)
    parsed = index.parse(query, settings)
    filters, _ = resolve(index, make_filters(source, speaker, since, until, collapse))
    if parsed.is_empty:
        return
    snip = Highlighter(parsed.query)
    for rank, found in enumerate(index.all_ranked(parsed, filters, unit=unit, settings=settings), 1):
        yield _hit(rank, found, snip)


def article_ids(index: Engine, query: str, *, source: str | None = None, speaker: str | None = None,
                since: str | None = None, until: str | None = None) -> set[str]:
    """The ids of every article matching ``query`` with these filters (as for `search`), read from the
    article-id column only: what saved searches compare to find new matches. Raises `QueryError`. Every copy
    of a story counts (no collapsing: the set must not change when a new copy outranks the one seen)."""
    settings = getattr(index, "settings", None) or DEFAULT_SETTINGS
    parsed = index.parse(query, settings)
    filters, _ = resolve(index, make_filters(source, speaker, since, until, collapse=False), strict=False)
    return set() if parsed.is_empty else index.article_ids(parsed, filters, settings)
