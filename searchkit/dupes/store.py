"""Where groups live: two small files in the index folder, each replaced atomically.

- ``dupes-state.npz``: the sketches (one MinHash signature per article, one small one per passage piece) and
  each article's id, file and metadata. Only indexing reads it: a new or changed file adds its articles'
  sketches, a removed one drops them, and the groups are recomputed from all sketches (array work, so an
  incremental run never re-reads old articles). It is rebuilt from the index's stored articles when missing
  or stale (an index built before grouping existed, or a run killed between the index commit and this write).
- ``dupes.json``: the groups and passage provenance that search needs (what `load_groups` reads).

Both carry the index's commit stamp, so a stale pair is recognised. Sketches are deterministic and groups
depend only on the set of articles, so ``--rebuild`` recreates the same groups.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from . import grouping, sketch

STATE_FILE = "dupes-state.npz"
GROUPS_FILE = "dupes.json"
_META = ("id", "file", "path", "date", "source", "headline")


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Tracker:
    """The sketches of an index's articles, changed as `Index.add` runs and saved after its commit."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.meta: list[list[Any]] = []  # per article: _META values
        self.sizes: list[int] = []
        self.sigs: list[np.ndarray] = []
        self.pieces: list[tuple[int, int, int, np.ndarray]] = []  # (article row, paragraph, words before, passage, signature)
        self._rows: dict[str, list[int]] = {}  # file key -> its rows
        self._dead: set[int] = set()  # rows of removed files, dropped by `_compact`
        self.stamp: str | None = None

    # ------------------------------------------------------------------------------------ loading

    @classmethod
    def open(cls, folder: Path, stamp: str | None, reader=None, fresh: bool = False) -> "Tracker":
        """The saved sketches if they belong to commit ``stamp``; else (``reader`` given) re-read from the
        index's stored articles; ``fresh`` starts empty (a rebuild)."""
        t = cls(folder)
        if fresh:
            return t
        if t._load() and t.stamp == stamp:
            return t
        t = cls(folder)
        if reader is not None:
            t.resync(reader)
        return t

    def _load(self) -> bool:
        try:
            with np.load(self.folder / STATE_FILE, allow_pickle=False) as z:
                head = json.loads(bytes(z["meta"]).decode("utf-8"))
                sigs, sizes = z["sigs"], z["sizes"]
                owners, paras, before = z["piece_article"], z["piece_paragraph"], z["piece_before"]
                passages, psigs = z["piece_passage"], z["piece_sigs"]
        except (OSError, ValueError, KeyError):
            return False
        self.stamp, self.meta = head.get("stamp"), head["articles"]
        self.sizes, self.sigs = sizes.tolist(), list(sigs)
        self.pieces = list(zip(owners.tolist(), paras.tolist(), before.tolist(), passages.tolist(), list(psigs)))
        for row, m in enumerate(self.meta):
            self._rows.setdefault(m[1], []).append(row)
        return len(self.meta) == len(self.sigs)

    def resync(self, reader) -> None:
        """Sketch every article stored in the index (whoosh ``reader``): the slow path, run only when the
        saved sketches are missing or stale."""
        from ..model import Article
        from ..schema import decode_article

        for docnum, fields in reader.iter_docs():
            if "article" in fields:
                self.add(str(fields.get("file") or ""), Article.from_dict(decode_article(fields["article"])),
                         str(fields.get("path") or ""))

    # ---------------------------------------------------------------------------------- updating

    def add(self, file_key: str, article, path: str | None = None) -> None:
        """Sketch one article of ``file_key`` (call after `remove_file` for a changed file)."""
        size, sig, pieces = sketch.article_sketch(article.paragraphs, article.passages)
        row = len(self.meta)
        self._rows.setdefault(file_key, []).append(row)
        self.meta.append([article.id, file_key, path or article.path, article.date, article.source, article.headline])
        self.sizes.append(size)
        self.sigs.append(sig)
        self.pieces += [(row, *piece) for piece in pieces]

    def remove_file(self, file_key: str) -> None:
        """Forget the articles of a removed or changed file (those added after this call stay)."""
        self._dead.update(self._rows.pop(file_key, []))

    def _compact(self) -> None:
        if not self._dead:
            return
        keep = [i for i in range(len(self.meta)) if i not in self._dead]
        new_row = {old: new for new, old in enumerate(keep)}
        self.meta = [self.meta[i] for i in keep]
        self.sizes = [self.sizes[i] for i in keep]
        self.sigs = [self.sigs[i] for i in keep]
        self.pieces = [(new_row[p[0]], *p[1:]) for p in self.pieces if p[0] in new_row]
        self._rows = {k: [new_row[r] for r in rows if r in new_row] for k, rows in self._rows.items()}
        self._dead = set()

    # ------------------------------------------------------------------------------------ saving

    def records(self) -> tuple[list[grouping.Record], list[grouping.Piece]]:
        """The live articles' sketches, as `grouping.compute` takes them."""
        self._compact()
        recs = [grouping.Record(id=m[0], path=m[2], date=m[3], size=int(n), sig=s)
                for m, n, s in zip(self.meta, self.sizes, self.sigs)]
        return recs, [grouping.Piece(article=r, paragraph=q, before=w, passage=p, sig=s) for r, q, w, p, s in self.pieces]

    def save(self, stamp: str) -> "grouping.Result":
        """Recompute the groups and write both files (sketches first; each replaced atomically)."""
        self._compact()
        self.stamp = stamp
        head = json.dumps({"stamp": stamp, "articles": self.meta}).encode("utf-8")
        arrays = {
            "meta": np.frombuffer(head, np.uint8),
            "sigs": np.stack(self.sigs) if self.sigs else np.zeros((0, sketch.NUM_PERM), np.uint32),
            "sizes": np.array(self.sizes, np.int64),
            "piece_article": np.array([p[0] for p in self.pieces], np.int64),
            "piece_paragraph": np.array([p[1] for p in self.pieces], np.int64),
            "piece_before": np.array([p[2] for p in self.pieces], np.int64),
            "piece_passage": np.array([p[3] for p in self.pieces], np.int64),
            "piece_sigs": (np.stack([p[4] for p in self.pieces]) if self.pieces
                           else np.zeros((0, sketch.PARAGRAPH_PERM), np.uint32)),
        }
        _atomic_write(self.folder / STATE_FILE, lambda f: np.savez(f, **arrays))
        result = grouping.compute(*self.records())
        doc = groups_document(self.meta, result, stamp)
        _atomic_write(self.folder / GROUPS_FILE, lambda f: f.write(json.dumps(doc, ensure_ascii=False).encode("utf-8")))
        return result


def groups_document(meta: list[list[Any]], result: "grouping.Result", stamp: str | None) -> dict[str, Any]:
    """The ``dupes.json`` object: groups as article ids (original first), the metadata of every article
    named, and ``first_seen`` as {article id: {passage index: article id}}."""
    named: set[int] = {i for g in result.groups for i in g} | set(result.first_seen.values())
    first_seen: dict[str, dict[str, str]] = {}
    for (row, passage), src in sorted(result.first_seen.items()):
        first_seen.setdefault(meta[row][0], {})[str(passage)] = meta[src][0]
    return {
        "version": 1,
        "stamp": stamp,
        "groups": [[meta[i][0] for i in g] for g in result.groups],
        "articles": {meta[i][0]: {"id": meta[i][0], "source": meta[i][4], "date": meta[i][3], "headline": meta[i][5]}
                     for i in sorted(named)},
        "first_seen": first_seen,
    }
