"""Bytes in, text out: the one place that opens files, enforces size limits, unpacks gzip and decodes.

Every reader goes through here so that the defences against bad input (huge files, gzip bombs,
truncated archives, binary files, broken encodings, special files that would block) are written once.
Failures are ``ReadError`` with a one-line reason; nothing here reads more than ``max_size + 1`` bytes.
"""
from __future__ import annotations

import codecs
import gzip
import os
import re
import stat
import zlib
from pathlib import Path
from typing import BinaryIO, Iterator

from ..errors import ReadError

MB = 1024 * 1024
MAX_FILE_SIZE = 50 * MB  # default per-file (and per-record) limit; readers accept max_size to change it
STREAM_GZIP_RATIO = 50  # a streamed .jsonl.gz may inflate to max(max_size, ratio x compressed size)
SNIFF_BYTES = 8192
GZIP_MAGIC = b"\x1f\x8b"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts with the UTF-16 one
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")  # soft hyphen, zero-width space/joiner, stray BOM
_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})|<\?xml[^>]{0,100}?encoding=["']([A-Za-z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)


def _legacy_bytes(err: UnicodeDecodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as cp1252 (latin-1 where cp1252 has a hole).

    Used as a codec error handler, so a UTF-8 file with one stray Latin-1 byte keeps all its
    other characters intact instead of being re-decoded wholesale.
    """
    bad = err.object[err.start:err.end]
    out = []
    for b in bad:
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out), err.end


codecs.register_error("searchkit-legacy", _legacy_bytes)


def mb(n: int | float) -> str:
    """Human size for messages: '100 MB', '1.5 MB', '12 KB', '900 bytes'."""
    if n < 1024:
        return f"{int(n)} bytes"
    unit, scale = ("MB", MB) if n >= MB else ("KB", 1024)
    return f"{n / scale:.1f}".removesuffix(".0") + " " + unit


def _too_large(size: int, max_size: int) -> str:
    return f"file too large ({mb(size)} > {mb(max_size)} limit)"


def _os_reason(e: OSError) -> str:
    return (e.strerror or str(e)).lower()


def open_source(path: Path, max_size: int | None) -> BinaryIO:
    """Open a regular file for reading; reject directories, FIFOs, devices and (if given) oversize files."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        reason = "broken symlink" if os.path.islink(path) else "no such file"
        raise ReadError(str(path), reason) from None
    except OSError as e:
        raise ReadError(str(path), _os_reason(e)) from None
    if stat.S_ISDIR(st.st_mode):
        readable = os.access(path, os.R_OK | os.X_OK)
        raise ReadError(str(path), "is a directory" if readable else "permission denied (directory)")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(str(path), "not a regular file")
    if max_size is not None and st.st_size > max_size:
        raise ReadError(str(path), _too_large(st.st_size, max_size))
    try:
        return open(path, "rb")
    except OSError as e:
        raise ReadError(str(path), _os_reason(e)) from None


def _gunzip(f: BinaryIO, path: Path, limit: int, cap: bool = True) -> bytes:
    """Decompress at most ``limit`` bytes; a bigger output is refused (gzip bomb), a damaged one explained.

    With ``cap=False`` the first ``limit`` bytes are simply returned (a peek).
    """
    try:
        with gzip.GzipFile(fileobj=f) as g:
            data = g.read(limit + 1 if cap else limit)
    except EOFError:
        raise ReadError(str(path), "truncated gzip file") from None
    except (gzip.BadGzipFile, zlib.error, OSError) as e:
        raise ReadError(str(path), f"corrupt gzip file ({e})") from None
    if len(data) > limit:
        raise ReadError(str(path), f"decompressed size exceeds {mb(limit)} limit (gzip bomb?)")
    return data


def read_bytes(path: Path, max_size: int = MAX_FILE_SIZE) -> bytes:
    """The file's content, gunzipped if it is gzip (by magic number, whatever its name)."""
    with open_source(path, max_size) as f:
        head = f.read(2)
        f.seek(0)
        if head == GZIP_MAGIC:
            return _gunzip(f, path, max_size)
        try:
            data = f.read(max_size + 1)
        except OSError as e:
            raise ReadError(str(path), _os_reason(e)) from None
    if len(data) > max_size:  # the file grew after stat
        raise ReadError(str(path), _too_large(len(data), max_size))
    return data


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first ``size`` bytes of content (gunzipped if gzip): enough to sniff a file that will be streamed."""
    with open_source(path, None) as f:
        if f.read(2) != GZIP_MAGIC:
            f.seek(0)
            return f.read(size)
        f.seek(0)
        return _gunzip(f, path, size, cap=False)


def _refuse_gzip_over(f: BinaryIO, path: Path, budget: int) -> None:
    """Raise ReadError when the gzip stream in ``f`` inflates to more than ``budget`` bytes.

    One decompression pass that keeps nothing (about a second per 300 MB): the price of deciding before the
    first record whether a streamed archive is indexed whole or skipped whole. A damaged stream is left for
    the reading pass to report (it keeps the records before the damage).
    """
    total = 0
    try:
        with gzip.GzipFile(fileobj=f) as g:
            while True:
                block = g.read(1 << 20)
                if not block:
                    return
                total += len(block)
                if total > budget:
                    raise ReadError(str(path), f"decompressed size exceeds {mb(budget)} limit (gzip bomb?); "
                                               "the whole file is skipped")
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError):
        return
    finally:
        f.seek(0)


def iter_lines(path: Path, max_size: int = MAX_FILE_SIZE) -> Iterator[tuple[int, bytes | ReadError]]:
    """Stream (line number, bytes) without loading the file; a line over ``max_size`` becomes a ReadError value.

    Problems discovered mid-stream (truncated gzip, too much output) are yielded as a final ReadError
    value so that the records already read are kept; before the first line they raise.
    """
    f = open_source(path, None)
    with f:
        raw: BinaryIO = f
        budget = None
        if f.read(2) == GZIP_MAGIC:
            budget = max(max_size, STREAM_GZIP_RATIO * os.fstat(f.fileno()).st_size)
            f.seek(0)
            _refuse_gzip_over(f, path, budget)  # skipped whole, before any record: never half a bomb
            raw = gzip.GzipFile(fileobj=f)  # type: ignore[assignment]
        f.seek(0)
        total, lineno, yielded = 0, 0, False
        while True:
            try:
                line = raw.readline(max_size + 1)
            except EOFError:
                err = ReadError(str(path), f"truncated gzip file; stopped after line {lineno}")
            except (gzip.BadGzipFile, zlib.error, OSError) as e:
                err = ReadError(str(path), f"corrupt gzip file after line {lineno} ({e})")
            else:
                err = None
            if err is not None:
                if not yielded:
                    raise err
                yield lineno + 1, err
                return
            if not line:
                return
            lineno += 1
            total += len(line)
            if budget is not None and total > budget:
                err = ReadError(str(path), f"decompressed size exceeds {mb(budget)} limit (gzip bomb?)")
                if not yielded:
                    raise err
                yield lineno, err
                return
            yielded = True
            if len(line) > max_size:
                yield lineno, ReadError(str(path), f"line {lineno}: record too large (> {mb(max_size)} limit)")
                while line and not line.endswith(b"\n"):  # skip the rest of the giant line in bounded reads
                    line = raw.readline(max_size + 1)
                    total += len(line)
                    if budget is not None and total > budget:
                        yield lineno, ReadError(str(path), f"decompressed size exceeds {mb(budget)} limit (gzip bomb?)")
                        return
                continue
            yield lineno, line


def is_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first few KB: not text we can index."""
    sample = data[:SNIFF_BYTES]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls / len(sample) > 0.1


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML/XML page declares in its first 4 KB (meta charset / http-equiv / xml prolog)."""
    m = _CHARSET.search(data[:4096])
    if not m:
        return None
    name = (m.group(1) or m.group(2)).decode("ascii")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode without ever raising: BOM, else strict UTF-8, else the declared charset, else cp1252 per bad byte."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and not declared.startswith("utf") and declared not in ("latin-1", "iso8859-1", "ascii"):
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("utf-8", "searchkit-legacy")


def tidy(text: str) -> str:
    """Unix newlines and no invisible characters that would split or glue words in the index."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", text)


def check_text(path: Path, data: bytes) -> None:
    """Refuse what cannot hold an article: nothing at all, or binary content."""
    if not data.strip():
        raise ReadError(str(path), "empty file")
    if is_binary(data) and not any(data.startswith(bom) for bom, _ in _BOMS):
        raise ReadError(str(path), "binary file")


def load_text(path: Path, max_size: int = MAX_FILE_SIZE) -> str:
    """Read, check and decode a whole file (gzip transparently), honouring a page's declared charset.

    Not yet ``tidy``-ed: for HTML only the extracted text needs it, and that is much shorter.
    """
    data = read_bytes(path, max_size)
    check_text(path, data)
    text = decode(data, declared_charset(data))
    if not text.strip():
        raise ReadError(str(path), "empty file")
    return text
