"""Ingest: find files, pick a reader per format, and turn bytes into RawDocuments.

Contract (used by searchkit.parse and the indexer):
- ``iter_files(paths)`` walks files and directories (recursively; hidden files and index folders skipped).
- ``read_file(path, root=None)`` yields RawDocument for each article in the file, and a ReadError
  *value* for each record it had to skip (a warning); it *raises* ReadError when the whole file is unreadable.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import ReadError
from ..model import RawDocument


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for sub in sorted(p.rglob("*")):
                if any(part.startswith(".") for part in sub.relative_to(p).parts):
                    continue
                if sub.is_file():
                    yield sub
        else:
            yield p


def read_file(path: str | os.PathLike, root: str | os.PathLike | None = None) -> Iterator[RawDocument | ReadError]:
    """Placeholder plain-text reader; the full reader set replaces it."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(str(path), e.strerror or str(e)) from None
    doc_id = str(path.relative_to(root)) if root else path.name
    yield RawDocument(id=doc_id, path=str(path), text=data.decode("utf-8", "replace"), format="text")
