"""Where groups live: two small files in the index folder, each replaced atomically.

- ``dupes-state.npz``: the sketches (one MinHash signature per article, one small one per passage piece, each
  value cut to its low 16 bits: `grouping.compact`) and each article's id, file and metadata. Only indexing reads it: a new or changed file adds its articles'
  sketches, a removed one drops them, and the groups are recomputed from all sketches (array work, so an
  incremental run never re-reads old articles). It is rebuilt from the index's stored articles when missing
  or stale (an index built before grouping existed, or a run killed between the index commit and this write).
- ``dupes.json``: the groups and passage provenance that search needs (what `load_groups` reads), as JSON
  gzip-compressed (`GZIP_LEVEL`; the reader also takes the plain JSON earlier versions wrote).

Both carry the index's commit stamp, so a stale pair is recognised. Sketches are deterministic and groups
depend only on the set of articles, so ``--rebuild`` recreates the same groups.
"""
from __future__ import annotations

import gzip
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from . import grouping, sketch

STATE_FILE = "dupes-state.npz"
GROUPS_FILE = "dupes.json"
INDEX_FILES = (STATE_FILE, GROUPS_FILE)  # what grouping keeps in an index folder, beside the generations
_META = ("id", "file", "path", "date", "source", "headline")
# dupes.json is gzip-compressed: at 100k articles (bench corpus, 70% synthetic copies) its plain JSON was 13.5 MB
# (0.076x the raw text), level 6 makes it 2.8 MB; unpacking takes ~30 ms of the ~270 ms parse, once per change
GZIP_LEVEL = 6


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


_RANDOM = ("sigs", "piece_sigs")  # MinHash values: random bits, deflate saves next to nothing


def _save_npz(f, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez`` with every member but the MinHash signatures deflated: the metadata JSON and the small
    integer columns shrink 6-8x (the state file was 1.3x the raw text at 10k articles, 7.9 MB of 11.4 MB
    then being signatures, which do not compress). ``np.load`` reads it as any ``.npz``."""
    with zipfile.ZipFile(f, "w") as z:
        for name, a in arrays.items():
            kind = zipfile.ZIP_STORED if name in _RANDOM else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = kind
            with z.open(info, "w", force_zip64=True) as m:
                np.lib.format.write_array(m, _layout(name, a), allow_pickle=False)


def _layout(name: str, a: np.ndarray) -> np.ndarray:
    """How member ``name`` is laid out in the file: the piece columns as int32 in column order (each column's
    values side by side deflate to half the row-ordered int64s: 3.0 -> 1.4 MB at 100k articles); ``np.load``
    gives back the same (n, 4) values from either layout, so state files of either kind read alike."""
    if name == "piece_cols" and a.ndim == 2 and (not a.size or a.max() < 2 ** 31 and a.min() >= 0):
        return np.asfortranarray(a, np.int32)
    return np.ascontiguousarray(a)


CHUNK_ROWS = 4096  # rows per block of `_Rows` (2 MB of article signatures)


class _Rows:
    """A growable 2-D array (one row per article or piece, without a Python object per row), appended in
    blocks of `CHUNK_ROWS` rows and joined into one array when read. Not by doubling one array: that held up to
    twice the rows, and each doubling copied everything into a new array while the old one was still alive
    (three times the signatures at once: the indexer's peak grew with the corpus)."""

    def __init__(self, width: int, dtype, data: np.ndarray | None = None):
        self.width, self.dtype = width, dtype
        self._whole = data if data is not None else np.zeros((0, width), dtype)  # rows up to the blocks
        self._blocks: list[np.ndarray] = []  # full blocks after ``_whole``, then the one being filled
        self._used = CHUNK_ROWS  # rows used in the last block (none open yet)
        self.n = len(self._whole)

    def append(self, row) -> None:
        if self._used == CHUNK_ROWS:
            self._blocks.append(np.zeros((CHUNK_ROWS, self.width), self.dtype))
            self._used = 0
        self._blocks[-1][self._used] = row
        self._used += 1
        self.n += 1

    def view(self) -> np.ndarray:
        """Every row as one array (the blocks are joined into it, one at a time, then released)."""
        if self._blocks:
            out = np.empty((self.n, self.width), self.dtype)
            out[: len(self._whole)] = self._whole
            at = len(self._whole)
            self._whole = None
            blocks, self._blocks = self._blocks, []
            blocks.reverse()
            while blocks:
                block = blocks.pop()
                rows = min(CHUNK_ROWS, self.n - at)
                out[at: at + rows] = block[:rows]
                at += rows
                del block
            self._whole, self._used = out, CHUNK_ROWS
        return self._whole

    @property
    def data(self) -> np.ndarray:
        """`view` (writable: `Tracker._compact` renumbers the pieces' article rows in place)."""
        return self.view()

    def keep(self, mask: np.ndarray) -> None:
        self._whole = self.view()[mask].copy()
        self.n = len(self._whole)


class Tracker:
    """The sketches of an index's articles, changed as `Index.add` runs and saved after its commit.

    Held as arrays (``NUM_PERM`` x 2 bytes per article, 64 bytes per passage piece) plus each article's six
    metadata strings, so memory grows by well under a kilobyte per article and never by an object per piece.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.meta: list[list[Any]] = []  # per article: _META values
        self.sigs = _Rows(sketch.NUM_PERM, np.uint16)
        self.sizes = _Rows(1, np.int64)
        self.piece_cols = _Rows(4, np.int64)  # (article row, paragraph, words before, passage index)
        self.piece_sigs = _Rows(sketch.PARAGRAPH_PERM, np.uint16)
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
                arrays = {k: z[k] for k in ("sigs", "sizes", "piece_cols", "piece_sigs")}
        except (OSError, ValueError, KeyError):
            return False
        if len(head["articles"]) != len(arrays["sigs"]):
            return False
        self.stamp, self.meta = head.get("stamp"), head["articles"]
        # a state file written before signatures were compacted holds uint32 values: same low bits
        self.sigs = _Rows(sketch.NUM_PERM, np.uint16, grouping.compact(arrays["sigs"]))
        self.sizes = _Rows(1, np.int64, arrays["sizes"].reshape(-1, 1))
        self.piece_cols = _Rows(4, np.int64, np.ascontiguousarray(arrays["piece_cols"].reshape(-1, 4), np.int64))
        self.piece_sigs = _Rows(sketch.PARAGRAPH_PERM, np.uint16, grouping.compact(arrays["piece_sigs"]))
        for row, m in enumerate(self.meta):
            self._rows.setdefault(m[1], []).append(row)
        return True

    def resync(self, reader) -> None:
        """Sketch every article stored in the index (whoosh ``reader``): the slow path, run only when the
        saved sketches are missing or stale."""
        from ..model import Article
        from ..store.schema import decode_article

        for docnum, fields in reader.iter_docs():
            if "article" in fields:
                self.add(str(fields.get("file") or ""), Article.from_dict(decode_article(fields["article"])),
                         str(fields.get("path") or ""))

    # ---------------------------------------------------------------------------------- updating

    def add(self, file_key: str, article, path: str | None = None) -> None:
        """Sketch one article of ``file_key`` (call after `remove_file` for a changed file)."""
        made = article.__dict__.pop("dupes_sketch", None)  # computed by hooks.prepare in a parser process
        size, sig, pieces = made or sketch.article_sketch(article.paragraphs, article.passages)
        row = len(self.meta)
        self._rows.setdefault(file_key, []).append(row)
        self.meta.append([article.id, file_key, path or article.path, article.date, article.source, article.headline])
        self.sizes.append(size)
        self.sigs.append(grouping.compact(sig))
        for paragraph, before, passage, piece_sig in pieces:
            self.piece_cols.append((row, paragraph, before, passage))
            self.piece_sigs.append(grouping.compact(piece_sig))

    def remove_file(self, file_key: str) -> None:
        """Forget the articles of a removed or changed file (those added after this call stay)."""
        self._dead.update(self._rows.pop(file_key, []))

    def _compact(self) -> None:
        if not self._dead:
            return
        alive = np.ones(len(self.meta), bool)
        alive[list(self._dead)] = False
        new_row = np.cumsum(alive) - 1
        self.meta = [m for m, a in zip(self.meta, alive.tolist()) if a]
        self.sigs.keep(alive)
        self.sizes.keep(alive)
        owners = self.piece_cols.view()[:, 0]
        keep = alive[owners] if len(owners) else np.zeros(0, bool)
        self.piece_cols.keep(keep)
        self.piece_sigs.keep(keep)
        self.piece_cols.data[:, 0] = new_row[self.piece_cols.data[:, 0]]
        self._rows = {}
        for row, m in enumerate(self.meta):
            self._rows.setdefault(m[1], []).append(row)
        self._dead = set()

    # ------------------------------------------------------------------------------------ saving

    def records(self) -> tuple[list[grouping.Record], grouping.Pieces]:
        """The live articles' sketches, as `grouping.compute` takes them."""
        self._compact()
        sigs, sizes = self.sigs.view(), self.sizes.view()[:, 0].tolist()
        recs = [grouping.Record(id=m[0], path=m[2], date=m[3], size=n, sig=sigs[i])
                for i, (m, n) in enumerate(zip(self.meta, sizes))]
        return recs, grouping.Pieces(self.piece_cols.view(), self.piece_sigs.view())

    def save(self, stamp: str) -> "grouping.Result":
        """Recompute the groups and write both files (sketches first; each replaced atomically)."""
        self._compact()
        self.stamp = stamp
        head = json.dumps({"stamp": stamp, "articles": self.meta}).encode("utf-8")
        arrays = {"meta": np.frombuffer(head, np.uint8), "sigs": self.sigs.view(), "sizes": self.sizes.view(),
                  "piece_cols": self.piece_cols.view(), "piece_sigs": self.piece_sigs.view()}
        _atomic_write(self.folder / STATE_FILE, lambda f: _save_npz(f, arrays))
        result = grouping.compute(*self.records())
        doc = groups_document(self.meta, result, stamp)
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        _atomic_write(self.folder / GROUPS_FILE, lambda f: f.write(gzip.compress(text, GZIP_LEVEL, mtime=0)))
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
