"""Generations, the ``CURRENT`` pointer and the writer lock of an index folder.

- **Generations for rebuilds.** ``--rebuild`` writes a complete new whoosh index (a new ``indexname``) beside
  the old one in the same folder and then atomically replaces the ``CURRENT`` pointer file, so an interrupted
  rebuild never leaves an empty index, and a rebuild can change the schema. Old-generation files are removed
  afterwards.
- **One writer.** A flock-based lock file (released by the OS if the process dies, so a crashed indexer never
  blocks the next one) guards the folder; a second writer gets `IndexLockedError` at once.
- **Failed writes** become one-line errors, and what they left behind is removed; the last commit stands.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from whoosh.filedb.filestore import FileStorage
from whoosh.index import clean_files
from whoosh.util.filelock import try_for

from ..errors import IndexAccessError, IndexLockedError
from .leftovers import POINTER_TEMP, remove_leftovers


CURRENT = "CURRENT"  # file naming the live generation (whoosh indexname); absent means "MAIN"


DEFAULT_GENERATION = "MAIN"


LOCK_NAME = "searchkit_WRITELOCK"


# How long `add` waits for the writer lock before saying another indexer holds it: long enough to ride
# out a reader that briefly takes it (creating the empty index of a never-built folder), short enough
# that a second `searchkit index` answers at once in human terms.
ADD_LOCK_WAIT = 3.0


def make_folder(p: Path) -> None:
    """Create the index folder (only writers do: opening or searching never creates anything)."""
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise IndexAccessError(f"cannot create index folder {p}: {e.strerror or e}") from None


def index_exists(path: Path) -> bool:
    try:
        names = os.listdir(path)
    except OSError:
        return False
    gen = read_current(path)
    return any(n.startswith(f"_{gen}_") and n.endswith(".toc") for n in names)


def read_current(path: Path) -> str:
    try:
        name = (path / CURRENT).read_text().strip()
    except OSError:
        return DEFAULT_GENERATION
    return name if re.fullmatch(r"MAIN|G\d+", name) else DEFAULT_GENERATION


@contextmanager
def write_errors(path: Path, had_articles: bool = True) -> Iterator[None]:
    """A failed write (full disk, read-only or failing file system) becomes a one-line error. Nothing
    is committed unless whoosh's final table-of-contents rename succeeds, so the last commit stands — but
    an index that never held an article has no last version to speak of, and must not be told it has."""
    try:
        yield
    except OSError as e:
        if not had_articles:
            raise IndexAccessError(f"cannot build the index at {path}: {e.strerror or e}; "
                                   "nothing was indexed (there is no earlier version)") from None
        raise IndexAccessError(f"cannot update the index at {path}: {e.strerror or e}; "
                               "its last committed version is still searchable") from None


def discard_partial(ix, writer) -> None:
    """Delete what a failed write left behind (segment files no commit refers to, spilled runs), so a
    full disk gets its space back at once rather than at the next successful commit (whoosh's own
    clean-up runs only on commit). Best effort: the committed files are never touched."""
    try:
        toc = ix._read_toc()
        clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)
        for name in ix.storage.list():  # a TOC written but never renamed into place: _MAIN_3.toc.<random>
            if name.startswith(f"_{ix.indexname}_") and ".toc." in name:
                ix.storage.delete_file(name)
    except Exception:  # noqa: BLE001 - clean-up must not hide the original error
        pass
    temp = getattr(writer, "_tempstorage", None)
    if temp is not None:
        try:
            temp.destroy()
        except Exception:  # noqa: BLE001
            pass


def open_with_schema(storage, gen: str):
    """(whoosh index of ``gen``, its schema): two reads of the newest TOC, retried together by the caller."""
    ix = storage.open_index(gen)
    return ix, ix.schema


def open_writer(ix, path: Path):
    """A whoosh writer holding whoosh's own lock (other whoosh programs respect it). The lock is taken
    here, not by the writer: whoosh's constructor keeps it forever if it fails after locking (a full disk
    while it creates the segment files), and then this process could never write again."""
    from . import writers  # on first write, not at import (search never writes); segment_writer looked up at
    # call time, so tests can substitute whoosh's own

    lock = ix.lock("WRITELOCK")
    if not lock.acquire():  # a program other than searchkit holds it
        raise IndexLockedError(f"another process is writing to {path}; try again when it finishes")
    try:
        writer = writers.segment_writer(ix, _lk=False, limitmb=writers.WRITER_MB)
    except BaseException:
        lock.release()
        raise
    writer.writelock = lock  # released by commit() or cancel()
    return writer


class WriteLock:
    """The folder's writer lock (an OS file lock: released if the holder dies); waits up to ``wait`` seconds."""

    def __init__(self, path: Path, wait: float = 0.0):
        self.path, self.wait, self.lock = Path(path), wait, None

    def __enter__(self) -> "WriteLock":
        try:
            self.lock = FileStorage(str(self.path)).lock(LOCK_NAME)
            ok = try_for(self.lock.acquire, timeout=self.wait, delay=0.2) if self.wait else self.lock.acquire()
        except OSError as e:
            raise IndexAccessError(f"cannot write to the index at {self.path}: {e.strerror or e}") from None
        if not ok:
            raise IndexLockedError(f"another `searchkit index` is writing to {self.path}; "
                                   "try again when it finishes")
        return self

    def __exit__(self, *exc: Any) -> None:
        self.lock.release()


def switch_generation(path: Path, new_gen: str) -> None:
    """Make ``new_gen`` live (atomic rename of the pointer file), then delete the other generations' files."""
    tmp = path / POINTER_TEMP
    with open(tmp, "w") as f:
        f.write(new_gen + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path / CURRENT)
    remove_other_generations(path, new_gen)


def remove_other_generations(path: Path, keep: str) -> None:
    """Delete what every generation but ``keep`` left, and every interrupted run's leftovers (issue 12,
    defect 4: see `searchkit.index.leftovers`)."""
    remove_leftovers(path, keep)
