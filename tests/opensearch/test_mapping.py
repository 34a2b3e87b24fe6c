"""The passage mapping (searchkit.engines.opensearch_mapping) on a real cluster: the article's fields,
the article stored once (kept, not indexed), facets and date ranges, and a strict schema."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from searchkit.engines.opensearch_client import EngineUnavailableError
from searchkit.engines.opensearch_mapping import index_body, name_codes
from searchkit.parse import parse_paths

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def passages(cluster):
    """The bundled corpus, one document per paragraph, the way the engine will index it."""
    name = f"test-mapping-{uuid.uuid4().hex[:8]}"
    cluster.create_index(name, shards=3, replicas=1)
    articles = [a for _p, items in parse_paths([REPO / "corpus"]) if isinstance(items, list)
                for a in items if hasattr(a, "body")]
    for a in articles:
        for i, para in enumerate(a.paragraphs):
            doc = {"article_id": a.id, "pindex": i, "headline": a.headline, "body": para,
                   "source": a.source, "source_facet": a.source, "author": a.author,
                   "names": name_codes(f"{a.headline or ''} {para}"),
                   "date": a.date, "year": int(a.date[:4]) if a.date else None}
            if i == 0:
                doc["article"] = a.to_dict()
            cluster.call("index", cluster.client.index, index=name, id=f"{a.id}#{i}",
                         body={k: v for k, v in doc.items() if v is not None})
    cluster.call("refresh", cluster.client.indices.refresh, index=name)
    yield name, articles
    cluster.delete_index(name)


def test_every_passage_is_indexed_and_the_article_kept_once(cluster, passages):
    name, articles = passages
    count = cluster.call("count", cluster.client.count, index=name)["count"]
    assert count == sum(len(a.paragraphs) for a in articles)
    first = cluster.call("get", cluster.client.get, index=name, id=f"{articles[0].id}#0")["_source"]
    assert first["article"]["headline"] == articles[0].headline
    with_article = cluster.call("count", cluster.client.count, index=name,
                                body={"query": {"exists": {"field": "article"}}})["count"]
    assert with_article == 0, "the stored article is not indexed (enabled: false)"


def test_source_facet_and_date_range(cluster, passages):
    name, articles = passages
    res = cluster.call("search", cluster.client.search, index=name, body={
        "size": 0, "aggs": {"src": {"terms": {"field": "source_facet", "size": 50}},
                            "articles": {"cardinality": {"field": "article_id"}}}})
    assert res["aggregations"]["articles"]["value"] == len({a.id for a in articles})
    sources = {b["key"] for b in res["aggregations"]["src"]["buckets"]}
    assert sources == {a.source for a in articles if a.source}
    dated = [a for a in articles if a.date]
    if dated:
        day = sorted(a.date for a in dated)[len(dated) // 2]  # a day inside the range of dates
        res = cluster.call("search", cluster.client.search, index=name, body={
            "size": 0, "query": {"range": {"date": {"lte": day}}},
            "aggs": {"articles": {"cardinality": {"field": "article_id"}}}})
        assert res["aggregations"]["articles"]["value"] == sum(1 for a in dated if a.date <= day)


def test_unknown_fields_are_refused(cluster, passages):
    name, _ = passages
    with pytest.raises(EngineUnavailableError, match="strict_dynamic_mapping_exception"):
        cluster.call("index", cluster.client.index, index=name, body={"bodyy": "typo"})


def test_index_body_rejects_impossible_shard_counts():
    with pytest.raises(ValueError):
        index_body(shards=0)
    index = index_body()["settings"]["index"]
    assert (index["number_of_shards"], index["number_of_replicas"]) == (3, 1)


def test_bm25_parameters_are_searchkits():
    """The cluster scores with searchkit's k1 and b (k1 1.5, not Lucene's 1.2), for passages and articles."""
    from searchkit.settings import DEFAULT_SETTINGS

    bm25 = index_body()["settings"]["index"]["similarity"]["default"]
    assert (bm25["type"], bm25["k1"], bm25["b"]) == ("BM25", DEFAULT_SETTINGS.k1, DEFAULT_SETTINGS.b)


def test_own_names_leave_out_the_headline_and_the_translation_filters_on_them():
    """``own_names`` holds a passage's own name codes (text and speakers, not the headline's); `LeadOnly` keeps
    its child's score within the lead, `HeadlineFree` within the lead or the passages whose own codes match."""
    from whoosh.query import Term

    from searchkit.engines.opensearch_indexing import os_document
    from searchkit.engines.opensearch_query import translate
    from searchkit.query.nodes import HeadlineFree, LeadOnly

    doc = os_document({"pindex": 1, "names": "Hanif Atmar visits Moscow Lavrov said Zamir Kabulov",
                       "body": "Lavrov said", "speaker": "Zamir Kabulov"}, "hash", None)
    assert set(doc["own_names"].split()) == set(name_codes("Lavrov Zamir Kabulov").split())
    atmar = name_codes("Atmar").split()[0]
    assert atmar in doc["names"].split() and atmar not in doc["own_names"].split()
    assert "own_names" not in os_document({"pindex": 1, "names": "Hanif Atmar", "body": "no names"}, "h", None)
    head = translate(LeadOnly(Term("headline", "taliban")))["bool"]
    assert head["must"] == [translate(Term("headline", "taliban"))] and head["filter"] == [{"term": {"pindex": 0}}]
    free = translate(HeadlineFree(Term("names", atmar)))["bool"]
    assert free["must"] == [translate(Term("names", atmar))]
    assert {"term": {"own_names": {"value": atmar, "boost": 1.0}}} in free["filter"][0]["bool"]["should"]
