"""The calls `searchkit.index` makes while it writes, kept here so the index holds only one line per hook."""
from __future__ import annotations

from pathlib import Path

from . import store


def stamp(ix) -> str:
    """The commit an index is at: its generation and table-of-contents number."""
    return f"{ix.indexname}:{ix.latest_generation()}"


def start(folder: Path, ix, reader, rebuild: bool) -> "store.Tracker | None":
    """A tracker for one `Index.add` run (None when grouping is switched off): empty for a rebuild, else the
    saved sketches, re-read from ``reader`` when they do not belong to the index's current commit."""
    from . import ENABLED

    if not ENABLED:
        return None
    if rebuild:
        t = store.Tracker.open(folder, None, fresh=True)
    else:
        t = store.Tracker.open(folder, stamp(ix), reader=reader)
    return t


SKETCH_ATTR = "dupes_sketch"  # where `prepare` leaves an article's sketch for `Tracker.add` (not a field:
# it travels from the parser process to the writer with the article and is dropped there)


def prepare(items: list) -> None:
    """In a parser process: sketch each article of ``items`` (others, like skipped records, are left alone),
    so the writing process only files the sketches."""
    from . import ENABLED, sketch

    if not ENABLED:
        return
    for item in items:
        if hasattr(item, "paragraphs") and hasattr(item, "passages"):
            setattr(item, SKETCH_ATTR, sketch.article_sketch(item.paragraphs, item.passages))


def finish(tracker: "store.Tracker | None", ix, changed: bool) -> None:
    """After the commit (and a rebuild's switch): save the sketches and groups under the new commit's stamp."""
    if tracker is None:
        return
    now = stamp(ix)
    if changed or tracker.stamp != now:
        tracker.save(now)
