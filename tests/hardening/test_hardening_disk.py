"""Disk and permissions: a write that fails (full disk, read-only file system) during `searchkit index`
is a clear one-line error with exit 1, the previous index stays intact and searchable, and once the
problem is gone the next run succeeds with no manual clean-up.

Failures are injected into whoosh's storage layer (works anywhere), and made real with a tiny tmpfs
when this process may mount one (root in CI); those cases skip cleanly otherwise.
"""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.filedb.filestore import FileStorage

from searchkit import open_index
from searchkit.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "corpus").iterdir())
QUERIES = ["Atmar Patrushev", "Taliban", '"peace talks"', "Quillbrook bridge"]
NEW_ARTICLE = ("Quillbrook council votes on the new bridge\n\nThe council of Quillbrook voted on Tuesday to build a new "
               "bridge over the river, after a debate about the cost of the works and the closure of the old ford "
               "during the summer months. Residents said the bridge was long overdue.\n")


def answers(ix: Path) -> dict:
    index = open_index(ix, create=False)
    return {q: [(h.article.id, h.passage_index) for h in index.search(q, limit=20).hits] for q in QUERIES}


def index_files(ix: Path) -> set[str]:
    """The index's files (an empty temporary folder a failed writer created takes no space: ignored)."""
    return {p.name for p in ix.iterdir() if not (p.is_dir() and not any(p.iterdir()))}


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def built(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for f in SEEDS:
        shutil.copy(f, docs / f.name)
    ix = tmp_path / "ix"
    assert cli("index", str(docs), "--index", str(ix)).exit_code == 0
    (docs / "quillbrook.txt").write_text(NEW_ARTICLE)  # the update that will fail
    (docs / SEEDS[0].name).unlink()
    return docs, ix


def _fail_with(errnum: int):
    def fail(*args, **kwargs):
        raise OSError(errnum, os.strerror(errnum))
    return fail


@pytest.mark.parametrize("method", ["create_file", "rename_file"])  # a segment file; the final TOC rename
@pytest.mark.parametrize("errnum", [errno.ENOSPC, errno.EROFS, errno.EIO])
def test_failed_write_is_one_line_and_the_previous_index_stays(built, monkeypatch, method, errnum):
    docs, ix = built
    before, files = answers(ix), index_files(ix)
    with monkeypatch.context() as m:
        m.setattr(FileStorage, method, _fail_with(errnum))
        result = cli("index", str(docs), "--index", str(ix))
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and os.strerror(errnum) in lines[0], result.output
    assert answers(ix) == before
    assert index_files(ix) == files  # nothing the failed run wrote is left behind
    again = cli("index", str(docs), "--index", str(ix))
    assert again.exit_code == 0, again.output
    assert "1 added" in again.output and "1 removed" in again.output
    assert answers(ix) != before


def test_failed_rebuild_keeps_the_live_generation(built, monkeypatch):
    docs, ix = built
    before = answers(ix)
    with monkeypatch.context() as m:
        m.setattr(FileStorage, "rename_file", _fail_with(errno.ENOSPC))
        result = cli("index", str(docs), "--index", str(ix), "--rebuild")
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert answers(ix) == before
    assert cli("index", str(docs), "--index", str(ix), "--rebuild").exit_code == 0


# ------------------------------------------------------------------------------------- real tmpfs

@pytest.fixture
def tmpfs(tmp_path: Path):
    """A 3 MB tmpfs mounted at tmp_path/mnt (root only); skipped where mounting is not allowed."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or 'mount failed'})")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def searchkit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searchkit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def seeded(folder: Path) -> tuple[Path, Path]:
    """corpus/ copied to folder/docs and indexed by a real `searchkit index` into folder/ix."""
    docs, ix = folder / "docs", folder / "ix"
    docs.mkdir()
    for f in SEEDS:
        shutil.copy(f, docs / f.name)
    assert searchkit("index", str(docs), "--index", str(ix), cwd=folder).returncode == 0
    return docs, ix


@pytest.mark.parametrize("jobs", ["1", "2"])  # 2: parser and writer processes, whose failure must surface too
def test_really_full_disk(tmpfs: Path, jobs: str):
    docs, ix = seeded(tmpfs)
    before, files = answers(ix), index_files(ix)
    for i in range(20):  # enough new text that the update cannot fit in what is left: distinct words, as
        # repeated text compresses (stored frames, compact term dictionary) into less than the 48 KB left
        words = " ".join(f"quill{i}x{j}" for j in range(1500))
        (docs / f"more-{i}.txt").write_text(NEW_ARTICLE.replace("Quillbrook", f"Quillbrook{i}") + f"\n\n{words}.\n")
    free = shutil.disk_usage(tmpfs).free
    filler = tmpfs / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, free - 48 * 1024))
    full = searchkit("index", str(docs), "--index", str(ix), "--jobs", jobs, cwd=tmpfs)
    assert full.returncode == 1, full.stdout + full.stderr
    assert "No space left on device" in full.stderr and "Traceback" not in full.stderr
    assert len(full.stderr.strip().splitlines()) == 1
    assert answers(ix) == before
    assert index_files(ix) == files  # the failed run's partial segment files were removed
    filler.unlink()
    again = searchkit("index", str(docs), "--index", str(ix), "--jobs", jobs, cwd=tmpfs)
    assert again.returncode == 0, again.stderr
    assert "20 added" in again.stdout


def test_read_only_file_system(tmpfs: Path):
    docs, ix = seeded(tmpfs)
    before = answers(ix)
    (docs / "quillbrook.txt").write_text(NEW_ARTICLE)
    remount = subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True, text=True)
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only ({remount.stderr.strip()})")
    try:
        denied = searchkit("index", str(docs), "--index", str(ix), cwd=tmpfs)
        assert denied.returncode == 1 and "Traceback" not in denied.stderr
        assert denied.stderr.startswith("error: ") and "Read-only file system" in denied.stderr
        assert len(denied.stderr.strip().splitlines()) == 1
        # searching and info need no write access
        found = searchkit("search", "Atmar", "--index", str(ix), "--json", cwd=tmpfs)
        assert found.returncode == 0 and '"total": 0' not in found.stdout, found.stderr
        assert searchkit("info", "--index", str(ix), cwd=tmpfs).returncode == 0
        assert answers(ix) == before
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tmpfs)], capture_output=True)
