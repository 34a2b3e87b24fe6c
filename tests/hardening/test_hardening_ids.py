"""Article ids (issue 12, defects 1 and 2): many records sharing one id are indexed in linear work with a
warning, and a file name that is not valid UTF-8 is indexable and displayable."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from searchkit.index import planning
from searchkit import open_index

TEXT = "The minister said the talks in Kabul would resume next week after officials met."


def test_shared_ids_cost_linear_work_and_get_a_warning(tmp_path: Path, monkeypatch):
    n = 1500
    f = tmp_path / "dups.jsonl"
    f.write_text("".join(json.dumps({"id": "same", "text": f"{TEXT} Record {i}."}) + "\n" for i in range(n)))
    calls = {"n": 0}
    taken = planning.IdAllocator._taken

    def counting(self, aid, key):
        calls["n"] += 1
        return taken(self, aid, key)

    monkeypatch.setattr(planning.IdAllocator, "_taken", counting)
    ix = open_index(tmp_path / "ix")
    report = ix.add([f], jobs=1)
    assert report.articles == n
    assert calls["n"] <= 3 * n, f"{calls['n']} id checks for {n} records: not linear"
    assert ix.article("same") is not None and ix.article(f"same~{n}") is not None
    assert ix.article(f"same~{n + 1}") is None
    assert any("share this id" in e.reason for e in report.errors)
    again = ix.add([f], jobs=1)  # re-indexing the same file keeps the same ids
    assert again.unchanged == 1 and ix.article("same~2") is not None


@pytest.fixture
def latin1_name(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    name = b"caf\xe9 \x1b]0;t\x07.txt"
    try:
        with open(os.path.join(os.fsencode(folder), name), "w") as fh:
            fh.write("Cafe story\n\nThe quokkacafe opened on Monday in the square, the owner said.\n")
    except (OSError, ValueError):
        pytest.skip("this file system refuses names that are not UTF-8")
    (folder / "plain.txt").write_text("Plain story\n\nThe quokkacafe was full again on Tuesday.\n")
    return folder


def test_a_file_name_that_is_not_utf8_is_indexed_and_displayed(latin1_name: Path, tmp_path: Path):
    ix_dir = tmp_path / "ix"
    env = dict(os.environ, NO_COLOR="1")
    run = lambda *a: subprocess.run([sys.executable, "-m", "searchkit.cli", *a], capture_output=True,  # noqa: E731
                                    env=env, timeout=120)
    built = run("index", str(latin1_name), "--index", str(ix_dir))
    assert built.returncode == 0, built.stderr
    assert b"2 added" in built.stdout, built.stdout
    for args in (["search", "quokkacafe", "--index", str(ix_dir)], ["search", "quokkacafe", "--json", "--index", str(ix_dir)],
                 ["parse", str(latin1_name)], ["info", "--index", str(ix_dir)]):
        proc = run(*args)
        assert proc.returncode == 0, (args, proc.stderr)
        proc.stdout.decode("utf-8")  # valid UTF-8 whatever the name
        assert b"\x1b" not in proc.stdout and b"Traceback" not in proc.stderr
    hits = json.loads(run("search", "quokkacafe", "--json", "--index", str(ix_dir)).stdout)["results"]
    ids = sorted(h["article"]["id"] for h in hits)
    assert len(ids) == 2 and any(i.startswith("caf") and i != "plain.txt" for i in ids), ids
    ix = open_index(ix_dir)
    odd = next(i for i in ids if i != "plain.txt")
    assert ix.article(odd) is not None  # the displayed id finds the article again
    again = run("index", str(latin1_name), "--index", str(ix_dir))
    assert b"2 unchanged" in again.stdout, again.stdout
