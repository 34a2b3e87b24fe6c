"""The whoosh schema: one document per passage, carrying its article's fields.

Field names are a contract with the query side (searchkit.query / results / store.layout):

==================  ==========================================================================
``article_id``      the article's id (record id for JSONL, path relative to the indexed folder);
                    stored, and sortable (a column) so results can be grouped per article
``pindex``          passage index within the article (stored). An article's passages are consecutive
                    documents of one segment, in order: the one with ``pindex`` 0 holds the article
``file``            resolved absolute path of the source file: the unit of incremental update
                    (indexed on every passage, stored on each article's first passage only)
``filekey``         internal, on the first document of each file: ``"<hash>:<file>"``, so the
                    indexer reads the file manifest from the term list, not stored documents
``headline``        article headline
``body``            passage text (positions for phrases)
``quote``           text of the quotes inside this passage
``speaker``         their speakers' names (``"; "``-separated)
``speaker_facet``   the same names as exact keywords (comma-separated, sortable) for facets
``names``           Double Metaphone codes of capitalised words of headline, body and speakers
``source``          publication  /  ``source_facet``: exact value for facets (its column holds each distinct
                    value once and a small number per passage: `source_column`)
``author``          author
``path``            on passage 0 only: the file path as given to the indexer (stored only)
``date``            publication date (datetime, sortable, for ranges and sorting)
``year``            publication year (numeric, sortable) for facets
``article``         on passage 0 only: the whole Article (``Article.to_dict()`` as compact JSON, see
                    ``encode_article``; compressed with its neighbours by the codec); read it with
                    ``Index.article(id)``
==================  ==========================================================================

Nothing else is stored: a hit's passage text and article fields come from its article's stored copy
(`searchkit.index.searching.stored_article`). Storing them per passage as well kept the body twice, and at 100k
articles stored fields were half the index.

No field boosts here: boosts are applied at query time (`searchkit.settings.Settings.boosts`), so they
can be tuned without re-indexing.
"""
from __future__ import annotations

import json
import zlib
from array import array
from functools import lru_cache
from itertools import accumulate
from operator import sub
from typing import Any

from whoosh.columns import RefBytesColumn
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from ..model import join_paragraphs
from .analysis import name_analyzer, news_analyzer

# The field names, each written once: the schema below, the documents `store.layout` builds and every module
# that reads them (query, ranking, results, index) use these constants, so a field is renamed in one place.
ARTICLE_ID = "article_id"
PINDEX = "pindex"
FILE = "file"
FILEKEY = "filekey"
HEADLINE = "headline"
BODY = "body"
QUOTE = "quote"
SPEAKER = "speaker"
SPEAKER_FACET = "speaker_facet"
NAMES = "names"
SOURCE = "source"
SOURCE_FACET = "source_facet"
AUTHOR = "author"
PATH = "path"
DATE = "date"
YEAR = "year"
ARTICLE = "article"
FIELDS = (ARTICLE_ID, PINDEX, FILE, FILEKEY, HEADLINE, BODY, QUOTE, SPEAKER, SPEAKER_FACET, NAMES, SOURCE,
          SOURCE_FACET, AUTHOR, PATH, DATE, YEAR, ARTICLE)
WORD_FIELDS = (BODY, HEADLINE, QUOTE, NAMES)  # what a plain query word searches (each with its boost)


def _date_field() -> DATETIME:
    # whoosh indexes a datetime as 8 terms (8-bit tiers of a 64-bit microsecond count); dates here
    # are whole days, so 16-bit tiers (4 terms) keep range queries cheap at half the postings.
    field = DATETIME(sortable=True)
    field.shift_step = 16
    return field


class FastPositions(Positions):
    """whoosh's ``Positions`` (same postings, same encoding), filled from the analyzer's ``index_terms``
    when it has one instead of a Token object per word: analysis was the hot path of indexing."""

    def word_values(self, value, analyzer, **kwargs):
        fast = getattr(analyzer, "index_terms", None)
        if fast is None or not isinstance(value, str) or kwargs.get("mode") != "index":
            yield from super().word_values(value, analyzer, **kwargs)
            return
        first, terms = fast(value)
        poses: dict[str, list[int]] = {}
        for pos, term in enumerate(terms, first):
            if term in poses:
                poses[term].append(pos)
            else:
                poses[term] = [pos]
        fb, encode = self.field_boost, self.encode
        for term, poslist in poses.items():
            yield term, len(poslist), len(poslist) * fb, encode(poslist)


_ONE_BYTE = [b"\x00" + bytes((p,)) for p in range(256)]


class CompactPositions(FastPositions):
    """whoosh's ``Positions`` with each posting's positions as gaps of one byte each (a gap of 256 or more
    switches that posting to 32-bit gaps): whoosh pickles a Python list per posting (about 14 bytes for one
    position)."""

    def encode(self, poslist):
        if len(poslist) == 1 and poslist[0] < 256:  # most postings: one occurrence
            return _ONE_BYTE[poslist[0]]
        gaps = map(sub, poslist, (0, *poslist))
        try:
            return b"\x00" + bytes(gaps)
        except ValueError:  # a gap of 256 or more
            return b"\x01" + array("I", map(sub, poslist, (0, *poslist))).tobytes()

    def _gaps(self, value: bytes):
        if value[:1] == b"\x00":
            return value[1:]
        return array("I", value[1:])

    def decode_positions(self, valuestring):
        return list(accumulate(self._gaps(valuestring)))

    def decode_frequency(self, valuestring):
        return len(self._gaps(valuestring))


class FastFrequency(Frequency):
    """whoosh's ``Frequency`` filled from ``index_terms`` (see `FastPositions`)."""

    def word_values(self, value, analyzer, **kwargs):
        fast = getattr(analyzer, "index_terms", None)
        if fast is None or not isinstance(value, str) or kwargs.get("mode") != "index":
            yield from super().word_values(value, analyzer, **kwargs)
            return
        counts: dict[str, int] = {}
        for term in fast(value)[1]:
            counts[term] = counts.get(term, 0) + 1
        fb = self.field_boost
        for term, n in counts.items():
            yield term, n, n * fb, pack_uint(n)


def _fast(field: TEXT) -> TEXT:
    """``field`` with its format swapped for the fast-path subclass of the same format."""
    fmt = CompactPositions if isinstance(field.format, Positions) else FastFrequency
    field.format = fmt(field_boost=field.format.field_boost)
    return field


@lru_cache(maxsize=None)
def source_column() -> RefBytesColumn:
    """The ``source_facet`` column of new indexes: a few distinct publications repeated on every passage, so
    whoosh's reference column (each value once, then one or two bytes a document) instead of the default
    VarBytesColumn (the bytes and a length per document): at 100k articles 6.52 -> 0.36 MB, 0.035x the raw
    text. An index keeps the schema (and column type) it was created with, so older ones read as before."""
    return RefBytesColumn()


def build_schema() -> Schema:
    """The schema new indexes are created with (compared against an existing index's schema to
    detect an index built by an older version)."""
    news = news_analyzer()
    return Schema(**{
        ARTICLE_ID: ID(stored=True, sortable=True),
        # not signed=False: whoosh 2.7 ranges on unsigned fields match everything. shift_step=bits:
        # one term per value instead of eight (few distinct values, so ranges stay cheap).
        PINDEX: NUMERIC(int, bits=32, stored=True, shift_step=32),
        FILE: ID(stored=True),
        FILEKEY: ID(),
        HEADLINE: _fast(TEXT(analyzer=news)),
        BODY: _fast(TEXT(analyzer=news)),  # no chars: snippets re-tokenize the passage (smaller, faster)
        QUOTE: _fast(TEXT(analyzer=news)),
        SPEAKER: _fast(TEXT(analyzer=news)),
        SPEAKER_FACET: KEYWORD(commas=True, sortable=True),
        NAMES: _fast(TEXT(analyzer=name_analyzer(), phrase=False)),
        SOURCE: _fast(TEXT(analyzer=news)),
        SOURCE_FACET: ID(sortable=source_column()),
        AUTHOR: _fast(TEXT(analyzer=news)),
        PATH: STORED(),
        DATE: _date_field(),
        YEAR: NUMERIC(int, bits=32, sortable=True, shift_step=32),
        ARTICLE: STORED(),
    })


def encode_article(article_dict: dict[str, Any]) -> str:
    """An ``Article.to_dict()`` as compact JSON for the ``article`` stored field.

    Text that ``decode_article`` can derive is left out first (``body`` is the paragraphs joined,
    a passage's text is usually ``body[start:end]``): the article would otherwise be stored three
    times over, and index size matters at 100k articles. Not compressed here: the codec compresses
    stored fields several documents per frame (`searchkit.store.stored`), which shrinks a short article
    far more than compressing it alone did (indexes built before stored zlib bytes; both are read).
    """
    d = dict(article_dict)
    body = d.pop("body", None)
    if body is None or body != join_paragraphs(d.get("paragraphs", [])):
        d["body"] = body  # keep what cannot be derived
        body = body or ""
    d["passages"] = [{k: v for k, v in p.items() if not (k == "text" and v == body[p["start"]:p["end"]])}
                     for p in d.get("passages", [])]
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


def decode_article(value: bytes | str) -> dict[str, Any]:
    """Inverse of ``encode_article``: the full ``Article.to_dict()`` from its JSON text, or from the
    zlib-compressed JSON bytes that indexes built before block-compressed stored fields hold."""
    if isinstance(value, bytes):
        value = zlib.decompress(value).decode("utf-8")
    d = json.loads(value)
    if "body" not in d:
        d["body"] = join_paragraphs(d.get("paragraphs", []))
    body = d["body"] or ""
    for p in d.get("passages", []):
        p.setdefault("text", body[p["start"]:p["end"]])
    return d


def _signature(schema: Schema) -> list[tuple]:
    # whoosh's own Schema equality compares column objects by identity, so it is never equal
    # after a round trip through the index's TOC: compare what decides the index content instead.
    sig = []
    for name in sorted(schema.names()):
        f = schema[name]
        sig.append((name, type(f).__name__, getattr(f, "analyzer", None), type(getattr(f, "format", None)).__name__,
                    f.stored, f.unique, f.scorable, f.sortable_typecode if hasattr(f, "sortable_typecode") else None,
                    f.column_type is not None))
    return sig


def is_current(schema: Schema) -> bool:
    """True when ``schema`` (read from an index) is the one this version of searchkit writes."""
    return _signature(schema) == _signature(build_schema())
