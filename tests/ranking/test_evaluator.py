"""searchkit.ranking.evaluator (array-at-a-time query execution) gives whoosh's own matches and scores.

The index here has several segments (parallel writers) and deleted documents (an updated file), the two
things a fast path most easily gets wrong; every query kind of the language is compared with whoosh's
exhaustive search on the same searcher.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from searchkit import open_index
from searchkit.ranking.evaluator import match
from searchkit.query.nodes import once_per_article
from searchkit.query.parser import cap_expansions, parse_query
from searchkit.index.facets import FACETS, count
from searchkit.store.layout import article_of, article_starts
from searchkit.index.searching import ranked_searcher
from searchkit.settings import DEFAULT_BOOSTS, DEFAULT_SETTINGS

REPO = Path(__file__).resolve().parents[2]

QUERIES = [
    "taliban", "Russia talks Taliban", "Patrushev", "patrushef~", "negot*", '"national security adviser"',
    '"security council"', "headline:russia", "quote:peace", "speaker:putin", "source:stripes", "russia -taliban",
    "kabul OR moscow", "russia AND (afghanistan OR kabul)", "NOT russia", "date:2017 russia",
    "date:[2017-01-01 TO 2017-06-30] talks", '"the talks" moscow', "US troops withdrawal",
    "zzzznotaword", "Atmar Patrushev", "taliban AND headline:russia",
    '"peace talks" Hanif', "NOT headline:taliban",
]


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    """The seeds copied three times, indexed by two writer processes, then one copy changed (deletions)."""
    import searchkit.index.writers

    tmp = tmp_path_factory.mktemp("segmented")
    many = tmp / "many"
    many.mkdir()
    for i in range(3):
        for f in sorted((REPO / "corpus").iterdir()):
            if f.is_file():
                shutil.copy(f, many / f"{i}_{f.name}")
    old = searchkit.index.writers.BATCH_DOCS
    searchkit.index.writers.BATCH_DOCS = 4  # small batches, so both writers get documents
    try:
        ix = open_index(tmp / "index")
        ix.add([many], jobs=2)
        changed = sorted(p for p in many.iterdir())[0]
        changed.write_text(changed.read_text(encoding="utf-8") + "\n\nThe inspector said nothing more.\n",
                           encoding="utf-8")
        assert ix.add([many], jobs=2).updated == 1
    finally:
        searchkit.index.writers.BATCH_DOCS = old
    return ix


def _whoosh_scores(searcher, q) -> dict[int, float]:
    return {h.docnum: h.score for h in searcher.search(q, limit=None)}


def test_the_index_under_test_has_segments_and_deletions(segmented):
    searcher = ranked_searcher(segmented, DEFAULT_SETTINGS)
    readers = [r for r, _ in searcher.reader().leaf_readers()]
    assert len(readers) >= 2
    assert any(r.has_deletions() for r in readers)


@pytest.mark.parametrize("text", QUERIES)
def test_matches_and_scores_are_whooshs(segmented, text):
    searcher = ranked_searcher(segmented, DEFAULT_SETTINGS)
    q = cap_expansions(parse_query(text, searcher.schema, DEFAULT_BOOSTS).query, searcher.reader())
    q = once_per_article(q)  # what the engine runs: the headline matched once per article (its own nodes)
    want = _whoosh_scores(searcher, q)
    got = match(searcher, q)
    got_scores = dict(zip(got.docnums().tolist(), got.scores().tolist()))
    assert set(got_scores) == set(want)
    for d, s in want.items():
        assert got_scores[d] == pytest.approx(s, rel=1e-9, abs=1e-12)
    # the top of the ranking: whoosh's exhaustive order (score, then index order)
    exhaustive = sorted(want, key=lambda d: (-round(want[d], 9), d))[:10]
    assert [d for d, _ in got.top(10)] == exhaustive
    live = {d for d in range(searcher.doc_count_all()) if not searcher.reader().is_deleted(d)}
    assert set(got_scores) <= live


@pytest.mark.parametrize("text", ["Russia talks Taliban", "kabul OR moscow", '"peace talks" Hanif', "US troops withdrawal"])
def test_sparse_and_dense_sums_give_the_same_matches_to_the_bit(segmented, text, monkeypatch):
    """Unions and coordination sum sparsely when the parts are small beside the segment, densely otherwise
    (`evaluator.SPARSE_SUM`): forced each way, every docnum and score is the same float."""
    import searchkit.ranking.evaluator as evaluator

    searcher = ranked_searcher(segmented, DEFAULT_SETTINGS)
    q = once_per_article(cap_expansions(parse_query(text, searcher.schema, DEFAULT_BOOSTS).query, searcher.reader()))
    got = {}
    for way, limit in (("sparse", 0), ("dense", 10 ** 12)):
        monkeypatch.setattr(evaluator, "SPARSE_SUM", limit)
        m = match(searcher, q)
        got[way] = (m.docnums().tolist(), m.scores().tolist())
    assert got["sparse"][0] and got["sparse"] == got["dense"]


def test_filters_keep_only_the_filtered_documents(segmented):
    from whoosh.query import Term

    searcher = ranked_searcher(segmented, DEFAULT_SETTINGS)
    q = parse_query("russia", searcher.schema, DEFAULT_BOOSTS).query
    source = next(v for v in searcher.lexicon("source_facet"))
    filt = Term("source_facet", source.decode() if isinstance(source, bytes) else source)
    want = {h.docnum for h in searcher.search(q, limit=None, filter=filt)}
    got = match(searcher, q, set(searcher._filter_to_comb(filt)))
    assert want and set(got.docnums().tolist()) == want


@pytest.mark.parametrize("few", [0, 10 ** 9])
@pytest.mark.parametrize("text", ["russia", "taliban talks", "kabul -moscow", "headline:russia"])
def test_facets_count_distinct_articles_per_value(segmented, text, few, monkeypatch):
    """Against each document's own columns, with the speaker pairs found both ways (`facets.FEW_MATCHES`)."""
    import searchkit.index.facets as facets

    monkeypatch.setattr(facets, "FEW_MATCHES", few)
    searcher = ranked_searcher(segmented, DEFAULT_SETTINGS)
    q = parse_query(text, searcher.schema, DEFAULT_BOOSTS).query
    matches = match(searcher, q)
    assert len(matches)
    expected: dict[str, dict[str, set]] = {name: {} for name in FACETS}
    reader = searcher.reader()  # each document's own column values: an oracle independent of facets.py
    cols = {name: reader.column_reader(field, translate=True) for name, field in FACETS.items()}
    for d in matches.docnums().tolist():
        aid = searcher.stored_fields(d)["article_id"]
        if cols["source"][d]:
            expected["source"].setdefault(cols["source"][d], set()).add(aid)
        year = cols["year"][d]
        if isinstance(year, int) and 0 < year < 10000:
            expected["year"].setdefault(str(year), set()).add(aid)
        for sp in (cols["speaker"][d] or "").split(","):
            if sp.strip():
                expected["speaker"].setdefault(sp.strip(), set()).add(aid)
    got = count(matches)
    for name in FACETS:
        want = {k: len(v) for k, v in expected[name].items()}
        top = dict(sorted(want.items(), key=lambda kv: (-kv[1], kv[0]))[:len(got[name])])
        assert got[name] == top, name
    assert got["source"]


def test_each_articles_passages_are_consecutive_documents_from_pindex_0(segmented):
    """What facets and article mode rely on: article = the run of documents from a pindex-0 document."""
    searcher = ranked_searcher(segmented, DEFAULT_SETTINGS)
    for reader, _ in searcher.reader().leaf_readers():
        live = [d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)]
        fields = {d: reader.stored_fields(d) for d in live}
        arts = article_of(reader, np.array(live, np.int64))
        starts = article_starts(reader)
        for d, a in zip(live, arts.tolist()):
            first = int(starts[a])
            assert fields[d]["pindex"] == d - first
            assert fields[first]["article_id"] == fields[d]["article_id"]
