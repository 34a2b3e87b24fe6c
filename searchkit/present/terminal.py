"""Terminal rendering. Colour only on a TTY and never with NO_COLOR (https://no-color.org) or TERM=dumb.

Documents are hostile input: a field holding ``ESC]0;title BEL`` (window title), an OSC 8 hyperlink or an
OSC 52 clipboard write would act on the user's terminal if printed raw. Every piece of document text (and
every file name) goes through `printable` before it reaches a terminal; JSON output through `json_line`.

Long lines are wrapped at word boundaries to the terminal's width (``COLUMNS`` or the terminal's size,
80 when neither is known), indented under their result, with highlight spans carried onto the wrapped
lines, so that a name is never split across lines and colour codes never count as width.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
from typing import IO

import click

from ..ingest.walk import display_name
from ..model import Article, SearchResults
from .groups import group_hits

INDENT = "     "


# An escape sequence: OSC/DCS/SOS/PM/APC strings up to BEL or ST (or the end), CSI with its parameters, or
# ESC and one character; then any other C0 control (but tab and newline), DEL, and C1 controls.
_ESCAPES = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
_C1 = re.compile("[\x7f-\x9f\ud800-\udfff]")  # and lone surrogates, which cannot be written as UTF-8


def printable(text: str) -> str:
    """``text`` with every terminal control sequence and control character removed (tab and newline kept),
    and the undecodable bytes of a file name escaped (they could not be written to the terminal at all)."""
    return _ESCAPES.sub("", display_name(text)) if text else text


def json_line(obj) -> str:
    """One JSON line for a terminal or a pipe: C0 controls are escaped by json, C1 controls and DEL here
    (``ensure_ascii=False`` would print them raw, and some terminals act on C1 CSI/OSC), and lone surrogates."""
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(obj, ensure_ascii=False))


def use_color(stream: IO | None = None) -> bool:
    """True when ``stream`` (default stdout) is a terminal and neither NO_COLOR nor TERM=dumb is set."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def style(text: str, color: bool, **kw) -> str:
    return click.style(text, **kw) if color else text


def render_article(article: Article, color: bool = False) -> str:
    """A readable view of what the engine will index: fields, quotes, passages, dropped boilerplate."""
    out: list[str] = []
    label = lambda s: style(f"{s:<9}", color, fg="cyan")  # noqa: E731
    out.append(style(printable(article.path), color, bold=True))
    for name in ("headline", "date", "source", "author", "url"):
        value = getattr(article, name)
        out.append(f"  {label(name)}{printable(value) if value is not None else style('-', color, dim=True)}")
    out.append(f"  {label('id')}{printable(article.id)}")
    words = sum(len(p.split()) for p in article.paragraphs)
    out.append(f"  {label('body')}{len(article.paragraphs)} paragraphs, {words} words")
    if article.quotes:
        out.append(style(f"\n  Quotes ({len(article.quotes)})", color, bold=True))
        for q in article.quotes:
            who = printable(q.speaker) if q.speaker else style("(unattributed)", color, dim=True)
            where = style(f"[\u00b6{q.paragraph}]", color, dim=True)
            out.append(f"    {where} {who}: \u201c{printable(q.text)}\u201d")
    out.append(style(f"\n  Passages ({len(article.passages)})", color, bold=True))
    for p in article.passages:
        words = len(p.text.split())
        out.append(style(f"    [{p.index}] {words} words, chars {p.start}-{p.end}", color, fg="cyan"))
        out.append("      " + printable(p.text).replace("\n", "\n      "))
    if article.dropped:
        out.append(style(f"\n  Dropped as boilerplate ({len(article.dropped)})", color, bold=True))
        for line in article.dropped:
            out.append(style(f"    - {printable(line)}", color, dim=True))
    return "\n".join(out)


def highlight(text: str, spans: list[tuple[int, int]], color: bool) -> str:
    """``text`` with ``spans`` in bold colour (on a colour terminal only; plain text otherwise), control
    sequences removed piece by piece (so the spans still point at the right characters)."""
    if not color or not spans:
        return printable(text)
    out, pos = [], 0
    for s, e in spans:
        out.append(printable(text[pos:s]))
        out.append(click.style(printable(text[s:e]), bold=True, fg="yellow"))
        pos = e
    out.append(printable(text[pos:]))
    return "".join(out)


def _title(line: str, spans: list[tuple[int, int]], color: bool) -> str:
    """One line of a hit's (already printable) headline: bold, its matches bold and coloured like snippets."""
    if not color:
        return line
    out, pos = [], 0
    for s, e in spans:
        out.append(click.style(line[pos:s], bold=True) if s > pos else "")
        out.append(click.style(line[s:e], bold=True, fg="yellow"))
        pos = e
    out.append(click.style(line[pos:], bold=True) if pos < len(line) else "")
    return "".join(out)


def terminal_width() -> int:
    """Columns to wrap to: ``COLUMNS``, else the terminal's width, else 80 (never below 40)."""
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def wrap_spans(text: str, spans: list[tuple[int, int]], width: int) -> list[tuple[str, list[tuple[int, int]]]]:
    """``text`` (whitespace runs collapsed) as lines of at most ``width`` characters broken at spaces, each
    with the parts of ``spans`` that fall on it (offsets into that line). A word longer than ``width``
    gets a line of its own rather than being cut."""
    words: list[tuple[int, int]] = []  # [start, end) of each word in text
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        j = i
        while j < n and not text[j].isspace():
            j += 1
        if j > i:
            words.append((i, j))
        i = j
    lines: list[list[tuple[int, int]]] = []
    length = 0
    for w in words:
        size = w[1] - w[0]
        if lines and length + 1 + size <= width:
            lines[-1].append(w)
            length += 1 + size
        else:
            lines.append([w])
            length = size
    out = []
    for line in lines:
        pieces, pos, local = [], 0, []
        for s, e in line:
            for hs, he in spans:
                a, b = max(hs, s), min(he, e)
                if a < b:
                    local.append((pos + a - s, pos + b - s))
            pieces.append(text[s:e])
            pos += e - s + 1
        out.append((" ".join(pieces), local))
    return out


def _wrapped(text: str, spans: list[tuple[int, int]], color: bool, indent: str, width: int) -> list[str]:
    return [indent + highlight(line, local, color) for line, local in wrap_spans(text, spans, width - len(indent))]


def _outlet(ref: dict) -> str:
    """ "Outlet (2017-03-19)" for a copy or a first_seen article (its id when it has no source)."""
    name = printable(ref.get("source") or ref.get("id") or "?")
    return f"{name} ({printable(ref['date'])})" if ref.get("date") else name


def _copies_line(copies: list[dict]) -> str | None:
    """ "also in: Outlet A (2017-03-19), ..." for the copies a collapsed result stands for (`searchkit.dupes`)."""
    return "also in: " + ", ".join(_outlet(c) for c in copies) if copies else None


def _first_seen_line(first_seen: dict | None) -> str | None:
    """ "first seen in Outlet, 2017-03-19  [id]" for a passage an earlier story already had."""
    if not first_seen:
        return None
    f = first_seen
    where = ", ".join(x for x in (f.get("source") or f.get("id"), f.get("date")) if x)
    return printable(f"first seen in {where}  [{f.get('id')}]")


def render_groups(groups: list[dict], color: bool = False) -> str:
    """`searchkit dupes`: one block per group of copies, original first (a table: date, source, id, headline)."""
    if not groups:
        return "no copies found: every article is its own story"
    out: list[str] = []
    for n, g in enumerate(groups, 1):
        out.append(style(f"{n:>3}. one story, {g['size']} articles", color, bold=True))
        for k, a in enumerate(g["articles"]):
            role = "original" if k == 0 else "copy"
            out.append(f"     {role:<8} {printable(a.get('date') or '-'):<10}  "
                       f"{printable(a.get('source') or '-')[:24]:<24}  {printable(a['id'])}  "
                       f"{style(printable(a.get('headline') or ''), color, dim=True)}")
    n_art = sum(g["size"] for g in groups)
    out.append(style(f"{len(groups)} group{'s' * (len(groups) != 1)}, {n_art} articles", color, dim=True))
    return "\n".join(out)


def render_results(results: SearchResults, color: bool = False, width: int | None = None) -> str:
    """Search results for a person: rank, headline, source/date/author, snippet, suggestion, timing.

    An article's passages on this page are grouped under one heading (``searchkit.present.groups``);
    lines are wrapped to ``width`` columns (default: the terminal's).
    """
    width = width or terminal_width()
    out: list[str] = []
    for w in results.warnings:
        out.append(style(f"warning: {printable(w)}", color, fg="yellow"))
    if results.suggestion:
        mark = "" if results.suggestion.endswith("?") else "?"  # a question keeps its own mark: no "say??"
        out.append(f"Did you mean: {style(printable(results.suggestion), color, bold=True)}{mark}")
    for group in group_hits(results.hits):
        a = group.article
        first = group.hits[0]
        title = printable(a.headline or a.path or a.id)
        # the headline's matches (offsets into the headline: kept only when printing left it unchanged)
        marks = a.headline_highlights if a.headline and title == a.headline else []
        for i, (line, local) in enumerate(wrap_spans(title, marks, width - len(INDENT))):
            prefix = style(f"{first.rank:>3}.", color, fg="cyan") + " " if i == 0 else INDENT
            out.append(prefix + _title(line, local, color))
        single = len(group.hits) == 1
        where = f"[{a.id}" + (f"  passage {first.passage_index}]" if single else "]")
        meta = " · ".join(x for x in (a.source, a.date, a.author, where) if x)
        out.extend(style(line, color, dim=True) for line in _wrapped(meta, [], False, INDENT, width))
        also = _copies_line(first.copies)  # the article's copies: the same for each of its passages
        out.extend(style(line, color, dim=True) for line in _wrapped(also or "", [], False, INDENT, width))
        for hit in group.hits:
            if not single:  # which passage, and its own rank
                out.append(INDENT + style(f"passage {hit.passage_index} (#{hit.rank}):", color, fg="cyan"))
            out.extend(_wrapped(hit.snippet.text, hit.snippet.highlights, color, INDENT, width))
            seen = _first_seen_line(hit.first_seen)
            out.extend(style(line, color, dim=True) for line in _wrapped(seen or "", [], False, INDENT, width))
        out.append("")
    unit = "article" if results.unit == "article" else "result"
    plural = "" if results.total == 1 else "s"
    page = f", page {results.page} of {results.pages}" if results.pages > 1 or results.page > 1 else ""
    if results.page > results.pages:  # past the last page (the warning says so): never "page 99 of 3"
        page = f", {results.pages} page{'s' * (results.pages != 1)}"
    out.append(style(f"{results.total} {unit}{plural}{page} ({results.elapsed * 1000:.0f} ms)", color, dim=True))
    return "\n".join(out)
