"""The headline's name codes are article-level evidence (issue 11 item 3) and cheap to honour (issue 16: a name
query read stored headlines at 100k): a lead holds them, later passages hold only their own codes, marked on the
lead; an index an older version built (headline codes on every passage, no mark) still matches the same way."""
from __future__ import annotations

import pytest
from whoosh.query import Term

import searchkit
import searchkit.index.facade as facade
from searchkit.query import nodes
from searchkit.store.analysis import OWN_NAMES_CODE, OWN_NAMES_MARK
from searchkit.store.layout import passage_documents, read_postings

REPO_CORPUS = __import__("pathlib").Path(__file__).resolve().parents[2] / "corpus"
NAMES_QUERIES = ["atmar", "lavrov", "patrushev", "kabulov", "ghani", "moscow", "taliban"]


def _old_layout(*args, **kwargs):
    """passage_documents as versions before the mark wrote them: the headline's codes on every passage."""
    for doc in passage_documents(*args, **kwargs):
        if "names" in doc or doc.get("headline"):
            own = (doc.get("names") or "").removeprefix(OWN_NAMES_MARK)
            head = doc.get("headline") or ""
            doc["names"] = own if doc["pindex"] == 0 or not head else f"{head} {own}".strip()
        yield doc


def _hits(index, q):
    res = index.search(q, unit="passage", limit=100)
    return [(h.article.id, h.passage_index) for h in res.hits]


def test_the_mark_is_on_every_lead_and_only_there(corpus_index):
    searcher = corpus_index.searcher()
    for sub, _ in ([(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers):
        reader = sub.reader()
        leads, _ = read_postings(reader, "names", OWN_NAMES_CODE)
        stored = {d: reader.stored_fields(d) for d in range(reader.doc_count_all())}
        assert sorted(leads.tolist()) == sorted(d for d, f in stored.items() if f.get("pindex") == 0)


def test_a_marked_index_reads_no_stored_headline_for_name_words(corpus_index, monkeypatch):
    def refuse(*_):
        raise AssertionError("read a stored headline")

    monkeypatch.setattr(nodes.HeadlineFree, "_headline_count", refuse)
    for q in NAMES_QUERIES:
        assert _hits(corpus_index, q)


@pytest.mark.parametrize("q", NAMES_QUERIES)
def test_an_index_of_the_old_layout_matches_as_a_marked_one(corpus_index, tmp_path_factory, monkeypatch, q):
    monkeypatch.setattr(facade, "passage_documents", _old_layout)
    old = searchkit.open_index(tmp_path_factory.mktemp("old-layout") / "ix")
    old.add([REPO_CORPUS], jobs=1)
    searcher = old.searcher()
    readers = [sub.reader() for sub, _ in ([(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers)]
    assert all(not len(read_postings(r, "names", OWN_NAMES_CODE)[0]) for r in readers)  # truly the old layout
    node = nodes.HeadlineFree(Term("names", "x"))  # needs_counts reads the segment's marks, not the term
    assert all(node.needs_counts(r) for r in readers)  # the inferring path runs here
    assert _hits(old, q) == _hits(corpus_index, q)


def test_a_marked_index_keeps_name_matches_without_reading_their_counts(corpus_index, monkeypatch):
    """Every article marked: a names match is a match, so matching reads no term frequencies for the scope."""
    kept = []
    real = nodes.HeadlineFree.keep
    monkeypatch.setattr(nodes.HeadlineFree, "keep", lambda self, *a: kept.append(1) or real(self, *a))
    for q in NAMES_QUERIES:
        assert _hits(corpus_index, q)
    assert not kept
