"""Keep an index current while files appear, change or disappear: `searchkit watch` and `serve --watch`.

::

    from searchkit.watch import watch
    watch(open_index("index"), ["news"], on_update=lambda u: print(u.line()))   # until Ctrl-C

Why watchfiles (not watchdog): it batches for us -- ``watch()`` yields one *set* of changes once the file
system has been quiet for ``settle`` ms (or at most every ``max_batch`` ms while changes keep coming), which
is exactly "a scraper writing 500 files is one update"; with watchdog that grouping is a thread, a queue and
a timer of our own. It uses inotify/FSEvents/ReadDirectoryChangesW through a small compiled wheel (no
build step), and takes a ``stop_event``, so the server can stop it from another thread.

Each batch is one `Index.add` of the watched paths: the same writer lock (waiting for another indexer, as
`searchkit index` does), the same atomic commit (a watch killed mid-update leaves the last commit), the same
per-file errors (listed, the file's previous version kept). Adding the watched paths, not the changed
files, keeps article ids exactly what `searchkit index PATHS` gives (an id is relative to the folder given)
and lets deletions be seen; the price is that each batch re-hashes every watched file (the planner compares
content hashes), which is fine for thousands of files and slow for a very large tree. Events inside the
index folder itself (our own commits) are ignored.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from .errors import IndexLockedError, SearchkitError

SETTLE_MS = 500  # quiet time that ends a batch
MAX_BATCH_MS = 10_000  # a continuous stream of changes is still indexed this often
LOCK_RETRY_S = 2.0


@dataclass
class WatchUpdate:
    """What one batch did: the changed paths it saw, and the index report or the error."""

    changes: int
    report: object | None = None  # searchkit.index.IndexReport
    error: str | None = None
    at: datetime = field(default_factory=datetime.now)

    def line(self) -> str:
        """One line for a person: ``12:00:03  3 added, 1 updated, 0 unchanged, 0 removed (...)``."""
        stamp = self.at.strftime("%H:%M:%S")
        if self.error:
            return f"{stamp}  error: {self.error}"
        return f"{stamp}  {self.report.summary()}"


def _relevant(changes: Iterable[tuple], index_dir: Path) -> list[str]:
    """The changed paths outside the index folder (our own commits are not news)."""
    skip = str(index_dir.resolve())
    out = []
    for _, path in changes:
        p = str(Path(path).resolve())
        if p != skip and not p.startswith(skip + "/"):
            out.append(p)
    return out


def update(index, paths: list[str], changes: int, stop: threading.Event | None = None) -> WatchUpdate:
    """Bring ``index`` up to date with ``paths`` once, as `searchkit index` would, waiting while another
    indexer holds the lock; errors become ``WatchUpdate.error``, never an exception."""
    while True:
        try:
            return WatchUpdate(changes, report=index.add(paths))
        except IndexLockedError:
            if stop is not None and stop.wait(LOCK_RETRY_S):
                return WatchUpdate(changes, error="stopped while another indexer held the lock")
            if stop is None:
                time.sleep(LOCK_RETRY_S)
        except SearchkitError as e:
            return WatchUpdate(changes, error=str(e))


def watch(index, paths: list[str], *, on_update: Callable[[WatchUpdate], None],
          stop: threading.Event | None = None, settle_ms: int = SETTLE_MS, max_batch_ms: int = MAX_BATCH_MS,
          on_ready: Callable[[], None] | None = None, catch_up: bool = True) -> None:
    """Watch ``paths`` (files or folders) and update ``index`` after each batch of changes until ``stop`` is
    set or Ctrl-C (which returns normally). ``on_update`` gets a `WatchUpdate` for each batch that changed
    the index or failed (a batch that changed nothing is not reported). ``catch_up`` first indexes what
    changed while nobody watched. ``on_ready`` is called once the watcher is listening."""
    import watchfiles

    roots = [str(Path(p)) for p in paths]
    for r in roots:
        if not Path(r).exists():
            raise SearchkitError(f"{r}: no such file or folder")
    if catch_up:
        _report(update(index, roots, 0, stop), on_update)
    watcher = watchfiles.watch(*roots, debounce=max_batch_ms, step=settle_ms, stop_event=stop,
                               raise_interrupt=False, rust_timeout=1000, yield_on_timeout=True,
                               ignore_permission_denied=True)
    ready = on_ready
    for changes in watcher:
        if ready is not None:  # the first (timeout) round: the watcher is set up
            ready()
            ready = None
        changed = _relevant(changes, Path(index.path))
        if changed:
            _report(update(index, roots, len(changed), stop), on_update)


def _report(u: WatchUpdate, on_update: Callable[[WatchUpdate], None]) -> None:
    if u.error or (u.report is not None and (u.report.changed or u.report.errors)):
        on_update(u)


def watch_in_thread(index, paths: list[str],
                    on_update: Callable[[WatchUpdate], None]) -> tuple[threading.Thread, threading.Event]:
    """`watch` in a daemon thread (for `serve --watch`, after its own catch-up `update`); set the returned
    event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(index, paths), name="searchkit-watch", daemon=True,
                              kwargs=dict(on_update=on_update, stop=stop, catch_up=False))
    thread.start()
    return thread, stop
