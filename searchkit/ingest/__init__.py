"""Ingest: find files, pick a reader per format, and turn bytes into RawDocuments.

Contract (used by searchkit.parse and the indexer):
- ``iter_files(paths, follow_links=False)`` walks files and directories (recursively, sorted; hidden files,
  whoosh index folders, symlink loops and links out of the folder given skipped; each file once).
- ``read_file(path, root=None)`` yields RawDocument for each article in the file, and a ReadError
  *value* for each record it had to skip or cut (a warning); it *raises* ReadError when the whole file is
  unreadable. Ids and paths are valid Unicode (undecodable name bytes escaped, see ``walk.display_name``).

Formats, chosen by extension (``.gz`` unwrapped first) and confirmed by sniffing the content:
plain text (``.txt`` and anything unknown; a text file that is really HTML is read as HTML), HTML
(``.html``/``.htm``/``.xhtml``), Markdown (``.md``/``.markdown``), JSON Lines (``.jsonl``/``.ndjson``) and
JSON (``.json``). Limits: ``MAX_FILE_SIZE`` per file (and per JSONL record), gzip output capped the same way
(a streamed .jsonl.gz over its budget is skipped whole); each article is cut to the bounds of ``bounds``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from ..errors import ReadError
from ..model import RawDocument
from .bounds import bound_html, bound_text
from .html import html_text, looks_like_html
from .load import MAX_FILE_SIZE, load_text, tidy
from .markdown import split_markdown
from .records import read_json, read_jsonl
from .walk import display_name, iter_files, iter_sources

__all__ = ["MAX_FILE_SIZE", "FORMATS", "iter_files", "iter_sources", "read_file", "document_id"]

# extension (after removing .gz) -> reader kind
FORMATS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json",
}


def document_id(path: Path, root: str | os.PathLike | None) -> str:
    """The id of a one-article file: its path relative to ``root`` (posix separators), else its name; bytes
    of a name that are not UTF-8 escaped (`display_name`)."""
    if root is None:
        return display_name(path.name)
    try:
        return display_name(path.relative_to(root).as_posix())
    except ValueError:
        return display_name(Path(os.path.relpath(path, root)).as_posix())


def format_of(path: Path) -> str:
    """The reader kind the file name suggests; unknown names are read as text (content sniffing decides)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return FORMATS.get(os.path.splitext(name)[1], "text")


def read_file(path: str | os.PathLike, root: str | os.PathLike | None = None,
              max_size: int = MAX_FILE_SIZE) -> Iterator[RawDocument | ReadError]:
    """Yield the articles in ``path`` (one for most formats, one per record for JSON/JSONL).

    A skipped record is yielded as a ReadError value; an unusable file raises ReadError.
    ``max_size`` bounds the bytes read (and decompressed) for one file or one JSONL record.
    """
    path = Path(path)
    doc_id = document_id(path, root)
    for item in _read(path, doc_id, max_size):
        if isinstance(item, ReadError):
            item.path = display_name(item.path)
            yield item
            continue
        item.path = display_name(item.path)
        item.text, note = bound_text(item.text)
        yield item
        if note:
            yield ReadError(item.path, f"{item.id}: {note}" if item.id != doc_id else note)


def _read(path: Path, doc_id: str, max_size: int) -> Iterator[RawDocument | ReadError]:
    """The documents of one file, before `bound_text` (see read_file)."""
    kind = format_of(path)
    if kind == "jsonl":
        yield from read_jsonl(path, doc_id, max_size)
        return
    if kind == "json":
        yield from read_json(path, doc_id, max_size)
        return
    text = load_text(path, max_size)
    meta: dict = {}
    sniffed = kind == "text" and looks_like_html(text)
    if sniffed:
        kind = "html"  # a page saved with the wrong extension
    elif kind == "html" and "<" not in text:
        kind = "text"  # plain text saved as .html
    if kind == "html":
        text, note = bound_html(text)
        if note:
            yield ReadError(str(path), note)
        try:
            text, meta = html_text(text, str(path))
        except ReadError:
            if not sniffed:
                raise
            kind, text = "text", tidy(text)  # the sniff was wrong: text that merely contains markup
    elif kind == "markdown":
        text, meta = split_markdown(tidy(text))
    else:
        text = tidy(text)
        if not text.strip():
            raise ReadError(str(path), "no article text (only a headline)")
    yield RawDocument(id=doc_id, path=str(path), text=text, format=kind, meta=meta)
