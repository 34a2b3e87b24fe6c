"""The groups document (``dupes.json``): what search reads of the copy groups, built from a grouping result.

Its shape: ``{"version", "stamp", "groups": [[article id, ...], ...], "articles": {id: {"id", "source",
"date", "headline"}}, "first_seen": {article id: {passage index: article id}}}``, groups original first.

`groups_document` gives it as an object (the OpenSearch engine keeps it in memory); `write_groups_document`
writes the same JSON text in pieces, one article's provenance at a time: at 100k articles (bench corpus) the
object held 306k provenance entries (~100 MB in dicts and strings, the largest step of the indexer's copy-group
pass), and its text another 13.5 MB before compression. Both walk the same `_document_head` and
`_provenance_by_article`, so the text is the same as ``json.dumps`` of the object (``tests/dupes`` checks it).
"""
from __future__ import annotations

import json
from typing import IO, Any, Iterator, Sequence

from ..arrays import run_starts
from . import grouping

WRITE_EVERY = 4096  # provenance entries joined into one write


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _document_head(meta: Sequence[list[Any]], result: "grouping.Result",
                   stamp: str | None) -> tuple[dict[str, Any], dict[int, list[Any]]]:
    """The document without ``first_seen``, and the metadata rows it names (each decoded once), by row."""
    named = {i for g in result.groups for i in g} | set(result.first_seen.sources.tolist())
    rows = {i: meta[i] for i in sorted(named)}
    head = {
        "version": 1,
        "stamp": stamp,
        "groups": [[rows[i][0] for i in g] for g in result.groups],
        "articles": {r[0]: {"id": r[0], "source": r[4], "date": r[3], "headline": r[5]} for r in rows.values()},
    }
    return head, rows


def _provenance_by_article(meta: Sequence[list[Any]], found: "grouping.Provenance",
                           rows: dict[int, list[Any]]) -> Iterator[tuple[str, dict[str, str]]]:
    """(article id, {passage index: source article id}) of each article with provenance, in row order."""
    starts = run_starts(found.rows).tolist()
    ends = starts[1:] + [len(found)]
    for lo, hi in zip(starts, ends):
        row = int(found.rows[lo])
        article_id = (rows.get(row) or meta[row])[0]
        yield article_id, {str(p): rows[s][0] for p, s in zip(found.passages[lo:hi].tolist(),
                                                              found.sources[lo:hi].tolist())}


def groups_document(meta: Sequence[list[Any]], result: "grouping.Result", stamp: str | None) -> dict[str, Any]:
    """The document as an object (``meta``: each article row's ``[id, file, path, date, source, headline]``)."""
    head, rows = _document_head(meta, result, stamp)
    head["first_seen"] = dict(_provenance_by_article(meta, result.first_seen, rows))
    return head


def write_groups_document(out: IO[bytes], meta: Sequence[list[Any]], result: "grouping.Result",
                          stamp: str | None) -> None:
    """Write ``json.dumps(groups_document(...))`` (compact, UTF-8) to ``out`` without building the object."""
    head, rows = _document_head(meta, result, stamp)
    text = _dumps(head)
    parts = [text[:-1], ',"first_seen":{']
    for k, (article_id, passages) in enumerate(_provenance_by_article(meta, result.first_seen, rows)):
        parts.append(("," if k else "") + _dumps(article_id) + ":" + _dumps(passages))
        if len(parts) >= WRITE_EVERY:
            out.write("".join(parts).encode("utf-8"))
            parts = []
    parts.append("}}")
    out.write("".join(parts).encode("utf-8"))
