"""Passages: the unit search returns, about 40-160 words, with character offsets into ``Article.body``.

Long paragraphs are split at sentence ends into near-equal pieces (a sentence longer than the limit is cut
at word boundaries); short pieces are merged with the next one (or the previous one at the end) as long
as the result stays within the limit. Pieces never leave the article, so a passage never mixes articles.
Every body character lies in exactly one passage, except whitespace between passages.
"""
from __future__ import annotations

import math
import re

from ..model import Passage, join_paragraphs, paragraph_spans
from .sentences import sentence_spans

MIN_WORDS = 40
MAX_WORDS = 160
_WORD = re.compile(r"\S+")


def _word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text, start, end)]


def _split_long(body: str, start: int, end: int, words: int, max_words: int, carry: int = 0) -> list[tuple[int, int, int]]:
    """Split body[start:end] (over ``max_words``) into near-equal pieces at sentence ends.

    ``carry`` words of a short piece before it will be merged into the first piece, so that piece is kept smaller.
    """
    target = (words + carry) / math.ceil((words + carry) / max_words)
    out: list[tuple[int, int, int]] = []
    cur_start: int | None = None
    cur_end = start
    cur_words = 0
    for s, e in sentence_spans(body, start, end):
        n = len(body[s:e].split())
        if n > max_words:  # one enormous sentence: flush, then cut it at word boundaries into equal parts
            if cur_start is not None:
                out.append((cur_start, cur_end, cur_words))
                cur_start, cur_words = None, 0
            ws = _word_spans(body, s, e)
            size = math.ceil(len(ws) / math.ceil(len(ws) / max_words))
            for k in range(0, len(ws), size):
                chunk = ws[k: k + size]
                out.append((chunk[0][0], chunk[-1][1], len(chunk)))
            carry = 0
            continue
        if cur_start is not None and (cur_words + carry + n > max_words or cur_words + carry >= target):
            out.append((cur_start, cur_end, cur_words))
            cur_start, cur_words, carry = None, 0, 0
        if cur_start is None:
            cur_start = s
        cur_end = e
        cur_words += n
    if cur_start is not None:
        out.append((cur_start, cur_end, cur_words))
    return out


def make_passages(paragraphs: list[str], min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> list[Passage]:
    """Passages over the body that ``paragraphs`` make when joined by blank lines."""
    body = join_paragraphs(paragraphs)
    merged: list[list[int]] = []  # [start, end, words], short ones merged with the next piece
    for p, (start, end) in zip(paragraphs, paragraph_spans(paragraphs)):
        words = len(p.split())
        carry = merged[-1][2] if merged and merged[-1][2] < min_words else 0
        pieces = _split_long(body, start, end, words, max_words, carry) if words > max_words else [(start, end, words)]
        for s, e, n in pieces:
            if merged and merged[-1][2] < min_words and merged[-1][2] + n <= max_words:
                merged[-1][1] = e
                merged[-1][2] += n
            elif n:
                merged.append([s, e, n])
    if len(merged) >= 2 and merged[-1][2] < min_words and merged[-2][2] + merged[-1][2] <= max_words:
        last = merged.pop()
        merged[-1][1] = last[1]
        merged[-1][2] += last[2]
    return [Passage(i, body[s:e], s, e) for i, (s, e, _) in enumerate(merged)]
