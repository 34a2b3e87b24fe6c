"""The whoosh engine's side of a search: parse against this index's vocabulary, match, rank, count facets.

This is what `searchkit.engine.Engine.parse`/``run``/``suggest`` mean for the embedded whoosh index
(`searchkit.index.Index` delegates here); `searchkit.results.search` turns the answer into `SearchResults`.
Matching and scoring are array work (`searchkit.ranking.evaluator`), with the headline matched once per article
(`searchkit.query.nodes.once_per_article`, README's matching semantics); plain-word and phrase queries are
ranked with article-level statistics (`searchkit.ranking.articles`), optionally expanded by RM3
(`searchkit.ranking.expansion`); other queries re-rank the best articles by whole-article BM25
(`searchkit.ranking.scoring`). Copies of one story (`searchkit.dupes`) are collapsed on the
matches (when ``Filters.collapse_copies``), so ranking, paging, facets, export and saved searches all see one
member per group, and each hit carries its copies and passage provenance.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np
from whoosh.query import And, DateRange, NullQuery, Or, Term
from whoosh.query import QueryError as WhooshQueryError
from whoosh.searching import Searcher

from ..dupes.collapse import collapse
from ..dupes.view import Groups, for_searcher
from ..engine import Filters, Ranked, RankedHit
from ..errors import QueryError
from ..query.nodes import once_per_article
from ..query.parser import ParsedQuery, cap_expansions, parse_query
from ..ranking.bm25 import is_weighting_for, weighting
from ..ranking.evaluator import match, top
from ..ranking.articles import proximity_terms, query_words, rank_articles, rank_passages, score_articles
from ..ranking.expansion import expand_query, expand_words, feedback
from ..ranking.scoring import article_scores
from ..results.timeline import month_counts
from ..results.suggest import suggest
from ..settings import Settings
from ..store.analysis import news_analyzer
from ..store.layout import article_id, article_starts, reading_values
from ..store.schema import ARTICLE, ARTICLE_ID, DATE, PATH, PINDEX, SOURCE_FACET, SPEAKER_FACET, decode_article
from . import facets


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
        # README's matching semantics: the headline is article-level evidence, matched once (issue 11 item 3)
        parsed.query = once_per_article(cap_expansions(parsed.query, searcher.reader()))
    except WhooshQueryError as e:
        raise QueryError(f"cannot run this query: {e}") from None
    return parsed


def suggestion(index, text: str) -> str | None:
    """`Engine.suggest` for the whoosh index."""
    return suggest(index.searcher(), text, news_analyzer())


def filter_query(filters: Filters, speaker_names: list[str] | None = None):
    """The whoosh filter query for ``filters``, or None (``speaker_names``: every stored variant of the
    speaker's name, `searchkit.index.facets.speaker_variants`)."""
    parts = []
    if filters.source:
        parts.append(Or([Term(SOURCE_FACET, s) for s in filters.source]))
    if filters.speaker:
        parts.append(Or([Term(SPEAKER_FACET, n) for n in speaker_names or filters.speaker]))
    if filters.since or filters.until:
        parts.append(DateRange(DATE, filters.since, filters.until))
    return And(parts) if parts else None


def run(index, parsed: ParsedQuery, filters: Filters, *, unit: str, offset: int, limit: int,
        settings: Settings) -> Ranked:
    """`Engine.run` for the whoosh index; a query whoosh itself cannot run is a one-line `QueryError`."""
    try:
        return _run(index, parsed.query, filters, unit, offset, limit, settings, parsed.text)
    except WhooshQueryError as e:
        raise QueryError(f"cannot run this query: {e}") from None


def _all_matches(index, q, filters: Filters, settings: Settings):
    """(searcher, `Matches` of every document matching ``q`` within ``filters``, the copy groups of the
    searcher's commit or None), or None for the empty query."""
    if q is NullQuery:
        return None
    searcher = ranked_searcher(index, settings)
    variants = sorted({v for name in filters.speaker for v in facets.speaker_variants(searcher.reader(), name)}) \
        if filters.speaker else None
    filt = filter_query(filters, variants)
    filter_docs = searcher._filter_to_comb(filt) if filt is not None else None
    matches = match(searcher, q, None if filter_docs is None else set(filter_docs))
    groups = for_searcher(index.path, searcher)
    if filters.collapse_copies and groups is not None:
        matches = collapse(matches, groups)
    return searcher, matches, groups


def _ranked_hit(searcher, docnum: int, score: float, groups: Groups | None) -> RankedHit:
    """The hit at ``docnum``: its stored article and, with copy groups, its copies and passage provenance."""
    pindex, path, art = stored_article(searcher, docnum)
    hit = RankedHit(score=float(score), passage_index=pindex, path=path, article=art)
    if groups is not None:
        aid = str(art.get("id", ""))
        hit.copies, hit.first_seen = groups.copies(aid), groups.first_seen_of(aid, pindex)
    return hit


def _article_words(q, text: str, settings: Settings):
    """The query's words for article-level statistics (`searchkit.ranking.articles`), or None when that
    ranking is switched off (then articles are re-ranked in fixed blocks, `_article_page`)."""
    return query_words(q, text) if settings.article_stats and settings.article_level else None


def _matches_and_words(index, q, text: str, filters: Filters, settings: Settings, unit: str = "article"):
    """(`_all_matches` of ``q``, its `_article_words`), both expanded by RM3 when ``settings.expand``
    (`searchkit.ranking.expansion`: only plain-word queries; the feedback articles respect ``filters``).
    In passage mode, matching reads the positions of the words proximity will need (`reading_values`)."""
    words = _article_words(q, text, settings) if q is not NullQuery else None
    with reading_values("body", proximity_terms(words) if words is not None and unit == "passage" else ()):
        found = _all_matches(index, q, filters, settings)
    words = words if found is not None else None
    if found is None or words is None or not settings.expand:
        return found, words
    fb = feedback(found[1], score_articles(found[0], words, settings), settings)
    if not fb:
        return found, words
    return _all_matches(index, expand_query(q, fb), filters, settings), expand_words(words, fb, settings)


def _run(index, q, filters: Filters, unit: str, offset: int, limit: int, settings: Settings,
         text: str = "") -> Ranked:
    out = Ranked(query=q, facets={**{name: {} for name in facets.FACETS}, "month": {}})
    found, words = _matches_and_words(index, q, text, filters, settings, unit)
    if found is None:
        return out
    searcher, matches, groups = found
    if words is not None:
        page, out.total = _article_stats_page(searcher, matches, words, unit, offset + limit, settings)
        page = page[offset:]
    elif unit == "passage":
        out.total = len(matches)
        page = matches.top(offset + limit)[offset:]
    else:
        out.total, best_docs, best_scores = facets.best_per_article(matches)
        page = _article_page(searcher, q, best_docs, best_scores, offset, limit, settings)
    out.hits = [_ranked_hit(searcher, docnum, score, groups) for docnum, score in page]
    out.facets = facets.count(matches, facets.speaker_canon(searcher.reader()))
    out.facets["month"] = month_counts(matches)  # the timeline: every month, oldest first (issue 14)
    return out


def _article_stats_ranking(searcher, matches, words, unit: str, settings: Settings):
    """(docnums, scores) of every match (``unit`` passage) or every matching article's best passage, scored
    with article-level statistics (`searchkit.ranking.articles`): every matching article is scored exactly,
    so pages partition one ranking. Article mode adds the near-pairs term (`searchkit.ranking.pairs`); passage
    mode has its own proximity terms (with both, TIME dev passage mode lost 0.02: docs/ranking-issue11.md)."""
    scores = score_articles(searcher, words, settings, pairs=unit == "article")
    if unit == "passage":
        return rank_passages(matches, scores, words, settings)
    return rank_articles(matches, scores)


def _article_stats_page(searcher, matches, words, unit: str, wanted: int, settings: Settings):
    """(the best ``wanted`` (docnum, score), total) of `_article_stats_ranking`."""
    docs, vals = _article_stats_ranking(searcher, matches, words, unit, settings)
    return top(docs, vals, wanted), len(docs)


def all_ranked(index, parsed: ParsedQuery, filters: Filters, *, unit: str, settings: Settings) -> Iterator[RankedHit]:
    """`Engine.all_ranked` for the whoosh index: every match, best first, one at a time. Only the matches'
    docnums and scores are held (a few bytes each); each hit's article is read when the hit is taken."""
    try:
        found, words = _matches_and_words(index, parsed.query, parsed.text, filters, settings, unit)
    except WhooshQueryError as e:
        raise QueryError(f"cannot run this query: {e}") from None
    if found is None:
        return
    searcher, matches, groups = found
    if words is not None:  # the same exact ranking `run` pages through
        docs, scores = _article_stats_ranking(searcher, matches, words, unit, settings)
    elif unit == "passage":
        docs, scores = matches.docnums(), matches.scores()
    else:
        _, docs, scores = facets.best_per_article(matches)
    for i in np.lexsort((docs, -np.round(scores, 9))).tolist():  # `searchkit.ranking.evaluator.top`'s order
        yield _ranked_hit(searcher, int(docs[i]), scores[i], groups)


def match_count(index, parsed: ParsedQuery, filters: Filters, settings: Settings) -> int:
    """`Engine.count` for the whoosh index: the matching passages (copies collapsed as ``filters`` say)."""
    try:
        found = _all_matches(index, parsed.query, filters, settings)
    except WhooshQueryError as e:
        raise QueryError(f"cannot run this query: {e}") from None
    return 0 if found is None else len(found[1])


def matching_article_ids(index, parsed: ParsedQuery, filters: Filters, settings: Settings) -> set[str]:
    """`Engine.article_ids` for the whoosh index: read from the article-id column only."""
    try:
        found = _all_matches(index, parsed.query, filters, settings)
    except WhooshQueryError as e:
        raise QueryError(f"cannot run this query: {e}") from None
    if found is None:
        return set()
    searcher, matches, _ = found
    _, docs, _ = facets.best_per_article(matches)
    return {_article_id(searcher, int(d)) for d in docs.tolist()}


def _article_page(searcher, q, best_docs, best_scores, offset: int, limit: int,
                  settings: Settings) -> list[tuple[int, float]]:
    """(docnum of the best passage, score) of the articles at ranks ``offset`` + 1 ... ``offset + limit``:
    articles by best passage, re-ranked in fixed blocks of ``settings.article_block`` (see `Settings`)."""
    block = settings.article_block
    first_block = offset // block
    end = -(-(offset + limit) // block) * block
    # the best articles by their best passage, up to the end of the last block this page touches
    pool = top(best_docs, best_scores, end)[first_block * block:]
    ranked: list[tuple[int, float]] = []  # (docnum of the best passage, score), from the first block's start
    for start in range(0, len(pool), block):
        ranked += _rerank_block(searcher, q, pool[start:start + block], settings)
    skip = offset - first_block * block
    return ranked[skip:skip + limit]


def _rerank_block(searcher, q, block: list[tuple[int, float]], settings: Settings) -> list[tuple[int, float]]:
    """One block of articles (best passage, its score) re-ranked by whole-article score; a stable sort, so
    equal scores keep the passage order and the block's ranking never depends on the page asked for."""
    if not block or not settings.article_level:
        return block
    whole = article_scores(searcher, q, [d for d, _ in block], settings)
    if not whole:
        return block
    return sorted(((d, whole[d]) for d, _ in block), key=lambda x: -x[1])


_ARTICLES: dict[tuple, tuple] = {}  # (segment id, document count, docnum of passage 0) -> (path, article dict)
_ARTICLES_MAX = 512


def stored_article(searcher, docnum: int) -> tuple[int, str, dict[str, Any]]:
    """(passage index, path as indexed, ``Article.to_dict()``) of the passage at index-wide ``docnum``.

    Passages store nothing but their index: the article is stored once, on its passage 0, the first document
    of the article (`searchkit.store.layout.article_starts`), and a passage's index is its distance from it.
    Only that one document's stored fields are read: stored fields are compressed several documents per
    frame (`searchkit.store.stored`), so reading the passage's own as well cost a second frame per hit.
    Decoded articles are kept for the next hits of the same article (a small bounded cache).
    """
    reader, offset = _leaf(searcher, docnum)
    local = docnum - offset
    starts = article_starts(reader)
    i = int(np.searchsorted(starts, local, side="right")) - 1
    first = int(starts[i]) if i >= 0 else local
    key = (reader.segment().segment_id(), reader.doc_count_all(), first)
    got = _ARTICLES.get(key)
    if got is None:
        fields = reader.stored_fields(first)
        if ARTICLE not in fields or fields.get(ARTICLE_ID) != article_id(reader, local):
            return _stored_article_by_id(searcher, docnum)  # not laid out as expected (never seen)
        got = (str(fields.get(PATH) or ""), decode_article(fields[ARTICLE]))
        if len(_ARTICLES) >= _ARTICLES_MAX:
            _ARTICLES.clear()
        _ARTICLES[key] = got
    return local - first, got[0], got[1]


def _stored_article_by_id(searcher, docnum: int) -> tuple[int, str, dict[str, Any]]:
    """`stored_article` found through the passage's stored index and its article id (the slow way)."""
    fields = searcher.stored_fields(docnum)
    first = next((f for f in searcher.documents(**{ARTICLE_ID: fields.get(ARTICLE_ID)}) if ARTICLE in f), {})
    art = decode_article(first[ARTICLE]) if ARTICLE in first else {}
    return int(fields.get(PINDEX) or 0), str(first.get(PATH) or ""), art


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
