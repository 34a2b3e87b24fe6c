"""What one `Index.add` call did: `IndexReport`, for the CLI's summary line, ``--json`` and callers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from ..errors import ReadError

ProgressFn = Callable[[int, int], None]  # progress(done, total) while files are processed


@dataclass
class IndexReport:
    """What one `Index.add` call did (file counts), for the CLI's summary line and callers."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    articles: int = 0  # articles written in this run
    passages: int = 0  # passage documents written in this run
    errors: list[ReadError] = field(default_factory=list)  # whole files and single records skipped
    failed_files: int = 0  # files skipped entirely (their previous version, if any, is kept)
    seconds: float = 0.0
    rebuilt: bool = False
    mostly_dropped: list[tuple[str, float]] = field(default_factory=list)  # (path, share) over half boilerplate

    def skip(self, path: str, reason: str, strict: bool, *, whole_file: bool = False) -> None:
        """A record (or ``whole_file``) that could not be read (``path``, one-line ``reason``): counted,
        or raised as a `ReadError` with ``strict``."""
        if strict:
            raise ReadError(path, reason)
        self.errors.append(ReadError(path, reason))
        self.failed_files += whole_file

    def count_file(self, event: tuple, strict: bool, known: bool) -> bool:
        """Count one file event of the parse pipeline ("unchanged", "error", "begin"; any engine); True when
        a file that is already indexed (``known``) begins again, i.e. its old documents must go. ``strict``:
        an unreadable file raises (`skip`)."""
        kind = event[0]
        if kind == "unchanged":
            self.unchanged += 1
        elif kind == "error":
            self.skip(event[2], event[3], strict, whole_file=True)
        elif kind == "begin":
            if known:
                self.updated += 1
                return True
            self.added += 1
        return False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)

    def summary(self) -> str:
        """One line: "3 added, 1 updated, 10 unchanged, 1 removed; 2 files skipped with errors"."""
        line = f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, {self.removed} removed"
        records = len(self.errors) - self.failed_files
        extra = []
        if self.failed_files:
            extra.append(f"{self.failed_files} file{'s' * (self.failed_files != 1)} skipped with errors")
        if records:
            extra.append(f"{records} record{'s' * (records != 1)} skipped with errors")
        if self.mostly_dropped:
            n = len(self.mostly_dropped)
            extra.append(f"{n} article{'s' * (n != 1)} lost over half {'its' if n == 1 else 'their'} words to boilerplate")
        line += "".join("; " + e for e in extra)
        return f"{line} ({self.articles} articles, {self.passages} passages in {self.seconds:.1f} s)"

    def to_dict(self) -> dict[str, Any]:
        """The `searchkit index --json` object: counts, errors (path and reason), seconds, rebuilt."""
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged, "removed": self.removed,
            "articles": self.articles, "passages": self.passages, "failed_files": self.failed_files,
            "errors": [{"path": e.path, "error": e.reason} for e in self.errors],
            "seconds": round(self.seconds, 3), "rebuilt": self.rebuilt,
            "mostly_dropped": [{"path": p, "dropped_share": round(x, 3)} for p, x in self.mostly_dropped],
        }


def walk_events(events: Iterable[tuple], report: IndexReport, ids, *, strict: bool, known: Callable[[str], bool],
                progress: ProgressFn | None = None, total: int = 0) -> Iterator[tuple]:
    """The articles of the parse pipeline's ``events`` (`searchkit.index.pipeline.run_pipeline`), counted into
    ``report`` the same way whichever engine writes them.

    Yields ``(key, file_hash, path, article, first)`` per article: its id made unique by ``ids`` (an
    `IdAllocator`), ``first`` True for the file's first article of this run (it writes the manifest entry).
    Yields ``(key, None, None, None, False)`` when a file the index already holds (``known(key)``) begins
    again: its old documents must go before its new ones come. Skipped records and file events are counted
    (`IndexReport.skip`, `IndexReport.count_file`; ``strict`` raises the first error), articles mostly made
    of boilerplate listed, and ``progress(done, total)`` told once per file. One loop for every engine, so
    they cannot count differently.
    """
    done, keyed = 0, set()
    for event in events:
        kind, key = event[0], event[1]
        if kind == "items":
            _, _, file_hash, path, items = event
            for item in items:
                if isinstance(item, tuple):  # a skipped record
                    report.skip(*item, strict)
                    continue
                item.id = ids.assign(item.id, key)
                report.articles += 1
                if item.mostly_dropped:  # issue 13: nothing may disappear silently
                    report.mostly_dropped.append((item.path, item.dropped_share))
                first = key not in keyed
                keyed.add(key)
                yield key, file_hash, path, item, first
            continue
        if report.count_file(event, strict, known=known(key)):  # a changed file: its articles follow
            yield key, None, None, None, False
        done += 1
        if progress:
            progress(done, total)
