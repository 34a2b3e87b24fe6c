"""Hostile corpus: `searchkit index` on a folder full of junk beside real articles.

The run completes for the good files, names each bad one with its reason on stderr, exits 0 (1 only with
--strict), never prints a traceback, and its peak memory stays bounded. Reader-level cases are in
test_ingest_bad_input.py; this file checks the whole indexer (walk, hash, parse workers, commit) as a user
runs it, as a subprocess.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import open_index
from searchkit.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "corpus").iterdir())
MB = 1 << 20
RSS_BOUND_KB = 1 << 20  # 1 GB: a safety bound, not a target

# file name -> a fragment of the reason the indexer must give for it
BAD = {
    "binary.txt": "binary",
    "empty.txt": "empty",
    "huge.txt": "too large",
    "truncated.txt.gz": "truncated gzip",
    "bomb.txt.gz": "gzip bomb",
    "loop.txt": "symbolic links",
    "pipe.txt": "not a regular file",
}
SKIPPED = ("zero.txt",)  # a link out of the folder (to /dev/zero): not followed, so not even read
GOOD_WORDS = {  # a word only that good file has -> the file
    "Quillbrook": "latin1.txt",
    "Marrowfield": "records.jsonl",
    "Thistlewick": "records.jsonl",
}


def _gzip_bomb(path: Path, size: int) -> None:
    """``size`` bytes of spaces compressed (about 1000:1) without holding them in memory."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    chunk = b" " * MB
    with open(path, "wb") as f:
        for _ in range(size // MB):
            f.write(z.compress(chunk))
        f.write(z.flush())


def make_hostile(folder: Path) -> None:
    folder.mkdir()
    for f in SEEDS[:2]:
        shutil.copy(f, folder / f.name)
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    (folder / "empty.txt").write_bytes(b"")
    with open(folder / "huge.txt", "wb") as f:  # 100 MB, sparse: instant to make, rejected by size
        f.truncate(100 * MB)
    # invalid UTF-8 (Latin-1 bytes in a UTF-8 file) is decoded, not rejected
    (folder / "latin1.txt").write_bytes(
        "Quillbrook council votes on the new bridge\n\n".encode() + b"The caf\xe9 owners of Quillbrook said the "
        b"bridge would bring \xab more visitors \xbb to the high street, and the council agreed after a long debate "
        b"about the cost of the works and the closure of the old ford during the summer months.\n")
    whole = gzip.compress(SEEDS[0].read_bytes())
    (folder / "truncated.txt.gz").write_bytes(whole[: len(whole) // 2])
    _gzip_bomb(folder / "bomb.txt.gz", 60 * MB)  # > the 50 MB per-file limit once inflated
    (folder / "nest.html").write_text("<html><body>" + "<div>" * 100_000 + "deep" + "</div>" * 100_000 + "</body></html>")
    words = ("the minister said the talks would continue " * 25_000)[: MB]  # 1 MB, one line, no paragraph break
    (folder / "oneline.txt").write_text("One line\n\n" + words)
    os.symlink("loop.txt", folder / "loop.txt")  # a symlink to itself
    (folder / "sub").mkdir()
    os.symlink("..", folder / "sub" / "up")  # a directory loop
    os.mkfifo(folder / "pipe.txt")  # would block a reader forever
    os.symlink("/dev/zero", folder / "zero.txt")  # would never end
    good = {"title": "Marrowfield mill reopens", "text": "The old mill at Marrowfield reopened on Saturday after a "
            "restoration that took four years and cost the village trust more than it had raised at the start.",
            "date": "2021-05-02"}
    other = {"headline": "Thistlewick fair returns", "body": "Thistlewick held its first summer fair since 2019, with "
             "stalls from twenty villages and a parade that the organisers said drew record crowds to the green."}
    (folder / "records.jsonl").write_text(
        json.dumps(good) + "\n{not json\n[1, 2]\n" + json.dumps({"title": "no text"}) + "\n" + json.dumps(other)
        + "\n" + '{"title": "cut off", "text": "half a rec')


def run_measured(args: list[str], cwd: Path, timeout: float = 120) -> tuple[subprocess.CompletedProcess, int]:
    """Run ``searchkit ARGS`` in a wrapper process that reports the peak RSS (KB) of it and its workers."""
    wrapper = ("import json, resource, subprocess, sys; "
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr); "
               "print(json.dumps(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); sys.exit(p.returncode)")
    proc = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "searchkit.cli", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)
    *out, rss = proc.stdout.splitlines() or ["0"]
    proc.stdout = "\n".join(out)
    return proc, int(rss)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "docs"
    make_hostile(folder)
    return folder


@pytest.fixture(scope="module")
def indexed(hostile: Path):
    ix = hostile.parent / "ix"
    proc, rss = run_measured(["index", str(hostile), "--index", str(ix), "--json"], cwd=hostile.parent)
    return ix, proc, rss


def test_good_files_are_indexed_and_each_bad_one_is_named_with_its_reason(indexed, hostile: Path):
    ix, proc, _ = indexed
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    errors = {Path(e["path"]).name: e["error"] for e in report["errors"]}
    for name, reason in BAD.items():
        assert reason in errors.get(name, ""), (name, errors.get(name))
        assert f"{name}: " in proc.stderr  # listed on stderr for the person too
    assert not any(name in errors for name in SKIPPED)
    # records of the broken JSONL: 4 bad ones reported, its 2 good ones indexed
    assert sum(Path(e["path"]).name == "records.jsonl" for e in report["errors"]) == 4
    index = open_index(ix, create=False)
    for word, name in GOOD_WORDS.items():
        assert any(Path(h.article.path).name == name for h in index.search(word).hits), word
    assert any(h.article.id == SEEDS[0].name for h in index.search("Atmar").hits)


def test_nesting_bomb_and_one_megabyte_line_do_not_stop_the_run(indexed):
    ix, proc, _ = indexed
    report = json.loads(proc.stdout)
    paths = {Path(e["path"]).name for e in report["errors"]}
    # the long line is a real (if odd) article: indexed, cut to the word bound (with a warning saying so);
    # the nesting bomb is either indexed or reported
    assert all("words kept" in e["error"] for e in report["errors"] if Path(e["path"]).name == "oneline.txt")
    index = open_index(ix, create=False)
    assert index.article("oneline.txt") is not None
    assert "nest.html" in paths or index.article("nest.html") is not None


def test_peak_memory_stays_bounded(indexed):
    _, _, rss_kb = indexed
    assert 0 < rss_kb < RSS_BOUND_KB, f"peak RSS {rss_kb / 1024:.0f} MB"


def test_a_rerun_is_unchanged_and_strict_exits_1(indexed, hostile: Path):
    ix, first, _ = indexed
    again, _ = run_measured(["index", str(hostile), "--index", str(ix), "--json", "--strict"], cwd=hostile.parent)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    # whole files that failed are named again; an unchanged JSONL's skipped records are not re-read
    assert sum(line.startswith("error: ") for line in again.stderr.splitlines()) == json.loads(first.stdout)["failed_files"]
    report = json.loads(again.stdout)
    assert report["added"] == report["updated"] == report["removed"] == 0
    assert report["unchanged"] == json.loads(first.stdout)["added"]


def test_unreadable_file_is_reported_and_the_rest_indexed(tmp_path: Path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    for f in SEEDS[:2]:
        shutil.copy(f, docs / f.name)
    locked = docs / "locked.txt"
    shutil.copy(SEEDS[2], locked)
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads anything: make open() refuse it as the kernel would
        import builtins

        real_open, real_os_open = builtins.open, os.open

        def deny(path, *a, **k):
            if str(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *a, **k)

        def deny_os(path, *a, **k):
            if str(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(path))
            return real_os_open(path, *a, **k)

        monkeypatch.setattr(builtins, "open", deny)
        monkeypatch.setattr(os, "open", deny_os)
    result = CliRunner().invoke(main, ["index", str(docs), "--index", str(tmp_path / "ix"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "locked.txt: permission denied" in result.output.lower()
    assert "2 added" in result.output
