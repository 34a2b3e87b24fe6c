"""Update planning: which files are new, changed, unchanged or gone, from the manifest kept in the index.

**Incremental by content hash.** Each passage document carries its source file (``file``, the resolved path)
and that file's hash (``filekey``, on the file's first document). The hashes live *inside* the whoosh index,
so the index and its manifest are committed together by whoosh's atomic table-of-contents rename: a run
killed at any point leaves the previous generation searchable and consistent.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Sequence

from ..errors import ReadError
from ..ingest import iter_files
from ..ingest.walk import file_key
from ..store.schema import ARTICLE_ID, FILE, FILEKEY

DUPLICATE_ID_WARN = 100  # more articles than this claiming one id get a warning (see IdAllocator.crowded)


def manifest_of(reader) -> dict[str, str]:
    """{resolved file path: content hash} of the files in the index, read from the term list."""
    out: dict[str, str] = {}
    if FILEKEY not in reader.schema.names():
        return out
    for term in reader.lexicon(FILEKEY):
        text = term.decode("utf-8")
        # terms of deleted documents linger until segments merge: keep live ones only
        if reader.postings(FILEKEY, text).is_active():
            h, _, key = text.partition(":")
            out[key] = h
    return out


def plan(roots: Sequence[Path], manifest: dict[str, str],
         follow_links: bool = False) -> tuple[list[tuple], set[str]]:
    """One task per distinct file under ``roots``: (path, id root, resolved key, known hash)."""
    tasks, seen = [], set()
    for root in roots:
        id_root = str(root) if root.is_dir() else None
        for f in iter_files([root], follow_links):
            key = file_key(f, root if id_root else None)
            if key in seen:
                continue
            seen.add(key)
            tasks.append((str(f), id_root, key, manifest.get(key)))
    return tasks, seen


def refuse_index_inside(index: Path, roots: Sequence[Path]) -> None:
    """A data folder that is the index folder (or inside it) would index nothing and litter it: refuse."""
    try:
        target = index.resolve()
    except OSError:
        return
    for root in roots:
        try:
            r = root.resolve()
        except OSError:
            continue
        if r == target or target in r.parents:
            raise ReadError(str(root), f"is the index folder {index} (or inside it); keep the articles and "
                                       "the index in separate folders")


def removed_files(roots: Sequence[Path], manifest: dict[str, str], seen: set[str]) -> list[str]:
    """Indexed files under a given root (a folder, or the file itself) that the walk did not see."""
    prefixes = []
    for r in roots:
        rr = str(r.resolve())
        prefixes.append(rr.rstrip(os.sep) + os.sep if r.is_dir() else rr)
    return [k for k in manifest if k not in seen and any(k == p or (p.endswith(os.sep) and k.startswith(p)) for p in prefixes)]


class IdAllocator:
    """Keeps article ids unique: a second article claiming an id held by another file (or already
    used in this run) gets ``id~2``, ``id~3``... (first come, first served, in walk order)."""

    def __init__(self, reader=None, holder: Callable[[str], str | None] | None = None):
        """``reader``: the whoosh index's reader; or ``holder``: the file key holding an id in the index
        (None: no file), for an engine that reads its ids another way (OpenSearch)."""
        self.reader, self.holder = reader, holder
        self.used: dict[str, str] = {}  # id -> file key, this run
        self.last: dict[str, int] = {}  # id -> highest suffix given to it this run (keeps assign linear)

    def _taken(self, aid: str, key: str) -> bool:
        if aid in self.used:
            return True
        if self.holder is not None:
            held = self.holder(aid)
            return held is not None and held != key
        if (ARTICLE_ID, aid) not in self.reader:
            return False
        for docnum in self.reader.postings(ARTICLE_ID, aid).all_ids():
            stored = self.reader.stored_fields(docnum)
            if FILE in stored:  # the article's first passage
                return stored[FILE] != key
        return False  # only deleted documents had it

    def assign(self, aid: str, key: str) -> str:
        # Suffixes below the last one given are all taken already: start after it (144k records sharing
        # one id tried ~2, ~3, ... from 2 each time, quadratic: 648 s and counting).
        n = self.last.get(aid, 1)
        candidate = aid if n == 1 else f"{aid}~{n}"
        while self._taken(candidate, key):
            n += 1
            candidate = f"{aid}~{n}"
        self.used[candidate] = key
        self.last[aid] = n
        return candidate

    def crowded(self, threshold: int = DUPLICATE_ID_WARN) -> list[tuple[str, int]]:
        """(id, how many articles claimed it) for ids claimed by more than ``threshold`` articles this run:
        many records sharing one id usually mean the id field is not an id (a category, a constant)."""
        return [(aid, n) for aid, n in self.last.items() if n > threshold]

    def report_crowded(self, report) -> None:
        """Add an error line to ``report`` (an `IndexReport`) for each `crowded` id."""
        for aid, n in self.crowded():
            report.errors.append(ReadError(aid, f"many articles share this id: indexed as {aid}~2 to {aid}~{n} "
                                                "(is the id field an id?)"))
