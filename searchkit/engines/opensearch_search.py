"""The reading side of `OpenSearchEngine`: one page (`run`), every match (`all_ranked`), matching ids.

Each search is the translated query (`searchkit.engines.opensearch_query`) within the filters, with copies
collapsed by their stored group (`searchkit.engines.opensearch_dupes`) and speakers named as the whoosh engine
names them: a ``--speaker`` filter matches every stored variant of the person's name, and the speaker facet
counts variants under the canonical name (`speaker_canon`, from the same `searchkit.article.variants` rules
over the same counts). Hits carry the stored article, its copies and each passage's provenance, read from
the article's passage 0 in one request per page.
"""
from __future__ import annotations

import time
from typing import Any, Iterator

from ..article.variants import canonical_names
from ..engine import Filters, Ranked, RankedHit
from ..index.facets import FACETS, variants_in
from ..query.parser import ParsedQuery
from ..settings import Settings
from .opensearch_dupes import COPIES, FIRST_SEEN, collapse_clause, contested_aggs, contested_groups
from .opensearch_query import filter_values, search_query
from .opensearch_ranking import (MAX_ARTICLES, PASSAGE_POOL, article_terms, best_passages_body, combine, ids_agg,
                                 matching_ids, passage_score_body, ranking_body)
from .opensearch_results import facet_aggs, facets_of, total_of

CANON_SECONDS = 5.0  # how long a speaker clustering is reused (it is also dropped by every `add`)
MAX_SPEAKERS = 65536  # speaker names read for the clustering
SORT = ["_score", {"article_id": "asc"}, {"pindex": "asc"}]
SCAN_PAGE = 500


def speaker_canon(engine) -> dict[str, str]:
    """{stored speaker name: its person's canonical name} over the whole index (as
    `searchkit.index.facets.speaker_canon`: names weighted by the passages quoting them)."""
    cached = getattr(engine, "_canon", None)
    if cached is not None and time.monotonic() - cached[0] < CANON_SECONDS:
        return cached[1]
    body = {"size": 0, "aggs": {"names": {"terms": {"field": FACETS["speaker"], "size": MAX_SPEAKERS}}}}
    res = engine._search("speaker names", body)
    counts = {str(b["key"]): int(b["doc_count"]) for b in res["aggregations"]["names"]["buckets"]}
    canon = canonical_names(counts) if counts else {}
    engine._canon = (time.monotonic(), canon)
    return canon


def _query(engine, parsed: ParsedQuery, filters: Filters) -> dict[str, Any]:
    names = None
    if filters.speaker:  # one name or several exact ones: each stands for every variant of its person's name
        canon = speaker_canon(engine)
        names = sorted({v for n in filter_values(filters.speaker) for v in variants_in(canon, n)})
    return search_query(parsed.query, filters, engine._scale(parsed.query), names)


def _without(query: dict[str, Any], clause: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"must": [query], "must_not": [clause]}}


def _winners_filtered(engine, query: dict[str, Any], filters: Filters) -> dict[str, Any]:
    """``query`` with copies collapsed: one size-0 search of the groups aggregation only (no hits, no facets:
    cheap, and nothing when no matching passage is in a group) finds the contested groups and their winners."""
    if not filters.collapse_copies:
        return query
    res = engine._search("copy groups", {"size": 0, "query": query, "aggs": contested_aggs()}, ranked=True)
    winners = contested_groups(res)
    return _without(query, collapse_clause(winners)) if winners else query


def collapsed_query(engine, parsed: ParsedQuery, filters: Filters) -> dict[str, Any]:
    """The query of a search with copies collapsed (for scans, which cannot aggregate)."""
    return _winners_filtered(engine, _query(engine, parsed, filters), filters)


def passage0(engine, ids: set[str]) -> dict[str, dict[str, Any]]:
    """article id -> its passage 0's source (path, stored article, copies, first_seen), in one request."""
    if not ids:
        return {}
    body = {"query": {"bool": {"filter": [{"terms": {"article_id": sorted(ids)}}, {"term": {"pindex": 0}}]}},
            "size": len(ids), "_source": ["article_id", "path", "article", COPIES, FIRST_SEEN]}
    res = engine._search("fetch articles", body)
    return {h["_source"]["article_id"]: h["_source"] for h in res["hits"]["hits"]}


def _hits(engine, found: list[dict[str, Any]]) -> list[RankedHit]:
    arts = passage0(engine, {h["_source"]["article_id"] for h in found})
    out = []
    for h in found:
        src = h["_source"]
        first = arts.get(src["article_id"], {})
        pindex = int(src["pindex"])
        out.append(RankedHit(score=float(h.get("_score") or 0.0), passage_index=pindex, path=first.get("path") or "",
                             article=first.get("article") or {}, copies=list(first.get(COPIES) or []),
                             first_seen=(first.get(FIRST_SEEN) or {}).get(str(pindex))))
    return out


def _collapsed_search(engine, body: dict[str, Any], filters: Filters) -> tuple[dict[str, Any], dict[str, Any]]:
    """(answer, the query as run) of ``body`` with copies collapsed (`_winners_filtered`): a light groups
    search first, then ``body`` without the passages of the members that do not stand for their group."""
    query = _winners_filtered(engine, body["query"], filters)
    return engine._search("search", {**body, "query": query}, ranked=True), query


def _article_page(engine, res: dict[str, Any], query: dict[str, Any], terms, offset: int, limit: int) -> list[dict]:
    """The page of article mode ranked by article-level BM25 (`searchkit.engines.opensearch_ranking`), as
    search hits (best passage, article score)."""
    ids = matching_ids(res)
    if not ids:
        return []
    ranked = engine._search("article ranking", ranking_body(ids, terms, offset + limit), ranked=True)
    top = [(h["_source"]["article_id"], h.get("_score") or 0.0) for h in ranked["hits"]["hits"][offset:]]
    if not top:
        return []
    best = engine._search("best passages", best_passages_body(query, [a for a, _ in top]), ranked=True)
    pindex = {h["_source"]["article_id"]: h["_source"]["pindex"] for h in best["hits"]["hits"]}
    return [{"_source": {"article_id": a, "pindex": pindex[a]}, "_score": score} for a, score in top if a in pindex]


def _passage_page(engine, res: dict[str, Any], query: dict[str, Any], terms, offset: int, limit: int,
                  weight: float) -> list[dict]:
    """The page of passage mode ranked as the whoosh engine mixes it (`opensearch_ranking.combine`): the
    passages of the best ``PASSAGE_POOL`` articles (at least twice the page's end), each by its own body BM25
    and its article's score."""
    ids = matching_ids(res)
    if not ids:
        return []
    pool = max(PASSAGE_POOL, 2 * (offset + limit))
    ranked = engine._search("article ranking", ranking_body(ids, terms, pool), ranked=True)["hits"]["hits"]
    scores = {h["_source"]["article_id"]: float(h.get("_score") or 0.0) for h in ranked}
    top = engine._search("best passage", passage_score_body(query, terms, None, 1), ranked=True)["hits"]["hits"]
    found = engine._search("passages", passage_score_body(query, terms, list(scores), 10000), ranked=True)
    mixed = combine(found["hits"]["hits"], scores, float(top[0].get("_score") or 0.0) if top else 0.0, weight)
    return [{**h, "_score": score} for score, h in mixed[offset:offset + limit]]


def run(engine, parsed: ParsedQuery, filters: Filters, *, unit: str, offset: int, limit: int,
        settings: Settings) -> Ranked:
    """`Engine.run`: the translated query, ``collapse`` on the article in article mode, facets as
    aggregations counting distinct articles, copies collapsed (`_collapsed_search`). Article mode ranks
    plain-word queries by article-level BM25 (`searchkit.engines.opensearch_ranking`), others by best passage."""
    out = Ranked(query=parsed.query, facets={**{name: {} for name in FACETS}, "month": {}})
    if parsed.is_empty or not engine._concrete():
        return out
    body: dict[str, Any] = {
        "query": _query(engine, parsed, filters), "from": offset, "size": limit, "_source": ["article_id", "pindex"],
        "track_total_hits": True, "aggs": facet_aggs(unit, speaker_canon(engine)), "sort": SORT,
    }
    terms = article_terms(parsed, settings)
    if terms:
        res, query = _collapsed_search(engine, {**body, "from": 0, "size": 0, "aggs": {**body["aggs"], **ids_agg()}},
                                       filters)
        if int(res["aggregations"]["articles"]["value"]) <= MAX_ARTICLES:
            out.total, out.facets = total_of(res, unit), facets_of(res)
            page = _article_page(engine, res, query, terms, offset, limit) if unit == "article" else \
                _passage_page(engine, res, query, terms, offset, limit, settings.passage_weight)
            out.hits = _hits(engine, page)
            return out
    if unit == "article":
        body["collapse"] = {"field": "article_id"}
    res, _ = _collapsed_search(engine, body, filters)
    out.total = total_of(res, unit)
    out.facets = facets_of(res)
    out.hits = _hits(engine, res["hits"]["hits"])
    return out


def _scan(engine, query: dict[str, Any], fields: list[str], ordered: bool) -> Iterator[dict[str, Any]]:
    from opensearchpy import helpers

    body: dict[str, Any] = {"query": query, "_source": fields}
    kwargs: dict[str, Any] = {"size": SCAN_PAGE}
    if ordered:
        body["sort"] = SORT
        kwargs.update(preserve_order=True, search_type="dfs_query_then_fetch")
    it = helpers.scan(engine.cluster.client, query=body, index=engine.name, **kwargs)
    while True:
        try:
            hit = engine.cluster.call("scan", next, it, None)
        except StopIteration:  # pragma: no cover - next() with a default never raises it
            return
        if hit is None:
            return
        yield hit


def all_ranked(engine, parsed: ParsedQuery, filters: Filters, *, unit: str) -> Iterator[RankedHit]:
    """`Engine.all_ranked`: every match best first (a scroll sorted by score), read a page at a time; in
    article mode each article at its best passage."""
    if parsed.is_empty or not engine._concrete():
        return
    seen: set[str] = set()
    page: list[dict[str, Any]] = []
    for hit in _scan(engine, collapsed_query(engine, parsed, filters), ["article_id", "pindex"], ordered=True):
        aid = hit["_source"]["article_id"]
        if unit == "article":
            if aid in seen:
                continue
            seen.add(aid)
        page.append(hit)
        if len(page) >= SCAN_PAGE:
            yield from _hits(engine, page)
            page = []
    yield from _hits(engine, page)


def article_ids(engine, parsed: ParsedQuery, filters: Filters) -> set[str]:
    """`Engine.article_ids`: the distinct article ids of every match (copies collapsed), from a scan."""
    if parsed.is_empty or not engine._concrete():
        return set()
    query = collapsed_query(engine, parsed, filters)
    return {h["_source"]["article_id"] for h in _scan(engine, query, ["article_id"], ordered=False)}

