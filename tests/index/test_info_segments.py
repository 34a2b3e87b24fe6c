"""`Index.info()` on an index of several segments, one of them without a date column.

whoosh's multi-segment column reader leaves segments without the column out of its offsets, so reading
the date column through it gave negative per-segment docnums (a ``struct.error`` on corpus + 2,000 BBC
articles). The date range must be read per segment.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from searchkit import open_index
from searchkit.parse import parse_file
from searchkit.store.schema import DATE

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_info_date_range_spans_segments_without_dates(tmp_path: Path) -> None:
    undated, dated = tmp_path / "undated", tmp_path / "dated"
    undated.mkdir()
    dated.mkdir()
    (undated / "pilots.txt").write_text(
        "Harbour pilots vote\n\nThe harbour pilots voted on Tuesday to accept the offer made by the port "
        "authority after weeks of talks.\n", encoding="utf-8")
    assert all(a.date is None for a in parse_file(undated / "pilots.txt"))
    files = sorted(CORPUS.glob("*.txt"))[:3]
    for f in files:
        shutil.copy(f, dated)
    dates = sorted(a.date[:10] for f in files for a in parse_file(f) if a.date)
    assert dates, "the corpus files chosen carry dates"

    index = open_index(tmp_path / "ix")
    index.add([undated])  # first segment: no article has a date, so no date column
    index.add([dated])    # second segment: dated articles
    leaves = index.searcher().reader().leaf_readers()
    assert len(leaves) >= 2 and not leaves[0][0].has_column(DATE), "a first segment without dates, as the bug needs"
    info = index.info()
    assert (info["date_from"], info["date_to"]) == (dates[0], dates[-1])
    assert info["articles"] == 1 + sum(1 for f in files for _ in parse_file(f))
