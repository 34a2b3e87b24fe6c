"""The parse pipeline: files -> ordered events, hashed and parsed in a process pool, with bounded memory.

Work flows as ordered "events" (picklable tuples) from the parser processes to the one writer:
  ("unchanged", key)                       the file's hash is the indexed one
  ("error", key, path, reason)             the whole file was skipped (its indexed version stays)
  ("begin", key, hash, path)               a new or changed file: its old documents go, items follow
  ("items", key, hash, path, items)        Articles, and (path, reason) tuples for skipped records
Small files go to a worker whole (reading HTML is the heavy part); a large file (a JSONL export) is read in
the parent and its records are built into articles by the workers in batches, so that no process ever holds
a whole large file's articles. `worker_init` also serves the writer processes (`searchkit.index.writers`).
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Iterator, Sequence

from .. import parse  # imported before forking, so parser workers start warm
from ..article.build import build_article
from ..dupes import hooks as dupes_hooks  # articles are sketched for copy grouping in the workers
from ..errors import ReadError
from ..ingest import read_file
from ..ingest.load import open_source

PARALLEL_MIN_FILES = 64  # below this many files and...
PARALLEL_MIN_BYTES = 4 << 20  # ...this many bytes, a process pool costs more than it saves
CHUNK_FILES = 8  # small files per task sent to a worker
LARGE_FILE = 2 << 20  # bytes: a file above this is read in the parent, its records parsed in batches
RECORD_BATCH = 64  # records of a large file per task


def parser_jobs(jobs: int | None, tasks: Sequence[tuple]) -> int:
    """Parser processes: as asked, else every core when the batch is large (many files or many
    bytes), one when a pool would cost more than it saves."""
    if jobs is not None:
        return max(1, int(jobs))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores == 1 or len(tasks) >= PARALLEL_MIN_FILES:
        return cores
    size = 0
    for t in tasks:
        try:
            size += os.path.getsize(t[0])
        except OSError:
            pass
    return cores if size >= PARALLEL_MIN_BYTES else 1


WRITERS_PER_PARSER = 2  # writer processes one parser keeps busy (see `parser_processes`)


def parser_processes(writers: int) -> int:
    """How many parser processes `run_pipeline` runs beside ``writers`` writer processes (1: the parent parses).

    Parsing is the smaller share of indexing once segments are built in bulk: at the 100k benchmark on 2 cores
    (`bench/peers.py build searchkit --jobs 2`, one run after the other) the parent parsing alone fed the two
    writers nearly as fast as two parser processes did (215 s against 211 s; 343 s of CPU against 367), and the
    two parser processes were ~130 MB of the process tree's ~555 MB peak (each a whole interpreter with numpy and
    whoosh, 60-80 MB). Beyond that one parser process per `WRITERS_PER_PARSER` writers (not measured
    past 2 cores)."""
    return max(1, writers // WRITERS_PER_PARSER)


def hash_file(path: str) -> str:
    """Content hash; opened through the ingest layer, which refuses FIFOs and devices (a FIFO would
    block the indexer forever and /dev/zero would never end) with a ReadError."""
    h = hashlib.blake2b(digest_size=16)
    with open_source(Path(path), None) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _parse_files(tasks: list[tuple], sketch: bool = True) -> list[tuple]:
    """Worker: hash each file and, if it changed, parse it whole (its articles sketched for copy grouping
    unless ``sketch`` is false: the writer processes do it, `searchkit.dupes.hooks.sketch_stored`)."""
    events: list[tuple] = []
    for path, id_root, key, known in tasks:
        try:
            file_hash = hash_file(path)
            if file_hash == known:
                events.append(("unchanged", key))
                continue
            items = [(x.path, x.reason) if isinstance(x, ReadError) else x for x in parse.parse_file(path, root=id_root)]
            if sketch:
                dupes_hooks.prepare(items)
        except ReadError as e:
            events.append(("error", key, e.path, e.reason))
        except OSError as e:
            events.append(("error", key, path, e.strerror or str(e)))
        except Exception as e:  # noqa: BLE001 - a parser bug must not abort the whole run
            events.append(("error", key, path, f"could not be parsed ({type(e).__name__}: {e})"))
        else:
            events += [("begin", key, file_hash, path), ("items", key, file_hash, path, items)]
    return events


def _build_records(key: str, file_hash: str, path: str, raws: list, sketch: bool = True) -> list[tuple]:
    """Worker: build the articles of a batch of records of one large file (sketched as `_parse_files`)."""
    items: list = []
    for raw in raws:
        if isinstance(raw, tuple):
            items.append(raw)
            continue
        try:
            items.append(build_article(raw))
        except Exception as e:  # noqa: BLE001 - one bad record must not lose the file
            items.append((path, f"record {raw.id}: could not be parsed ({type(e).__name__}: {e})"))
    if sketch:
        dupes_hooks.prepare(items)
    return [("items", key, file_hash, path, items)]


def _large_file(task: tuple, sketch: bool) -> Iterator[tuple]:
    """Parent side of a large file: ready events, and batches of records for the workers."""
    path, id_root, key, known = task
    try:
        file_hash = hash_file(path)
    except ReadError as e:
        yield None, [("error", key, e.path, e.reason)]
        return
    except OSError as e:
        yield None, [("error", key, path, e.strerror or str(e))]
        return
    if file_hash == known:
        yield None, [("unchanged", key)]
        return
    batch: list = []
    started = False
    try:
        for raw in read_file(path, root=id_root):
            batch.append((raw.path, raw.reason) if isinstance(raw, ReadError) else raw)
            if len(batch) >= RECORD_BATCH:
                if not started:
                    yield None, [("begin", key, file_hash, path)]
                    started = True
                yield _build_records, (key, file_hash, path, batch, sketch)
                batch = []
    except ReadError as e:
        if not started:
            yield None, [("error", key, e.path, e.reason)]
            return
        batch.append((e.path, e.reason))
    if not started:
        yield None, [("begin", key, file_hash, path)]
    yield _build_records, (key, file_hash, path, batch, sketch)


def work_items(tasks: list[tuple], sketch: bool = True) -> Iterator[tuple]:
    """(function, args) to run in a worker, or (None, events) already known, in file order; ``sketch``:
    whether the parsing process sketches the articles for copy grouping (see `_parse_files`)."""
    small: list[tuple] = []
    for t in tasks:
        try:
            large = os.path.getsize(t[0]) > LARGE_FILE
        except OSError:
            large = False  # the worker reports the error
        if not large:
            small.append(t)
            if len(small) >= CHUNK_FILES:
                yield _parse_files, (small, sketch)
                small = []
            continue
        if small:
            yield _parse_files, (small, sketch)
            small = []
        yield from _large_file(t, sketch)
    if small:
        yield _parse_files, (small, sketch)


def worker_init(close_fds: list[int], parent: int) -> None:
    """In each forked parser process: drop the inherited lock descriptors (a flock lives as long as
    any process holds it, and workers orphaned by a killed indexer would keep the index locked),
    leave Ctrl-C to the parent, and exit when the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for fd in close_fds:
        try:
            os.close(fd)
        except OSError:
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def run_pipeline(work: Iterator[tuple], jobs: int, close_fds: Sequence[int] = ()) -> Iterator[tuple]:
    """The events of ``work`` in order; with ``jobs > 1`` computed by a process pool with a bounded
    number of batches in flight, so memory stays flat however large the corpus."""
    if jobs <= 1:
        for fn, args in work:
            yield from (fn(*args) if fn else args)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method), initializer=worker_init,
                               initargs=(list(close_fds) if method == "fork" else [], os.getpid()))
    pending: deque = deque()
    try:
        for fn, args in work:
            pending.append(pool.submit(fn, *args) if fn else args)
            while len(pending) > jobs * 3:
                head = pending.popleft()
                yield from (head.result() if isinstance(head, Future) else head)
        while pending:
            head = pending.popleft()
            yield from (head.result() if isinstance(head, Future) else head)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
