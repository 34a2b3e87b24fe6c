"""JSON Lines edge cases (issue 12, defects 12, 13, 14): a NUL in one line loses only that line, a .jsonl
holding one JSON array is read, and a .jsonl.gz over its decompression limit is skipped whole."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from searchkit import open_index
from searchkit.errors import ReadError
from searchkit.ingest import read_file
from searchkit.ingest.load import STREAM_GZIP_RATIO

TEXT = "The minister said the talks in Kabul would resume next week after officials met."


def _records(n: int, prefix: str = "r") -> list[dict]:
    return [{"id": f"{prefix}{i}", "headline": f"Story {i}", "text": f"{TEXT} Number {i}."} for i in range(n)]


def _split(items) -> tuple[list, list[str]]:
    items = list(items)
    return [x for x in items if not isinstance(x, ReadError)], [x.reason for x in items if isinstance(x, ReadError)]


def test_a_nul_byte_in_one_line_loses_only_that_line(tmp_path: Path):
    lines = [json.dumps(r).encode() for r in _records(20)]
    lines[1] = b'{"id": "bad", "text": "nul \x00 here"}'
    lines[3] = b"\x00\x01\x02\x03binary junk\x00\x00"
    f = tmp_path / "nul.jsonl"
    f.write_bytes(b"\n".join(lines) + b"\n")
    docs, warnings = _split(read_file(f))
    assert [d.id for d in docs] == [f"r{i}" for i in range(20) if i not in (1, 3)]
    assert len(warnings) == 2 and all(w.startswith(("line 2", "line 4")) for w in warnings)


def test_a_binary_file_named_jsonl_is_still_one_error(tmp_path: Path):
    f = tmp_path / "image.jsonl"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    try:
        items = list(read_file(f))
    except ReadError as e:
        assert "binary" in e.reason
    else:
        raise AssertionError(f"read as records: {items[:3]}")


def test_a_jsonl_file_holding_one_array_is_read(tmp_path: Path):
    records = _records(300)
    one_line = tmp_path / "array.jsonl"
    one_line.write_text(json.dumps(records))
    pretty = tmp_path / "pretty.jsonl"
    pretty.write_text(json.dumps(records, indent=2))
    for f in (one_line, pretty):
        docs, warnings = _split(read_file(f))
        assert [d.id for d in docs] == [r["id"] for r in records] and not warnings, f.name


def test_a_gzip_over_its_limit_is_skipped_whole_and_one_under_it_read_whole(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    small = 1024 * 1024
    # identical records compress far beyond STREAM_GZIP_RATIO: over the limit (max(max_size, ratio x size))
    bomb = folder / "bomb.jsonl.gz"
    line = (json.dumps({"id": "same", "text": TEXT}) + "\n").encode()
    with gzip.open(bomb, "wb") as g:
        g.write(line * (4 * small // len(line)))
    assert 4 * small > STREAM_GZIP_RATIO * bomb.stat().st_size
    fine = folder / "fine.jsonl.gz"
    with gzip.open(fine, "wb") as g:
        g.write("".join(json.dumps(r) + "\n" for r in _records(50, "ok")).encode())
    try:
        docs = list(read_file(bomb, max_size=small))
    except ReadError as e:
        assert "skipped" in e.reason
    else:
        raise AssertionError(f"{len(docs)} items read from an archive over the limit")
    assert len(_split(read_file(fine, max_size=small))[0]) == 50
    big = folder / "big.jsonl.gz"  # over the default limit (50 MB inflated, > 50 x its size)
    with gzip.open(big, "wb", compresslevel=9) as g:
        for _ in range(60):
            g.write(line * (small // len(line)))
    bomb.unlink()
    report = open_index(tmp_path / "ix").add([folder])
    assert report.failed_files == 1 and report.articles == 50, report.summary()
    assert "skipped" in report.errors[0].reason
