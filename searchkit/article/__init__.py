"""Article: turn a RawDocument into a clean Article (metadata, body, quotes, passages).

Contract: ``build_article(raw: RawDocument) -> Article``. Placeholder until the parser lands.
"""
from __future__ import annotations

from ..model import Article, Passage, RawDocument


def build_article(raw: RawDocument) -> Article:
    paragraphs = [p.strip() for p in raw.text.split("\n\n") if p.strip()]
    art = Article(id=raw.id, path=raw.path, paragraphs=paragraphs, **{k: raw.meta.get(k) for k in ("headline", "date", "author", "source", "url")})
    offset = 0
    for i, p in enumerate(paragraphs):
        art.passages.append(Passage(i, p, offset, offset + len(p)))
        offset += len(p) + 2
    return art
