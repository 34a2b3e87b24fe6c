"""OpenSearch answers -> searchkit's values: totals, facets (distinct articles), did-you-mean, info.

Facets count distinct matching *articles* per value, as `searchkit.index.facets.count` does: a ``terms``
aggregation per facet field with a ``cardinality`` of ``article_id`` under each bucket (exact below
``FACET_PRECISION`` distinct articles per value, the total below ``PRECISION``: HyperLogLog++ counts exactly
under its threshold), sorted and cut
to ``MAX_FACET_VALUES`` here, most frequent first, ties by value. ``month`` (the timeline,
`searchkit.results.timeline.month_counts`) is a monthly ``date_histogram`` with the same distinct-article
count under each bucket: every month with a match, oldest first, undated articles not counted.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from ..index.facets import FACETS, MAX_FACET_VALUES
from ..results.suggest import KNOWN_FIELDS, correct

PRECISION = 40000  # the cardinality aggregation's maximum threshold: for totals (one counter per search)
FACET_PRECISION = 2000  # per facet value: ~16 KB of heap each (40000 would take ~320 KB x every bucket)
BUCKETS = 200  # facet values fetched before the client-side sort and cut


def _distinct(precision: int = PRECISION) -> dict[str, Any]:
    return {"cardinality": {"field": "article_id", "precision_threshold": precision}}


# a speaker facet value counts under its person's canonical name (`searchkit.index.facets.speaker_canon`)
_CANONICAL = "def out = []; for (v in doc[params.f]) { out.add(params.m.getOrDefault(v, v)); } return out;"


def facet_aggs(unit: str, canon: dict[str, str] | None = None) -> dict[str, Any]:
    """The aggregations of a search: one per facet, plus the article count (the total of article mode).
    ``canon``: {speaker name: canonical name}; the speakers whose name differs from their canonical one
    are counted under it (a script maps them; an article quoting two variants counts once)."""
    aggs: dict[str, Any] = {"articles": _distinct()}
    renamed = {n: c for n, c in (canon or {}).items() if n != c}
    for name, field in FACETS.items():
        terms: dict[str, Any] = {"field": field, "size": BUCKETS}
        if name == "speaker" and renamed:
            terms = {"script": {"source": _CANONICAL, "params": {"f": field, "m": renamed}}, "size": BUCKETS}
        aggs[f"facet_{name}"] = {"terms": terms, "aggs": {"articles": _distinct(FACET_PRECISION)}}
    aggs["facet_month"] = {"date_histogram": {"field": "date", "calendar_interval": "month", "format": "yyyy-MM",
                                              "min_doc_count": 1},
                           "aggs": {"articles": _distinct(FACET_PRECISION)}}
    return aggs


def total_of(res: dict[str, Any], unit: str) -> int:
    """Matching passages (passage mode) or distinct matching articles (article mode)."""
    if unit == "article":
        return int(res["aggregations"]["articles"]["value"])
    return int(res["hits"]["total"]["value"])


def facets_of(res: dict[str, Any]) -> dict[str, dict[str, int]]:
    """facet -> value -> matching articles, shaped exactly as the whoosh engine's."""
    out: dict[str, dict[str, int]] = {}
    aggs = res.get("aggregations", {})
    for name in FACETS:
        counts: dict[str, int] = {}
        for b in aggs.get(f"facet_{name}", {}).get("buckets", []):
            key = str(b["key"])
            if key and b["articles"]["value"]:
                counts[key] = int(b["articles"]["value"])
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_FACET_VALUES])
    months = {str(b["key_as_string"]): int(b["articles"]["value"])
              for b in aggs.get("facet_month", {}).get("buckets", []) if b["articles"]["value"]}
    out["month"] = dict(sorted(months.items()))
    return out


def _known(engine, fields: Sequence[str], tokens: list[str]) -> bool:
    body = {"size": 0, "query": {"bool": {"should": [{"term": {f: t}} for f in fields for t in tokens]}}}
    res = engine._search("suggest lookup", body)
    return int(res["hits"]["total"]["value"]) > 0


def suggestion(engine, text: str, analyzer: Callable, fields: Sequence[str]) -> str | None:
    """``text`` with each plain word that no text field holds replaced by the term suggester's most frequent
    candidate (two edits at most, first letter kept): `searchkit.results.suggest.correct` with look-ups on
    the cluster."""
    def closest(token: str) -> str | None:
        body = {"size": 0, "suggest": {"text": token, **{
            f: {"term": {"field": f, "analyzer": "keyword", "suggest_mode": "missing", "size": 1, "max_edits": 2,
                         "prefix_length": 1, "min_word_length": 2, "sort": "score"}} for f in fields}}}
        res = engine._search("suggest", body)
        best = None
        for f in fields:
            for entry in res.get("suggest", {}).get(f, []):
                for opt in entry.get("options", [])[:1]:
                    if best is None or opt["freq"] > best[0]:
                        best = (opt["freq"], opt["text"])
        return best[1] if best else None

    return correct(text, analyzer, lambda tokens: _known(engine, KNOWN_FIELDS, tokens), closest)


def facet_values(engine, name: str) -> list[str]:
    """`Engine.facet_values` for OpenSearch: a ``terms`` aggregation on the facet's keyword field (articles per
    source, passages per speaker, as the whoosh engine counts), most frequent first, ties alphabetical.
    ``engine``: the `OpenSearchEngine`; ``name``: "source" or "speaker"."""
    if name not in ("source", "speaker"):
        raise ValueError(f"no facet {name!r} to list values of (choose source or speaker)")
    if not engine._concrete():
        return []
    terms = {"terms": {"field": FACETS[name], "size": 10 * BUCKETS}}
    aggs = {"values": {"filter": {"term": {"pindex": 0}}, "aggs": {"v": terms}}} if name == "source" else {"v": terms}
    res = engine._search("facet values", {"size": 0, "aggs": aggs})["aggregations"]
    buckets = (res["values"] if name == "source" else res)["v"]["buckets"]
    counts = {str(b["key"]): int(b["doc_count"]) for b in buckets if b["key"]}
    return [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def info(engine) -> dict[str, Any]:
    """`Engine.info` for OpenSearch: counts from aggregations, size from index stats."""
    empty = {"path": engine.path, "articles": 0, "passages": 0, "files": 0, "sources": {}, "date_from": None,
             "date_to": None, "size_bytes": 0, "last_update": None}
    if not engine._concrete():
        return empty
    body = {"size": 0, "track_total_hits": True, "aggs": {
        "articles": {"filter": {"term": {"pindex": 0}}, "aggs": {
            "sources": {"terms": {"field": "source_facet", "size": BUCKETS, "missing": "(unknown)"}}}},
        "files": {"cardinality": {"field": "file", "precision_threshold": PRECISION}},
        "date_from": {"min": {"field": "date", "format": "yyyy-MM-dd"}},
        "date_to": {"max": {"field": "date", "format": "yyyy-MM-dd"}}}}
    res = engine._search("info", body)
    aggs = res["aggregations"]
    stats = engine.cluster.call("index stats", engine.cluster.client.indices.stats, index=engine.name,
                                metric="store")
    sources = {b["key"]: b["doc_count"] for b in aggs["articles"]["sources"]["buckets"]}
    return {**empty,
            "articles": int(aggs["articles"]["doc_count"]),
            "passages": int(res["hits"]["total"]["value"]),
            "files": int(aggs["files"]["value"]),
            "sources": dict(sorted(sources.items(), key=lambda kv: (-kv[1], str(kv[0])))),
            "date_from": aggs["date_from"].get("value_as_string"),
            "date_to": aggs["date_to"].get("value_as_string"),
            "size_bytes": int(stats["_all"]["primaries"]["store"]["size_in_bytes"])}
