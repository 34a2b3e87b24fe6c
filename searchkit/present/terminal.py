"""Terminal rendering. Colour only on a TTY and never with NO_COLOR (https://no-color.org)."""
from __future__ import annotations

import os
import sys
from typing import IO

import click

from ..model import Article, SearchResults


def use_color(stream: IO | None = None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
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
    out.append(style(article.path, color, bold=True))
    for name in ("headline", "date", "source", "author", "url"):
        value = getattr(article, name)
        out.append(f"  {label(name)}{value if value is not None else style('-', color, dim=True)}")
    out.append(f"  {label('id')}{article.id}")
    words = sum(len(p.split()) for p in article.paragraphs)
    out.append(f"  {label('body')}{len(article.paragraphs)} paragraphs, {words} words")
    if article.quotes:
        out.append(style(f"\n  Quotes ({len(article.quotes)})", color, bold=True))
        for q in article.quotes:
            who = q.speaker or style("(unattributed)", color, dim=True)
            where = style(f"[\u00b6{q.paragraph}]", color, dim=True)
            out.append(f"    {where} {who}: \u201c{q.text}\u201d")
    out.append(style(f"\n  Passages ({len(article.passages)})", color, bold=True))
    for p in article.passages:
        words = len(p.text.split())
        out.append(style(f"    [{p.index}] {words} words, chars {p.start}-{p.end}", color, fg="cyan"))
        out.append("      " + p.text.replace("\n", "\n      "))
    if article.dropped:
        out.append(style(f"\n  Dropped as boilerplate ({len(article.dropped)})", color, bold=True))
        for line in article.dropped:
            out.append(style(f"    - {line}", color, dim=True))
    return "\n".join(out)


def highlight(text: str, spans: list[tuple[int, int]], color: bool) -> str:
    """``text`` with ``spans`` in bold colour (on a colour terminal only; plain text otherwise)."""
    if not color or not spans:
        return text
    out, pos = [], 0
    for s, e in spans:
        out.append(text[pos:s])
        out.append(click.style(text[s:e], bold=True, fg="yellow"))
        pos = e
    out.append(text[pos:])
    return "".join(out)


def _outlet(ref: dict) -> str:
    """ "Outlet (2017-03-19)" for a copy or a first_seen article (its id when it has no source)."""
    name = ref.get("source") or ref.get("id") or "?"
    return f"{name} ({ref['date']})" if ref.get("date") else name


def _provenance_lines(hit) -> list[str]:
    """ "also in: ..." (the copies a collapsed result stands for) and "first seen in ..." (a reused passage)."""
    lines = []
    if hit.copies:
        lines.append("also in: " + ", ".join(_outlet(c) for c in hit.copies))
    if hit.first_seen:
        f = hit.first_seen
        where = ", ".join(x for x in (f.get("source") or f.get("id"), f.get("date")) if x)
        lines.append(f"first seen in {where}  [{f.get('id')}]")
    return lines


def render_groups(groups: list[dict], color: bool = False) -> str:
    """`searchkit dupes`: one block per group of copies, original first (a table: date, source, id, headline)."""
    if not groups:
        return "no copies found: every article is its own story"
    out: list[str] = []
    for n, g in enumerate(groups, 1):
        out.append(style(f"{n:>3}. one story, {g['size']} articles", color, bold=True))
        for k, a in enumerate(g["articles"]):
            role = "original" if k == 0 else "copy"
            out.append(f"     {role:<8} {a.get('date') or '-':<10}  {(a.get('source') or '-')[:24]:<24}  "
                       f"{a['id']}  {style(a.get('headline') or '', color, dim=True)}")
    n_art = sum(g["size"] for g in groups)
    out.append(style(f"{len(groups)} group{'s' * (len(groups) != 1)}, {n_art} articles", color, dim=True))
    return "\n".join(out)


def render_results(results: SearchResults, color: bool = False) -> str:
    """Search results for a person: rank, headline, source/date/author, snippet, suggestion, timing."""
    out: list[str] = []
    for w in results.warnings:
        out.append(style(f"warning: {w}", color, fg="yellow"))
    if results.suggestion:
        out.append(f"Did you mean: {style(results.suggestion, color, bold=True)}?")
    for hit in results.hits:
        a = hit.article
        title = a.headline or a.path or a.id
        out.append(f"{style(f'{hit.rank:>3}.', color, fg='cyan')} {style(title, color, bold=True)}")
        meta = " · ".join(x for x in (a.source, a.date, a.author) if x)
        where = f"{a.id}  passage {hit.passage_index}"
        out.append("     " + style(f"{meta}  [{where}]" if meta else f"[{where}]", color, dim=True))
        out.append("     " + highlight(hit.snippet.text, hit.snippet.highlights, color).replace("\n", " "))
        out += [style("     " + line, color, dim=True) for line in _provenance_lines(hit)]
        out.append("")
    unit = "article" if results.unit == "article" else "result"
    plural = "" if results.total == 1 else "s"
    page = f", page {results.page} of {results.pages}" if results.pages > 1 or results.page > 1 else ""
    out.append(style(f"{results.total} {unit}{plural}{page} ({results.elapsed * 1000:.0f} ms)", color, dim=True))
    return "\n".join(out)
