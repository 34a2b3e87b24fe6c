"""The article/passage layout, and reading a segment's arrays: the one module that knows both.

The layout: an article is indexed as consecutive documents of one segment, one per passage, ``pindex`` 0, 1,
2...; the whole article is stored (encoded) on its passage 0. The writers never split an article, and whoosh's
merges copy documents in order, so the documents where ``pindex`` is 0 mark where each article starts and
"which article is document d" is a binary search (`article_starts`, `article_of`). tests/store/test_layout.py
checks the invariant once.

Segment arrays: per-document field lengths, and posting lists read a block at a time into numpy arrays
(from searchkit's array blocks or whoosh's pickled ones), cached per segment (`segment_cache`): a segment's
documents never change, so what is read once serves every later query.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Callable, Iterator

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from ..article.dates import date_span
from ..model import Article, paragraph_spans
from .analysis import OWN_NAMES_MARK
from .codec import ArrayLeafMatcher, CompactLeafMatcher, TightLeafMatcher
from .schema import (ARTICLE, ARTICLE_ID, AUTHOR, BODY, DATE, FILE, FILEKEY, HEADLINE, NAMES, PATH, PINDEX, QUOTE, SOURCE,
                     SOURCE_FACET, SPEAKER, SPEAKER_FACET, YEAR, encode_article)
from .values import PostingValues


_CACHE: dict[tuple, Any] = {}  # (segment id, document count, what) -> per-segment arrays read once


_CACHE_LOCK = threading.Lock()


_MAX_CACHED = 512


EMPTY = (np.zeros(0, np.int64), np.zeros(0, np.float64))


def segment_cache(reader, what: tuple, make: Callable[[], Any]) -> Any:
    """``make()`` computed once per segment and kept: a segment's documents never change (deletions only
    hide them, and change the count of live documents that is part of the key)."""
    key = (reader.segment().segment_id(), reader.doc_count_all(), reader.doc_count(), *what)
    value = _CACHE.get(key)
    if value is None:
        value = make()
        with _CACHE_LOCK:
            if len(_CACHE) >= _MAX_CACHED:
                _CACHE.clear()
            _CACHE[key] = value
    return value


def field_lengths(reader, fieldname: str) -> np.ndarray | None:
    """Each document's length in ``fieldname`` as whoosh scores it (its one-byte encoding decoded)."""
    def make():
        col = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if col is None:
            return False
        table = np.array([byte_to_length(b) for b in range(256)], np.float64)
        n = reader.doc_count_all()
        if getattr(col, "_fixedlen", None) == 1 and getattr(col, "_typecode", None) == "B":
            # whoosh's layout: one byte per document (fewer at the end: the default, 0); read in one go
            raw = np.frombuffer(bytes(col._dbfile.get(col._basepos, col._count)), np.uint8)
            if len(raw) < n:
                raw = np.concatenate([raw, np.zeros(n - len(raw), np.uint8)])
        else:  # another column layout: whoosh's own reader
            raw = np.fromiter(col, np.uint8, n)
        return table[raw]

    if not hasattr(reader, "_perdoc"):
        return None
    got = segment_cache(reader, ("lengths", fieldname), make)
    return None if got is False else got


POSTINGS_BUDGET = 48 << 20  # bytes of decoded posting arrays kept across queries (`posting_arrays`)
SPARSE_WITHIN = 16  # a ``within`` this many times smaller than the term's postings: read only its blocks
_POSTINGS: OrderedDict = OrderedDict()  # (segment key, field, term, values) -> arrays, least recently used first
_POSTINGS_SIZE = [0]
_WANT_VALUES: ContextVar[frozenset] = ContextVar("want_values", default=frozenset())  # (field, term bytes)


@contextmanager
def reading_values(fieldname: str, texts) -> Iterator[None]:
    """Within this block, a `posting_arrays` read of one of ``texts`` in ``fieldname`` without values reads
    (and keeps) them too. Why: passage proximity reads the positions of the query's body words after matching
    read their frequencies; keyed apart, each list was decoded twice (issue 11, docs/ranking-issue11.md
    section 10). Only a hint: results are the same with or without it."""
    token = _WANT_VALUES.set(frozenset((fieldname, t.encode("utf-8")) for t in texts))
    try:
        yield
    finally:
        _WANT_VALUES.reset(token)


def posting_arrays(reader, fieldname: str, btext: bytes, values: bool = False, within: np.ndarray | None = None):
    """(docnums, term frequencies[, per-posting values as `PostingValues`]) of one term's live postings in a segment; with
    ``within`` (sorted docnums), blocks that cannot hold any of them may be left out (callers take a superset):
    when it is `SPARSE_WITHIN` times smaller than the term's postings, else the whole list is read and kept.

    A whole list read is kept, least recently used dropped first past `POSTINGS_BUDGET`: one query reads a
    word's postings for matching, article scores, passage scores and proximity, and the next query often shares
    a word (at 100k articles decoding blocks was the largest part of a query). Read-only arrays: every caller
    shares them. A segment's postings never change; a deletion changes the key (its live count)."""
    seg = (reader.segment().segment_id(), reader.doc_count_all(), reader.doc_count(), fieldname, btext)
    with _CACHE_LOCK:  # a list kept with its values serves a read without them too
        for key in ((*seg, values),) if values else ((*seg, False), (*seg, True)):
            if key in _POSTINGS:
                _POSTINGS.move_to_end(key)
                return _POSTINGS[key] if values else _POSTINGS[key][:2]
    hinted = not values and (fieldname, btext) in _WANT_VALUES.get()
    if within is not None and not hinted and len(within) * SPARSE_WITHIN < reader.doc_frequency(fieldname, btext):
        return _read_postings(reader, fieldname, btext, values, within)  # few wanted: skip blocks, keep nothing
    got = _read_postings(reader, fieldname, btext, values or hinted, None)
    _keep_postings((*seg, values or hinted), got)
    return got[:2] if hinted else got


def _nbytes(got: tuple) -> int:
    """About what a `posting_arrays` result holds in memory."""
    return sum(a.nbytes for a in got[:2]) + (got[2].nbytes if len(got) > 2 else 0)


def _keep_postings(key: tuple, got: tuple) -> None:
    size = _nbytes(got)
    if size > POSTINGS_BUDGET // 4:
        return
    for a in got[:2]:
        a.flags.writeable = False
    with _CACHE_LOCK:
        if key in _POSTINGS:
            return
        _POSTINGS[key] = got
        _POSTINGS_SIZE[0] += size
        while _POSTINGS_SIZE[0] > POSTINGS_BUDGET and _POSTINGS:
            _POSTINGS_SIZE[0] -= _nbytes(_POSTINGS.popitem(last=False)[1])


def _read_postings(reader, fieldname: str, btext: bytes, values: bool, within: np.ndarray | None):
    m = _unfiltered(reader, fieldname, btext)
    id_parts, w_parts, v_parts = [], [], []
    for ids, w, vals in _blocks(m, values, within):
        id_parts.append(ids)
        w_parts.append(w)
        if values:
            v_parts.append(vals if isinstance(vals, PostingValues) else PostingValues.of(vals))
    ids = np.concatenate(id_parts) if id_parts else np.zeros(0, np.int64)
    tfs = np.concatenate(w_parts) if w_parts else np.zeros(0)
    vals = PostingValues.joined(v_parts) if values else None
    deleted = _deleted(reader)
    if deleted is not None and len(ids):
        keep = ~np.isin(ids, deleted)
        if not keep.all():
            ids, tfs = ids[keep], tfs[keep]
            vals = vals.take(keep) if values else None
    return (ids, tfs, vals) if values else (ids, tfs)


def term_bytes(reader, fieldname: str, text) -> bytes | None:
    """The indexed form of ``text`` in ``fieldname`` if this segment has that term, else None."""
    if fieldname not in reader.schema:
        return None
    try:
        btext = reader.schema[fieldname].to_bytes(text)
    except ValueError:
        return None
    return btext if (fieldname, btext) in reader else None


def read_postings(reader, fieldname: str, text, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, term frequencies) of the term ``text`` of ``fieldname`` in one segment (empty if absent)."""
    btext = term_bytes(reader, fieldname, text)
    return EMPTY if btext is None else posting_arrays(reader, fieldname, btext, within=within)


def posting_ids(reader, fieldname: str, btext: bytes) -> np.ndarray:
    """Sorted docnums of one term's postings in a segment, deleted documents included (empty if absent)."""
    if (fieldname, btext) not in reader:
        return np.zeros(0, np.int64)
    parts = [ids for ids, _, _ in _blocks(_unfiltered(reader, fieldname, btext), values=False)]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _unfiltered(reader, fieldname: str, btext: bytes):
    """The term's posting matcher without whoosh's deleted-documents wrapper (callers drop those themselves,
    or want them: a deleted article still occupies its documents)."""
    m = reader.postings(fieldname, btext)
    return m.child if isinstance(m, FilterMatcher) else m


def _blocks(m, values: bool, within: np.ndarray | None = None):
    """(docnums, term frequencies, value bytes or None) of a posting list a block at a time: from the on-disk
    blocks directly (searchkit's array blocks, or whoosh's pickled ones) or, for any other matcher, one
    posting at a time. With ``within`` (sorted docnums), a block whose docnum range holds none of them is
    skipped undecoded."""
    kind = type(m)
    if kind is ArrayLeafMatcher or kind is CompactLeafMatcher or kind is TightLeafMatcher or kind is W3LeafMatcher:
        after = -1  # every docnum of the current block is above this (the previous block's last)
        while m.is_active():
            if within is not None:
                i = int(np.searchsorted(within, after, side="right"))
                if i >= len(within) or within[i] > m._maxid:
                    after = m._maxid
                    m._next_block()
                    continue
            after = m._maxid
            if kind is not W3LeafMatcher:
                yield m.arrays(values)
            else:
                m._read_data()
                deltas, weights, _ = m._data
                ids = np.cumsum(np.array(deltas, np.int64))
                if weights is None:
                    w = np.ones(len(ids))
                elif isinstance(weights, float):
                    w = np.full(len(ids), weights)
                else:
                    w = np.array(weights, np.float64)
                vals = None
                if values:
                    m._read_values()
                    vals = m._values
                yield ids, w, vals
            m._next_block()
        return
    ids_l, w_l, v_l = [], [], []
    while m.is_active():
        ids_l.append(m.id())
        w_l.append(m.weight())
        if values:
            v_l.append(m.value())
        m.next()
    if ids_l:
        yield np.array(ids_l, np.int64), np.array(w_l, np.float64), (v_l if values else None)


def _deleted(reader) -> np.ndarray | None:
    if not reader.has_deletions():
        return None
    def make():
        perdoc = getattr(reader, "_perdoc", None)
        if perdoc is not None:
            return np.array(sorted(perdoc.deleted_docs()), np.int64)
        return np.array([d for d in range(reader.doc_count_all()) if reader.is_deleted(d)], np.int64)

    return segment_cache(reader, ("deleted",), make)


def deleted_docs(reader) -> np.ndarray | None:
    """Sorted docnums of the segment's deleted documents, or None when it has none."""
    return _deleted(reader)


def article_starts(reader) -> np.ndarray:
    """Sorted docnums of the first passage of each article in one segment (live or deleted)."""
    def make():
        field = reader.schema[PINDEX]
        return posting_ids(reader, PINDEX, field.to_bytes(0))

    return segment_cache(reader, ("article-starts",), make)


def article_of(reader, ids: np.ndarray) -> np.ndarray:
    """The article ordinal (index into `article_starts`) of each of the segment's docnums ``ids``: one
    look-up in a per-segment table (8 bytes a document), where a binary search per id cost more at 100k."""
    def make():
        marks = np.zeros(reader.doc_count_all(), np.int64)
        marks[article_starts(reader)] = 1
        return np.cumsum(marks) - 1  # -1 before the first article (none in a whole segment)

    return segment_cache(reader, ("article-of",), make)[ids]


def is_lead(reader, ids: np.ndarray) -> np.ndarray:
    """Mask of the segment's docnums ``ids`` that are an article's first passage (in `article_starts`)."""
    def make():
        mask = np.zeros(reader.doc_count_all(), bool)
        mask[article_starts(reader)] = True
        return mask

    return segment_cache(reader, ("is-lead",), make)[ids]


def segment_column(reader, fieldname: str):
    """The segment reader's column reader for ``fieldname``, kept on that reader (it reads through the
    reader's open files, so it must not outlive it)."""
    cols = reader.__dict__.setdefault("_searchkit_columns", {})
    col = cols.get(fieldname)
    if col is None:
        col = cols[fieldname] = reader.column_reader(fieldname, translate=True)
    return col


def article_id(reader, docnum: int) -> str:
    """The article id of one of the segment's documents (its sortable column)."""
    value = segment_column(reader, ARTICLE_ID)[docnum]
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def passage_documents(article: Article, file_key: str, file_hash: str, path: str,
                      first_in_file: bool = True) -> Iterator[dict[str, Any]]:
    """The whoosh documents for one article: one per passage (an article without passages still
    gets one, so its headline is searchable), quotes and speakers mapped onto the passages whose
    text contains their paragraph, the whole article stored on the first; the file's manifest
    entry (``filekey``) on the first document of the file."""
    when = parse_date(article.date)
    common: dict[str, Any] = {ARTICLE_ID: article.id, FILE: file_key}
    for name, value in ((HEADLINE, article.headline), (SOURCE, article.source), (AUTHOR, article.author)):
        if value:
            common[name] = value
    if article.source:
        common[SOURCE_FACET] = article.source
    if when:
        common[DATE] = when
        common[YEAR] = when.year

    starts = paragraph_spans(article.paragraphs)
    passages = article.passages or [None]
    for i, passage in enumerate(passages):
        doc = dict(common)
        text = passage.text if passage else ""
        pindex = passage.index if passage else 0
        doc.update({PINDEX: pindex, BODY: text})
        if first_in_file and i == 0:
            doc[FILEKEY] = f"{file_hash}:{file_key}"
        quotes = [q for q in article.quotes if passage and 0 <= q.paragraph < len(starts)
                  and starts[q.paragraph][0] < passage.end and passage.start < starts[q.paragraph][1]]
        if quotes:
            doc[QUOTE] = "\n".join(q.text for q in quotes)
        speakers = list(dict.fromkeys(q.speaker.strip() for q in quotes if q.speaker and q.speaker.strip()))
        if speakers:
            doc[SPEAKER] = "; ".join(speakers)
            doc[SPEAKER_FACET] = ",".join(s.replace(",", " ") for s in speakers)
        # the headline's codes on the lead only (article-level evidence, as the headline field): a later
        # passage's names are its own, and the lead's mark says so to `HeadlineFree` (older indexes lack it)
        names = " ".join(x for x in (article.headline if i == 0 else None, text, *speakers) if x)
        if names:
            doc[NAMES] = OWN_NAMES_MARK + names if i == 0 else names
        if i == 0:
            doc[ARTICLE] = encode_article(article.to_dict())
            doc[PATH] = path
        else:
            doc[f"_stored_{FILE}"] = None  # indexed on every passage (deletes), stored once per article (size)
        yield doc


def parse_date(value: str | None) -> datetime | None:
    """The first instant of an article's date (``Article.date``, written YYYY-MM-DD by the parser), read
    with the grammar the search filters use, so every date the index holds is one a filter can name; None
    (an undated article) for anything else."""
    span = date_span(value)
    return span[0] if span else None
