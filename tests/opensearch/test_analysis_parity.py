"""searchkit's analyzer chain on OpenSearch (searchkit.engines.opensearch_mapping) against
searchkit.analysis: the same terms at the same relative positions, on real article text; and the
behaviours that make it worth it (folding, possessives, stemming, stop words that do not break
phrases, name variants through searchkit's own Double Metaphone codes), checked by real searches."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from searchkit.store.analysis import analyze, news_analyzer
from searchkit.engines.opensearch_mapping import name_codes
from searchkit.parse import parse_paths

REPO = Path(__file__).resolve().parents[2]
BBC = REPO.parent / "shared" / "corpora" / "bbc"


@pytest.fixture(scope="module")
def index(cluster):
    """A 3-shard, 1-replica index with searchkit's mapping; deleted afterwards."""
    name = f"test-analysis-{uuid.uuid4().hex[:8]}"
    cluster.create_index(name, shards=3, replicas=1)
    yield name
    cluster.delete_index(name)


def _relative(tokens: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Positions counted from the first term (searchkit starts at the number of leading stop words)."""
    first = tokens[0][1] if tokens else 0
    return [(t, p - first) for t, p in tokens]


def _searchkit(text: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in news_analyzer()(text, positions=True)]


def _article_texts(paths: list[Path]) -> list[str]:
    texts = []
    for _path, items in parse_paths(paths):
        for article in items if isinstance(items, list) else []:
            if hasattr(article, "body"):
                texts.append(f"{article.headline or ''}\n\n{article.body}")
    return texts


def _assert_same_analysis(cluster, index, texts: list[str]) -> None:
    assert texts
    for text in texts:
        ours = _relative(_searchkit(text))
        theirs = _relative(cluster.analyze(index, text))
        assert theirs == ours, text[:200]


def test_bundled_corpus_analyses_the_same(cluster, index):
    _assert_same_analysis(cluster, index, _article_texts([REPO / "corpus"]))


def test_bbc_sample_analyses_the_same(cluster, index):
    if not BBC.is_dir():
        pytest.skip(f"{BBC} is absent (the shared BBC corpus)")
    files = sorted(BBC.glob("*/*.txt"))[::10]  # ~220 articles across the five sections
    _assert_same_analysis(cluster, index, _article_texts(files))


@pytest.mark.parametrize("text", [
    "Russia’s adviser met Zoë Müller in Kraków; they're running.",
    "THE END of an era: Straße, Æsir, Øresund, Łódź, U.N resolutions at 5 a.m. in the U.S.A",
    "it'll be there; that's it. Is it? Atmar_Afghanistan_2016 'to be' O’Brien's skies",
])
def test_edge_cases_analyse_the_same(cluster, index, text):
    _assert_same_analysis(cluster, index, [text])


def _search(cluster, index, query: dict) -> set[str]:
    res = cluster.call("search", cluster.client.search, index=index, body={"query": query, "size": 50})
    return {h["_id"] for h in res["hits"]["hits"]}


@pytest.fixture(scope="module")
def docs(cluster, index):
    """A few documents indexed the way the engine will: prose fields plus precomputed name codes."""
    bodies = {
        "adviser": "The adviser to Russia spoke at length.",
        "haneef": "Mohammed Haneef was released on Friday.",
        "running": "Russia's athletes were running in Kraków.",
    }
    for doc_id, body in bodies.items():
        cluster.call("index", cluster.client.index, index=index, id=doc_id,
                     body={"body": body, "names": name_codes(body)}, refresh="wait_for")
    return bodies


def test_phrase_across_a_stop_word_matches_like_searchkit(cluster, index, docs):
    # searchkit renumbers positions across stop words: "adviser of Russia" finds "adviser to Russia"
    assert _search(cluster, index, {"match_phrase": {"body": "adviser of Russia"}}) == {"adviser"}
    assert _search(cluster, index, {"match_phrase": {"body": "Russia adviser"}}) == set()


def test_folding_possessives_and_stemming_find_the_document(cluster, index, docs):
    assert _search(cluster, index, {"match": {"body": {"query": "russia run krakow", "operator": "and"}}}) \
        == {"running"}


def test_name_variants_through_searchkit_codes(cluster, index, docs):
    codes = analyze("Hanif Mohammad", "names", mode="query")
    assert codes, "searchkit gives the query words phonetic codes"
    hits = _search(cluster, index, {"bool": {"must": [{"term": {"names": c}} for c in codes]}})
    assert hits == {"haneef"}
    # lower-case words are not names at index time, as in searchkit's own index
    assert name_codes("they were running") == ""
