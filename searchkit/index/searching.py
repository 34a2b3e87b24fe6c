"""The whoosh engine's side of a search: parse against this index's vocabulary, match, rank, count facets.

This is what `searchkit.engine.Engine.parse`/``run``/``suggest`` mean for the embedded whoosh index
(`searchkit.index.Index` delegates here); `searchkit.results.search` turns the answer into `SearchResults`.
Matching and scoring are array work (`searchkit.ranking.evaluator`); article mode re-ranks the best articles by
whole-article BM25 (`searchkit.ranking.scoring`).
"""
from __future__ import annotations

from typing import Any

from whoosh.query import And, DateRange, NullQuery, Term
from whoosh.query import QueryError as WhooshQueryError
from whoosh.searching import Searcher

from ..engine import Filters, Ranked, RankedHit
from ..errors import QueryError
from ..query.parser import ParsedQuery, cap_expansions, parse_query
from ..ranking.bm25 import is_weighting_for, weighting
from ..ranking.evaluator import match, top
from ..ranking.articles import add_proximity, query_words, rank_articles, rank_passages, score_articles
from ..ranking.scoring import article_scores
from ..results import facets
from ..results.suggest import suggest
from ..settings import Settings
from ..store.analysis import news_analyzer
from ..store.layout import article_id
from ..store.schema import decode_article


def ranked_searcher(index, settings: Settings):
    """The index's shared searcher, ranking with ``settings``' weighting (wrapped only if it is not already)."""
    shared = index.searcher()
    if is_weighting_for(shared.weighting, settings):
        return shared
    return Searcher(shared.reader(), weighting=weighting(settings), closereader=False)


def parse(index, text: str, settings: Settings) -> ParsedQuery:
    """`Engine.parse`: the query language's tree, prefix/fuzzy terms expanded against the vocabulary."""
    searcher = ranked_searcher(index, settings)
    try:
        parsed = parse_query(text, searcher.schema, settings.boosts, coordination=settings.coordination,
                             group=settings.field_group)
        parsed.query = cap_expansions(parsed.query, searcher.reader())
    except WhooshQueryError as e:
        raise QueryError(f"cannot run this query: {e}") from None
    return parsed


def suggestion(index, text: str) -> str | None:
    """`Engine.suggest` for the whoosh index."""
    return suggest(index.searcher(), text, news_analyzer())


def filter_query(filters: Filters):
    """The whoosh filter query for ``filters``, or None."""
    parts = []
    if filters.source:
        parts.append(Term("source_facet", filters.source))
    if filters.speaker:
        parts.append(Term("speaker_facet", filters.speaker))
    if filters.since or filters.until:
        parts.append(DateRange("date", filters.since, filters.until))
    return And(parts) if parts else None


def run(index, parsed: ParsedQuery, filters: Filters, *, unit: str, offset: int, limit: int,
        settings: Settings) -> Ranked:
    """`Engine.run` for the whoosh index; a query whoosh itself cannot run is a one-line `QueryError`."""
    try:
        return _run(index, parsed.query, filters, unit, offset, limit, settings, parsed.text)
    except WhooshQueryError as e:
        raise QueryError(f"cannot run this query: {e}") from None


def _run(index, q, filters: Filters, unit: str, offset: int, limit: int, settings: Settings,
         text: str = "") -> Ranked:
    out = Ranked(query=q, facets={name: {} for name in facets.FACETS})
    if q is NullQuery:
        return out
    searcher = ranked_searcher(index, settings)
    filt = filter_query(filters)
    filter_docs = searcher._filter_to_comb(filt) if filt is not None else None
    matches = match(searcher, q, None if filter_docs is None else set(filter_docs))
    words = query_words(q, text) if settings.article_stats and settings.article_level else None
    if words is not None:
        page, out.total = _article_stats_page(searcher, matches, words, unit, offset + limit, settings)
        page = page[offset:]
    elif unit == "passage":
        out.total = len(matches)
        page = matches.top(offset + limit)[offset:]
    else:
        fetch = max(100, (offset + limit) * settings.article_fetch_factor)
        out.total, best_docs, best_scores = facets.best_per_article(matches)
        pool = top(best_docs, best_scores, fetch)  # the best articles by their best passage
        ranked = [_article_id(searcher, d) for d, _ in pool]
        best = dict(zip(ranked, pool))
        scores = {a: best[a][1] for a in ranked}
        # whole-article scores re-rank the best `fetch` articles by passage score
        whole = article_scores(searcher, q, [best[a][0] for a in ranked], settings) if settings.article_level else None
        if whole:
            scores.update({a: whole[best[a][0]] for a in ranked})
            ranked.sort(key=lambda a: -scores[a])  # stable: equal scores keep the passage order
        page = [(best[a][0], scores[a]) for a in ranked[offset:offset + limit]]
    for docnum, score in page:
        pindex, path, art = stored_article(searcher, docnum)
        out.hits.append(RankedHit(score=float(score), passage_index=pindex, path=path, article=art))
    out.facets = facets.count(matches)
    return out


def _article_stats_page(searcher, matches, words, unit: str, wanted: int, settings: Settings):
    """(the best ``wanted`` (docnum, score), total) ranked with article-level statistics
    (`searchkit.ranking.articles`): every matching article scored, so pages partition one exact ranking."""
    scores = score_articles(searcher, words, settings)
    if unit == "passage":
        add_proximity(scores, words, settings)
        docs, vals = rank_passages(matches, scores, words, settings)
    else:
        docs, vals = rank_articles(matches, scores)
    return top(docs, vals, wanted), len(docs)


_ARTICLES: dict[tuple, tuple] = {}  # (segment id, document count, docnum of passage 0) -> (path, article dict)
_ARTICLES_MAX = 512


def stored_article(searcher, docnum: int) -> tuple[int, str, dict[str, Any]]:
    """(passage index, path as indexed, ``Article.to_dict()``) of the passage at index-wide ``docnum``.

    Passages store nothing but their index: the article is stored once, on its passage 0, which is the
    document ``pindex`` places before this one (`searchkit.store.layout`). Decoded articles are kept for the
    next hits of the same article (a small bounded cache).
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
