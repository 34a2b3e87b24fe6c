"""Passages: the unit search returns, about 40-160 words, with character offsets into ``Article.body``.

Long paragraphs are split at sentence ends into near-equal pieces (a sentence longer than the limit is cut
at word boundaries); short pieces are merged with the next one (or the previous one at the end) as long
as the result stays within the limit. Pieces never leave the article, so a passage never mixes articles.
Every body character lies in exactly one passage, except whitespace between passages.
"""
from __future__ import annotations

import math
import re

from ..model import Passage
from .sentences import sentence_spans

MIN_WORDS = 40
MAX_WORDS = 160
_WORD = re.compile(r"\S+")


def _word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text, start, end)]


def _split_long(body: str, start: int, end: int, words: int, max_words: int) -> list[tuple[int, int, int]]:
    """Split body[start:end] (over ``max_words``) into pieces of near-equal size at sentence ends."""
    pieces_needed = math.ceil(words / max_words)
    target = words / pieces_needed
    out: list[tuple[int, int, int]] = []
    cur_start: int | None = None
    cur_end = start
    cur_words = 0
    for s, e in sentence_spans(body, start, end):
        n = len(body[s:e].split())
        if n > max_words:  # one enormous sentence: flush, then cut it at word boundaries
            if cur_start is not None:
                out.append((cur_start, cur_end, cur_words))
                cur_start, cur_words = None, 0
            ws = _word_spans(body, s, e)
            for k in range(0, len(ws), max_words):
                chunk = ws[k: k + max_words]
                out.append((chunk[0][0], chunk[-1][1], len(chunk)))
            continue
        if cur_start is not None and (cur_words + n > max_words or cur_words >= target):
            out.append((cur_start, cur_end, cur_words))
            cur_start, cur_words = None, 0
        if cur_start is None:
            cur_start = s
        cur_end = e
        cur_words += n
    if cur_start is not None:
        out.append((cur_start, cur_end, cur_words))
    return out


def make_passages(paragraphs: list[str], min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> list[Passage]:
    """Passages over the body that ``paragraphs`` make when joined by blank lines."""
    body = "\n\n".join(paragraphs)
    pieces: list[tuple[int, int, int]] = []
    offset = 0
    for p in paragraphs:
        start, end = offset, offset + len(p)
        words = len(p.split())
        if words > max_words:
            pieces.extend(_split_long(body, start, end, words, max_words))
        elif words:
            pieces.append((start, end, words))
        offset = end + 2
    merged: list[list[int]] = []
    for s, e, n in pieces:
        if merged and merged[-1][2] < min_words and merged[-1][2] + n <= max_words:
            merged[-1][1] = e
            merged[-1][2] += n
        else:
            merged.append([s, e, n])
    if len(merged) >= 2 and merged[-1][2] < min_words and merged[-2][2] + merged[-1][2] <= max_words:
        last = merged.pop()
        merged[-1][1] = last[1]
        merged[-1][2] += last[2]
    return [Passage(i, body[s:e], s, e) for i, (s, e, _) in enumerate(merged)]
