"""Saved searches and new-match alerts, stored with the index.

::

    store = saved_searches(open_index("index"))
    store.add("strike", "dockworkers strike", source="Coast Wire")
    for run in store.run():            # each saved search: the articles new since its last run
        print(run.search.name, [a.headline for a in run.new])

What "new" means: each saved search keeps the ids of the articles it has already reported (``seen``);
a run reports the matching articles not among them and adds them. Saving a search records what matches
at that moment, so the first run reports only what is indexed afterwards. Ids, not indexing times, because
ids survive ``--rebuild`` (a rebuild re-adds every article, which would make everything "new" again) and an
updated article keeps its id (a correction is not news).

Storage: one JSON file in the index folder (``searchkit_saved.json``), rewritten whole through a temporary
file, ``fsync`` and an atomic rename, so a process killed at any moment leaves the previous or the new
version, never a torn one. Its name is outside the index's generation files, so ``--rebuild`` keeps it.
Changes are serialised by a lock file of their own (not the index's writer lock: `saved run` works while
an indexer writes), taken for the whole read-change-write.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from .errors import SearchkitError

STORE_NAME = "searchkit_saved.json"
LOCK_NAME = "searchkit_saved.lock"
FILTERS = ("source", "speaker", "since", "until")
MAX_NAME_CHARS = 80
_NAME_RE = re.compile(r"[^\x00-\x1f\x7f]{1,%d}" % MAX_NAME_CHARS)


class SavedSearchError(SearchkitError):
    """A saved search is unknown, already exists, has a bad name, or the store cannot be read or written."""


@dataclass
class SavedSearch:
    """A query with its filters, when it was saved and last run, and the article ids already reported."""

    name: str
    query: str
    source: str | None = None
    speaker: str | None = None
    since: str | None = None
    until: str | None = None
    created: str = ""
    last_run: str | None = None
    seen: list[str] = field(default_factory=list)

    def filters(self) -> dict[str, str]:
        """The filters in effect, as keyword arguments for `Index.search`."""
        return {k: getattr(self, k) for k in FILTERS if getattr(self, k)}

    def to_dict(self) -> dict[str, Any]:
        """The saved search as JSON (`saved list --json`), without the list of seen ids."""
        d = asdict(self)
        d.pop("seen")
        return d


@dataclass
class NewArticle:
    """An article a run reports: enough to show it and open it."""

    id: str
    headline: str | None
    date: str | None
    source: str | None
    url: str | None
    path: str


@dataclass
class RunResult:
    """One saved search's run: the search and its new articles (newest date first)."""

    search: SavedSearch
    new: list[NewArticle]

    def to_dict(self) -> dict[str, Any]:
        """``{"name", "query", "filters", "new": [{"id", "headline", "date", "source", "url", "path"}]}``."""
        return {"name": self.search.name, "query": self.search.query, "filters": self.search.filters(),
                "new": [asdict(a) for a in self.new]}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class SavedSearches:
    """The saved searches of one index (see the module docstring). Cheap to create; reads on each call."""

    def __init__(self, index):
        self.index = index
        # an engine whose index is not a folder (OpenSearch) names a local folder for its companion files
        folder = getattr(index, "state_dir", None)
        self.path = Path(folder() if callable(folder) else index.path) / STORE_NAME

    # ------------------------------------------------------------------ storage

    def _load(self) -> dict[str, SavedSearch]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            raise SavedSearchError(f"cannot read the saved searches in {self.path}: {e}") from None
        out = {}
        for item in raw.get("searches", []):
            s = SavedSearch(**{k: v for k, v in item.items() if k in SavedSearch.__dataclass_fields__})
            out[s.name] = s
        return out

    def _save(self, searches: dict[str, SavedSearch]) -> None:
        data = json.dumps({"version": 1, "searches": [asdict(s) for s in searches.values()]}, ensure_ascii=False)
        tmp = self.path.with_name(f".{STORE_NAME}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise SavedSearchError(f"cannot write the saved searches in {self.path}: {e.strerror or e}") from None

    @contextmanager
    def _locked(self) -> Iterator[dict[str, SavedSearch]]:
        """The searches, for changing; written back when the block ends without an error."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)  # an engine's state folder, on the first write
            fd = os.open(self.path.with_name(LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise SavedSearchError(f"cannot write to {self.path.parent}: {e.strerror or e}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            for stale in self.path.parent.glob(f".{STORE_NAME}.*.tmp"):  # a writer killed mid-write (we hold the lock)
                stale.unlink(missing_ok=True)
            searches = self._load()
            yield searches
            self._save(searches)
        finally:
            os.close(fd)

    # ------------------------------------------------------------------ the API

    def list(self) -> list[SavedSearch]:
        """Every saved search, in the order they were added."""
        return list(self._load().values())

    def get(self, name: str) -> SavedSearch:
        """The saved search called ``name``; `SavedSearchError` if there is none."""
        searches = self._load()
        if name not in searches:
            raise SavedSearchError(_unknown(name, searches))
        return searches[name]

    def add(self, name: str, query: str, **filters: str | None) -> SavedSearch:
        """Save ``query`` with ``filters`` (source, speaker, since, until) as ``name``; the articles matching
        now count as seen. Raises `SavedSearchError` for a taken or bad name, `QueryError` for a bad query."""
        from .results.search import article_ids

        if not isinstance(name, str) or not _NAME_RE.fullmatch(name) or not name.strip():
            raise SavedSearchError(f"a saved search name is 1-{MAX_NAME_CHARS} printable characters, not {name!r}")
        if not query or not query.strip():
            raise SavedSearchError("a saved search needs a query")
        unknown = set(filters) - set(FILTERS)
        if unknown:
            raise SavedSearchError(f"unknown filter {sorted(unknown)[0]!r}; known: {', '.join(FILTERS)}")
        clean = {k: v for k, v in filters.items() if v}
        seen = sorted(article_ids(self.index, query, **clean))  # also validates the query and filters
        with self._locked() as searches:
            if name in searches:
                raise SavedSearchError(f"there is already a saved search {name!r} (remove it first: "
                                       f"`searchkit saved rm {name}`)")
            searches[name] = SavedSearch(name=name, query=query, created=_now(), seen=seen, **clean)
            return searches[name]

    def remove(self, name: str) -> None:
        """Delete the saved search ``name``; `SavedSearchError` if there is none."""
        with self._locked() as searches:
            if name not in searches:
                raise SavedSearchError(_unknown(name, searches))
            del searches[name]

    def new_ids(self, search: SavedSearch) -> set[str]:
        """Ids of the articles matching ``search`` now that it has not reported yet (nothing is recorded)."""
        from .results.search import article_ids

        return article_ids(self.index, search.query, **search.filters()) - set(search.seen)

    def counts(self) -> list[tuple[SavedSearch, int]]:
        """Every saved search with its number of new matches (for the page; nothing is recorded)."""
        return [(s, len(self.new_ids(s))) for s in self.list()]

    def run(self, name: str | None = None) -> list[RunResult]:
        """Run ``name`` (default: every saved search): report the articles new since its last run and record
        them as seen, so each is reported once. Raises `SavedSearchError` for an unknown name."""
        with self._locked() as searches:
            if name is not None and name not in searches:
                raise SavedSearchError(_unknown(name, searches))
            results = []
            for s in [searches[name]] if name is not None else list(searches.values()):
                new = self.new_ids(s)
                s.seen = sorted(set(s.seen) | new)
                s.last_run = _now()
                results.append(RunResult(s, self._describe(new)))
            return results

    def _describe(self, ids: set[str]) -> list[NewArticle]:
        out = []
        for aid in ids:
            a = self.index.article(aid)
            if a is not None:
                out.append(NewArticle(a.id, a.headline, a.date, a.source, a.url, a.path))
        return sorted(out, key=lambda a: (a.date or "", a.id), reverse=True)


def saved_searches(index) -> SavedSearches:
    """The saved searches stored with ``index`` (an `Index`, or an engine with a ``state_dir()``)."""
    return SavedSearches(index)


def _unknown(name: str, searches: dict) -> str:
    known = ", ".join(searches) or "none yet"
    return f"no saved search {name!r} (saved: {known})"
