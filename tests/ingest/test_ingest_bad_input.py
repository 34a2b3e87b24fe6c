"""Bad input: every case ends in a one-line ReadError (or a warning value) — no traceback, no hang, no huge read."""
from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import pytest

from searchkit.errors import ReadError
from searchkit.ingest import load, read_file
from searchkit.model import RawDocument

MB = 1024 * 1024
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def read_error(path, **kw) -> ReadError:
    with pytest.raises(ReadError) as e:
        list(read_file(path, **kw))
    assert "\n" not in str(e.value) and e.value.path == str(path)
    return e.value


def gzip_bomb(path: Path, megabytes: int, fill: bytes = b"\0", head: bytes = b"") -> Path:
    """``head`` then ``megabytes`` MB of ``fill``, gzipped in 1 MB steps (never holds the inflated data)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = fill * (MB // len(fill))
    with open(path, "wb") as f:
        f.write(comp.compress(head))
        for _ in range(megabytes):
            f.write(comp.compress(chunk))
        f.write(comp.flush())
    return path


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("name", ["empty.txt", "empty.html", "empty.md", "empty.json", "empty.jsonl"])
def test_empty_files(tmp_path, name, content):
    f = tmp_path / name
    f.write_bytes(content)
    assert read_error(f).reason.startswith("empty file")


@pytest.mark.parametrize("name", ["photo.txt", "photo.jsonl", "scan.pdf", "photo.html"])
def test_binary_files(tmp_path, name):
    f = tmp_path / name
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    assert read_error(f).reason == "binary file"


def test_control_character_soup_is_binary(tmp_path):
    f = tmp_path / "noise.txt"
    f.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 65]) * 500)
    assert read_error(f).reason == "binary file"


def test_100_mb_file_rejected_by_size_without_reading(tmp_path, monkeypatch):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as f:
        f.truncate(100 * MB)  # sparse: instant, no disk use

    def no_open(*a, **k):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(load, "open", no_open, raising=False)
    assert read_error(big).reason == "file too large (100 MB > 50 MB limit)"


def test_size_limit_is_configurable(tmp_path):
    f = tmp_path / "story.txt"
    f.write_text("A short story about the harbour. " * 100, encoding="utf-8")
    assert read_error(f, max_size=1000).reason == "file too large (3.2 KB > 1000 bytes limit)"
    assert len(list(read_file(f, max_size=10_000))) == 1


def test_invalid_utf8_never_raises(tmp_path):
    f = tmp_path / "mixed.txt"
    f.write_bytes(b"Caf\xe9 owner \x93quoted\x94, stray \x81\x8d bytes and a real \xe2\x80\x94 dash.\n\xff\xfe\xfa")
    (doc,) = read_file(f)
    assert doc.text.startswith("Café owner “quoted”, stray ") and "— dash." in doc.text


def test_truncated_gzip(tmp_path):
    data = gzip.compress(("The ferry sailed at dawn. " * 2000).encode())
    f = tmp_path / "story.txt.gz"
    f.write_bytes(data[: len(data) // 2])
    assert read_error(f).reason == "truncated gzip file"


def test_corrupt_gzip(tmp_path):
    f = tmp_path / "story.html.gz"
    f.write_bytes(b"\x1f\x8b\x08\x00" + os.urandom(2000))
    assert read_error(f).reason.startswith("corrupt gzip file")


def test_gzip_bomb_is_capped(tmp_path):
    bomb = gzip_bomb(tmp_path / "bomb.txt.gz", 200)  # 200 MB of zeros, ~200 KB on disk
    assert bomb.stat().st_size < MB
    assert read_error(bomb).reason == "decompressed size exceeds 50 MB limit (gzip bomb?)"
    text_bomb = gzip_bomb(tmp_path / "bomb.html.gz", 60, fill=b"<p>spam</p>")
    assert read_error(text_bomb).reason == "decompressed size exceeds 50 MB limit (gzip bomb?)"


def test_streamed_jsonl_gzip_bomb_is_capped(tmp_path):
    zeros = gzip_bomb(tmp_path / "zeros.jsonl.gz", 8)
    assert read_error(zeros, max_size=MB).reason == "binary file"
    one_line = gzip_bomb(tmp_path / "one-line.jsonl.gz", 8, fill=b"a")
    whole = "decompressed size exceeds 1 MB limit (gzip bomb?); the whole file is skipped"
    assert read_error(one_line, max_size=MB).reason == whole
    after_a_record = gzip_bomb(tmp_path / "late.jsonl.gz", 8, fill=b"a",
                               head=b'{"id": "first", "text": "A record before the bomb."}\n')
    assert read_error(after_a_record, max_size=MB).reason == whole  # skipped whole, not half indexed


def test_jsonl_record_over_the_limit_is_skipped(tmp_path):
    f = tmp_path / "big-record.jsonl"
    f.write_text('{"id": "a", "text": "Small."}\n{"id": "b", "text": "' + "x" * 5000 + '"}\n'
                 '{"id": "c", "text": "Small again."}\n', encoding="utf-8")
    a, warning, c = read_file(f, max_size=1000)
    assert (a.id, c.id) == ("a", "c") and warning.reason == "line 2: record too large (> 1000 bytes limit)"


def test_jsonl_gzip_truncated_keeps_good_records(tmp_path):
    lines = "".join(f'{{"id": "r{i}", "text": "Record number {i} about the river crossing."}}\n' for i in range(3000))
    data = gzip.compress(lines.encode())
    f = tmp_path / "cut.jsonl.gz"
    f.write_bytes(data[: len(data) * 2 // 3])
    items = list(read_file(f))
    good = [d for d in items if isinstance(d, RawDocument)]
    assert 100 < len(good) < 3000 and good[0].id == "r0"
    assert isinstance(items[-1], ReadError) and items[-1].reason.startswith("truncated gzip file")


def test_html_nested_10000_divs(tmp_path):
    f = tmp_path / "deep.html"
    para = "<p>" + "Residents packed the town hall to hear the plans for the new ring road. " * 5 + "</p>"
    f.write_text("<!DOCTYPE html><html><body>" + "<div>" * 10_000 + para * 4 + "</div>" * 10_000
                 + "</body></html>", encoding="utf-8")
    try:
        items = list(read_file(f))
    except ReadError as e:
        assert "\n" not in e.reason
    else:
        assert len(items) == 1 and isinstance(items[0], RawDocument) and "ring road" in items[0].text


def test_html_with_only_navigation_has_no_article(tmp_path):
    f = tmp_path / "nav.html"
    f.write_text("<html><body><nav><a href='/'>Home</a><a href='/news'>News</a></nav></body></html>")
    assert read_error(f).reason == "no article text found in HTML page"


def test_unreadable_file(tmp_path, monkeypatch):
    f = tmp_path / "secret.txt"
    f.write_text("Minutes of the closed session.")
    f.chmod(0)
    if os.geteuid() == 0:  # root ignores permission bits: simulate what a normal user gets

        def denied(*a, **k):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(load, "open", denied, raising=False)
    assert read_error(f).reason == "permission denied"


def test_directory_and_fifo_are_not_articles(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    assert read_error(tmp_path / "folder.txt").reason == "is a directory"
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert read_error(fifo).reason == "not a regular file"  # and reading it would have blocked


def test_broken_symlink(tmp_path):
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "deleted.txt")
    assert read_error(link).reason == "broken symlink"


def test_jsonl_broken_lines_warn_and_good_records_stay(tmp_path):
    f = tmp_path / "export.jsonl"
    f.write_bytes(b'{"id": 1, "text": "Flood defences finished."}\n'
                  b'{"id": 2, "text": "unterminated\n'
                  b'\n'
                  b'{"id": 3, "text": "Caf\xe9 reopens after refit."}\n'
                  b'{"id": 4, "text": ""}\n'
                  b'[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n'
                  b'{"id": 7, "body": "Market day moves to Thursday."}')
    items = list(read_file(f))
    assert [d.id for d in items if isinstance(d, RawDocument)] == ["1", "3", "7"]
    assert [d.text for d in items if isinstance(d, RawDocument)][1] == "Café reopens after refit."
    reasons = [d.reason for d in items if isinstance(d, ReadError)]
    assert [r.split(":")[0] for r in reasons] == ["line 2", "line 5", "line 6"]


def test_deeply_nested_json_is_a_warning_not_a_crash(tmp_path):
    f = tmp_path / "deep.jsonl"
    f.write_text('{"id": "ok", "text": "Fine."}\n' + "[" * 100_000 + "\n", encoding="utf-8")
    items = list(read_file(f))
    assert isinstance(items[0], RawDocument)
    assert isinstance(items[1], ReadError) and items[1].reason.startswith("line 2: ")
