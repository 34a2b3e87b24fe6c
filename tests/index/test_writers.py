"""Writer processes (`searchkit.index.writers`): an index written by several writer processes holds the same
articles, passages and search results as one written in process."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import searchkit.index.writers
from searchkit import open_index

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("jobs", [2, 4])  # 2: the parent parses; 4: a pool of parser processes feeds them
def test_parallel_writers_give_the_serial_index(tmp_path, monkeypatch, jobs):
    src = tmp_path / "src"
    shutil.copytree(REPO / "corpus", src)
    serial = open_index(tmp_path / "serial")
    serial.add([src], jobs=1)
    monkeypatch.setattr(searchkit.index.writers, "BATCH_DOCS", 4)  # small batches: every writer gets some
    parallel = open_index(tmp_path / "parallel")
    parallel.add([src], jobs=jobs)
    segments = parallel.searcher().reader()
    assert not segments.is_atomic() and len(segments.leaf_readers()) >= 2
    a, b = serial.info(), parallel.info()
    assert (a["articles"], a["passages"], a["sources"]) == (b["articles"], b["passages"], b["sources"])
    for q in ("Russia", "Atmar Patrushev", "talks -moscow"):
        ra, rb = serial.search(q, limit=20), parallel.search(q, limit=20)
        assert ra.total == rb.total and ra.facets == rb.facets
        assert sorted((h.article.id, h.passage_index) for h in ra.hits) == \
            sorted((h.article.id, h.passage_index) for h in rb.hits)


def test_parser_processes_beside_the_writers():
    from searchkit.index.pipeline import parser_processes
    assert parser_processes(1) == parser_processes(2) == 1  # 1: run_pipeline parses in the calling process
    assert parser_processes(4) == 2 and parser_processes(8) == 4
