"""The rough edges a new user hit in the first hour (issue 14), each as it was seen: every test here failed
on the code before the fix."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import searchkit
from searchkit.errors import IndexAccessError, ReadError

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


def cli(*args, cwd=None, env=None, timeout=60) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "searchkit.cli", *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


# --- terminal -----------------------------------------------------------------------------------------------

def test_results_wrap_at_word_boundaries_to_the_terminal_width(corpus_index):
    for columns in (60, 80):
        out = cli("search", "Atmar Patrushev", "--index", corpus_index.path, env={"COLUMNS": str(columns)})
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert max(len(line) for line in lines) <= columns
        body = [line for line in lines if line.startswith("     ")]
        assert len(body) > len(corpus_index.search("Atmar Patrushev").hits), "snippets span several lines"
        # no word split across lines: every word printed is a word of a snippet or heading
        results = corpus_index.search("Atmar Patrushev")
        words = set()
        for hit in results.hits:
            words.update(hit.snippet.text.split())
            words.update((hit.article.headline or "").split())
        printed = {w for line in body for w in line.split()}
        assert "Patrushev" in printed
        broken = {w for w in printed if w not in words and not w.startswith(("[", "·", "passage", "(#"))
                  and not re.fullmatch(r"[\d\-:·\]\[#()]+|\S+\.txt\]?", w)}
        meta = {w for hit in results.hits for x in (hit.article.source, hit.article.author) if x for w in x.split()}
        assert not broken - meta, broken - meta


def test_term_dumb_gets_no_colour(monkeypatch):
    from searchkit.present.terminal import use_color

    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert use_color(Tty())
    monkeypatch.setenv("TERM", "dumb")
    assert not use_color(Tty())


def test_passages_of_one_article_share_one_heading(corpus_index):
    from searchkit.present.terminal import render_results

    results = corpus_index.search("Atmar Patrushev", limit=10)
    ids = [h.article.id for h in results.hits]
    repeated = next(a for a in ids if ids.count(a) > 1)  # the corpus has articles with several matching passages
    headline = next(h.article.headline for h in results.hits if h.article.id == repeated)
    text = render_results(results, color=False, width=200)
    assert text.count(headline) == 1
    assert len(results.to_dict()["results"]) == len(results.hits), "the JSON keeps one result per passage"


def test_index_json_reports_a_held_lock_as_json(tmp_path):
    ix = searchkit.open_index(tmp_path / "ix")
    ix.add([CORPUS])
    with ix._write_lock():
        out = cli("index", CORPUS, "--index", ix.path, "--json")
    assert out.returncode == 1
    obj = json.loads(out.stdout)
    assert "another" in obj["error"] and str(ix.path) in obj["error"]


# --- paths and first use -------------------------------------------------------------------------------------

def test_tilde_is_the_home_folder_in_the_library_and_the_cli(tmp_path, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(CORPUS, home / "news")
    monkeypatch.setenv("HOME", str(home))
    report = searchkit.open_index("~/idx").add(["~/news"])
    assert report.added == len(list(CORPUS.iterdir()))
    assert (home / "idx").is_dir() and not Path("~").exists()
    out = cli("index", "~/news", "--index", "~/idx2", "--json", cwd=tmp_path, env={"HOME": str(home)})
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["added"] == report.added and (home / "idx2").is_dir()
    assert not (tmp_path / "~").exists()
    out = cli("search", "Patrushev", "--index", "~/idx2", "--json", cwd=tmp_path, env={"HOME": str(home)})
    assert json.loads(out.stdout)["total"] > 0


def test_searching_a_folder_that_is_not_an_index_names_it(tmp_path):
    with pytest.raises(IndexAccessError, match="typo-idx"):
        searchkit.open_index(tmp_path / "typo-idx").search("water")
    assert not (tmp_path / "typo-idx").exists(), "searching creates nothing"
    (tmp_path / "plain").mkdir()
    with pytest.raises(IndexAccessError, match="plain"):
        searchkit.open_index(tmp_path / "plain").search("water")
    assert list((tmp_path / "plain").iterdir()) == []


def test_data_folder_that_is_the_index_folder_is_refused(tmp_path):
    mix = tmp_path / "mix"
    shutil.copytree(CORPUS, mix)
    before = sorted(p.name for p in mix.iterdir())
    with pytest.raises(ReadError, match="index folder"):
        searchkit.open_index(mix).add([mix])
    out = cli("index", "mix", "--index", "mix", cwd=tmp_path)
    assert out.returncode == 1 and "separate folders" in out.stderr and "Traceback" not in out.stderr
    assert sorted(p.name for p in mix.iterdir()) == before, "nothing written into the data folder"


def test_search_without_corpus_creates_nothing_and_says_what_to_do(tmp_path):
    out = cli("search", "water", cwd=tmp_path)
    assert out.returncode == 1
    assert "searchkit index PATHS" in out.stderr and "Traceback" not in out.stderr
    assert list(tmp_path.iterdir()) == []
    info = cli("info", cwd=tmp_path)
    assert info.returncode == 1 and "searchkit index PATHS" in info.stderr
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_an_interrupted_rebuild_go_on_the_next_run(tmp_path):
    ix = searchkit.open_index(tmp_path / "ix")
    ix.add([CORPUS])
    # what a rebuild killed after creating its generation leaves behind
    stale = [ix.path / "_G1764000000000000000_0.toc", ix.path / "G1764000000000000000_WRITELOCK"]
    for f in stale:
        f.write_bytes(b"")
    report = ix.add([CORPUS])  # nothing changed: still a successful run
    assert not report.changed
    assert not any(f.exists() for f in stale)
    assert ix.search("Patrushev").total > 0
