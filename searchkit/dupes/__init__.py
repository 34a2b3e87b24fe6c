"""Syndicated copies and passage provenance: one story once, and where a passage first appeared.

::

    from searchkit.dupes import load_groups
    groups = load_groups("index")                # what the last `searchkit index` run found
    for ids in groups.members: print(ids)        # original first, then its copies, earliest first
    groups.first_seen_of("a.md", 2)              # {"id","date","source","headline"} or None

Modules: `sketch` (words, shingles, MinHash, LSH bands), `grouping` (the rules: what is a copy, which is the
original, passage provenance), `store` (the files in the index folder; the `Tracker` that `Index.add` feeds),
`view` (`Groups`, `load_groups`), `collapse` (one member per group in a result set), `hooks` (the few calls
the index makes). ``ENABLED = False`` switches grouping off for indexing (the benchmark's baseline).
"""
from __future__ import annotations

from .store import INDEX_FILES
from .view import Groups, load_groups

ENABLED = True

__all__ = ["Groups", "load_groups", "ENABLED", "list_groups", "INDEX_FILES"]


def list_groups(index) -> list[dict]:
    """The groups of ``index`` (an `Index`, a folder, or an engine that keeps its groups itself: one with
    ``copy_groups()``, e.g. OpenSearch) as `searchkit dupes --json` prints them: one
    ``{"size", "articles": [{"id","headline","source","date"}, ...]}`` per group, earliest first."""
    own = getattr(index, "copy_groups", None)
    groups = own() if callable(own) else load_groups(getattr(index, "path", index))
    out = []
    for ids in groups.members:
        arts = [{k: groups.ref(a).get(k) for k in ("id", "headline", "source", "date")} for a in ids]
        out.append({"size": len(arts), "articles": arts})
    return out
