"""Facets (`searchkit.index.facets`) count distinct matching *articles*, not passages, per value."""
from __future__ import annotations

from searchkit.index.searching import ranked_searcher
from searchkit.ranking.evaluator import match
from searchkit.index.facets import FACETS, count
from searchkit.settings import DEFAULT_SETTINGS


def test_facet_counts_are_distinct_articles_and_agree_with_filters(corpus_index):
    parsed = corpus_index.parse("Russia", DEFAULT_SETTINGS)
    matches = match(ranked_searcher(corpus_index, DEFAULT_SETTINGS), parsed.query)
    facets = count(matches)
    assert set(facets) == set(FACETS)
    articles = corpus_index.search("Russia", unit="article", limit=1).total
    assert facets["source"] and all(0 < n <= articles for n in facets["source"].values())
    for source, n in list(facets["source"].items())[:3]:
        assert corpus_index.search("Russia", unit="article", source=source, limit=1).total == n
    for year, n in facets["year"].items():
        assert corpus_index.search("Russia", unit="article", since=year, until=year, limit=1).total == n


def test_an_index_created_with_the_older_source_column_counts_and_filters_the_same(tmp_path, monkeypatch):
    """New indexes keep ``source_facet`` in whoosh's RefBytesColumn (`schema.source_column`); an index created
    before, with the default VarBytesColumn in its schema, keeps it (whoosh reads each index's columns with the
    schema in its TOC), stays current and gives the same source facets and filters, also after an update."""
    from pathlib import Path

    from whoosh.columns import RefBytesColumn, VarBytesColumn

    from searchkit import open_index
    from searchkit.store import schema

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    monkeypatch.setattr(schema, "source_column", VarBytesColumn)
    old = open_index(tmp_path / "old")
    old.add([corpus], jobs=1)
    monkeypatch.undo()
    new = open_index(tmp_path / "new")
    new.add([corpus], jobs=1)
    kinds = [type(ix._whoosh().schema["source_facet"].column_type) for ix in (old, new)]
    assert kinds == [VarBytesColumn, RefBytesColumn]
    old = open_index(tmp_path / "old")
    old.add([corpus], jobs=1)  # nothing to do, but the old schema is still current
    assert schema.is_current(old._whoosh().schema)

    def view(ix) -> tuple:
        facets = count(match(ranked_searcher(ix, DEFAULT_SETTINGS), ix.parse("said", DEFAULT_SETTINGS).query))
        filtered = {s: ix.search("said", unit="article", source=s, limit=1).total for s in facets["source"]}
        return facets["source"], filtered

    assert view(old) == view(new) and view(new)[0]
