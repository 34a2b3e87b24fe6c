"""What one `Index.add` call did: `IndexReport`, for the CLI's summary line, ``--json`` and callers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

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
