#!/usr/bin/env python3
"""Indexing CPU of searchkit, in total and per stage: CPU-seconds, not wall time (the machine is shared).

    python bench/index_cpu.py [--corpus DIR] [--jobs 2] [--profile OUT.txt] [--src DIR]

Runs ``searchkit.open_index(tmp).add([corpus], jobs=N)`` on a fresh index (the public API, as bench/search.py
does) and prints ``getrusage`` user+sys of this process plus its children (parser and writer processes), and
the same CPU split by stage. The stages come from wrapping the pipeline's functions in this process before it
forks (each forked process accumulates ``time.process_time`` per stage and writes it to a file when it is
done with a task), so the split is of the real run, not of a re-enactment:

- parser processes: ``build_article`` (boilerplate, dates, quotes, names, passages), the copy-group sketch
  (``dupes.hooks.prepare``) and the rest of the process (unpickling records, pickling articles);
- the indexer process: reading records (``ingest.read_file``), passage documents (``store.layout``), filing
  sketches (``Tracker.add``), saving the copy groups at the end (``dupes.hooks.finish``), the rest (queues);
- writer processes: ``add_document``, the copy-group sketch of the articles they store (``dupes.hooks.
  sketch_stored``, when there are writer processes) and the segment written at commit (``_finalize_segment``).

With ``--profile`` a second, ``jobs=1`` run (everything in this process: parser, in-process writer) is
profiled with pyinstrument into OUT (text), so the stages can be read down to the line.
Wall time is printed too, for reference only.
"""
from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# --src DIR measures another checkout's searchkit/ (e.g. a `git archive` of main) with this script: before/after
_SRC = sys.argv[sys.argv.index("--src") + 1] if "--src" in sys.argv[:-1] else str(ROOT)
sys.path.insert(0, _SRC)

STAGE_DIR = None  # where each process writes its per-stage CPU (set in main, before any fork)
_ACC: dict[str, float] = {}


def _dump(since: float = 0.0) -> None:
    """This process's accumulated stage CPU, and its total (less ``since``), to ``<STAGE_DIR>/<pid>.json``."""
    t = os.times()
    out = dict(_ACC, _total=t.user + t.system - since)
    tmp = os.path.join(STAGE_DIR, f"{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        json.dump({"role": _ROLE.get("role", "?"), "cpu": out}, f)
    os.replace(tmp, os.path.join(STAGE_DIR, f"{os.getpid()}.json"))


_ROLE: dict[str, str] = {}


def _add(name: str, seconds: float) -> None:
    _ACC[name] = _ACC.get(name, 0.0) + seconds


def timed(fn, name: str, role: str | None = None, dump: bool = False):
    """``fn`` with its CPU added to stage ``name``; ``role`` names the process kind it runs in. The wrapper
    takes ``fn``'s name, so a task function sent to the pool pickles as the module global it replaces."""
    @functools.wraps(fn)
    def wrapper(*a, **k):
        if role:
            _ROLE.setdefault("role", role)
        t = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            _add(name, time.process_time() - t)
            if dump:
                _dump()
    return wrapper


def timed_iter(fn, name: str):
    """A generator function ``fn`` with the CPU of producing each item added to stage ``name``."""
    @functools.wraps(fn)
    def wrapper(*a, **k):
        it = iter(fn(*a, **k))
        while True:
            t = time.process_time()
            try:
                item = next(it)
            except StopIteration:
                _add(name, time.process_time() - t)
                return
            _add(name, time.process_time() - t)
            yield item
    return wrapper


def instrument() -> None:
    """Wrap the stages (module globals, looked up at call time, so forked processes run the wrappers)."""
    from searchkit.dupes import hooks, store
    from searchkit.index import facade, pipeline, writers
    from searchkit.index.bulk import BulkSegmentWriter

    pipeline.build_article = timed(pipeline.build_article, "parser: build_article")
    pipeline.parse.build_article = timed(pipeline.parse.build_article, "parser: build_article")
    prepare = hooks.prepare
    hooks.prepare = timed(prepare, "parser: sketch")
    pipeline._build_records = timed(pipeline._build_records, "parser: task", role="parser", dump=True)
    pipeline._parse_files = timed(pipeline._parse_files, "parser: task", role="parser", dump=True)
    pipeline.read_file = timed_iter(pipeline.read_file, "indexer: read records")
    facade.passage_documents = timed_iter(facade.passage_documents, "indexer: passage documents")
    store.Tracker.add = timed(store.Tracker.add, "indexer: file sketches")
    hooks.fill = timed(hooks.fill, "indexer: file sketches")
    hooks.finish = timed(hooks.finish, "indexer: save copy groups")
    hooks.sketch_stored = timed(hooks.sketch_stored, "writer: sketch")
    BulkSegmentWriter.add_document = timed(BulkSegmentWriter.add_document, "writer: add_document")
    BulkSegmentWriter._finalize_segment = timed(BulkSegmentWriter._finalize_segment, "writer: write segment")
    main_fn = writers._writer_main

    def writer_main(*a, **k):
        _ROLE["role"] = "writer"
        try:
            main_fn(*a, **k)
        finally:
            _dump()
    writers._writer_main = writer_main


def reap() -> None:
    """Wait for every child (the parser pool is shut down without waiting), so RUSAGE_CHILDREN counts it."""
    deadline = time.time() + 30
    while multiprocessing.active_children() and time.time() < deadline:
        time.sleep(0.05)


def cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def raw_mb(corpus: Path) -> float:
    """UTF-8 megabytes of title + text, as bench/search.py counts them."""
    n = 0
    for shard in sorted(corpus.glob("*.jsonl")):
        with open(shard, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                n += len((r.get("title") or "").encode()) + len((r.get("text") or "").encode())
    return n / 1e6


def report(folder: str, total: float) -> dict[str, float]:
    """Per-stage CPU summed over processes of each role, plus each role's unattributed rest."""
    stages: dict[str, float] = {}
    roles: dict[str, float] = {}
    for name in os.listdir(folder):
        if not name.endswith(".json"):
            continue
        d = json.load(open(os.path.join(folder, name)))
        role = d["role"]
        for k, v in d["cpu"].items():
            if k == "_total":
                roles[role] = roles.get(role, 0.0) + v
            elif k != "parser: task":
                stages[k] = stages.get(k, 0.0) + v
    for role, t in roles.items():
        stages[f"{role}: other"] = t - sum(v for k, v in stages.items() if k.startswith(role + ":"))
    return stages


def main(argv: list[str] | None = None) -> int:
    global STAGE_DIR
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("/work/bench-out/corpus-10k"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--profile", type=Path, help="also profile a jobs=1 run into this text file (pyinstrument)")
    ap.add_argument("--keep", type=Path, help="build the index here (replaced) and keep it")
    ap.add_argument("--src", help="folder holding the searchkit/ package to measure (default: this checkout)")
    args = ap.parse_args(argv)
    import searchkit

    work = Path(tempfile.mkdtemp(prefix="index-cpu-"))
    STAGE_DIR = str(work / "stages")
    os.mkdir(STAGE_DIR)
    instrument()
    index = args.keep or work / "index"
    if index.exists():
        shutil.rmtree(index)
    try:
        t = os.times()
        self0 = t.user + t.system
        c0, w0 = cpu(), time.perf_counter()
        rep = searchkit.open_index(index).add([args.corpus], jobs=args.jobs)
        reap()
        c1, w1 = cpu(), time.perf_counter()
        _ROLE["role"] = "indexer"
        _dump(since=self0)
        total = c1 - c0
        mb = raw_mb(args.corpus)
        stages = report(STAGE_DIR, total)
        print(f"searchkit from {Path(searchkit.__file__).parent}")
        print(f"corpus {args.corpus}: {rep.added} files, {rep.passages} passages, {mb:.2f} MB raw text; jobs={args.jobs}")
        print(f"total CPU {total:.2f} s (self+children user+sys) = {mb / total:.3f} MB per CPU-s; wall {w1 - w0:.1f} s")
        for k in sorted(stages):
            print(f"  {k:34s} {stages[k]:7.2f} s")
        print(json.dumps({"cpu_s": round(total, 3), "wall_s": round(w1 - w0, 2), "mb": round(mb, 3),
                          "stages": {k: round(v, 3) for k, v in sorted(stages.items())}}))
        if args.profile:
            from pyinstrument import Profiler

            shutil.rmtree(index)
            p = Profiler()
            p.start()
            searchkit.open_index(index).add([args.corpus], jobs=1)
            p.stop()
            args.profile.parent.mkdir(parents=True, exist_ok=True)
            args.profile.write_text(p.output_text(unicode=True, color=False), encoding="utf-8")
            print(f"jobs=1 profile: {args.profile}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
