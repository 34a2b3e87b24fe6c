"""Concurrent use: searches (library threads, a real waitress server, a long-lived `searchkit search --batch`
process) while another process commits update after update; and two indexers started at once.

Every answer must come from one committed generation: generation k has k "gen" articles (each one passage
with the word MARKER) and exactly one version of a file rewritten at every commit (ROTATING), so a torn or
half-refreshed view shows up as a total that matches no generation, a hit set that is not the first k gen
articles, or zero or two versions of the rewritten file.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from searchkit import open_index
from searchkit.web.server import running

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "corpus").iterdir())
MARKER = "concurrencymarker"
ROTATING = "rotatingmarker"
GENERATIONS = 4
FILLER = ("The committee met again on a wet morning to go through the figures line by line, and the members agreed "
          "that the report would be published before the end of the month, once the last of the regional offices had "
          "sent in their numbers and the auditors had checked the totals against the bank statements.")


def gen_name(k: int) -> str:
    return f"gen-{k:02d}.txt"


def gen_word(k: int) -> str:
    return "genword" + "abcdefghij"[k]


def write_generation(docs: Path, k: int) -> None:
    """The files of generation k: gen article k added, the rotating file rewritten to version k."""
    if k:
        (docs / gen_name(k)).write_text(f"Report number {k}\n\nThe {MARKER} {gen_word(k)} entry. {FILLER}\n")
    (docs / "rotating.txt").write_text(f"Rotating notice\n\nThe {ROTATING} version {gen_word(k)}. {FILLER}\n")


def check(query: str, total: int, ids: list[str], texts: list[str]) -> str | None:
    """None if the answer matches some generation, else what is wrong with it."""
    if query == MARKER:
        if not 0 <= total <= GENERATIONS or sorted(ids) != [gen_name(k) for k in range(1, total + 1)]:
            return f"{query}: total {total}, ids {sorted(ids)}"
    elif query == ROTATING:
        if total != 1 or len(texts) != 1 or not any(gen_word(k) in texts[0] for k in range(GENERATIONS + 1)):
            return f"{query}: total {total}, texts {texts}"
    return None


@pytest.fixture
def docs_ix(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    for f in SEEDS:
        shutil.copy(f, docs / f.name)
    write_generation(docs, 0)
    ix = tmp_path / "ix"
    open_index(ix).add([docs])
    return docs, ix


def test_searches_see_whole_generations_while_another_process_commits(docs_ix):
    docs, ix = docs_ix
    stop = threading.Event()
    errors: list[str] = []
    seen: dict[str, set[int]] = {"library": set(), "http": set(), "cli": set()}
    lock = threading.Lock()

    def record(kind: str, query: str, total: int, ids: list[str], texts: list[str]) -> None:
        problem = check(query, total, ids, texts)
        with lock:
            if problem:
                errors.append(f"{kind}: {problem}")
            elif query == MARKER:
                seen[kind].add(total)

    def library() -> None:
        index = open_index(ix, create=False)  # one Index shared by the library threads, as an app would
        while not stop.is_set():
            for q in (MARKER, ROTATING):
                try:
                    r = index.search(q, limit=20, collapse=False)  # the gen-NN files are copies of one story
                    record("library", q, r.total, [h.article.id for h in r.hits], [h.passage_text for h in r.hits])
                    for h in r.hits:  # every hit's article is really there
                        if index.article(h.article.id) is None:
                            errors.append(f"library: hit {h.article.id} has no article")
                except Exception as e:  # noqa: BLE001 - every failure is the finding
                    errors.append(f"library: {type(e).__name__}: {e}")

    def http(url: str) -> None:
        while not stop.is_set():
            for q in (MARKER, ROTATING):
                try:
                    with urllib.request.urlopen(url + "api/search?" + urlencode({"q": q, "limit": 20, "copies": "all"}), timeout=30) as resp:
                        d = json.load(resp)
                    record("http", q, d["total"], [h["article"]["id"] for h in d["results"]],
                           [h["passage"]["text"] for h in d["results"]])
                except Exception as e:  # noqa: BLE001
                    errors.append(f"http: {type(e).__name__}: {e}")

    def cli() -> None:
        proc = subprocess.Popen([sys.executable, "-m", "searchkit.cli", "search", "--batch", "-", "--index", str(ix),
                                 "--limit", "20", "--all-copies"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                stderr=subprocess.PIPE, cwd=docs.parent)
        try:
            while not stop.is_set():
                for q in (MARKER, ROTATING):
                    proc.stdin.write(json.dumps({"id": q, "query": q}) + "\n")
                    proc.stdin.flush()
                    d = json.loads(proc.stdout.readline())
                    if "error" in d:
                        errors.append(f"cli: {d['error']}")
                        continue
                    record("cli", q, d["total"], [h["article"]["id"] for h in d["results"]],
                           [h["passage"]["text"] for h in d["results"]])
        except Exception as e:  # noqa: BLE001
            errors.append(f"cli: {type(e).__name__}: {e}")
        finally:
            proc.stdin.close()
            proc.wait(timeout=30)

    with running(ix, threads=4) as url:
        workers = [threading.Thread(target=library) for _ in range(2)]
        workers += [threading.Thread(target=http, args=(url,)) for _ in range(2)]
        workers.append(threading.Thread(target=cli))
        for w in workers:
            w.start()
        try:
            time.sleep(1.0)
            for k in range(1, GENERATIONS + 1):
                write_generation(docs, k)
                args = ["--rebuild"] if k % 2 == 0 else []  # rebuilds swap whole generations: also atomic
                proc = subprocess.run([sys.executable, "-m", "searchkit.cli", "index", str(docs), "--index", str(ix),
                                       *args], capture_output=True, text=True, cwd=docs.parent, timeout=120)
                assert proc.returncode == 0, proc.stderr
                time.sleep(0.3)
            time.sleep(1.0)  # let every searcher see the last commit
        finally:
            stop.set()
            for w in workers:
                w.join(60)
    assert not errors, errors[:5]
    for kind, totals in seen.items():
        # each kind of client saw several generations (so it really searched during the commits) and the last
        assert len(totals) >= 2 and GENERATIONS in totals, (kind, sorted(totals))


@pytest.mark.parametrize("delay", [0.0, 0.4])
def test_two_indexers_at_once_one_waits_or_refuses_and_nothing_is_corrupted(tmp_path: Path, delay: float):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(6):  # enough work that the runs overlap
        for f in SEEDS:
            shutil.copy(f, docs / f"{i}-{f.name}")
    ix = tmp_path / "ix"
    cmd = [sys.executable, "-m", "searchkit.cli", "index", str(docs), "--index", str(ix), "--json"]
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    time.sleep(delay)
    second = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    results = [(p.wait(timeout=120), *p.communicate()) for p in (first, second)]
    for code, out, err in results:
        assert "Traceback" not in err
        if code:
            assert code == 1 and "another `searchkit index` is writing" in err, err
    assert any(code == 0 for code, _, _ in results)
    # the index is whole: one more run finds nothing to do, and it answers like a single clean run
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert again.returncode == 0 and json.loads(again.stdout)["unchanged"] == len(SEEDS) * 6
    reference = open_index(tmp_path / "reference")
    reference.add([docs])
    index = open_index(ix, create=False)
    assert index.info()["passages"] == reference.info()["passages"]
    for q in ("Atmar Patrushev", "Taliban", '"peace talks"'):
        assert ([(h.article.id, h.passage_index) for h in index.search(q, limit=30).hits]
                == [(h.article.id, h.passage_index) for h in reference.search(q, limit=30).hits])
