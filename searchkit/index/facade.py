"""The index: articles in, one whoosh document per passage, kept up to date incrementally.

::

    from searchkit import open_index
    ix = open_index("index")                 # cheap; `add` creates the folder when needed
    report = ix.add(["corpus"])              # new/changed files indexed, removed ones dropped
    print(report.summary())                  # "5 added, 0 updated, 0 unchanged, 0 removed"
    for hit in ix.search("Atmar Patrushev").hits: ...

The `Index` class is a facade over the modules of this package, each with its design notes: update
planning by content hash (`planning`), generations, the writer lock and failed writes (`generations`), the
parallel parse pipeline (`pipeline`), writer processes (`writers`) and the search side (`searching`). It is
the whoosh implementation of `searchkit.engine.Engine`.

**Searchers per thread.** whoosh readers keep file positions, so each thread gets its own searcher over the
same committed generation; each is refreshed when a new commit appears, also from another process.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Iterator

from whoosh import sorting
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError
from whoosh.query import NumericRange

from ..dupes import hooks as dupes_hooks
from ..engine import Filters, Ranked, RankedHit
from ..errors import IndexAccessError, ReadError
from ..model import Article, SearchResults
from ..query.parser import ParsedQuery
from ..ranking.bm25 import weighting
from ..results.search import search
from ..settings import DEFAULT_SETTINGS, Settings
from ..store.layout import passage_documents
from ..store.schema import (ARTICLE, ARTICLE_ID, FILE, PINDEX, SOURCE_FACET, build_schema, decode_article,
                            is_current)
from . import facets, searching
from .generations import (ADD_LOCK_WAIT, WriteLock, discard_partial, index_exists, make_folder,
                          open_with_schema, open_writer, read_current, remove_other_generations, switch_generation, write_errors)
from .planning import IdAllocator, manifest_of, plan, refuse_index_inside, removed_files
from .report import IndexReport, ProgressFn, walk_events
from .retry import vanish_retry
from .stats import date_range, generation_files


def open_index(path: str | os.PathLike = "index", *, create: bool = True,
               boosts: dict[str, float] | None = None, settings: Settings | None = None) -> "Index":
    """Open the index in folder ``path`` (cheap: nothing is read or written until it is used).

    ``path`` may start with ``~`` (the home folder). With ``create=True`` the index may not exist yet:
    `Index.add` creates the folder and the index (searching it before then raises `IndexAccessError`
    naming the path, so a typo is never a silently empty index); with ``create=False`` a missing index
    raises `IndexAccessError` at once. ``settings`` (`searchkit.settings.Settings`) rank this index's
    searches; ``boosts`` override some of their field boosts. Returns an `Index`.
    """
    p = Path(os.path.expanduser(os.fspath(path)))
    if not create and not index_exists(p):
        raise IndexAccessError(f"no index at {p}; build one with `searchkit index PATHS --index {p}`")
    if p.exists() and not p.is_dir():
        raise IndexAccessError(f"{p} is a file, not an index folder")
    return Index(p, boosts=boosts, settings=settings)


class Index:
    """A searchkit index folder. Safe to share between threads; see the module docstring."""

    def __init__(self, path: Path, boosts: dict[str, float] | None = None, settings: Settings | None = None):
        self.path = Path(path)
        self.settings: Settings = (settings or DEFAULT_SETTINGS).with_boosts(boosts)
        self._local = threading.local()
        self._state_lock = threading.Lock()
        self._ix = None  # whoosh FileIndex of the live generation
        self._ix_gen: str | None = None

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    # ----------------------------------------------------------------------------------- reading

    def _storage(self):
        return FileStorage(str(self.path))

    def _whoosh(self, *, check_schema: bool = True):
        """The whoosh index of the live generation (None when nothing was ever written); ``check_schema``:
        refuse an index built by another version of searchkit."""
        for _ in range(3):
            gen = read_current(self.path)
            with self._state_lock:
                if self._ix is not None and self._ix_gen == gen:
                    return self._ix
                ix = self._open_generation(gen, check_schema)
                if ix is not None:
                    self._ix, self._ix_gen = ix, gen
                    return ix
            if read_current(self.path) == gen:
                return None
            # a rebuild switched generations and removed this one's files between reading the pointer and
            # opening its TOC: the new generation is whole, read it
        return None

    def _open_generation(self, gen: str, check_schema: bool):
        """Generation ``gen``'s whoosh index, None when it has no TOC (see `_whoosh` for ``check_schema``)."""
        try:  # the schema is read from the TOC too: inside the retry (issue 12, defect 6)
            ix, schema = vanish_retry(lambda: open_with_schema(self._storage(), gen))
        except EmptyIndexError:
            return None
        except OSError as e:
            raise IndexAccessError(f"cannot read the index at {self.path}: {e.strerror or e}") from None
        except Exception as e:  # an unpicklable/foreign table of contents
            raise IndexAccessError(f"the index at {self.path} is unreadable ({type(e).__name__}); "
                                   f"rebuild it with `searchkit index --rebuild --index {self.path}`") from None
        if check_schema and not is_current(schema):
            raise IndexAccessError(f"the index at {self.path} was built by another version of searchkit; "
                                   f"rebuild it with `searchkit index --rebuild --index {self.path}`")
        return ix

    def searcher(self):
        """This thread's whoosh ``Searcher`` on the latest commit (do not close it; do not hand it
        to another thread — call ``searcher()`` there instead).

        Cheap to call before every search: one ``stat`` of the folder decides whether anything was
        committed since (by this or another process); if so the searcher is refreshed.
        `IndexAccessError` naming the path when the folder is missing or holds no index (searching never
        creates one: a mistyped path must not look like an empty index), or the index is unreadable.
        """
        local = self._local
        try:
            stamp = os.stat(self.path).st_mtime_ns
        except OSError as e:
            raise IndexAccessError(f"no index at {self.path} ({e.strerror or e}; build one with "
                                   f"`searchkit index PATHS --index {self.path}`)") from None
        s = getattr(local, "searcher", None)
        if s is not None and stamp == getattr(local, "stamp", None):
            return s
        ix = self._whoosh()
        if ix is None:
            raise IndexAccessError(f"no index at {self.path} (build one with `searchkit index PATHS --index {self.path}`)")
        if s is not None and getattr(local, "gen", None) == ix.indexname and s.up_to_date():
            local.stamp = stamp
            return s
        # A new searcher, not Searcher.refresh(): refresh closes the old one's segment readers, and a
        # caller may still be using it (it is released when the last reference goes).
        gen = ix.indexname
        try:
            s = vanish_retry(lambda: ix.searcher(weighting=weighting(self.settings)))
        except Exception as e:
            if read_current(self.path) == gen:
                raise IndexAccessError(f"cannot read the index at {self.path} ({type(e).__name__}: {e})") from None
            return self.searcher()  # a rebuild replaced the generation while we opened it: take the new one
        local.searcher, local.stamp, local.gen = s, stamp, gen
        return s

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
        """Run ``query`` (the query language: words, ``"phrases"``, ``-exclude``, ``OR``, ``field:``, ``date:``,
        ``term~``, ``prefix*``): one page of `SearchResults`, ``limit`` hits (1-100) of page ``page`` (from 1);
        ``unit`` "passage" or "article" (one hit per article); ``source``/``speaker`` exact facet values;
        ``since``/``until`` ``YYYY[-MM[-DD]]``, inclusive. Keywords, warnings and errors (`QueryError`): see
        `searchkit.results.search.search`, which does the work."""
        return search(self, query, limit=limit, page=page, unit=unit, source=source, speaker=speaker,
                      since=since, until=until, **kwargs)

    def parse(self, text: str, settings: Settings) -> ParsedQuery:
        """`searchkit.engine.Engine.parse` of ``text`` with ``settings`` (`searchkit.index.searching.parse`)."""
        return searching.parse(self, text, settings)

    def run(self, parsed: ParsedQuery, filters: Filters, *, unit: str, offset: int, limit: int,
            settings: Settings) -> Ranked:
        """`searchkit.engine.Engine.run`: ``parsed`` within ``filters``, ``unit``, ``offset``, ``limit``, ``settings``."""
        return searching.run(self, parsed, filters, unit=unit, offset=offset, limit=limit, settings=settings)

    def all_ranked(self, parsed: ParsedQuery, filters: Filters, *, unit: str, settings: Settings) -> Iterator[RankedHit]:
        """`searchkit.engine.Engine.all_ranked`: ``parsed`` within ``filters``, by ``unit``, ranked with ``settings``."""
        return searching.all_ranked(self, parsed, filters, unit=unit, settings=settings)

    def article_ids(self, parsed: ParsedQuery, filters: Filters, settings: Settings) -> set[str]:
        """`searchkit.engine.Engine.article_ids`: of ``parsed`` within ``filters`` (``settings`` parse it)."""
        return searching.matching_article_ids(self, parsed, filters, settings)

    def count(self, parsed: ParsedQuery, filters: Filters, settings: Settings) -> int:
        """`searchkit.engine.Engine.count`: matching passages of ``parsed`` within ``filters`` (``settings`` parse it)."""
        return searching.match_count(self, parsed, filters, settings)

    def facet_values(self, name: str) -> list[str]:
        """`searchkit.engine.Engine.facet_values`: every value of facet ``name`` in this index, most frequent
        first (from the shared searcher's cached segment arrays: it runs before every filtered search)."""
        return facets.facet_values(self.searcher().reader(), name)

    def suggest(self, text: str) -> str | None:
        """`searchkit.engine.Engine.suggest`: did-you-mean for ``text`` from this index's vocabulary."""
        return searching.suggestion(self, text)

    def article(self, article_id: str) -> Article | None:
        """The clean `Article` with id ``article_id`` as stored at indexing time (no re-parsing), or None."""
        s = self.searcher()
        for fields in s.documents(**{ARTICLE_ID: article_id}):
            if ARTICLE in fields:
                return Article.from_dict(decode_article(fields[ARTICLE]))
        return None

    def info(self) -> dict[str, Any]:
        """Counts and state for `searchkit info`: articles, passages, files, sources (articles per
        source), date range, size on disk in bytes, last update (ISO, UTC)."""
        s = self.searcher()
        reader = s.reader()
        firsts = NumericRange(PINDEX, 0, 0)  # one document per article
        r = s.search(firsts, limit=None, groupedby={"source": sorting.FieldFacet(SOURCE_FACET, maptype=sorting.Count)})
        sources = {k or "(unknown)": v for k, v in sorted(r.groups("source").items(), key=lambda kv: (-kv[1], str(kv[0])))}
        dates = date_range(reader)
        size, updated = generation_files(self.path, read_current(self.path))
        return {
            "path": str(self.path),
            "articles": len(r),
            "passages": s.doc_count(),
            "files": len(manifest_of(reader)),
            "sources": sources,
            "date_from": dates[0],
            "date_to": dates[1],
            "size_bytes": size,
            "last_update": updated,
        }

    # ----------------------------------------------------------------------------------- writing

    def _write_lock(self, wait: float = 0.0) -> WriteLock:
        return WriteLock(self.path, wait)

    def ensure_built(self, default_corpus: str | os.PathLike = "corpus",
                     progress: ProgressFn | None = None) -> IndexReport | None:
        """Build the index from ``default_corpus`` when the index is empty and that folder exists
        (so a fresh checkout's first search works) and return its `IndexReport`; None when nothing had
        to be done. ``progress(done, total)`` is called as files are processed. Waits for another process
        that is building it at the same moment instead of failing."""
        if not self.is_empty() or not Path(default_corpus).is_dir():
            return None
        make_folder(self.path)
        with self._write_lock(wait=600.0) as lock, write_errors(self.path, had_articles=False):
            if not self.is_empty():
                return None
            return self._add([default_corpus], jobs=None, rebuild=False, strict=False, progress=progress, lock=lock)

    def add(self, paths: Iterable[str | os.PathLike], *, jobs: int | None = None, rebuild: bool = False,
            strict: bool = False, progress: ProgressFn | None = None, follow_links: bool = False) -> IndexReport:
        """Index the files under ``paths`` (folders are walked; see `searchkit.ingest.iter_files`).

        Incremental: new and changed files (by content hash) are (re)indexed, files under a given folder that no
        longer exist are removed, unchanged files are skipped. ``rebuild=True`` indexes ``paths`` from scratch
        into a new generation (anything else is dropped), which replaces the old one only when complete.
        ``jobs`` processes write segments (default: every core for large batches, 1 for small ones), fed by
        `searchkit.index.pipeline.parser_processes` parsers. Unreadable files and records are collected in
        ``IndexReport.errors`` (a file that fails keeps its previously indexed version); with ``strict=True``
        any error aborts the run before committing and raises the first `ReadError`. ``progress(done, total)``
        is called as files are processed. Raises `IndexLockedError` when another process is writing. Symbolic
        links leading out of a folder given are skipped unless ``follow_links``.
        """
        paths = [Path(os.path.expanduser(os.fspath(p))) for p in paths]
        refuse_index_inside(self.path, paths)
        make_folder(self.path)
        had_articles = index_exists(self.path) and not self.is_empty()  # what a failed run can say is left
        with self._write_lock(wait=ADD_LOCK_WAIT) as lock, write_errors(self.path, had_articles):
            return self._add(paths, jobs=jobs, rebuild=rebuild, strict=strict, progress=progress, lock=lock,
                             follow_links=follow_links)

    def _add(self, paths, *, jobs, rebuild, strict, progress, lock: WriteLock, follow_links: bool = False) -> IndexReport:
        # Indexing's own modules (parser pool, writer processes, the article parser) are imported here, not at the
        # top: `searchkit search` opens an index without them, and its start-up is a target (issue 16).
        from .pipeline import parser_jobs, parser_processes, run_pipeline, work_items
        from .writers import SubWriters, commit, serial_adder

        t0 = time.perf_counter()
        roots = [Path(p) for p in paths]
        for r in roots:
            if not r.exists():
                raise ReadError(str(r), "no such file or folder")
        report = IndexReport(rebuilt=rebuild)
        old_gen = read_current(self.path)
        if rebuild:
            ix = self._new_generation()
        else:
            ix = self._whoosh() or self._create_empty_locked()
        reader = ix.reader()
        try:
            manifest = {} if rebuild else manifest_of(reader)
            tasks, seen = plan(roots, manifest, follow_links)
            writer = open_writer(ix, self.path)
        except BaseException:
            reader.close()
            raise
        ids = IdAllocator(reader)
        dupes = dupes_hooks.start(self.path, ix, reader, rebuild)  # copy groups: fed here, saved after the commit
        subs = None  # writer processes, when the batch is large enough for a parser pool
        try:
            n_jobs = parser_jobs(jobs, tasks)
            # lock descriptors that forked workers must not keep open (or a killed run would stay locked)
            lock_fds = [x.fd for x in (lock.lock, getattr(writer, "writelock", None)) if x is not None and x.fd is not None]
            if n_jobs > 1:  # writer processes too (forked before the parser pool starts its threads); they sketch
                subs = SubWriters(ix, n_jobs, lock_fds, sketch=True)
            add = subs.add if subs else serial_adder(writer)
            events = run_pipeline(work_items(tasks, sketch=not subs), parser_processes(n_jobs), lock_fds)
            self._apply(events, len(tasks), report, add=add, writer=writer, manifest=manifest, ids=ids, strict=strict,
                        progress=progress, dupes=dupes, deferred=bool(subs))
            ids.report_crowded(report)
            for key in removed_files(roots, manifest, seen):
                writer.delete_by_term(FILE, key)
                dupes.remove_file(key)
                report.removed += 1
            if report.changed:
                segments = subs.segments() if subs else []
                if subs:  # the writers' sketches, filed before the commit: a failure leaves the index as it was
                    dupes_hooks.fill(dupes, subs.sketch_files)
                    subs.close()
                commit(writer, segments)
            else:
                if subs:
                    subs.cancel()
                writer.cancel()
                discard_partial(ix, writer)  # the empty segment files the writer created
        except BaseException:
            if subs:
                subs.cancel()
            try:
                writer.cancel()
            except (OSError, ValueError):  # the disk that failed the write can fail the clean-up too (an
                # error, or a file the failed write already closed): still free the lock
                if getattr(writer, "writelock", None) is not None:
                    writer.writelock.release()
            discard_partial(ix, writer)
            raise
        finally:
            reader.close()
        if rebuild:
            self._switch(ix.indexname)
        else:
            remove_other_generations(self.path, old_gen)  # leftovers of an interrupted run, even if nothing changed
        discard_partial(ix, None)  # the live generation's: unreferenced segments, TOCs never renamed
        dupes_hooks.finish(dupes, ix, report.changed)
        report.seconds = time.perf_counter() - t0
        return report

    @staticmethod
    def _apply(events, total: int, report: IndexReport, *, add, writer, manifest, ids, strict, progress, dupes,
               deferred: bool = False) -> None:
        """Turn the pipeline's events into writes (passage documents added, old versions deleted; the
        ``dupes`` tracker told, its sketches ``deferred`` to the writer processes) and ``report`` counts;
        ``strict`` raises the first error instead of collecting it."""
        for key, file_hash, _, item, first in walk_events(events, report, ids, strict=strict, known=manifest.__contains__,
                                                          progress=progress, total=total):
            if item is None:  # an indexed file that changed: its old version goes first
                writer.delete_by_term(FILE, key)
                dupes.remove_file(key)
                continue
            docs = list(passage_documents(item, key, file_hash, item.path, first))  # item.path: escaped name
            add(docs, dupes.add(key, item, item.path, deferred=deferred))
            report.passages += len(docs)

    def _create_empty_locked(self):
        """Create the empty index of the live generation (the caller holds the write lock)."""
        self._storage().create_index(build_schema(), indexname=read_current(self.path))
        return self._whoosh()

    def _new_generation(self):
        gen = f"G{time.time_ns()}"
        return self._storage().create_index(build_schema(), indexname=gen)

    def _switch(self, new_gen: str) -> None:
        """Make ``new_gen`` live and forget the cached whoosh index of the old one."""
        switch_generation(self.path, new_gen)
        with self._state_lock:
            self._ix = None
