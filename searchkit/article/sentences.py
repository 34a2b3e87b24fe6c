"""Sentence boundaries, shared by quote attribution and passage splitting.

A full-stop is a sentence end only when it is followed by space and a capital, digit or quote mark,
and the word before it is not an abbreviation ("U.S.", "Gen.", "Sept.") — so that "a U.S. Department
of State spokesman said" stays one sentence. Linear time: one regex scan, no backtracking. Snippets cut
their own, shorter sentences (`searchkit.results.snippets`, which says why).
"""
from __future__ import annotations

import re
from typing import Iterator

ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen col lt capt sgt maj adm gov sen rep st jr sr inc ltd co corp no vs etc "
    "jan feb mar apr jun jul aug sep sept oct nov dec approx dept est fig vol".split()
)

_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“”‘(\[A-Z0-9])|[.!?]+[\"'”’)\]]*\s*$")


def is_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at ``dot`` closes an abbreviation or an initial, not a sentence."""
    if text[dot] != ".":
        return False
    start = dot
    while start > 0 and not text[start - 1].isspace() and dot - start < 20:
        start -= 1
    word = text[start:dot].strip("(\"'“‘")
    if not word:
        return False
    if len(word) == 1 and word.isupper():  # an initial: "John F. Kennedy"
        return True
    if "." in word and len(word) <= 6:  # "U.S", "a.m"
        return True
    return word.lower() in ABBREVIATIONS


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each sentence in ``text[start:end]``, trimmed of surrounding whitespace."""
    end = len(text) if end is None else end
    pos = start
    for m in _END.finditer(text, start, end):
        if is_abbreviation(text, m.start()):
            continue
        s, e = _trim(text, pos, m.end())
        if s < e:
            yield s, e
        pos = m.end()
    s, e = _trim(text, pos, end)
    if s < e:
        yield s, e


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
