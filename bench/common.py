"""Helpers shared by the benchmark scripts: where the data is, corpus shards, sizes, RSS sampling, statistics.

Kept outside ``searchkit/`` on purpose: the benchmark must measure searchkit through its public API only,
and the peers must not borrow searchkit's analysis (that would flatter or handicap one side).
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
# CI keeps the shared data beside the checkout; a user's clone does not have it.
SHARED = REPO_ROOT / ".." / "shared"
OUT_DIR = BENCH_DIR / "out"

SHARD_GLOB = "articles-*.jsonl"
MANIFEST = ".manifest.json"  # hidden, so an indexer walking the corpus folder skips it

# A compact English stop list: query words are drawn from outside it, so that every system
# (whoosh and FTS5 keep different stop lists, or none) answers the same question.
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just may might more most must
    my no nor not now of off on once only or other our out over own said same says she should so some
    such than that the their them then there these they this those through to too under until up upon
    very was we were what yet tbd when where which while who whom why will with would year years you your mln
    dlrs pct reuter reuters inc corp ltd""".split()
)

WORD_RE = re.compile(r"\w+")


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1.5m' -> 1500000, '250' -> 250; raises ValueError on anything else."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise ValueError(f"not a size: {text!r} (use e.g. 300, 10k, 100k)")
    n = float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    if n < 1 or n != int(n):
        raise ValueError(f"not a whole positive number of articles: {text!r}")
    return int(n)


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def shard_paths(corpus: Path) -> list[Path]:
    return sorted(Path(corpus).glob(SHARD_GLOB))


def iter_records(corpus: Path) -> Iterator[dict]:
    """Stream the articles of a JSONL corpus made by make_corpus.py, shard by shard."""
    for shard in shard_paths(corpus):
        with shard.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)


def read_manifest(corpus: Path) -> dict | None:
    try:
        return json.loads((Path(corpus) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def raw_bytes(rec: dict) -> int:
    """The 'raw text' every MB/s and size ratio is measured against: UTF-8 bytes of title + text."""
    return len((rec.get("title") or "").encode("utf-8")) + len((rec.get("text") or "").encode("utf-8"))


def dir_size(path: Path) -> int:
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for an empty list."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))
    return s[k]


def _tree_rss_kb(root: int) -> int:
    """Summed VmRSS of ``root`` and all its descendants, from /proc (0 where /proc is missing)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
            with open(f"/proc/{pid}/statm", "rb") as f:
                rss[pid] = int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


class PeakSampler:
    """Calls ``measure`` (a size in kB) every ``interval`` seconds in a thread while in the ``with`` block:
    ``peak_kb`` is the largest reading, ``last_kb`` the one taken on leaving the block."""

    def __init__(self, measure: Callable[[], int], interval: float = 0.05):
        self.measure, self.interval, self.peak_kb, self.last_kb = measure, interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        """One reading now, also folded into ``peak_kb``."""
        kb = self.measure()
        self.peak_kb = max(self.peak_kb, kb)
        return kb

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.last_kb = self.sample()


class TreeRSSSampler(PeakSampler):
    """Samples the summed RSS of a process tree in a thread: the peak of a multi-process indexer.

    ``getrusage(RUSAGE_CHILDREN)`` only gives the largest single descendant, which under-reports
    an indexer whose worker processes are alive at the same time.
    """

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid = pid
        super().__init__(lambda: _tree_rss_kb(pid), interval)


def now() -> float:
    return time.perf_counter()
