"""Leftovers of interrupted runs (issue 12, defect 4): the next successful run removes every file and folder
a killed --rebuild or update left (generation folders G<ns>.tmp/, TOCs never renamed, whoosh locks)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from searchkit import open_index

ROOT = Path(__file__).resolve().parents[2]


def _answers(ix: Path) -> list:
    index = open_index(ix, create=False)
    return [[h.article.id for h in index.search(q, limit=20).hits] for q in ("Taliban", "Atmar Patrushev", "minister")]


def _plant(ix: Path, live: str) -> set[str]:
    names = set()
    for folder in ("G1700000000000000001.tmp", f"{live}.tmp"):
        (ix / folder).mkdir()
        (ix / folder / "spill_0.run").write_bytes(b"x" * 1000)
        names.add(folder)
    for name in ("_G1700000000000000001_0.toc", "_G1700000000000000001_0.toc.k3j2h1", "G1700000000000000001_WRITELOCK",
                 "G1700000000000000001_abcdef0123456789.seg", f"_{live}_99.toc.zz9y8x", ".CURRENT.tmp",
                 f"{live}_deadbeefdeadbeef.seg"):
        (ix / name).write_bytes(b"leftover")
        names.add(name)
    return names


def test_the_next_run_removes_files_and_folders_even_with_nothing_to_do(tmp_path: Path):
    ix = tmp_path / "ix"
    open_index(ix).add([ROOT / "corpus"])
    before, clean = _answers(ix), set(os.listdir(ix))
    live = (ix / "CURRENT").read_text().strip() if (ix / "CURRENT").exists() else "MAIN"
    planted = _plant(ix, live)
    report = open_index(ix).add([ROOT / "corpus"])
    assert not report.changed
    assert not planted & set(os.listdir(ix)), planted & set(os.listdir(ix))
    assert set(os.listdir(ix)) <= clean | {"CURRENT"} and _answers(ix) == before


def test_a_killed_rebuild_leaves_nothing_after_the_next_run(tmp_path: Path):
    ix = tmp_path / "ix"
    open_index(ix).add([ROOT / "corpus"])
    before = _answers(ix)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for delay in (0.6, 0.9, 1.2):
        proc = subprocess.Popen([sys.executable, "-m", "searchkit.cli", "index", "--rebuild", str(ROOT / "corpus"),
                                 "--index", str(ix), "--jobs", "2"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    time.sleep(0.5)  # the killed run's workers notice their parent is gone
    open_index(ix).add([ROOT / "corpus"], rebuild=True)
    live = (ix / "CURRENT").read_text().strip()
    stray = [n for n in os.listdir(ix) if n not in ("CURRENT", "searchkit_WRITELOCK", f"{live}_WRITELOCK")
             and not n.startswith((f"_{live}_", f"{live}_"))]
    assert not stray, stray
    assert not [n for n in os.listdir(ix) if ".toc." in n or n.endswith(".tmp")]
    assert _answers(ix) == before
