"""Plain data classes that flow through the pipeline.

ingest -> RawDocument -> article -> Article (with Quote, Passage) -> index -> search -> SearchResults (with Hit, Snippet)

They carry data only; the behaviour lives in the pipeline modules, so that the CLI, the web app
and library users all see the same shapes. ``to_dict`` methods produce the documented JSON contracts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

PARAGRAPH_SEP = "\n\n"  # between the paragraphs of ``Article.body``; passage offsets count it


def join_paragraphs(paragraphs: Sequence[str]) -> str:
    """The body that ``paragraphs`` make: joined by blank lines, the text that passage offsets index."""
    return PARAGRAPH_SEP.join(paragraphs)


def paragraph_spans(paragraphs: Sequence[str]) -> list[tuple[int, int]]:
    """``[start, end)`` of each paragraph in `join_paragraphs` (the one place that knows the offsets), so the
    passage builder, the index (quotes onto passages) and the article page (anchors) map offsets alike."""
    spans, pos = [], 0
    for p in paragraphs:
        spans.append((pos, pos + len(p)))
        pos += len(p) + len(PARAGRAPH_SEP)
    return spans

MOSTLY_DROPPED = 0.5  # share of a file's words lost to boilerplate rules above which parse and index warn


@dataclass
class RawDocument:
    """What a reader hands to the article parser: text plus whatever metadata the format declared.

    ``text`` is Markdown-ish plain text with paragraphs separated by blank lines (HTML is already
    reduced to its main content). ``meta`` holds hints from the container (HTML <meta>, front matter,
    JSON fields): any of ``headline``, ``date``, ``author``, ``source``, ``url``. The article parser
    prefers them to what it can guess from the text.
    """

    id: str
    path: str
    text: str
    format: str  # "text" | "html" | "markdown" | "json"
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Quote:
    """Quoted speech found in the body; ``speaker`` is None when the text does not say who spoke."""

    text: str
    speaker: str | None
    paragraph: int  # index into Article.paragraphs

    def to_dict(self) -> dict[str, Any]:
        """The quote as JSON: text, speaker, paragraph."""
        return {"text": self.text, "speaker": self.speaker, "paragraph": self.paragraph}


@dataclass
class Passage:
    """The unit that search returns: a readable slice of one article's body."""

    index: int  # position within the article
    text: str
    start: int  # character offsets into Article.body
    end: int

    def to_dict(self) -> dict[str, Any]:
        """The passage as JSON: index, text, start, end."""
        return {"index": self.index, "text": self.text, "start": self.start, "end": self.end}


@dataclass
class Article:
    """A clean article: metadata, body paragraphs, quotes and passages; boilerplate kept aside."""

    id: str
    path: str
    headline: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    source: str | None = None
    author: str | None = None
    url: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # boilerplate lines removed, for inspection

    @property
    def body(self) -> str:
        return join_paragraphs(self.paragraphs)

    @property
    def dropped_share(self) -> float:
        """Share of the document's words that boilerplate rules removed (0 when there are none)."""
        dropped = sum(len(line.split()) for line in self.dropped)
        if not dropped:  # most articles: no need to count the kept words (every article is asked, when indexed)
            return 0.0
        kept = sum(len(p.split()) for p in self.paragraphs)
        return dropped / (dropped + kept)

    @property
    def mostly_dropped(self) -> bool:
        """More than half of the words went to boilerplate: worth a warning, since nothing else shows it."""
        return self.dropped_share > MOSTLY_DROPPED

    def to_dict(self) -> dict[str, Any]:
        """The `searchkit parse --json` object (plus id, dropped and offsets, which are extensions)."""
        return {
            "id": self.id,
            "path": self.path,
            "headline": self.headline,
            "date": self.date,
            "source": self.source,
            "author": self.author,
            "url": self.url,
            "body": self.body,
            "paragraphs": list(self.paragraphs),
            "quotes": [q.to_dict() for q in self.quotes],
            "passages": [p.to_dict() for p in self.passages],
            "dropped": list(self.dropped),
            "dropped_share": round(self.dropped_share, 3),
            "mostly_dropped": self.mostly_dropped,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Article":
        return cls(
            id=d["id"],
            path=d["path"],
            headline=d.get("headline"),
            date=d.get("date"),
            source=d.get("source"),
            author=d.get("author"),
            url=d.get("url"),
            paragraphs=list(d.get("paragraphs", [])),
            quotes=[Quote(q["text"], q.get("speaker"), q.get("paragraph", 0)) for q in d.get("quotes", [])],
            passages=[Passage(p["index"], p["text"], p["start"], p["end"]) for p in d.get("passages", [])],
            dropped=list(d.get("dropped", [])),
        )


@dataclass
class Snippet:
    """The best sentences of a passage, with highlight spans as [start, end) offsets into ``text``.

    One span model for all renderers: terminal (bold colour), HTML (<mark>), JSON (offsets).
    """

    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class ArticleRef:
    """The article fields a hit carries (the full article is one `Index.article(id)` away)."""

    id: str
    path: str
    headline: str | None
    date: str | None
    source: str | None
    author: str | None
    url: str | None = None  # for exports; not in the JSON, whose shape is a published contract
    # where the query matched the headline: [start, end) offsets into ``headline`` (issue 11 item 3)
    headline_highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The article fields of a hit as JSON (the ``article`` object of a search result)."""
        return {
            "id": self.id,
            "path": self.path,
            "headline": self.headline,
            "date": self.date,
            "source": self.source,
            "author": self.author,
            "headline_highlights": [[s, e] for s, e in self.headline_highlights],
        }


@dataclass
class Hit:
    rank: int
    score: float
    article: ArticleRef
    passage_index: int
    passage_text: str
    snippet: Snippet
    # searchkit.dupes: the other members of this article's copy group, earliest first ({"id","source","date",
    # "headline"} each), and the earliest other story holding this passage (None when this is the earliest)
    copies: list[dict[str, Any]] = field(default_factory=list)
    first_seen: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """One search result as JSON: rank, score, article, passage (text, snippet, highlight offsets)."""
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "article": self.article.to_dict(),
            "passage": {
                "index": self.passage_index,
                "text": self.passage_text,
                "snippet": self.snippet.text,
                "highlights": [[s, e] for s, e in self.snippet.highlights],
                "first_seen": self.first_seen,
            },
            "copies": list(self.copies),
        }


@dataclass
class SearchResults:
    """One page of results. ``to_dict`` is the stable JSON contract of `searchkit search --json`."""

    query: str
    total: int
    page: int
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # e.g. the part of a query that could not be parsed
    elapsed: float = 0.0  # seconds
    limit: int = 10
    unit: str = "passage"
    # filter -> the exact facet values what was typed matched (`searchkit.results.filters.resolve`)
    filters: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1

    def to_dict(self) -> dict[str, Any]:
        """The `searchkit search --json` object: query, total, page, suggestion, facets, results, warnings..."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "suggestion": self.suggestion,
            "facets": self.facets,
            "results": [h.to_dict() for h in self.hits],
            "warnings": list(self.warnings),
            "unit": self.unit,
            "limit": self.limit,
            "elapsed_ms": round(self.elapsed * 1000, 1),
            "filters": {k: list(v) for k, v in self.filters.items()},
        }
