"""The calls `searchkit.index` makes while it writes (`Index.add`, the parser processes of
`searchkit.index.pipeline`), kept here so the index holds only one line per hook."""
from __future__ import annotations

from pathlib import Path

from . import store


def stamp(ix) -> str:
    """The commit an index is at: its generation and table-of-contents number."""
    return f"{ix.indexname}:{ix.latest_generation()}"


class Off:
    """The tracker `start` gives when grouping is switched off: the index's calls do nothing."""

    stamp = None

    def add(self, file_key: str, article, path: str | None = None) -> None:
        pass

    def remove_file(self, file_key: str) -> None:
        pass


def start(folder: Path, ix, reader, rebuild: bool) -> "store.Tracker | Off":
    """A tracker for one `Index.add` run (`Off` when grouping is switched off): empty for a rebuild, else the
    saved sketches, re-read from ``reader`` when they do not belong to the index's current commit."""
    from . import ENABLED

    if not ENABLED:
        return Off()
    if rebuild:
        t = store.Tracker.open(folder, None, fresh=True)
    else:
        t = store.Tracker.open(folder, stamp(ix), reader=reader)
    return t


SKETCH_ATTR = "dupes_sketch"  # where `prepare` leaves an article's sketch for `Tracker.add` (not a field:
# it travels from the parser process to the writer with the article and is dropped there)


def prepare(items: list) -> None:
    """In a parser process: sketch each article of ``items`` (others, like skipped records, are left alone),
    so the writing process only files the sketches; all of them in one `sketch.article_sketches` call."""
    from . import ENABLED, sketch

    if not ENABLED:
        return
    articles = [item for item in items if hasattr(item, "paragraphs") and hasattr(item, "passages")]
    for item, made in zip(articles, sketch.article_sketches([(a.paragraphs, a.passages) for a in articles])):
        setattr(item, SKETCH_ATTR, made)


def finish(tracker: "store.Tracker | Off", ix, changed: bool) -> None:
    """After the commit (and a rebuild's switch): save the sketches and groups under the new commit's stamp.

    Also when nothing changed but either file is not that commit's (a run killed between the two writes
    left the groups stale, or one was deleted): so every successful run leaves both current, with no temp
    file of a killed write behind."""
    if isinstance(tracker, Off):
        return
    from .view import load_groups

    now = stamp(ix)
    if changed or tracker.stamp != now or load_groups(tracker.folder).stamp != now:
        tracker.save(now)
