"""Where an index's bytes go: each file of the folder, and inside the whoosh segments each field's share.

    python bench/index_size.py INDEX_FOLDER [--raw BYTES]

Per field it adds up, over every segment: the term dictionary (key + term info bytes, as whoosh's ``.trm``
stores them; postings of rare terms are inlined there), the posting blocks (each term's extent in ``.pst``),
the field-length column, the field's sortable column and its share of the stored fields (each document's
stored values pickled one field at a time: an estimate, whoosh pickles them together). Files outside the
segments (the copy-group state of `searchkit.dupes`, the TOC) are listed as they are. ``--raw`` (UTF-8 bytes
of the indexed text) adds each row's ratio to it. Reads the files through whoosh only.
"""
from __future__ import annotations

import argparse
import pickle
import sys
from collections import defaultdict
from pathlib import Path

from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage


def _generation(folder: Path) -> str:
    try:
        return (folder / "CURRENT").read_text().strip() or "MAIN"
    except OSError:
        return "MAIN"


def segment_table(folder: Path) -> tuple[dict, dict]:
    """({(field, part): bytes}, {segment file part: bytes}) over the live generation's segments."""
    storage = FileStorage(str(folder))
    ix = storage.open_index(_generation(folder))
    fields: dict = defaultdict(int)
    parts: dict = defaultdict(int)
    for seg in ix._segments():
        if seg.is_compound():
            cs = CompoundStorage(storage.open_file(seg.make_filename(".seg")))
            for n in cs.list():
                parts[n.split(".", 1)[1]] += cs.file_length(n)
        else:
            for n in storage.list():
                if n.startswith(seg.make_filename("")):
                    parts[n.split(".", 1)[1]] += storage.file_length(n)
    with ix.reader() as r:
        leaves = [x[0] for x in r.leaf_readers()] if not r.is_atomic() else [r]
        for leaf in leaves:
            terms = leaf._terms  # whoosh's W3TermsReader: the raw (field id + term, term info) items
            decode = getattr(terms, "terminfo_class", W3TermInfo).from_bytes  # the segment codec's layout
            byid = {i: name for name, i in terms._fieldmap.items()}
            for key, value in terms._tindex.items():
                fieldname = byid[int.from_bytes(key[:2], "big")]
                ti = decode(value)
                fields[fieldname, "terms"] += 1
                fields[fieldname, "term dict"] += len(key) + len(value)
                if not ti.is_inlined():
                    length = ti.extent()[1]  # whoosh's from_bytes leaves it a 1-tuple
                    fields[fieldname, "postings"] += length[0] if isinstance(length, tuple) else length
            for d in range(leaf.doc_count_all()):
                for name, value in leaf.stored_fields(d).items():
                    fields[name, "stored"] += len(pickle.dumps(value, 2))
    return fields, parts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("index", type=Path)
    ap.add_argument("--raw", type=int, default=0, help="bytes of raw text, for the ratios")
    args = ap.parse_args(argv)
    if not args.index.is_dir():
        print(f"no index folder at {args.index}", file=sys.stderr)
        return 2
    total = sum(p.stat().st_size for p in args.index.rglob("*") if p.is_file())
    fields, parts = segment_table(args.index)

    def row(label: str, n: int) -> None:
        ratio = f" | {n / args.raw:.3f}" if args.raw else " |"
        print(f"| {label} | {n / 1e6:.2f} | {100 * n / total:.1f} %{ratio}")

    print("| what | MB | share | ÷ raw |\n|---|---:|---:|---:|")
    row("**whole folder**", total)
    for p in sorted(args.index.iterdir()):
        if p.is_file() and p.stat().st_size and not p.name.endswith(".seg"):
            row(f"file {p.name}", p.stat().st_size)
    for part, n in sorted(parts.items(), key=lambda x: -x[1]):
        row(f"segments: {part}", n)
    names = sorted({f for f, _ in fields}, key=lambda f: -sum(v for (g, _), v in fields.items() if g == f))
    for f in names:
        for kind in ("term dict", "postings", "stored"):
            if fields.get((f, kind)):
                extra = f" ({fields[f, 'terms']:,} terms)" if kind == "term dict" else ""
                row(f"{f}: {kind}{extra}", fields[f, kind])
    return 0


if __name__ == "__main__":
    sys.exit(main())
