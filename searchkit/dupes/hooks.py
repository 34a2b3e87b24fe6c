"""The calls `searchkit.index` makes while it writes (`Index.add`, the parser processes of
`searchkit.index.pipeline`, the writer processes of `searchkit.index.writers`), kept here so the index holds
only one line per hook."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from . import grouping, store


def stamp(ix) -> str:
    """The commit an index is at: its generation and table-of-contents number."""
    return f"{ix.indexname}:{ix.latest_generation()}"


class Off:
    """The tracker `start` gives when grouping is switched off: the index's calls do nothing."""

    stamp = None

    def add(self, file_key: str, article, path: str | None = None, deferred: bool = False) -> None:
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


def sketch_stored(docs: list[dict], jobs: list[tuple[int, int]], out) -> None:
    """In a writer process: sketch the article stored on ``docs[i]`` for each ``(i, row)`` of ``jobs`` (its
    `Tracker.add` row, made with ``deferred=True``) and append them to the binary file ``out`` as one block;
    `fill` files them in the indexing process after the writers finish.

    Why here: on two cores the indexing process parses the articles and feeds both writers, and it was the
    bottleneck (at 30k articles 27 s of CPU in a 32 s build, the writers ~15 s each); sketching was 6.5 s of
    its share. The writers read the article back from its stored form (paragraphs and passage offsets: all a
    sketch needs), so nothing more crosses the queue."""
    from . import sketch
    from ..model import Passage
    from ..store.schema import ARTICLE

    if not jobs:
        return
    bodies = []
    for i, _ in jobs:
        # the field is `encode_article`'s fresh JSON text; `decode_article` would also rebuild the body and
        # every passage's text, which a sketch does not read
        d = json.loads(docs[i][ARTICLE])
        spans = [Passage(p["index"], "", p["start"], p["end"]) for p in d.get("passages") or []]
        bodies.append((d.get("paragraphs") or [], spans))
    made = sketch.article_sketches(bodies)
    rows = np.array([row for _, row in jobs], np.int64)
    pieces = [(row, *piece[:3]) for row, (_, _, found) in zip(rows.tolist(), made) for piece in found]
    piece_sigs = [piece[3] for _, _, found in made for piece in found]
    no_pieces = np.zeros((0, sketch.PARAGRAPH_PERM), np.uint16)
    sizes = np.array([m[0] for m in made], np.int64)
    for a in (rows, sizes, grouping.compact(np.stack([m[1] for m in made])), np.array(pieces, np.int64).reshape(-1, 4),
              grouping.compact(np.stack(piece_sigs)) if piece_sigs else no_pieces):
        np.save(out, a, allow_pickle=False)


def fill(tracker: "store.Tracker | Off", files: list) -> None:
    """In the indexing process, after the writers finished: file the sketches they appended to ``files``
    (`sketch_stored`; each file is read from its start) into ``tracker``'s deferred rows."""
    if isinstance(tracker, Off):
        return
    parts: list[list[np.ndarray]] = [[] for _ in range(5)]
    for f in files:
        f.flush()
        f.seek(0)
        while True:
            try:
                block = [np.load(f, allow_pickle=False) for _ in range(5)]
            except EOFError:
                break
            for kept, a in zip(parts, block):
                kept.append(a)
    if parts[0]:
        tracker.fill(*(np.concatenate(p) for p in parts))  # one call: `Tracker.fill` appends pieces by copying
    tracker.sort_pieces()


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
        trim_heap()
        tracker.save(now)


def trim_heap() -> None:
    """Give the heap's free memory back to the system (glibc's ``malloc_trim``; nothing elsewhere) before the
    copy-group pass, the indexing process's largest step: what parsing and feeding the writers freed stays
    mapped in a fragmented heap otherwise, and counts in the process's resident set under the pass's peak."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
