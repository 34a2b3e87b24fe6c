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
import tempfile
import zipfile
from array import array
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from . import grouping, sketch
from .document import write_groups_document

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


def scratch_file(folder: Path | str | None):
    """An unnamed temporary file (gone when closed, or when the process dies) in ``folder`` if it can be made
    there, else in the system's temporary folder: where `_Meta` and `_Rows` keep what they hold while an
    index run adds articles, so the indexer's memory does not grow by the article."""
    try:
        return tempfile.TemporaryFile(dir=folder)
    except OSError:
        return tempfile.TemporaryFile()


class _Meta:
    """Each article's `_META` values as one JSON-encoded row appended to a scratch file (`scratch_file`), with the
    rows' end offsets in memory: 8 bytes an article, not a Python list and six strings (~800 bytes each at 30k
    articles, the indexer parent's largest per-article state after the signatures). Rows read back as lists;
    the saved head holds them by column (`head`)."""

    def __init__(self, rows: list[list[Any]] = (), folder: Path | None = None):
        self._folder = folder
        self._file = scratch_file(folder)
        self._ends = array("q")
        for row in rows:
            self.append(row)

    def append(self, row: list[Any]) -> None:
        self._append_raw(json.dumps(row).encode("utf-8"))

    def _append_raw(self, raw: bytes) -> None:
        self._file.write(raw)
        self._ends.append((self._ends[-1] if self._ends else 0) + len(raw))

    def __len__(self) -> int:
        return len(self._ends)

    def _raw(self, i: int) -> bytes:
        self._file.flush()
        start = self._ends[i - 1] if i else 0
        return os.pread(self._file.fileno(), self._ends[i] - start, start)

    def __getitem__(self, i: int) -> list[Any]:
        return json.loads(self._raw(i))

    def __iter__(self) -> Iterator[list[Any]]:
        return (self[i] for i in range(len(self)))

    def keep(self, alive: list[bool]) -> "_Meta":
        """The rows where ``alive`` is true, as a new `_Meta` (this one's file is closed)."""
        out = _Meta(folder=self._folder)
        for i, a in enumerate(alive):
            if a:
                out._append_raw(self._raw(i))
        self._file.close()
        return out

    def head(self, stamp: str | None) -> bytes:
        """The saved form: ``{"stamp", "files", "columns"}``, one list per `_META` value (see `rows_of`). By
        column, file keys as numbers into ``files`` and a path equal to its file key as null: the same values
        in a row each deflated to 3.73 MB at 100k articles (each row repeating a JSONL file's path twice),
        by column to 2.86."""
        rows = json.loads(b"[" + b",".join(self._raw(i) for i in range(len(self))) + b"]")
        files = sorted({r[1] for r in rows})
        number = {f: i for i, f in enumerate(files)}
        columns = [list(c) for c in zip(*rows)] or [[] for _ in _META]
        columns[2] = [None if r[2] == r[1] else r[2] for r in rows]
        columns[1] = [number[f] for f in columns[1]]
        return json.dumps({"stamp": stamp, "files": files, "columns": columns}).encode("utf-8")


def rows_of(head: dict[str, Any]) -> list[list[Any]]:
    """The `_META` rows of a saved head: by column (`_Meta.head`) or, written by older versions, as
    ``"articles"`` rows."""
    if "columns" not in head:
        return head["articles"]
    files, columns = head["files"], head["columns"]
    return [[i, files[f], files[f] if p is None else p, d, s, h] for i, f, p, d, s, h in zip(*columns)]


CHUNK_ROWS = 4096  # rows per block of `_Rows` (2 MB of article signatures)


class _Rows:
    """A growable 2-D array (one row per article or piece, without a Python object per row), appended in
    blocks of `CHUNK_ROWS` rows and joined into one array when read. Not by doubling one array: that held up to
    twice the rows, and each doubling copied everything into a new array while the old one was still alive
    (three times the signatures at once: the indexer's peak grew with the corpus). Full blocks go to a scratch
    file (`scratch_file`) until read: while an index run adds articles its parser and writer processes are alive,
    and rows held in memory then made the whole tree's peak grow with the corpus."""

    def __init__(self, width: int, dtype, data: np.ndarray | None = None, folder: Path | None = None):
        self.width, self.dtype, self._folder = width, np.dtype(dtype), folder
        self._whole = data if data is not None else np.zeros((0, width), dtype)  # rows up to the blocks
        self._block = np.zeros((CHUNK_ROWS, width), dtype)  # the block being filled
        self._used = 0  # rows used in it
        self._file = None  # full blocks after ``_whole``, as raw rows
        self._spilled = 0  # rows in ``_file``
        self.n = len(self._whole)

    def append(self, row) -> None:
        self._block[self._used] = row
        self._used += 1
        self.n += 1
        if self._used == CHUNK_ROWS:
            if self._file is None:
                self._file = scratch_file(self._folder)
            self._file.write(self._block.tobytes())
            self._spilled += CHUNK_ROWS
            self._used = 0

    def extend(self, rows: np.ndarray) -> None:
        """Append many rows at once."""
        if len(rows):
            self._whole = np.concatenate([self.view(), np.asarray(rows, self.dtype).reshape(-1, self.width)])
            self.n = len(self._whole)

    def view(self) -> np.ndarray:
        """Every row as one array (the spilled blocks read back into it)."""
        if self._spilled or self._used:
            out = np.empty((self.n, self.width), self.dtype)
            at = len(self._whole)
            out[:at] = self._whole
            self._whole = None
            if self._file is not None:
                self._file.seek(0)
                self._file.readinto(memoryview(out[at: at + self._spilled]).cast("B"))
                self._file.close()
                at += self._spilled
            out[at:] = self._block[: self._used]
            self._whole, self._file, self._spilled, self._used = out, None, 0, 0
        return self._whole

    @property
    def data(self) -> np.ndarray:
        """`view` (writable: `Tracker._compact` renumbers the pieces' article rows in place)."""
        return self.view()

    def keep(self, mask: np.ndarray) -> None:
        """Keep the rows a boolean mask selects, or those an index array names, in its order (one copy)."""
        self._whole = self.view()[mask]
        self.n = len(self._whole)


class Tracker:
    """The sketches of an index's articles, changed as `Index.add` runs and saved after its commit.

    Held as arrays (``NUM_PERM`` x 2 bytes per article, 64 bytes per passage piece) plus each article's six
    metadata strings as one encoded row (`_Meta`): no Python object per article or per piece.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.meta = _Meta(folder=self.folder)  # per article: _META values
        self.sigs = _Rows(sketch.NUM_PERM, np.uint16, folder=self.folder)
        self.sizes = _Rows(1, np.int64, folder=self.folder)
        self.piece_cols = _Rows(4, np.int64, folder=self.folder)  # (article row, paragraph, words before, passage index)
        self.piece_sigs = _Rows(sketch.PARAGRAPH_PERM, np.uint16, folder=self.folder)
        self._rows: dict[str, list[int]] = {}  # file key -> its rows
        self._dead: set[int] = set()  # rows of removed files, dropped by `_compact`
        self._pending = 0  # rows added with ``deferred=True`` and not yet filled
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
            articles = rows_of(head)
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            return False
        if len(articles) != len(arrays["sigs"]):
            return False
        self.stamp, self.meta = head.get("stamp"), _Meta(articles, self.folder)
        # a state file written before signatures were compacted holds uint32 values: same low bits
        self.sigs = _Rows(sketch.NUM_PERM, np.uint16, grouping.compact(arrays["sigs"]), self.folder)
        self.sizes = _Rows(1, np.int64, arrays["sizes"].reshape(-1, 1), self.folder)
        cols = np.ascontiguousarray(arrays["piece_cols"].reshape(-1, 4), np.int64)  # either saved layout
        self.piece_cols = _Rows(4, np.int64, cols, self.folder)
        self.piece_sigs = _Rows(sketch.PARAGRAPH_PERM, np.uint16, grouping.compact(arrays["piece_sigs"]), self.folder)
        for row, m in enumerate(articles):
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

    def add(self, file_key: str, article, path: str | None = None, deferred: bool = False) -> int:
        """Sketch one article of ``file_key`` (call after `remove_file` for a changed file); its row.

        ``deferred``: file only its metadata now, the sketch comes later through `fill` (a writer process
        sketches it: `hooks.sketch_stored`); until then `save` refuses to run."""
        row = len(self.meta)
        self._rows.setdefault(file_key, []).append(row)
        self.meta.append([article.id, file_key, path or article.path, article.date, article.source, article.headline])
        if deferred:
            self.sizes.append(0)
            self.sigs.append(0)
            self._pending += 1
            return row
        made = article.__dict__.pop("dupes_sketch", None)  # computed by hooks.prepare in a parser process
        size, sig, pieces = made or sketch.article_sketch(article.paragraphs, article.passages)
        self.sizes.append(size)
        self.sigs.append(grouping.compact(sig))
        for paragraph, before, passage, piece_sig in pieces:
            self.piece_cols.append((row, paragraph, before, passage))
            self.piece_sigs.append(grouping.compact(piece_sig))
        return row

    def fill(self, rows: np.ndarray, sizes: np.ndarray, sigs: np.ndarray, piece_cols: np.ndarray,
             piece_sigs: np.ndarray) -> None:
        """The sketches of deferred rows ``rows`` (`add`); pieces ``(row, paragraph, words before, passage)``
        in any row order, then `sort_pieces` once."""
        self.sizes.data[rows, 0] = sizes
        self.sigs.data[rows] = sigs
        self.piece_cols.extend(piece_cols)
        self.piece_sigs.extend(piece_sigs)
        self._pending -= len(rows)

    def sort_pieces(self) -> None:
        """Pieces in article-row order (stable: an article's keep theirs), as `grouping.Pieces` requires."""
        cols = self.piece_cols.data
        if len(cols) > 1 and not bool((cols[1:, 0] >= cols[:-1, 0]).all()):
            order = np.argsort(cols[:, 0], kind="stable")
            self.piece_cols.keep(order)
            self.piece_sigs.keep(order)

    def remove_file(self, file_key: str) -> None:
        """Forget the articles of a removed or changed file (those added after this call stay)."""
        self._dead.update(self._rows.pop(file_key, []))

    def _compact(self) -> None:
        if not self._dead:
            return
        alive = np.ones(len(self.meta), bool)
        alive[list(self._dead)] = False
        new_row = np.cumsum(alive) - 1
        self.meta = self.meta.keep(alive.tolist())
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
        """The live articles' sketches, as `grouping.compute` takes them (with ``sigs=self.sigs.view()``: each
        record's ``sig`` is a row of it). Equal paths and dates are one string each: an export file's path is
        on thousands of articles, and its copies were ~50 MB of the copy-group pass at 300k articles."""
        self._compact()
        sigs, sizes = self.sigs.view(), self.sizes.view()[:, 0].tolist()
        shared: dict[str | None, str | None] = {}
        recs = [grouping.Record(id=m[0], path=shared.setdefault(m[2], m[2]), date=shared.setdefault(m[3], m[3]),
                                size=n, sig=sigs[i])
                for i, (m, n) in enumerate(zip(self.meta, sizes))]
        return recs, grouping.Pieces(self.piece_cols.view(), self.piece_sigs.view())

    def save(self, stamp: str) -> "grouping.Result":
        """Recompute the groups and write both files (sketches first; each replaced atomically)."""
        if self._pending:
            raise RuntimeError(f"{self._pending} articles' sketches were never filled in")
        self._compact()
        self.stamp = stamp
        head = self.meta.head(stamp)
        arrays = {"meta": np.frombuffer(head, np.uint8), "sigs": self.sigs.view(), "sizes": self.sizes.view(),
                  "piece_cols": self.piece_cols.view(), "piece_sigs": self.piece_sigs.view()}
        _atomic_write(self.folder / STATE_FILE, lambda f: _save_npz(f, arrays))
        del head, arrays  # the saved head is tens of MB at 300k articles: not held through the pass below
        records, pieces = self.records()
        result = grouping.compute(records, pieces, sigs=self.sigs.view())
        del records, pieces

        def write(f) -> None:
            with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as z:
                write_groups_document(z, self.meta, result, stamp)
        _atomic_write(self.folder / GROUPS_FILE, write)
        return result

