"""`build_article`: the steps of the article parser run in order on one RawDocument (see the package docstring)."""
from __future__ import annotations

from ..model import Article, Quote, RawDocument
from . import boilerplate, bylines, dates, headline, paragraphs, passages, quotes
from .plausible import plausible_author, plausible_source, plausible_speaker


def _meta(raw: RawDocument, key: str) -> str | None:
    value = raw.meta.get(key)
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value if v)
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None


def _checked_speakers(found: list[Quote]) -> list[Quote]:
    """Speakers that do not look like a name or a role ("Now", "your needs") become None."""
    for q in found:
        q.speaker = plausible_speaker(q.speaker)
    return found


def build_article(raw: RawDocument) -> Article:
    """Parse one document: headline, date, source, author, clean paragraphs, quotes and passages."""
    units = paragraphs.split_units(raw.text)
    meta_source = _meta(raw, "source")
    meta_source = bylines.clean_source(meta_source) if meta_source else None
    meta_author = _meta(raw, "author")
    meta_headline = _meta(raw, "headline")
    found = headline.find_headline(units, boilerplate.repeated_lines(units))
    if meta_headline:
        title = headline.clean_headline(meta_headline, meta_source)
        where = headline.locate(units, title)
        span = range(*where) if where else range(0)
    elif found:
        span, title = range(found[0], found[1]), found[2]
    else:
        span, title = range(0), None
    layout = boilerplate.classify(units, span)
    if title is not None:
        title = headline.clean_headline(title, meta_source)
    head = units[: layout.tail]
    return Article(
        id=raw.id,
        path=raw.path,
        headline=title or None,
        date=dates.normalize_date(raw.meta.get("date")) or dates.article_date([u for i, u in enumerate(head) if i not in span]),
        source=plausible_source(meta_source or bylines.find_source(units, layout.body, layout.dropped)),
        author=plausible_author((bylines.clean_author(meta_author) if meta_author else None) or bylines.find_author(head)),
        url=_meta(raw, "url"),
        paragraphs=layout.body,
        quotes=_checked_speakers(quotes.find_quotes(layout.body)),
        passages=passages.make_passages(layout.body),
        dropped=layout.dropped,
    )
