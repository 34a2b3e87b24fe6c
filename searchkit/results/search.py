"""Search: a query string -> one page of ranked passages (or articles) with snippets, facets, suggestion.

``search(index, query, ...)`` is what ``Index.search``, the CLI and the web page call. Ranking is BM25 (Lucene
idf, `searchkit.ranking.bm25`) over passages, with query-time field boosts, so that they can be changed
without re-indexing; every tunable is a field of `searchkit.settings.Settings` (``open_index(path,
settings=...)`` or ``search(..., settings=...)``), and docs/ranking.md records how the defaults were chosen.

Facets count matching *articles* (not passages) per source, year and speaker, over the whole matching set
after filters; each lists at most ``searchkit.results.facets.MAX_FACET_VALUES`` values, most frequent first.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from typing import Any, Mapping

from whoosh.query import And, DateRange, NullQuery, Term
from whoosh.query import QueryError as WhooshQueryError
from whoosh.searching import Searcher

from ..errors import QueryError
from ..model import ArticleRef, Hit, SearchResults, Snippet
from ..query.parser import cap_expansions, parse_query, positive_terms
from ..ranking.bm25 import is_weighting_for, weighting
from ..ranking.evaluator import match, top
from ..ranking.scoring import article_scores
from ..settings import DEFAULT_SETTINGS, Settings
from ..store.analysis import name_analyzer, news_analyzer
from ..store.layout import article_id
from ..store.schema import decode_article
from . import facets
from .facets import FACETS
from .snippets import make_snippet, match_spans
from .suggest import suggest

MAX_LIMIT = 100
UNITS = ("passage", "article")


def _date_bounds(text: str, what: str) -> tuple[datetime, datetime]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> (first, last) instant it covers."""
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", text or "")
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


def _filter(schema, source, speaker, since, until):
    """The whoosh filter query for the keyword arguments, or None."""
    parts = []
    if source:
        parts.append(Term("source_facet", source))
    if speaker:
        parts.append(Term("speaker_facet", speaker))
    if since or until:
        lo = _date_bounds(since, "since")[0] if since else None
        hi = _date_bounds(until, "until")[1] if until else None
        if lo and hi and lo > hi:
            raise QueryError(f"since {since} is after until {until}")
        parts.append(DateRange("date", lo, hi))
    return And(parts) if parts else None


def _validate(limit: int, page: int, unit: str) -> None:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
    if not isinstance(page, int) or page < 1:
        raise QueryError(f"page must be a whole number from 1, not {page!r}")
    if unit not in UNITS:
        raise QueryError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")


def ranked_searcher(index, settings: Settings):
    """The index's shared searcher, ranking with ``settings``' weighting (wrapped only if it is not already)."""
    shared = index.searcher()
    if is_weighting_for(shared.weighting, settings):
        return shared
    return Searcher(shared.reader(), weighting=weighting(settings), closereader=False)


class Highlighter:
    """Where one query's words are in a text: its positive terms analysed once, matched as the index matched.

    The one place that turns a query into highlight spans: search snippets use it, and so does the web
    page's article view (through `highlighter`), so both mark the same words.
    """

    def __init__(self, q):
        terms = positive_terms(q)
        self.news = news_analyzer()
        self.names = name_analyzer()
        self.text_terms = set().union(*(v for k, v in terms.items() if k in ("body", "headline", "quote", "speaker")))
        self.name_terms = terms.get("names", set())

    def spans(self, text: str) -> list[tuple[int, int]]:
        """[start, end) of every matching word of ``text`` (exact forms and name variants)."""
        found = match_spans(text, self.text_terms, self.news) + match_spans(text, self.name_terms, self.names)
        return [(s, e) for s, e, _ in found]

    def __call__(self, text: str) -> Snippet:
        """The snippet of a passage: its best sentences with these words highlighted."""
        return make_snippet(text, self.text_terms, self.news, name_terms=self.name_terms, name_analyzer=self.names)


def highlighter(index, query: str) -> Highlighter | None:
    """A `Highlighter` for ``query`` on ``index`` (prefix/fuzzy terms expanded against its vocabulary),
    or None when the query has nothing to mark or cannot be read."""
    if not query or not query.strip():
        return None
    searcher = ranked_searcher(index, DEFAULT_SETTINGS)
    try:
        parsed = parse_query(query, searcher.schema, DEFAULT_SETTINGS.boosts)
    except QueryError:
        return None
    return Highlighter(cap_expansions(parsed.query, searcher.reader()))


_ARTICLES: dict[tuple, tuple] = {}  # (segment id, document count, docnum of passage 0) -> (path, article dict)
_ARTICLES_MAX = 512


def stored_article(searcher, docnum: int) -> tuple[int, str, dict[str, Any]]:
    """(passage index, path as indexed, ``Article.to_dict()``) of the passage at index-wide ``docnum``.

    Passages store nothing but their index: the article is stored once, on its passage 0, which is the
    document ``pindex`` places before this one (an article's passages are consecutive). Decoded articles
    are kept for the next hits of the same article (a small bounded cache).
    """
    fields = searcher.stored_fields(docnum)
    pindex = int(fields.get("pindex") or 0)
    reader, offset = _leaf(searcher, docnum)
    key = (reader.segment().segment_id(), reader.doc_count_all(), docnum - offset - pindex)
    got = _ARTICLES.get(key)
    if got is None:
        first = searcher.stored_fields(docnum - pindex) if pindex else fields
        if "article" not in first or first.get("article_id") != fields.get("article_id"):
            # not laid out as expected (never seen): look the article's first passage up by its id
            first = next((f for f in searcher.documents(article_id=fields.get("article_id")) if "article" in f), {})
        got = (str(first.get("path") or ""), decode_article(first["article"]) if "article" in first else {})
        if len(_ARTICLES) >= _ARTICLES_MAX:
            _ARTICLES.clear()
        _ARTICLES[key] = got
    return pindex, got[0], got[1]


def _hit(rank: int, score: float, searcher, docnum: int, snip: Highlighter) -> Hit:
    pindex, path, art = stored_article(searcher, docnum)
    passages = art.get("passages") or []
    passage = passages[pindex] if pindex < len(passages) and passages[pindex].get("index") == pindex else \
        next((p for p in passages if p.get("index") == pindex), {})
    text = passage.get("text") or ""
    ref = ArticleRef(id=str(art.get("id", "")), path=path, headline=art.get("headline"), date=art.get("date"),
                     source=art.get("source"), author=art.get("author"))
    return Hit(rank=rank, score=float(score), article=ref, passage_index=pindex, passage_text=text,
               snippet=snip(text))


def _article_id(searcher, docnum: int) -> str:
    sub, offset = _leaf(searcher, docnum)
    return article_id(sub, docnum - offset)


def _leaf(searcher, docnum: int):
    """(segment reader, its first docnum) holding the index-wide ``docnum`` (whoosh's own lookup)."""
    reader = searcher.reader()
    if reader.is_atomic():
        return reader, 0
    segment, _ = reader._segment_and_docnum(docnum)
    return reader.readers[segment], reader.doc_offsets[segment]


def search(index, query: str, **kwargs) -> SearchResults:  # noqa: D103 (documented on _search)
    try:
        return _search(index, query, **kwargs)
    except WhooshQueryError as e:  # e.g. a query whoosh itself cannot run: one line, never a traceback
        raise QueryError(f"cannot run this query: {e}") from None


def _search(index, query: str, *, limit: int = 10, page: int = 1, unit: str = "passage",
           source: str | None = None, speaker: str | None = None, since: str | None = None,
           until: str | None = None, boosts: Mapping[str, float] | None = None,
           settings: Settings | None = None) -> SearchResults:
    """Run ``query`` on ``index`` and return one page of results.

    ``unit="article"`` gives one hit per article (its best passage as the snippet, scored as a whole article
    by `searchkit.ranking.scoring.article_scores`). ``settings`` default to the index's; ``boosts`` override
    some of their field boosts. ``source``/``speaker`` keep exact facet values; ``since``/``until`` are
    ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (inclusive). Raises `QueryError` for invalid arguments or a query
    with nothing runnable in it; recoverable query mistakes become ``SearchResults.warnings``.
    """
    t0 = time.perf_counter()
    _validate(limit, page, unit)
    settings = (settings or getattr(index, "settings", None) or DEFAULT_SETTINGS).with_boosts(boosts)
    searcher = ranked_searcher(index, settings)
    schema = searcher.schema
    parsed = parse_query(query, schema, settings.boosts, coordination=settings.coordination,
                         group=settings.field_group)
    res = SearchResults(query=query, total=0, page=page, warnings=list(parsed.warnings), limit=limit, unit=unit,
                        facets={name: {} for name in FACETS})
    filt = _filter(schema, source, speaker, since, until)
    q = cap_expansions(parsed.query, searcher.reader())

    res.suggestion = suggest(searcher, parsed.text, news_analyzer())
    if q is NullQuery:
        res.elapsed = time.perf_counter() - t0
        return res

    snip = Highlighter(q)
    offset = (page - 1) * limit
    filter_docs = searcher._filter_to_comb(filt) if filt is not None else None
    matches = match(searcher, q, None if filter_docs is None else set(filter_docs))

    if unit == "passage":
        res.total = len(matches)
        for i, (docnum, score) in enumerate(matches.top(offset + limit)[offset:]):
            res.hits.append(_hit(offset + i + 1, score, searcher, docnum, snip))
    else:
        want = offset + limit
        fetch = max(100, want * settings.article_fetch_factor)
        res.total, best_docs, best_scores = facets.best_per_article(matches)
        pool = top(best_docs, best_scores, fetch)  # the best articles by their best passage
        ranked = [_article_id(searcher, d) for d, _ in pool]
        best = dict(zip(ranked, pool))
        scores = {a: best[a][1] for a in ranked}
        # whole-article scores re-rank the best `fetch` articles by passage score
        whole = article_scores(searcher, q, [best[a][0] for a in ranked], settings) if settings.article_level else None
        if whole:
            scores.update({a: whole[best[a][0]] for a in ranked})
            ranked.sort(key=lambda a: -scores[a])  # stable: equal scores keep the passage order
        for i, a in enumerate(ranked[offset:offset + limit]):
            res.hits.append(_hit(offset + i + 1, scores[a], searcher, best[a][0], snip))
    res.facets = facets.count(matches)
    res.elapsed = time.perf_counter() - t0
    return res
