"""Parallel segment writing: whoosh's per-document work spread over several processes.

whoosh is pure Python and its writer is single-threaded: analysing every field, pooling postings and
writing them out at commit dominated indexing (profile in ``bench/README.md``), while the parser processes
sat idle. Here each of N forked writer processes owns a whoosh ``SegmentWriter`` that writes *its own new
segment* of the same index; the parent feeds them batches of documents through a bounded queue (memory
stays flat), keeps deletions in its own writer, and at commit adds the finished segments to the table of
contents in the one atomic TOC write. Until that write nothing the writers produced is referenced, so an
interrupted or failed run leaves the previous generation searchable (its files are cleaned up like any
failed write's).
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
from typing import Any, Callable, Sequence

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.fields import NUMERIC
from whoosh.filedb.filestore import FileStorage
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from ..dupes import hooks as dupes_hooks
from ..dupes.store import scratch_file
from ..store.codec import SearchkitCodec, new_codec
from .bulk import bulk_segment_writer
from .pipeline import worker_init

BATCH_DOCS = 256  # documents per batch sent to a writer process
WRITER_MB = 256  # the parent's in-process writer: whoosh's in-memory buffer before it spills a run to disk
SUB_WRITER_MB = 128  # each writer process's in-memory posting pool before it spills a sorted run to disk
_POLL = 0.5  # seconds between liveness checks while waiting on a writer
# Writer processes build their segments with `searchkit.index.bulk` (array-built postings, the same bytes);
# SEARCHKIT_BULK=0 selects the per-posting writer below, for comparison and as a fallback.
BULK = os.environ.get("SEARCHKIT_BULK", "1") != "0"


class FastSegmentWriter(SegmentWriter):
    """whoosh's ``SegmentWriter`` with the hot paths of `segment_writer` (same segment content)."""


    def add_document(self, **fields) -> None:
        if any(k.endswith("_boost") for k in fields):
            return super().add_document(**fields)
        self._check_state()
        schema, perdoc, pool, docnum = self.schema, self.perdocwriter, self.pool, self.docnum
        numeric, numeric_terms = self._numeric, self._numeric_terms
        names = sorted(n for n in fields if not n.startswith("_"))
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        posts: list[tuple] = []
        size = 0
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                start = len(posts)
                if name in numeric:  # a date, year or passage number: few distinct values, 1-4 terms each
                    key = (name, value)
                    terms = numeric_terms.get(key)
                    if terms is None:
                        terms = numeric_terms[key] = list(field.index(value))
                else:
                    terms = field.index(value)
                for tbytes, freq, weight, vbytes in terms:
                    length += freq
                    size += len(tbytes) * 2 + len(vbytes or b"")
                    posts.append((name, tbytes, docnum, weight, vbytes))
                size += (len(posts) - start) * (130 + len(name))  # whoosh's per-posting estimate
                pool.fieldnames.add(name)
                if not field.scorable:
                    length = 0
            if field.vector or field.separate_spelling():  # not in searchkit's schema
                raise NotImplementedError(f"field {name!r}: vectors/spelling need whoosh's add_document")
            stored = fields.get("_stored_" + name, value)
            perdoc.add_field(name, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        perdoc.finish_doc()
        pool.current.extend(posts)
        pool.currentsize += size
        if pool.currentsize > pool.limit:
            pool.save()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            if isinstance(self.codec, SearchkitCodec):
                _add_postings(self.fieldwriter, self.schema, _Lengths(pdr), self.pool.iter_postings())
            else:
                self.fieldwriter.add_postings(self.schema, _Lengths(pdr), self.pool.iter_postings())
            self.fieldwriter.close()
        finally:
            pdr.close()


def segment_writer(ix, **kwargs):
    """A whoosh ``SegmentWriter`` writing searchkit's codec (`searchkit.store.codec`) with its hot paths made
    cheaper, writing the same segment content:

    - ``add_document`` hands each field's postings to the pool as one list (whoosh checks, sizes and
      appends them one call per posting), and analyses a date, year or passage number once per distinct
      value; documents with boosts fall back to whoosh's own method;
    - commit hands each term's postings to the codec at once (`_add_postings`) with each document's field
      lengths from memory: whoosh made three calls per posting and looked each posting's length up in the
      just-written length column through a file read (~13% of indexing CPU in the profile)."""
    if "codec" not in kwargs:
        kwargs["codec"] = new_codec()
    writer = FastSegmentWriter(ix, **kwargs)
    writer._numeric_terms = {}  # (field, value) -> its postings' (term, freq, weight, value)
    writer._numeric = {n for n in writer.schema.names() if isinstance(writer.schema[n], NUMERIC)}
    return writer


def _add_postings(fieldwriter, schema, lengths: "_Lengths", items) -> None:
    """whoosh's ``FieldWriter.add_postings`` for searchkit's codec: the sorted (field, term, docnum, weight,
    value) postings grouped per term and handed to the postings writer a term at a time (`add_many`),
    instead of three calls per posting. Same terms, postings and statistics (tested against whoosh)."""
    lastfn = lasttext = None
    ids: list = []
    weights: list = []
    values: list = []
    lencol: list | None = None

    def finish_term() -> None:
        fieldwriter._postwriter.add_many(ids, weights, values,
                                         [lencol[d] for d in ids] if lencol is not None else [0] * len(ids))
        fieldwriter.finish_term()
        ids.clear()
        weights.clear()
        values.clear()

    for fieldname, btext, docnum, weight, value in items:
        if fieldname != lastfn:
            if lasttext is not None:
                finish_term()
            if lastfn is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            lencol = lengths.column(fieldname)
            lastfn, lasttext = fieldname, None
        if btext != lasttext:
            if lasttext is not None:
                finish_term()
            fieldwriter.start_term(btext)
            lasttext = btext
        ids.append(docnum)
        weights.append(weight)
        values.append(value)
    if lasttext is not None:
        finish_term()
    if lastfn is not None:
        fieldwriter.finish_field()


class _Lengths:
    """``doc_field_length`` of a per-document reader, each field's column loaded once."""

    def __init__(self, pdr):
        self._pdr = pdr
        self._cols: dict[str, list | None] = {}

    def column(self, fieldname: str) -> list | None:
        """Each document's length in ``fieldname`` (None where it has none), or None for a field without."""
        try:
            return self._cols[fieldname]
        except KeyError:
            reader = self._pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            col = self._cols[fieldname] = None if reader is None else [byte_to_length(b) if b else None
                                                                         for b in reader]
            return col

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        col = self.column(fieldname)
        return default if col is None else col[docnum]


class SubWriters:
    """``jobs`` writer processes adding documents to new segments of ``ix`` (the caller holds the locks).

    ``add(docs, sketch_row)`` buffers and sends batches; ``segments()`` finishes the writers and returns their
    non-empty segments for the caller's TOC; ``cancel()`` stops them (their files are left for the caller to
    clean). With ``sketch`` the writers also sketch the articles given a ``sketch_row`` (copy grouping: see
    `searchkit.dupes.hooks.sketch_stored`) into unnamed scratch files, one each (and one for the batches this
    process sketches when the writers are behind), `sketch_files` after ``segments()``.
    A writer that fails re-raises its exception here (an ``OSError`` stays one, so a full disk is reported
    like any failed write).
    """

    def __init__(self, ix, jobs: int, close_fds: Sequence[int] = (), limitmb: int = SUB_WRITER_MB,
                 sketch: bool = False):
        ctx = multiprocessing.get_context("fork")
        self._in = ctx.Queue(jobs * 2)
        self._out = ctx.Queue()
        self._buffer: list[dict[str, Any]] = []
        self._jobs: list[tuple[int, int]] = []  # (document in the buffer, tracker row) of each article to sketch
        # inherited across the fork: each writer appends to its own, the parent reads them after the writers end;
        # the last is this process's, for the batches it sketches itself while the writers are behind (`_flush`)
        self.sketch_files = [scratch_file(ix.storage.folder) for _ in range(jobs + 1)] if sketch else []
        self._procs = [ctx.Process(target=_writer_main, daemon=True,
                                   args=(ix.storage.folder, ix.indexname, self._in, self._out, list(close_fds),
                                         os.getpid(), limitmb,
                                         self.sketch_files[k].fileno() if sketch else None))
                       for k in range(jobs)]
        for p in self._procs:
            p.start()

    def add(self, docs: list[dict[str, Any]], sketch_row: int | None = None) -> None:
        """Queue one article's documents (an article never straddles two segments); with ``sketch_row`` (and
        ``sketch``) the writer sketches the article stored on its first document for that tracker row."""
        if sketch_row is not None and self.sketch_files:
            self._jobs.append((len(self._buffer), sketch_row))
        self._buffer += docs
        if len(self._buffer) >= BATCH_DOCS:
            self._flush()

    def _flush(self) -> None:
        if self._jobs and self._in.full():
            # the writers are behind and this process would only wait for room: it sketches this batch itself
            # (the writers were the slower side once parsing got faster: 30k articles, main 17.5 s of CPU,
            # writers 20 s each)
            dupes_hooks.sketch_stored(self._buffer, self._jobs, self.sketch_files[-1])
            self._jobs = []
        self._put((self._buffer, self._jobs))
        self._buffer, self._jobs = [], []

    def _put(self, item: Any) -> None:
        while True:
            try:
                self._in.put(item, timeout=_POLL)
                return
            except queue.Full:
                self._check()

    def _check(self) -> None:
        """Raise a writer's error (or report a writer that died without one)."""
        try:
            kind, value = self._out.get_nowait()
        except queue.Empty:
            if all(p.is_alive() for p in self._procs):
                return
            raise OSError("an index writer process died unexpectedly") from None
        if kind == "error":
            raise value
        self._out.put((kind, value))  # a finished writer's result: keep it for segments()

    def segments(self) -> list:
        """Finish every writer; their new segments (empty ones are dropped)."""
        if self._buffer:
            self._flush()
        for _ in self._procs:
            self._put(None)
        found: list = []
        while len(found) < len(self._procs):
            try:
                kind, value = self._out.get(timeout=_POLL)
            except queue.Empty:
                if not all(p.is_alive() or p.exitcode == 0 for p in self._procs):
                    raise OSError("an index writer process died unexpectedly") from None
                continue
            if kind == "error":
                raise value
            found.append(value)
        for p in self._procs:
            p.join()
        return [s for segments in found for s in segments]

    def cancel(self) -> None:
        """Stop the writers and `close`."""
        for p in self._procs:
            if p.is_alive():
                p.kill()
        for p in self._procs:
            p.join()
        self.close()

    def close(self) -> None:
        """Release the queues and the sketch files (after ``segments()`` and reading the sketches)."""
        for q in (self._in, self._out):
            q.cancel_join_thread()
            q.close()
        for f in self.sketch_files:
            f.close()


def _writer_main(folder: str, indexname: str, inq, outq, close_fds: list[int], parent: int, limitmb: int,
                 sketch_fd: int | None) -> None:
    """A writer process: documents from ``inq`` into a new segment; the finished segments (none when it
    received nothing, or the exception it failed with) onto ``outq``; the sketches of the articles it was
    asked to sketch appended to ``sketch_fd``."""
    worker_init(close_fds, parent)
    sketches = os.fdopen(sketch_fd, "ab", closefd=False) if sketch_fd is not None else None
    try:
        ix = FileStorage(folder).open_index(indexname)
        if BULK:
            writer = bulk_segment_writer(ix, _lk=False, limitmb=limitmb)
        else:
            writer = segment_writer(ix, _lk=False, limitmb=limitmb)
        add = writer.add_document
        done: list = []
        while True:
            batch = inq.get()
            if batch is None:
                break
            docs, jobs = batch
            for doc in docs:
                add(**doc)
            if sketches is not None:
                dupes_hooks.sketch_stored(docs, jobs, sketches)
            if BULK:
                writer.spill_if_full()  # sorted runs on disk: one segment per writer, memory flat
        if sketches is not None:
            sketches.flush()
        if writer._added:
            done.append(writer._finalize_segment())
        else:
            writer._close_segment()
        outq.put(("ok", done))
    except BaseException as e:  # noqa: BLE001 - reported to the parent, which raises it
        try:
            pickle.loads(pickle.dumps(e))  # the queue pickles in a thread: check here that it can
        except Exception:  # noqa: BLE001 - an exception that does not round-trip
            e = OSError(f"index writer failed: {type(e).__name__}: {e}")
        outq.put(("error", e))
    finally:
        outq.close()
        outq.join_thread()


def commit(writer, segments: list) -> None:
    """Commit ``writer`` (the parent's: deletions, merges of small old segments) with the writer
    processes' ``segments`` added to the table of contents in the same atomic TOC write."""
    if not segments:
        writer.commit()
        return
    final = writer._merge_segments(None, None, None) + list(segments)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final)
    writer._finish()


def serial_adder(writer) -> Callable[..., None]:
    """``add(docs, sketch_row)`` for the in-process writer (the serial counterpart of `SubWriters.add`; the
    parsing process sketches, so ``sketch_row`` is not used)."""
    def add(docs: list, sketch_row: int | None = None) -> None:
        for doc in docs:
            writer.add_document(**doc)
    return add
