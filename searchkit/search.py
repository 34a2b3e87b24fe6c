"""Search: a query string -> one page of ranked passages (or articles) with snippets, facets, suggestion.

``search(index, query, ...)`` is what ``Index.search``, the CLI and the web page call. Ranking is BM25 (Lucene
idf, see `searchkit.scoring`) over passages, with query-time field boosts so that they can be changed without
re-indexing (``open_index(path, boosts=...)`` or ``search(..., boosts=...)``).

How the defaults were chosen: ``bench/relevance.py`` (nDCG@10, article mode, SciFact's 809 train queries;
CISI and Cranfield printed beside it so a SciFact-only gain is visible), one setting changed at a time from
headline 2 / quote 0.5 / names 0.2, K1 1.2, B 0.75, coordination 0.5, article = best passage (0.6655):

- headline 1: 0.6866 (with K1 0.9, B 0.4: 0.6868; CISI 0.333, Cranfield 0.360) -- best for SciFact, but then
  a body mention of a word outranks an article that has it in its headline (the news acceptance test);
- headline 1.5: 0.6753 (CISI 0.346, Cranfield 0.372: better than headline 1 there) -- **kept**: the smallest
  boost tried that keeps headline articles first (1.25 does not);
- names 0 (no phonetic variants): 0.6616 -- variants help a little even here; kept at 0.2, below exact words;
- coordination 0: 0.6556; coordination 1.0 (at K1 0.9, B 0.4): 0.6650 against 0.6674 -- 0.5 kept;
- article = best passage + 0.3 x the others: 0.6566 -- best passage only, kept;
- K1 0.9, B 0.4: 0.6674 -- within noise of 1.2 / 0.75, so whoosh's (and Lucene's) defaults are kept.

Article mode now scores whole articles with headline 2 (SciFact 0.6942, CISI 0.338, Cranfield 0.364; the
smallest boost keeping headline articles first there): see `searchkit.scoring`'s docstring for the table.

Quotes: the quote field repeats text that is also in the body, so its boost is an *extra* weight; 0.5 lets a
quoted word count 1.5x without outranking a headline word (SciFact has no quotes, so this is a product call).

Facets count matching *articles* (not passages) per source, year and speaker, over the whole matching set
after filters; each lists at most ``searchkit.facets.MAX_FACET_VALUES`` values, most frequent first.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from typing import Any, Mapping

from . import scoring
from .errors import QueryError
from .facets import FACETS
from .model import ArticleRef, Hit, SearchResults, Snippet

DEFAULT_BOOSTS: dict[str, float] = {"headline": 2.0, "quote": 0.5, "body": 1.0, "names": 0.2}
MAX_LIMIT = 100
UNITS = ("passage", "article")
# Article mode re-ranks by whole-article score the best max(100, this x articles wanted) articles by best passage.
ARTICLE_FETCH_FACTOR = 5


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
    from whoosh.query import And, DateRange, Term

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


def _searcher(index):
    """The index's shared searcher, ranking with searchkit's weighting (wrapped only if it is not already)."""
    from whoosh.searching import Searcher

    from .scoring import weighting

    shared = index.searcher()
    if type(shared.weighting).__name__ == "LuceneBM25":
        return shared
    return Searcher(shared.reader(), weighting=weighting(), closereader=False)


class Highlighter:
    """Where one query's words are in a text: its positive terms analysed once, matched as the index matched.

    The one place that turns a query into highlight spans: search snippets use it, and so does the web
    page's article view (through `highlighter`), so both mark the same words.
    """

    def __init__(self, q):
        from .analysis import name_analyzer, news_analyzer
        from .query import positive_terms

        terms = positive_terms(q)
        self.news = news_analyzer()
        self.names = name_analyzer()
        self.text_terms = set().union(*(v for k, v in terms.items() if k in ("body", "headline", "quote", "speaker")))
        self.name_terms = terms.get("names", set())

    def spans(self, text: str) -> list[tuple[int, int]]:
        """[start, end) of every matching word of ``text`` (exact forms and name variants)."""
        from .snippets import match_spans

        found = match_spans(text, self.text_terms, self.news) + match_spans(text, self.name_terms, self.names)
        return [(s, e) for s, e, _ in found]

    def __call__(self, text: str) -> Snippet:
        """The snippet of a passage: its best sentences with these words highlighted."""
        from .snippets import make_snippet

        return make_snippet(text, self.text_terms, self.news, name_terms=self.name_terms, name_analyzer=self.names)


def highlighter(index, query: str) -> Highlighter | None:
    """A `Highlighter` for ``query`` on ``index`` (prefix/fuzzy terms expanded against its vocabulary),
    or None when the query has nothing to mark or cannot be read."""
    from .query import cap_expansions, parse_query

    if not query or not query.strip():
        return None
    searcher = _searcher(index)
    try:
        parsed = parse_query(query, searcher.schema, DEFAULT_BOOSTS)
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
    from .schema import decode_article

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


def _hit(rank: int, score: float, searcher, docnum: int, snip: Highlighter, groups=None) -> Hit:
    pindex, path, art = stored_article(searcher, docnum)
    passages = art.get("passages") or []
    passage = passages[pindex] if pindex < len(passages) and passages[pindex].get("index") == pindex else \
        next((p for p in passages if p.get("index") == pindex), {})
    text = passage.get("text") or ""
    ref = ArticleRef(id=str(art.get("id", "")), path=path, headline=art.get("headline"), date=art.get("date"),
                     source=art.get("source"), author=art.get("author"))
    hit = Hit(rank=rank, score=float(score), article=ref, passage_index=pindex, passage_text=text,
              snippet=snip(text))
    if groups is not None:  # searchkit.dupes
        hit.copies, hit.first_seen = groups.copies(ref.id), groups.first_seen_of(ref.id, pindex)
    return hit


def _article_id(searcher, docnum: int) -> str:
    from .facets import article_id

    sub, offset = _leaf(searcher, docnum)
    return article_id(sub, docnum - offset)


def _leaf(searcher, docnum: int):
    """(segment reader, its first docnum) holding the index-wide ``docnum`` (whoosh's own lookup)."""
    reader = searcher.reader()
    if reader.is_atomic():
        return reader, 0
    segment, _ = reader._segment_and_docnum(docnum)
    return reader.readers[segment], reader.doc_offsets[segment]


def _groups(index, searcher):
    """The index's copy groups (`searchkit.dupes`) for the commit ``searcher`` reads; None for an index
    object without a folder, or when the groups belong to another commit."""
    path = getattr(index, "path", None)
    if path is None:
        return None
    from .dupes.view import for_searcher

    return for_searcher(path, searcher)


def search(index, query: str, **kwargs) -> SearchResults:  # noqa: D103 (documented on _search)
    from whoosh.query import QueryError as WhooshQueryError

    try:
        return _search(index, query, **kwargs)
    except WhooshQueryError as e:  # e.g. a query whoosh itself cannot run: one line, never a traceback
        raise QueryError(f"cannot run this query: {e}") from None


def _search(index, query: str, *, limit: int = 10, page: int = 1, unit: str = "passage",
           source: str | None = None, speaker: str | None = None, since: str | None = None,
           until: str | None = None, boosts: Mapping[str, float] | None = None, collapse: bool = True) -> SearchResults:
    """Run ``query`` on ``index`` and return one page of results.

    ``unit="article"`` gives one hit per article (its best passage as the snippet, score aggregated by
    `searchkit.scoring.aggregate`). ``source``/``speaker`` keep exact facet values; ``since``/``until`` are
    ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (inclusive). ``collapse`` (default) shows one member of each group
    of copies (`searchkit.dupes`): the best-ranked, with the others in ``Hit.copies``; totals and facets count
    the group once; ``collapse=False`` shows every copy as its own result. Raises `QueryError` for invalid arguments or a query
    with nothing runnable in it; recoverable query mistakes become ``SearchResults.warnings``.
    """
    from whoosh.query import NullQuery

    from .query import cap_expansions, parse_query
    from .suggest import suggest

    t0 = time.perf_counter()
    _validate(limit, page, unit)
    weights = {**DEFAULT_BOOSTS, **(getattr(index, "boosts", None) or {}), **(boosts or {})}
    searcher = _searcher(index)
    schema = searcher.schema
    parsed = parse_query(query, schema, weights)
    res = SearchResults(query=query, total=0, page=page, warnings=list(parsed.warnings), limit=limit, unit=unit,
                        facets={name: {} for name in FACETS})
    filt = _filter(schema, source, speaker, since, until)
    q = cap_expansions(parsed.query, searcher.reader())

    from .analysis import news_analyzer

    res.suggestion = suggest(searcher, parsed.text, news_analyzer())
    if q is NullQuery:
        res.elapsed = time.perf_counter() - t0
        return res

    from . import facets
    from .execute import match, top

    snip = Highlighter(q)
    offset = (page - 1) * limit
    filter_docs = searcher._filter_to_comb(filt) if filt is not None else None
    matches = match(searcher, q, None if filter_docs is None else set(filter_docs))
    groups = _groups(index, searcher)
    if collapse and groups is not None:
        from .dupes.collapse import collapse as collapse_copies

        matches = collapse_copies(matches, groups)

    if unit == "passage":
        res.total = len(matches)
        for i, (docnum, score) in enumerate(matches.top(offset + limit)[offset:]):
            res.hits.append(_hit(offset + i + 1, score, searcher, docnum, snip, groups))
    else:
        want = offset + limit
        fetch = max(100, want * ARTICLE_FETCH_FACTOR)
        res.total, best_docs, best_scores = facets.best_per_article(matches)
        pool = top(best_docs, best_scores, fetch)  # the best articles by their best passage
        ranked = [_article_id(searcher, d) for d, _ in pool]
        best = dict(zip(ranked, pool))
        scores = {a: best[a][1] for a in ranked}
        from .scoring import article_scores

        # whole-article scores re-rank the best `fetch` articles by passage score
        whole = article_scores(searcher, q, [best[a][0] for a in ranked]) if scoring.ARTICLE_LEVEL else None
        if whole:
            scores.update({a: whole[best[a][0]] for a in ranked})
            ranked.sort(key=lambda a: -scores[a])  # stable: equal scores keep the passage order
        for i, a in enumerate(ranked[offset:offset + limit]):
            res.hits.append(_hit(offset + i + 1, scores[a], searcher, best[a][0], snip, groups))
    res.facets = facets.count(matches)
    res.elapsed = time.perf_counter() - t0
    return res
