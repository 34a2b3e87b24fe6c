"""A reader racing a commit (issue 12, defect 6): when the TOC (or a segment) whoosh just listed vanishes
before it is opened, the reader retries and sees one whole committed version — never an error."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from searchkit import open_index

ROOT = Path(__file__).resolve().parents[2]


def test_a_toc_that_vanishes_once_is_read_again(tmp_path: Path, monkeypatch):
    ix = tmp_path / "ix"
    expected = open_index(ix).add([ROOT / "corpus"]).articles
    real = TOC.read.__func__
    left = {"n": 3}

    def flaky(cls, storage, indexname, gen=None, schema=None):
        if left["n"] > 0:
            left["n"] -= 1
            raise FileNotFoundError(2, "No such file or directory", f"_{indexname}_1.toc")
        return real(cls, storage, indexname, gen, schema)

    monkeypatch.setattr(TOC, "read", classmethod(flaky))
    results = open_index(ix).search("Taliban", unit="article", limit=100)  # a fresh Index: nothing cached
    assert results.total > 0 and left["n"] == 0
    assert open_index(ix).info()["articles"] == expected


def test_searches_during_commits_with_a_slow_toc_open_never_fail(tmp_path: Path, monkeypatch):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    for f in sorted((ROOT / "corpus").iterdir()):
        (corpus / f.name).write_bytes(f.read_bytes())
    ix = tmp_path / "ix"
    open_index(ix).add([corpus])
    base = open_index(ix).search("Taliban", unit="article").total
    real_open = FileStorage.open_file

    def slow_open(self, name, *args, **kwargs):
        if name.endswith(".toc"):
            time.sleep(0.2)  # the gap in which a commit deletes the TOC just listed
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(FileStorage, "open_file", slow_open)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    script = ("import sys, pathlib; from searchkit import open_index\n"
              "ix = open_index(sys.argv[1]); d = pathlib.Path(sys.argv[2])\n"
              "for i in range(6):\n"
              "    (d / f'extra{i}.txt').write_text(f'Extra story {i}\\n\\nThe Taliban said talks on day {i} went on.\\n')\n"
              "    ix.add([d])\n")
    writer = subprocess.Popen([sys.executable, "-c", script, str(ix), str(corpus)], env=env)
    errors, totals = [], []

    def search_loop():
        while writer.poll() is None:
            try:
                totals.append(open_index(ix).search("Taliban", unit="article").total)
            except Exception as e:  # noqa: BLE001 - what the test counts
                errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=search_loop) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert writer.wait(120) == 0
    assert not errors, errors[:3]
    # each search saw one committed version: the base articles plus the extras committed so far
    assert totals and set(totals) <= set(range(base, base + 7)), sorted(set(totals))
