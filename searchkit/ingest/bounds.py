"""Bounds on the work one article may cause, so that peak memory is capped for any file under the size limit.

Why: the size limit alone does not bound memory. Parsing, passages and analysis cost far more per byte on
hostile shapes than on prose (a 5 MB run of one letter took 637 MB; 2M short lines 325 MB), so the text a
reader hands on is cut to sizes no news article reaches: no "word" (run of non-space characters) longer
than ``MAX_TOKEN_CHARS``, at most ``MAX_LINES`` lines and ``MAX_WORDS`` words per article. What is cut is
said in a warning (a ReadError value) — never silently dropped. ``bench/memory.py`` measures the result.
"""
from __future__ import annotations

import re

MAX_TOKEN_CHARS = 1000  # longer than any URL worth reading; a longer run of non-space is cut to this
MAX_LINES = 100_000  # lines per article (a long news article has a few hundred)
MAX_WORDS = 100_000  # words per article (a long news feature has ~10,000)
MAX_HTML_CHARS = 8 * 1024 * 1024  # characters of markup handed to main-content extraction (~40 bytes of RSS each)
MAX_HTML_TAGS = 100_000  # tags handed to extraction: its time and memory grow with elements (a news page has ~2,000)

_LONG_TOKEN = re.compile(r"\S{%d,}" % (MAX_TOKEN_CHARS + 1))
_WORD = re.compile(r"\S+")


def _nth(text: str, pattern: re.Pattern, n: int) -> int | None:
    """End offset of the ``n``-th match of ``pattern`` (None when there are fewer): O(n), not O(len)."""
    for i, m in enumerate(pattern.finditer(text), 1):
        if i == n:
            return m.end()
    return None


def _cut_lines(text: str) -> int | None:
    """Where the ``MAX_LINES``-th line ends, or None when the text has fewer lines."""
    if text.count("\n", 0, len(text)) < MAX_LINES:
        return None
    pos = -1
    for _ in range(MAX_LINES):
        pos = text.find("\n", pos + 1)
    return pos


def bound_text(text: str) -> tuple[str, str | None]:
    """``text`` within the bounds, and a one-line note of what was cut (None when nothing was)."""
    notes = []
    if len(text) > MAX_TOKEN_CHARS and _LONG_TOKEN.search(text):
        text = _LONG_TOKEN.sub(lambda m: m.group()[:MAX_TOKEN_CHARS], text)
        notes.append(f"words longer than {MAX_TOKEN_CHARS:,} characters cut to that length")
    cut = _cut_lines(text)
    if cut is not None:
        text = text[:cut]
        notes.append(f"only the first {MAX_LINES:,} lines kept")
    if len(text) > MAX_WORDS:  # fewer characters than the limit cannot hold more words
        end = _nth(text, _WORD, MAX_WORDS)
        if end is not None and text[end:].strip():
            text = text[:end]
            notes.append(f"only the first {MAX_WORDS:,} words kept")
    return text, ("; ".join(notes) + " (the rest is not indexed)") if notes else None


def bound_html(html: str) -> tuple[str, str | None]:
    """Markup cut to ``MAX_HTML_CHARS`` and ``MAX_HTML_TAGS`` before extraction (the parser repairs the cut),
    and a note if it was."""
    notes = []
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
        notes.append(f"its first {MAX_HTML_CHARS // (1024 * 1024)} MB")
    if html.count("<") > MAX_HTML_TAGS:
        pos = -1
        for _ in range(MAX_HTML_TAGS):
            pos = html.find("<", pos + 1)
        html = html[:pos]
        notes.append(f"its first {MAX_HTML_TAGS:,} tags")
    if not notes:
        return html, None
    return html, f"page cut to {' and '.join(notes)} of markup before extraction (the rest is not indexed)"
