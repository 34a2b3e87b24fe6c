"""Issue 11 item 7 on the OpenSearch engine: ``source``/``speaker`` are resolved above the engine
(`searchkit.results.filters.resolve`) against `OpenSearchEngine.facet_values`, so a typed "ariana" or "lavrov"
filters the cluster exactly as the whoosh engine filters the folder."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from searchkit.engines.opensearch_engine import OpenSearchEngine
from searchkit.errors import QueryError

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def engine(cluster):
    name = f"test-filters-{uuid.uuid4().hex[:8]}"
    eng = OpenSearchEngine(cluster, name, shards=1, replicas=0)
    eng.add([CORPUS])
    yield eng
    cluster.delete_index(f"{name}-*")


def test_facet_values_agree_with_the_whoosh_engine(engine, corpus_index):
    assert engine.facet_values("source") == corpus_index.facet_values("source")
    assert set(engine.facet_values("speaker")) >= {"Sergey Lavrov"}


def test_typed_names_filter_the_cluster_like_the_folder(engine, corpus_index):
    for kwargs in ({"source": "ariana"}, {"source": "ARIANA NEWS"}, {"speaker": "lavrov"}):
        o = engine.search("taliban", unit="article", limit=50, **kwargs)
        w = corpus_index.search("taliban", unit="article", limit=50, **kwargs)
        assert o.filters == w.filters and o.total == w.total > 0, kwargs
    with pytest.raises(QueryError, match="no source matches"):
        engine.search("taliban", source="zzyzx")


def test_a_suggestion_is_checked_on_the_cluster_too(engine, corpus_index):
    """`OpenSearchEngine.count` runs the suggested query before it is offered, as on the folder."""
    assert engine.search("talibn peace").suggestion == corpus_index.search("talibn peace").suggestion
    assert engine.search("talibn peace").suggestion is not None
    assert engine.search("source:\"Ariana News\"").suggestion is None
