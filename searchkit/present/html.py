"""HTML rendering of the span model: ``<mark>`` around highlight spans, every piece of text escaped.

Documents and queries are hostile input, so nothing here ever marks document text as safe: each
segment goes through ``markupsafe.escape`` and only the ``<mark>`` tags we add are markup. The
terminal renderer (``present/terminal.py``) and the JSON offsets are the two other views of the
same ``[start, end)`` spans.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from markupsafe import Markup, escape

from ..model import Article, Snippet, paragraph_spans


def highlight_html(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """``text`` escaped, with ``<mark>`` around each ``[start, end)`` span.

    Spans are clipped to the text; overlapping or unsorted spans are tolerated (sorted, and a span
    starting inside the previous one is merged into it) so a renderer can never emit broken markup.
    """
    out: list[Markup] = []
    pos = 0
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans):
        start = max(start, pos)
        if end <= start:
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>%s</mark>") % text[start:end])
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def snippet_html(snippet: Snippet) -> Markup:
    """A search hit's snippet as HTML with its highlights marked."""
    return highlight_html(snippet.text, snippet.highlights)


@dataclass
class ParagraphView:
    """One body paragraph ready for a template: highlighted HTML plus the passage anchors it carries."""

    html: Markup
    anchors: list[int] = field(default_factory=list)  # indexes of the passages that start in this paragraph
    passages: list[int] = field(default_factory=list)  # indexes of all the passages it is part of


Highlighter = Callable[[str], Iterable[tuple[int, int]]]


def article_paragraphs(article: Article, spans_for: Highlighter | None = None) -> list[ParagraphView]:
    """The article's paragraphs with the query's words marked and ``#p<index>`` anchors for its passages.

    Passages carry character offsets into ``Article.body`` (paragraphs joined by blank lines); each
    passage's anchor goes on the paragraph where it starts, so a link to ``#p3`` scrolls to passage 3,
    and every paragraph lists the passages it belongs to, so the page can mark the whole passage.
    ``spans_for`` gives the highlight spans of a text (from the search library, which analyses words
    exactly as the index did); without it nothing is marked.
    """
    starts = [s for s, _ in paragraph_spans(article.paragraphs)]
    views = [ParagraphView(highlight_html(p, spans_for(p) if spans_for else ())) for p in article.paragraphs]
    if not views:
        return views
    for passage in article.passages:
        first = _paragraph_at(starts, passage.start)
        last = _paragraph_at(starts, max(passage.start, passage.end - 1))
        views[first].anchors.append(passage.index)
        for view in views[first:last + 1]:
            view.passages.append(passage.index)
    return views


def _paragraph_at(starts: list[int], offset: int) -> int:
    """Index of the paragraph containing body offset ``offset`` (the last whose start is <= offset)."""
    from bisect import bisect_right

    return max(0, bisect_right(starts, offset) - 1)


def query_marks(index, query: str) -> tuple[Highlighter | None, Callable[[str | None], Markup]]:
    """For the article page: (spans of the query's matches in any body text or quote of ``index``'s articles,
    or None when nothing is to be marked; the headline as HTML with its matches marked).

    The matching is the search library's own (`searchkit.results.highlight.highlighter`), so the article page
    marks exactly what snippets and ``headline_highlights`` mark (``talks`` for ``talk``, ``Hanif`` for
    ``Haneef``, a phrase only where it occurs).
    """
    from ..results.highlight import highlighter

    h = highlighter(index, query)
    if h is None:
        return None, lambda headline: escape(headline or "")
    return h.spans, lambda headline: highlight_html(headline or "", h.headline_spans(headline))
