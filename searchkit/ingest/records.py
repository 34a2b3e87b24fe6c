"""JSON and JSON Lines exports: one article per record, a warning (ReadError value) per unusable record.

JSONL is streamed line by line, so a 1 GB export costs one line of memory; a .json file must be parsed
whole and is held to the per-file size limit.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

from ..errors import ReadError
from ..model import RawDocument
from .fields import ID_FIELDS, TEXT_FIELDS, as_string, meta_from
from .load import MAX_FILE_SIZE, check_text, decode, is_binary, iter_lines, load_text, read_head, tidy

_CONTAINER_KEYS = ("articles", "items", "records", "documents", "docs", "data", "results")


def _text_of(record: dict[str, Any]) -> str | None:
    lower = {str(k).lower(): v for k, v in record.items()}
    for key in TEXT_FIELDS:
        value = lower.get(key)
        if isinstance(value, list):  # a list of paragraphs
            value = "\n\n".join(v for v in value if isinstance(v, str))
        if isinstance(value, str) and value.strip():
            return value
    return None


def record_document(record: Any, label: str, path: Path, base_id: str, number: int) -> RawDocument | ReadError:
    """One decoded record as a RawDocument, or the warning that explains why it was skipped."""
    if not isinstance(record, dict):
        return ReadError(str(path), f"{label}: not a JSON object")
    text = _text_of(record)
    if text is None:
        return ReadError(str(path), f"{label}: no text (expected one of: {', '.join(TEXT_FIELDS)})")
    from .html import looks_like_html, to_markdown  # an HTML body field keeps its structure as Markdown

    text = tidy(to_markdown(text) if looks_like_html(text, min_closing_tags=1) else text).strip()
    lower = {str(k).lower(): v for k, v in record.items()}
    doc_id = next((v for v in (as_string(lower.get(k)) for k in ID_FIELDS) if v), None) or f"{base_id}#{number}"
    return RawDocument(id=doc_id, path=str(path), text=text, format="json", meta=meta_from(record))


def _json_problem(e: json.JSONDecodeError) -> str:
    return f"{e.msg.removesuffix(' at').lower()} at column {e.colno}"


def _parse_line(raw: str, label: str, path: Path) -> Any:
    try:
        return json.loads(raw.rstrip("\r\n"))
    except json.JSONDecodeError as e:
        return ReadError(str(path), f"{label}: invalid JSON: {_json_problem(e)}")
    except RecursionError:
        return ReadError(str(path), f"{label}: JSON nested too deeply")


def _line_document(lineno: int, raw: str, path: Path, base_id: str) -> RawDocument | ReadError:
    label = f"line {lineno}"
    record = _parse_line(raw, label, path)
    return record if isinstance(record, ReadError) else record_document(record, label, path, base_id, lineno)


_RECORD_START = re.compile(rb"(?:\A|\n)[ \t\r]*(?:\xef\xbb\xbf)?[{\[]")


def read_jsonl(path: Path, base_id: str, max_size: int = MAX_FILE_SIZE) -> Iterator[RawDocument | ReadError]:
    """Stream a JSON Lines file (plain or gzip); blank lines are ignored, each bad line is one warning.

    Lines are judged one by one: a NUL byte or binary junk in one line loses that line only; a file is
    refused as binary only when its first few KB hold no line that starts like JSON. A file that is one JSON
    array (``[{...}, {...}]``, on one line or pretty-printed) is read as a .json file would be.
    """
    head = read_head(path)
    if not _RECORD_START.search(head):
        check_text(path, head)  # binary or empty: the whole file fails, before any record
    if head.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b"["):
        yield from read_json(path, base_id, max_size)
        return
    started = warned = False
    for lineno, line in iter_lines(path, max_size):
        if isinstance(line, ReadError):
            warned = True
            yield line
            continue
        if is_binary(line):
            started = True
            yield ReadError(str(path), f"line {lineno}: binary data (NUL or control bytes), not JSON")
            continue
        raw = decode(line)
        if not raw.strip():
            continue
        started = True
        yield _line_document(lineno, raw, path, base_id)
    if not started and not warned:
        raise ReadError(str(path), "empty file")


def read_json(path: Path, base_id: str, max_size: int = MAX_FILE_SIZE) -> Iterator[RawDocument | ReadError]:
    """A .json file: one object, a list of objects, or {"articles": [...]}; JSON Lines content is accepted too."""
    text = tidy(load_text(path, max_size))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data":  # several top-level values: it is really JSON Lines
            for lineno, raw in enumerate(text.split("\n"), 1):
                if raw.strip():
                    yield _line_document(lineno, raw, path, base_id)
            return
        raise ReadError(str(path), f"invalid JSON: {_json_problem(e)}, line {e.lineno}") from None
    except RecursionError:
        raise ReadError(str(path), "JSON nested too deeply") from None
    if isinstance(data, dict) and _text_of(data) is None:
        data = next((data[k] for k in _CONTAINER_KEYS if isinstance(data.get(k), list)), data)
    if isinstance(data, dict):
        yield record_document(data, "record 1", path, base_id, 1)
        return
    if not isinstance(data, list):
        raise ReadError(str(path), "JSON is neither an object nor a list of objects")
    if not data:
        raise ReadError(str(path), "empty file (no records)")
    for i, record in enumerate(data, 1):
        yield record_document(record, f"record {i}", path, base_id, i)
