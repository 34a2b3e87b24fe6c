"""The index: articles in, one whoosh document per passage, kept up to date incrementally.

::

    from searchkit import open_index
    ix = open_index("index")                 # cheap; creates the folder when needed
    report = ix.add(["corpus"])              # new/changed files indexed, removed ones dropped
    print(report.summary())                  # "5 added, 0 updated, 0 unchanged, 0 removed"
    for hit in ix.search("Atmar Patrushev").hits: ...

Design, and why:

- **Incremental by content hash.** Each passage document carries its source file (``file``, the
  resolved path) and that file's hash. The hashes live *inside* the whoosh index, so the index
  and its manifest are committed together by whoosh's atomic table-of-contents rename: a run
  killed at any point leaves the previous generation searchable and consistent.
- **Generations for rebuilds.** ``--rebuild`` writes a complete new whoosh index (a new
  ``indexname``) beside the old one in the same folder and then atomically replaces the
  ``CURRENT`` pointer file, so an interrupted rebuild never leaves an empty index, and a rebuild
  can change the schema. Old-generation files are removed afterwards.
- **One writer.** A flock-based lock file (released by the OS if the process dies, so a crashed
  indexer never blocks the next one) guards the folder; a second writer gets
  `IndexLockedError` at once.
- **Parallel parsing and writing.** Hashing and parsing (HTML extraction is the heavy part) run in a
  process pool in bounded, ordered batches (memory stays flat). The parent assigns ids, builds the
  passage documents and keeps deletions; for a large batch, writer processes analyse and write them
  into segments of their own, committed together in one TOC write (`searchkit.writers`).
- **Searchers per thread.** whoosh readers keep file positions, so each thread gets its own
  searcher over the same committed generation; each is refreshed when a new commit appears, also
  from another process.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from .errors import IndexAccessError, IndexLockedError, ReadError
from .model import Article, SearchResults

CURRENT = "CURRENT"  # file naming the live generation (whoosh indexname); absent means "MAIN"
DEFAULT_GENERATION = "MAIN"
LOCK_NAME = "searchkit_WRITELOCK"
# How long `add` waits for the writer lock before saying another indexer holds it: long enough to ride
# out a reader that briefly takes it (creating the empty index of a never-built folder), short enough
# that a second `searchkit index` answers at once in human terms.
ADD_LOCK_WAIT = 3.0
_GENERATION_RE = re.compile(r"^_?(MAIN|G\d+)_")  # files that belong to a generation we created
PARALLEL_MIN_FILES = 64  # below this many files and...
PARALLEL_MIN_BYTES = 4 << 20  # ...this many bytes, a process pool costs more than it saves
CHUNK_FILES = 8  # small files per task sent to a worker
LARGE_FILE = 2 << 20  # bytes: a file above this is read in the parent, its records parsed in batches
RECORD_BATCH = 64  # records of a large file per task
WRITER_MB = 256  # whoosh's in-memory buffer before it spills a run to disk

ProgressFn = Callable[[int, int], None]


@dataclass
class IndexReport:
    """What one `Index.add` call did (file counts), for the CLI's summary line and callers."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    articles: int = 0  # articles written in this run
    passages: int = 0  # passage documents written in this run
    errors: list[ReadError] = field(default_factory=list)  # whole files and single records skipped
    failed_files: int = 0  # files skipped entirely (their previous version, if any, is kept)
    seconds: float = 0.0
    rebuilt: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)

    def summary(self) -> str:
        """One line: "3 added, 1 updated, 10 unchanged, 1 removed; 2 files skipped with errors"."""
        line = f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, {self.removed} removed"
        records = len(self.errors) - self.failed_files
        extra = []
        if self.failed_files:
            extra.append(f"{self.failed_files} file{'s' * (self.failed_files != 1)} skipped with errors")
        if records:
            extra.append(f"{records} record{'s' * (records != 1)} skipped with errors")
        line += "".join("; " + e for e in extra)
        return f"{line} ({self.articles} articles, {self.passages} passages in {self.seconds:.1f} s)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged, "removed": self.removed,
            "articles": self.articles, "passages": self.passages, "failed_files": self.failed_files,
            "errors": [{"path": e.path, "error": e.reason} for e in self.errors],
            "seconds": round(self.seconds, 3), "rebuilt": self.rebuilt,
        }


def open_index(path: str | os.PathLike = "index", *, create: bool = True,
               boosts: dict[str, float] | None = None) -> "Index":
    """Open the index in folder ``path`` (cheap: nothing is read until it is used).

    With ``create=True`` a missing folder is created (an empty index appears on first write);
    with ``create=False`` a missing index raises `IndexAccessError`. ``boosts`` override
    `searchkit.search.DEFAULT_BOOSTS` for this index's searches.
    """
    p = Path(path)
    if not create and not _exists(p):
        raise IndexAccessError(f"no index at {p}; build one with `searchkit index --index {p}`")
    if p.exists() and not p.is_dir():
        raise IndexAccessError(f"{p} is a file, not an index folder")
    if create:
        try:
            p.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise IndexAccessError(f"cannot create index folder {p}: {e.strerror or e}") from None
    return Index(p, boosts=boosts)


def _exists(path: Path) -> bool:
    try:
        names = os.listdir(path)
    except OSError:
        return False
    gen = _read_current(path)
    return any(n.startswith(f"_{gen}_") and n.endswith(".toc") for n in names)


def _read_current(path: Path) -> str:
    try:
        name = (path / CURRENT).read_text().strip()
    except OSError:
        return DEFAULT_GENERATION
    return name if re.fullmatch(r"MAIN|G\d+", name) else DEFAULT_GENERATION


class Index:
    """A searchkit index folder. Safe to share between threads; see the module docstring."""

    def __init__(self, path: Path, boosts: dict[str, float] | None = None):
        self.path = Path(path)
        self.boosts: dict[str, float] = dict(boosts or {})
        self._local = threading.local()
        self._state_lock = threading.Lock()
        self._ix = None  # whoosh FileIndex of the live generation
        self._ix_gen: str | None = None

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    # ----------------------------------------------------------------------------------- reading

    def _storage(self):
        from whoosh.filedb.filestore import FileStorage

        return FileStorage(str(self.path))

    def _whoosh(self, *, check_schema: bool = True):
        """The whoosh index of the live generation (None when nothing was ever written)."""
        from whoosh.index import EmptyIndexError

        gen = _read_current(self.path)
        with self._state_lock:
            if self._ix is not None and self._ix_gen == gen:
                return self._ix
            try:
                ix = self._storage().open_index(gen)
            except EmptyIndexError:
                return None
            except OSError as e:
                raise IndexAccessError(f"cannot read the index at {self.path}: {e.strerror or e}") from None
            except Exception as e:  # an unpicklable/foreign table of contents
                raise IndexAccessError(f"the index at {self.path} is unreadable ({type(e).__name__}); "
                                       f"rebuild it with `searchkit index --rebuild --index {self.path}`") from None
            if check_schema:
                from .schema import is_current

                if not is_current(ix.schema):
                    raise IndexAccessError(f"the index at {self.path} was built by another version of searchkit; "
                                           f"rebuild it with `searchkit index --rebuild --index {self.path}`")
            self._ix, self._ix_gen = ix, gen
            return ix

    def searcher(self):
        """This thread's whoosh ``Searcher`` on the latest commit (do not close it; do not hand it
        to another thread — call ``searcher()`` there instead).

        Cheap to call before every search: one ``stat`` of the folder decides whether anything was
        committed since (by this or another process); if so the searcher is refreshed.
        A folder that holds no index yet gets an empty one (so a search finds nothing, no error);
        `IndexAccessError` when the folder is gone or the index is unreadable.
        """
        local = self._local
        try:
            stamp = os.stat(self.path).st_mtime_ns
        except OSError as e:
            raise IndexAccessError(f"no index at {self.path}: {e.strerror or e}") from None
        s = getattr(local, "searcher", None)
        if s is not None and stamp == getattr(local, "stamp", None):
            return s
        ix = self._whoosh()
        if ix is None:
            ix = self._create_empty()
        if s is not None and getattr(local, "gen", None) == ix.indexname and s.up_to_date():
            local.stamp = stamp
            return s
        # A new searcher, not Searcher.refresh(): refresh closes the old one's segment readers, and a
        # caller may still be using it (it is released when the last reference goes).
        gen = ix.indexname
        try:
            s = ix.searcher(weighting=_weighting())
        except Exception as e:
            if _read_current(self.path) == gen:
                raise IndexAccessError(f"cannot read the index at {self.path} ({type(e).__name__}: {e})") from None
            return self.searcher()  # a rebuild replaced the generation while we opened it: take the new one
        local.searcher, local.stamp, local.gen = s, stamp, gen
        return s

    def _create_empty(self):
        """Create the (empty) index so that searching a never-built folder works (and finds nothing)."""
        with self._write_lock(wait=10.0):
            return self._whoosh() or self._create_empty_locked()

    def is_empty(self) -> bool:
        """True when the index holds no passages (or was never built)."""
        try:
            ix = self._whoosh()
        except IndexAccessError:
            return False
        return ix is None or ix.doc_count() == 0

    def search(self, query: str, *, limit: int = 10, page: int = 1, unit: str = "passage",
               source: str | None = None, speaker: str | None = None, since: str | None = None,
               until: str | None = None, **kwargs: Any) -> SearchResults:
        """Run ``query``: see `searchkit.search.search` (this method only delegates to it)."""
        from .search import search

        return search(self, query, limit=limit, page=page, unit=unit, source=source, speaker=speaker,
                      since=since, until=until, **kwargs)

    def article(self, article_id: str) -> Article | None:
        """The clean article stored at indexing time (no re-parsing), or None if there is none."""
        from .schema import decode_article

        s = self.searcher()
        for fields in s.documents(article_id=article_id):
            if "article" in fields:
                return Article.from_dict(decode_article(fields["article"]))
        return None

    def info(self) -> dict[str, Any]:
        """Counts and state for `searchkit info`: articles, passages, files, sources (articles per
        source), date range, size on disk in bytes, last update (ISO, UTC)."""
        from whoosh import sorting
        from whoosh.query import NumericRange

        s = self.searcher()
        reader = s.reader()
        firsts = NumericRange("pindex", 0, 0)  # one document per article
        r = s.search(firsts, limit=None, groupedby={"source": sorting.FieldFacet("source_facet", maptype=sorting.Count)})
        sources = {k or "(unknown)": v for k, v in sorted(r.groups("source").items(), key=lambda kv: (-kv[1], str(kv[0])))}
        dates = _date_range(reader)
        gen = _read_current(self.path)
        files = [f for f in self.path.iterdir() if f.name.startswith((f"_{gen}_", f"{gen}_"))]
        tocs = [f for f in files if f.suffix == ".toc"]
        return {
            "path": str(self.path),
            "articles": len(r),
            "passages": s.doc_count(),
            "files": len(_manifest(reader)),
            "sources": sources,
            "date_from": dates[0],
            "date_to": dates[1],
            "size_bytes": sum(f.stat().st_size for f in files if f.is_file()),
            "last_update": (datetime.fromtimestamp(max(f.stat().st_mtime for f in tocs), timezone.utc)
                            .isoformat(timespec="seconds") if tocs else None),
        }

    # ----------------------------------------------------------------------------------- writing

    def _write_lock(self, wait: float = 0.0) -> "_Lock":
        return _Lock(self, wait)

    def ensure_built(self, default_corpus: str | os.PathLike = "corpus",
                     progress: ProgressFn | None = None) -> IndexReport | None:
        """Build the index from ``default_corpus`` when the index is empty and that folder exists
        (so a fresh checkout's first search works); None when nothing had to be done. Waits for
        another process that is building it at the same moment instead of failing."""
        if not self.is_empty() or not Path(default_corpus).is_dir():
            return None
        with self._write_lock(wait=600.0) as lock, _write_errors(self.path):
            if not self.is_empty():
                return None
            return self._add([default_corpus], jobs=None, rebuild=False, strict=False, progress=progress, lock=lock)

    def add(self, paths: Iterable[str | os.PathLike], *, jobs: int | None = None, rebuild: bool = False,
            strict: bool = False, progress: ProgressFn | None = None) -> IndexReport:
        """Index the files under ``paths`` (folders are walked; see `searchkit.ingest.iter_files`).

        Incremental: new and changed files (by content hash) are (re)indexed, files under a given
        folder that no longer exist are removed, unchanged files are skipped. ``rebuild=True``
        indexes ``paths`` from scratch into a new generation (anything else is dropped), which
        replaces the old one only when complete. ``jobs`` processes parse files (default: every core
        for large batches, 1 for small ones). Unreadable files and records are collected in
        ``IndexReport.errors`` (a file that fails keeps its previously indexed version); with
        ``strict=True`` any error aborts the run before committing and raises the first `ReadError`.
        ``progress(done, total)`` is called as files are processed. Raises `IndexLockedError` when
        another process is writing.
        """
        with self._write_lock(wait=ADD_LOCK_WAIT) as lock, _write_errors(self.path):
            return self._add(paths, jobs=jobs, rebuild=rebuild, strict=strict, progress=progress, lock=lock)

    def _add(self, paths, *, jobs, rebuild, strict, progress, lock: "_Lock") -> IndexReport:
        t0 = time.perf_counter()
        roots = [Path(p) for p in paths]
        for r in roots:
            if not r.exists():
                raise ReadError(str(r), "no such file or folder")
        report = IndexReport(rebuilt=rebuild)
        old_gen = _read_current(self.path)
        if rebuild:
            ix = self._new_generation()
        else:
            ix = self._whoosh() or self._create_empty_locked()
        reader = ix.reader()
        try:
            manifest = {} if rebuild else _manifest(reader)
            tasks, seen = _plan(roots, manifest)
            writer = _writer(ix, self.path)
        except BaseException:
            reader.close()
            raise
        ids = _IdAllocator(reader)
        from .dupes import hooks as dupes_hooks  # copy groups (searchkit.dupes): fed here, saved after the commit

        dupes = dupes_hooks.start(self.path, ix, reader, rebuild)
        subs = None  # writer processes, when the batch is large enough for a parser pool
        try:
            n_jobs = _jobs(jobs, tasks)
            # lock descriptors that forked workers must not keep open (or a killed run would stay locked)
            lock_fds = [x.fd for x in (lock.lock, getattr(writer, "writelock", None)) if x is not None and x.fd is not None]
            if n_jobs > 1:  # writer processes too (forked before the parser pool starts its threads)
                from .writers import SubWriters

                subs = SubWriters(ix, n_jobs, lock_fds)
            add = subs.add if subs else _adder(writer)
            done = 0
            keyed: set[str] = set()  # files whose manifest entry is written
            for event in _pipeline(_work(tasks), n_jobs, lock_fds):
                kind, key = event[0], event[1]
                if kind == "items":
                    _, _, file_hash, path, items = event
                    for item in items:
                        if isinstance(item, tuple):  # a skipped record
                            if strict:
                                raise ReadError(*item)
                            report.errors.append(ReadError(*item))
                            continue
                        item.id = ids.assign(item.id, key)
                        report.articles += 1
                        first = key not in keyed
                        keyed.add(key)
                        docs = list(passage_documents(item, key, file_hash, path, first))
                        add(docs)
                        report.passages += len(docs)
                        if dupes:
                            dupes.add(key, item, path)
                    continue
                if kind == "unchanged":
                    report.unchanged += 1
                elif kind == "error":
                    if strict:
                        raise ReadError(event[2], event[3])
                    report.errors.append(ReadError(event[2], event[3]))
                    report.failed_files += 1
                elif kind == "begin":  # a new or changed file: its articles follow
                    if key in manifest:
                        writer.delete_by_term("file", key)
                        report.updated += 1
                        if dupes:
                            dupes.remove_file(key)
                    else:
                        report.added += 1
                done += 1
                if progress:
                    progress(done, len(tasks))
            for key in _removed(roots, manifest, seen):
                writer.delete_by_term("file", key)
                report.removed += 1
                if dupes:
                    dupes.remove_file(key)
            if report.changed:
                from .writers import commit

                commit(writer, subs.segments() if subs else [])
            else:
                if subs:
                    subs.cancel()
                writer.cancel()
                _discard_partial(ix, writer)  # the empty segment files the writer created
        except BaseException:
            if subs:
                subs.cancel()
            try:
                writer.cancel()
            except (OSError, ValueError):  # the disk that failed the write can fail the clean-up too (an
                # error, or a file the failed write already closed): still free the lock
                if getattr(writer, "writelock", None) is not None:
                    writer.writelock.release()
            _discard_partial(ix, writer)
            raise
        finally:
            reader.close()
        if rebuild:
            self._switch(ix.indexname)
        elif report.changed:
            self._remove_other_generations(old_gen)  # leftovers of an interrupted rebuild
        dupes_hooks.finish(dupes, ix, report.changed)
        report.seconds = time.perf_counter() - t0
        return report

    def _create_empty_locked(self):
        """Create the empty index of the live generation (the caller holds the write lock)."""
        from .schema import build_schema

        self._storage().create_index(build_schema(), indexname=_read_current(self.path))
        return self._whoosh()

    def _new_generation(self):
        from .schema import build_schema

        gen = f"G{time.time_ns()}"
        return self._storage().create_index(build_schema(), indexname=gen)

    def _switch(self, new_gen: str) -> None:
        """Make ``new_gen`` live (atomic rename of the pointer file), then delete old files."""
        tmp = self.path / f".{CURRENT}.tmp"
        with open(tmp, "w") as f:
            f.write(new_gen + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path / CURRENT)
        with self._state_lock:
            self._ix = None
        self._remove_other_generations(new_gen)

    def _remove_other_generations(self, keep: str) -> None:
        for f in self.path.iterdir():
            m = _GENERATION_RE.match(f.name)
            if m and m.group(1) != keep and f.is_file():
                try:
                    f.unlink()
                except OSError:
                    pass  # still open elsewhere (Windows); removed by a later rebuild


@contextmanager
def _write_errors(path: Path) -> Iterator[None]:
    """A failed write (full disk, read-only or failing file system) becomes a one-line error. Nothing
    is committed unless whoosh's final table-of-contents rename succeeds, so the last commit stands."""
    try:
        yield
    except OSError as e:
        raise IndexAccessError(f"cannot update the index at {path}: {e.strerror or e}; "
                               "its last committed version is still searchable") from None


def _discard_partial(ix, writer) -> None:
    """Delete what a failed write left behind (segment files no commit refers to, spilled runs), so a
    full disk gets its space back at once rather than at the next successful commit (whoosh's own
    clean-up runs only on commit). Best effort: the committed files are never touched."""
    from whoosh.index import clean_files

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


def _writer(ix, path: Path):
    """A whoosh writer holding whoosh's own lock (other whoosh programs respect it). The lock is taken
    here, not by the writer: whoosh's constructor keeps it forever if it fails after locking (a full disk
    while it creates the segment files), and then this process could never write again."""
    from .writers import segment_writer

    lock = ix.lock("WRITELOCK")
    if not lock.acquire():  # a program other than searchkit holds it
        raise IndexLockedError(f"another process is writing to {path}; try again when it finishes")
    try:
        writer = segment_writer(ix, _lk=False, limitmb=WRITER_MB)
    except BaseException:
        lock.release()
        raise
    writer.writelock = lock  # released by commit() or cancel()
    return writer


def _adder(writer) -> Callable[[list], None]:
    """``add(docs)`` for the in-process writer (the serial counterpart of `SubWriters.add`)."""
    def add(docs: list) -> None:
        for doc in docs:
            writer.add_document(**doc)
    return add


class _Lock:
    """The folder's writer lock (an OS file lock: released if the holder dies)."""

    def __init__(self, index: Index, wait: float):
        self.index, self.wait, self.lock = index, wait, None

    def __enter__(self) -> "_Lock":
        from whoosh.util.filelock import try_for

        try:
            self.lock = self.index._storage().lock(LOCK_NAME)
            ok = try_for(self.lock.acquire, timeout=self.wait, delay=0.2) if self.wait else self.lock.acquire()
        except OSError as e:
            raise IndexAccessError(f"cannot write to the index at {self.index.path}: {e.strerror or e}") from None
        if not ok:
            raise IndexLockedError(f"another `searchkit index` is writing to {self.index.path}; "
                                   "try again when it finishes")
        return self

    def __exit__(self, *exc: Any) -> None:
        self.lock.release()


# --------------------------------------------------------------------------------- documents

def passage_documents(article: Article, file_key: str, file_hash: str, path: str,
                      first_in_file: bool = True) -> Iterator[dict[str, Any]]:
    """The whoosh documents for one article: one per passage (an article without passages still
    gets one, so its headline is searchable), quotes and speakers mapped onto the passages whose
    text contains their paragraph, the whole article stored on the first; the file's manifest
    entry (``filekey``) on the first document of the file."""
    from .schema import encode_article

    when = _parse_date(article.date)
    common: dict[str, Any] = {"article_id": article.id, "file": file_key}
    for name in ("headline", "source", "author"):
        value = getattr(article, name)
        if value:
            common[name] = value
    if article.source:
        common["source_facet"] = article.source
    if when:
        common["date"] = when
        common["year"] = when.year

    starts, pos = [], 0
    for p in article.paragraphs:
        starts.append((pos, pos + len(p)))
        pos += len(p) + 2
    passages = article.passages or [None]
    for i, passage in enumerate(passages):
        doc = dict(common)
        text = passage.text if passage else ""
        pindex = passage.index if passage else 0
        doc.update(pindex=pindex, body=text)
        if first_in_file and i == 0:
            doc["filekey"] = f"{file_hash}:{file_key}"
        quotes = [q for q in article.quotes if passage and 0 <= q.paragraph < len(starts)
                  and starts[q.paragraph][0] < passage.end and passage.start < starts[q.paragraph][1]]
        if quotes:
            doc["quote"] = "\n".join(q.text for q in quotes)
        speakers = list(dict.fromkeys(q.speaker.strip() for q in quotes if q.speaker and q.speaker.strip()))
        if speakers:
            doc["speaker"] = "; ".join(speakers)
            doc["speaker_facet"] = ",".join(s.replace(",", " ") for s in speakers)
        names = " ".join(x for x in (article.headline, text, *speakers) if x)
        if names:
            doc["names"] = names
        if i == 0:
            doc["article"] = encode_article(article.to_dict())
            doc["path"] = path
        else:
            doc["_stored_file"] = None  # indexed on every passage (deletes), stored once per article (size)
        yield doc


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not m:
        return None
    try:
        return datetime(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def _date_range(reader) -> tuple[str | None, str | None]:
    """Earliest and latest article date, from the sortable column (no stored documents loaded)."""
    from whoosh.util.times import long_to_datetime

    if not reader.has_column("date"):
        return None, None
    col = reader.column_reader("date", translate=False)
    missing = reader.schema["date"].column_type._default  # what undated documents hold
    values = [v for v in (col[d] for d in reader.all_doc_ids()) if v != missing]
    if not values:
        return None, None
    return tuple(long_to_datetime(v).strftime("%Y-%m-%d") for v in (min(values), max(values)))  # type: ignore[return-value]


# ------------------------------------------------------------------------ manifest and planning

def _manifest(reader) -> dict[str, str]:
    """{resolved file path: content hash} of the files in the index, read from the term list."""
    out: dict[str, str] = {}
    if "filekey" not in reader.schema.names():
        return out
    for term in reader.lexicon("filekey"):
        text = term.decode("utf-8")
        # terms of deleted documents linger until segments merge: keep live ones only
        if reader.postings("filekey", text).is_active():
            h, _, key = text.partition(":")
            out[key] = h
    return out


def _plan(roots: Sequence[Path], manifest: dict[str, str]) -> tuple[list[tuple], set[str]]:
    """One task per distinct file under ``roots``: (path, id root, resolved key, known hash)."""
    from .ingest import iter_files
    from .ingest.walk import _resolve  # a symlink loop makes Path.resolve() raise RuntimeError

    tasks, seen = [], set()
    for root in roots:
        id_root = str(root) if root.is_dir() else None
        for f in iter_files([root]):
            key = str(_resolve(f))
            if key in seen:
                continue
            seen.add(key)
            tasks.append((str(f), id_root, key, manifest.get(key)))
    return tasks, seen


def _removed(roots: Sequence[Path], manifest: dict[str, str], seen: set[str]) -> list[str]:
    """Indexed files under a given root (a folder, or the file itself) that the walk did not see."""
    prefixes = []
    for r in roots:
        rr = str(r.resolve())
        prefixes.append(rr.rstrip(os.sep) + os.sep if r.is_dir() else rr)
    return [k for k in manifest if k not in seen and any(k == p or (p.endswith(os.sep) and k.startswith(p)) for p in prefixes)]


class _IdAllocator:
    """Keeps article ids unique: a second article claiming an id held by another file (or already
    used in this run) gets ``id~2``, ``id~3``... (first come, first served, in walk order)."""

    def __init__(self, reader):
        self.reader = reader
        self.used: dict[str, str] = {}  # id -> file key, this run

    def _taken(self, aid: str, key: str) -> bool:
        if aid in self.used:
            return True
        if ("article_id", aid) not in self.reader:
            return False
        for docnum in self.reader.postings("article_id", aid).all_ids():
            stored = self.reader.stored_fields(docnum)
            if "file" in stored:  # the article's first passage
                return stored["file"] != key
        return False  # only deleted documents had it

    def assign(self, aid: str, key: str) -> str:
        candidate, n = aid, 1
        while self._taken(candidate, key):
            n += 1
            candidate = f"{aid}~{n}"
        self.used[candidate] = key
        return candidate


# ------------------------------------------------------------------------------- parallel parse

def _jobs(jobs: int | None, tasks: Sequence[tuple]) -> int:
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


def _hash_file(path: str) -> str:
    """Content hash; opened through the ingest layer, which refuses FIFOs and devices (a FIFO would
    block the indexer forever and /dev/zero would never end) with a ReadError."""
    from .ingest.load import _open

    h = hashlib.blake2b(digest_size=16)
    with _open(Path(path), None) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# Work flows as ordered "events" (picklable tuples) from the parser processes to the one writer:
#   ("unchanged", key)                       the file's hash is the indexed one
#   ("error", key, path, reason)             the whole file was skipped (its indexed version stays)
#   ("begin", key, hash, path)               a new or changed file: its old documents go, items follow
#   ("items", key, hash, path, items)        Articles, and (path, reason) tuples for skipped records
# Small files go to a worker whole (reading HTML is the heavy part); a large file (a JSONL export)
# is read in the parent and its records are built into articles by the workers in batches, so
# that no process ever holds a whole large file's articles.

def _parse_files(tasks: list[tuple]) -> list[tuple]:
    """Worker: hash each file and, if it changed, parse it whole."""
    from .parse import parse_file

    events: list[tuple] = []
    for path, id_root, key, known in tasks:
        try:
            file_hash = _hash_file(path)
            if file_hash == known:
                events.append(("unchanged", key))
                continue
            items = [(x.path, x.reason) if isinstance(x, ReadError) else x for x in parse_file(path, root=id_root)]
            _dupes_prepare(items)
        except ReadError as e:
            events.append(("error", key, e.path, e.reason))
        except OSError as e:
            events.append(("error", key, path, e.strerror or str(e)))
        except Exception as e:  # noqa: BLE001 - a parser bug must not abort the whole run
            events.append(("error", key, path, f"could not be parsed ({type(e).__name__}: {e})"))
        else:
            events += [("begin", key, file_hash, path), ("items", key, file_hash, path, items)]
    return events


def _build_records(key: str, file_hash: str, path: str, raws: list) -> list[tuple]:
    """Worker: build the articles of a batch of records of one large file."""
    from .article import build_article

    items: list = []
    for raw in raws:
        if isinstance(raw, tuple):
            items.append(raw)
            continue
        try:
            items.append(build_article(raw))
        except Exception as e:  # noqa: BLE001 - one bad record must not lose the file
            items.append((path, f"record {raw.id}: could not be parsed ({type(e).__name__}: {e})"))
    _dupes_prepare(items)
    return [("items", key, file_hash, path, items)]


def _dupes_prepare(items: list) -> None:
    """Worker: sketch the articles for copy grouping here, in parallel, not in the writing parent."""
    from .dupes import hooks

    hooks.prepare(items)


def _large_file(task: tuple) -> Iterator[tuple]:
    """Parent side of a large file: ready events, and batches of records for the workers."""
    from .ingest import read_file

    path, id_root, key, known = task
    try:
        file_hash = _hash_file(path)
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
                yield _build_records, (key, file_hash, path, batch)
                batch = []
    except ReadError as e:
        if not started:
            yield None, [("error", key, e.path, e.reason)]
            return
        batch.append((e.path, e.reason))
    if not started:
        yield None, [("begin", key, file_hash, path)]
    yield _build_records, (key, file_hash, path, batch)


def _work(tasks: list[tuple]) -> Iterator[tuple]:
    """(function, args) to run in a worker, or (None, events) already known, in file order."""
    small: list[tuple] = []
    for t in tasks:
        try:
            large = os.path.getsize(t[0]) > LARGE_FILE
        except OSError:
            large = False  # the worker reports the error
        if not large:
            small.append(t)
            if len(small) >= CHUNK_FILES:
                yield _parse_files, (small,)
                small = []
            continue
        if small:
            yield _parse_files, (small,)
            small = []
        yield from _large_file(t)
    if small:
        yield _parse_files, (small,)


def _worker_init(close_fds: list[int], parent: int) -> None:
    """In each forked parser process: drop the inherited lock descriptors (a flock lives as long as
    any process holds it, and workers orphaned by a killed indexer would keep the index locked),
    leave Ctrl-C to the parent, and exit when the parent is gone."""
    import signal

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


def _pipeline(work: Iterator[tuple], jobs: int, close_fds: Sequence[int] = ()) -> Iterator[tuple]:
    """The events of ``work`` in order; with ``jobs > 1`` computed by a process pool with a bounded
    number of batches in flight, so memory stays flat however large the corpus."""
    if jobs <= 1:
        for fn, args in work:
            yield from (fn(*args) if fn else args)
        return
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    from . import parse  # noqa: F401 - imported before forking so workers start warm

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method), initializer=_worker_init,
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


def _weighting():
    """The query side's ranking function, if present (searchers are created with it)."""
    try:
        from .scoring import weighting
    except ImportError:
        from whoosh.scoring import BM25F

        return BM25F()
    return weighting()
