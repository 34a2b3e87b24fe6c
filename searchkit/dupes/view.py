"""The groups as search sees them: loaded from ``dupes.json`` once per change of that file."""
from __future__ import annotations

import gzip
import json
import os
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .store import GROUPS_FILE

GZIP_MAGIC = b"\x1f\x8b"  # a gzip stream's first bytes; plain JSON never starts with them


@dataclass
class Groups:
    """Copy groups and passage provenance of one index (empty when nothing was grouped)."""

    members: list[list[str]] = field(default_factory=list)  # article ids, original first, earliest first
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {"id","source","date","headline"}
    first_seen: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> {passage index: id}
    version: tuple = ()  # changes whenever the file does (a cache key for per-segment arrays)
    stamp: str | None = None  # the index commit they were computed for (see `for_searcher`)
    group_of: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.group_of = {a: g for g, ids in enumerate(self.members) for a in ids}

    def ref(self, article_id: str) -> dict[str, Any]:
        return dict(self.articles.get(article_id) or {"id": article_id, "source": None, "date": None, "headline": None})

    def copies(self, article_id: str) -> list[dict[str, Any]]:
        """The other members of ``article_id``'s group, earliest first ([] when it has no copies)."""
        g = self.group_of.get(article_id)
        if g is None:
            return []
        return [self.ref(a) for a in self.members[g] if a != article_id]

    def original(self, article_id: str) -> str | None:
        g = self.group_of.get(article_id)
        return None if g is None else self.members[g][0]

    def first_seen_of(self, article_id: str, passage: int) -> dict[str, Any] | None:
        """{"id","date","source","headline"} of the earliest other-story article with this passage, or None."""
        src = self.first_seen.get(article_id, {}).get(str(passage))
        return None if src is None else self.ref(src)


_CACHE: dict[str, tuple[tuple, Groups]] = {}
_LOCK = threading.Lock()


def load_groups(folder: str | os.PathLike) -> Groups:
    """The groups of the index in ``folder`` (empty when it has none yet); cheap when unchanged (one stat)."""
    path = Path(folder) / GROUPS_FILE
    try:
        st = path.stat()
    except OSError:
        return Groups()
    version = (st.st_mtime_ns, st.st_size, st.st_ino)
    key = str(path)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached and cached[0] == version:
            return cached[1]
    try:
        data = path.read_bytes()
        if data[:2] == GZIP_MAGIC:  # written compressed (`store.GZIP_LEVEL`); plain JSON before that
            data = gzip.decompress(data)
        doc = json.loads(data.decode("utf-8"))
        groups = Groups(members=[list(map(str, g)) for g in doc.get("groups", [])], articles=doc.get("articles", {}),
                        first_seen=doc.get("first_seen", {}), version=(key, *version), stamp=doc.get("stamp"))
    except (OSError, ValueError, TypeError, AttributeError, EOFError, zlib.error):  # a damaged gzip stream too
        return Groups()  # unreadable: search works without collapsing; the next `index` run rewrites it
    with _LOCK:
        _CACHE[key] = (version, groups)
    return groups


def reader_stamp(reader) -> str | None:
    """The commit a whoosh reader reads ("indexname:generation", as `hooks.stamp` writes it), or None."""
    leaves = [reader] if reader.is_atomic() else list(getattr(reader, "readers", []))
    for leaf in leaves:
        segment = getattr(leaf, "segment", None)
        if callable(segment) and getattr(segment(), "indexname", None):
            return f"{segment().indexname}:{reader.generation()}"
    return None


def for_searcher(folder: str | os.PathLike, searcher) -> Groups | None:
    """The groups of ``folder`` if they were computed for the commit ``searcher`` reads, else None.

    The groups file is written just after each commit; a search in between (or after a run killed there)
    would otherwise pair the new articles with the old groups. Such a search simply does not collapse:
    every answer is that of one whole commit."""
    groups = load_groups(folder)
    if not groups.members and not groups.first_seen:
        return None
    stamp = reader_stamp(searcher.reader())
    return groups if stamp is None or groups.stamp == stamp else None
