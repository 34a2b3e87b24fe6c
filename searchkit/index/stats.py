"""What `Index.info` reports beyond counts: the date range (read from the sortable date column, no stored
documents loaded) and the live generation's files on disk (size, time of the last commit)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from whoosh.util.times import long_to_datetime

from ..store.schema import DATE


def date_range(reader) -> tuple[str | None, str | None]:
    """Earliest and latest article date (``YYYY-MM-DD``) of ``reader``'s index, (None, None) when undated.

    Read segment by segment: whoosh's multi-segment column reader drops the segments that have no date
    column (every article in them undated) from its offsets, so a docnum of such a segment resolves to a
    neighbour's reader at a negative or out-of-range position (a ``struct.error``, or a wrong date)."""
    leaves = [(reader, 0)] if reader.is_atomic() else reader.leaf_readers()
    values = []
    for leaf, _ in leaves:
        if not leaf.has_column(DATE):
            continue
        col = leaf.column_reader(DATE, translate=False)
        missing = leaf.schema[DATE].column_type._default  # what undated documents hold
        values.extend(v for v in (col[d] for d in leaf.all_doc_ids()) if v != missing)
    if not values:
        return None, None
    return tuple(long_to_datetime(v).strftime("%Y-%m-%d") for v in (min(values), max(values)))  # type: ignore[return-value]


def generation_files(folder: Path, gen: str) -> tuple[int, str | None]:
    """(bytes on disk of generation ``gen``'s files in ``folder``, its newest TOC's time as ISO UTC or None)."""
    files = [f for f in folder.iterdir() if f.name.startswith((f"_{gen}_", f"{gen}_"))]
    tocs = [f for f in files if f.suffix == ".toc"]
    size = sum(f.stat().st_size for f in files if f.is_file())
    updated = (datetime.fromtimestamp(max(f.stat().st_mtime for f in tocs), timezone.utc).isoformat(timespec="seconds")
               if tocs else None)
    return size, updated
