"""Terminal rendering. Colour only on a TTY and never with NO_COLOR (https://no-color.org)."""
from __future__ import annotations

import os
import sys
from typing import IO

import click

from ..model import Article


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
