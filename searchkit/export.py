"""Search results as rows for a spreadsheet or a script: CSV and JSON Lines, one row per hit.

The CLI (``searchkit search --format csv|jsonl [--all]``) and the web API (``format=csv``) write the same
rows through these functions. ``--all`` feeds `searchkit.results.search.iter_hits`, a generator, and the writers
take any iterable and write as they go, so exporting every match holds one hit at a time.

CSV is for spreadsheets: a header row, every field quoted, UTF-8, and formula injection neutralised -- a
cell a spreadsheet would evaluate (starting with ``=``, ``+``, ``-``, ``@``, or a tab or carriage return
that some spreadsheets skip before one) gets a leading apostrophe, so a hostile headline such as
``=HYPERLINK(...)`` shows as text. JSON Lines keeps the values untouched (a program reads them, not Excel).
"""
from __future__ import annotations

import csv
import json
from typing import IO, Any, Iterable

from .model import Hit

COLUMNS = ("rank", "score", "article_id", "path", "headline", "date", "source", "author", "passage_index",
           "snippet", "url")
FORMATS = ("csv", "jsonl")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # lets Excel recognise UTF-8 in a downloaded file


def hit_row(hit: Hit) -> dict[str, Any]:
    """The export row of one hit: the `COLUMNS`, values as in the JSON (score rounded to 4 places)."""
    a = hit.article
    return {"rank": hit.rank, "score": round(hit.score, 4), "article_id": a.id, "path": a.path,
            "headline": a.headline, "date": a.date, "source": a.source, "author": a.author,
            "passage_index": hit.passage_index, "snippet": hit.snippet.text, "url": a.url}


def safe_cell(value: Any) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text: None is empty, a would-be formula is prefixed."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_csv(hits: Iterable[Hit], out: IO[str], bom: bool = False) -> int:
    """Write a header and one quoted row per hit to ``out`` as they come; ``bom`` starts the file with a
    UTF-8 byte-order mark (for a download a spreadsheet opens). Returns the number of rows."""
    if bom:
        out.write(BOM)
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    n = 0
    for hit in hits:
        row = hit_row(hit)
        writer.writerow([safe_cell(row[c]) for c in COLUMNS])
        n += 1
    return n


def write_jsonl(hits: Iterable[Hit], out: IO[str]) -> int:
    """Write one JSON object (the `COLUMNS`) per hit per line to ``out``. Returns the number of rows."""
    n = 0
    for hit in hits:
        out.write(json.dumps(hit_row(hit), ensure_ascii=False) + "\n")
        n += 1
    return n


def write(hits: Iterable[Hit], out: IO[str], fmt: str, bom: bool = False) -> int:
    """Write ``hits`` to ``out`` in ``fmt`` (one of `FORMATS`); ``bom`` for CSV only."""
    if fmt == "csv":
        return write_csv(hits, out, bom=bom)
    if fmt == "jsonl":
        return write_jsonl(hits, out)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
