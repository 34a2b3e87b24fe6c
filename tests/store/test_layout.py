"""The article/passage layout invariant (`searchkit.store.layout`), checked once, on a multi-segment index
with deletions: every article's passages are consecutive documents of one segment, ``pindex`` 0, 1, 2...,
the article stored on passage 0, and `article_of` maps each document to the run that holds it."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

import searchkit.index.writers
from searchkit import open_index
from searchkit.store.layout import article_of, article_starts
from searchkit.store.schema import decode_article

REPO = Path(__file__).resolve().parents[2]


def test_passages_are_consecutive_runs_from_pindex_0_with_the_article_on_the_first(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(2):
        for f in sorted((REPO / "corpus").iterdir()):
            if f.is_file():
                shutil.copy(f, src / f"{i}_{f.name}")
    monkeypatch.setattr(searchkit.index.writers, "BATCH_DOCS", 4)
    ix = open_index(tmp_path / "index")
    ix.add([src], jobs=2)
    first = sorted(src.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n\nOne more paragraph.\n", encoding="utf-8")
    assert ix.add([src]).updated == 1
    reader = ix.searcher().reader()
    leaves = [r for r, _ in reader.leaf_readers()] if not reader.is_atomic() else [reader]
    assert len(leaves) >= 2
    articles = 0
    for seg in leaves:
        starts = article_starts(seg).tolist()
        bounds = starts + [seg.doc_count_all()]
        for a, (s, e) in enumerate(zip(bounds, bounds[1:])):
            docs = [seg.stored_fields(d) for d in range(s, e)]
            assert [int(d.get("pindex") or 0) for d in docs] == list(range(e - s))
            assert len({d["article_id"] for d in docs}) == 1
            assert "article" in docs[0] and all("article" not in d for d in docs[1:])
            stored = decode_article(docs[0]["article"])
            assert stored["id"] == docs[0]["article_id"]
            assert len(stored.get("passages") or [None]) == e - s
            assert article_of(seg, np.arange(s, e)).tolist() == [a] * (e - s)
            articles += not any(seg.is_deleted(d) for d in range(s, e))
    assert articles == ix.info()["articles"]
