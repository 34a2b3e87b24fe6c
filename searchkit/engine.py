"""The engine seam: what the layers above (results, web, CLI) need from the storage engine.

`Engine` is the whole contract; `searchkit.index.Index` (whoosh, embedded) is its first implementation, and a
second engine (OpenSearch, issue 17) implements the same methods. Above the seam nothing names whoosh:

- the values crossing it are searchkit's own (`Filters`, `RankedHit`, `Ranked`, `Article`, `IndexReport`,
  plain dicts and strings);
- one exception: ``ParsedQuery.query`` and ``Ranked.query`` hold the query *tree* built by `searchkit.query`
  (whoosh's query classes plus `searchkit.query.nodes.CoordOr`). That tree is the query language's output;
  an engine that is not whoosh translates it into its own queries (term, phrase, prefix, fuzzy, and/or/not,
  per-field boosts, coordination), and `searchkit.results` only reads it through `searchkit.query`
  (highlighting);
- ranking parameters travel as `searchkit.settings.Settings`.

Writes are file-based (`add` walks paths; new and changed files replace their articles, vanished files are
removed) and serialised by the engine: a second writer gets `IndexLockedError`; a rebuild swaps generations
atomically so readers never see a half-built index.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Iterator, Protocol

from .model import Article
from .query.parser import ParsedQuery
from .settings import Settings


@dataclass(frozen=True)
class Filters:
    """Exact facet values and an inclusive date range that every hit must satisfy (None = no constraint).

    ``source`` / ``speaker``: the exact facet values allowed (any of them), as a tuple; a single string is
    accepted and becomes a one-value tuple (what library callers pass). `searchkit.results.filters.resolve`
    turns what a person typed ("ariana news", "lavrov") into these exact values, so every engine only ever
    matches exact values.

    ``collapse_copies``: of each group of copies (the same story republished, `searchkit.dupes`) only the
    best-ranked member's passages count, for the hits, the total and the facets alike. An engine that keeps no
    copy groups has nothing to collapse and ignores it.
    """

    source: tuple[str, ...] | str | None = None
    speaker: tuple[str, ...] | str | None = None
    since: datetime | None = None  # first instant allowed
    until: datetime | None = None  # last instant allowed
    collapse_copies: bool = True

    def __post_init__(self) -> None:
        for name in ("source", "speaker"):
            value = getattr(self, name)
            values = (value,) if isinstance(value, str) else tuple(value or ())
            object.__setattr__(self, name, tuple(v for v in values if v and v.strip()) or None)  # blank: none


@dataclass
class RankedHit:
    """One ranked passage (or, in article mode, an article's best passage) and its stored article."""

    score: float
    passage_index: int
    path: str  # the source file as indexed
    article: dict[str, Any]  # ``Article.to_dict()`` as stored at indexing time
    # copy groups (engines that keep them): the other members of this article's group, earliest first
    # ({"id", "source", "date", "headline"} each), and the earliest other story holding this passage
    copies: list[dict[str, Any]] = field(default_factory=list)
    first_seen: dict[str, Any] | None = None


FACET_NAMES = ("source", "year", "speaker")  # the facets every engine counts (keys of `Ranked.facets`)


@dataclass
class Ranked:
    """One page of an engine's answer to a parsed query."""

    query: Any  # the query tree as run (expansions applied), for highlighting through `searchkit.query`
    total: int = 0  # matching passages (passage mode) or articles (article mode)
    hits: list[RankedHit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # facet -> value -> matching articles


class Engine(Protocol):
    """A searchkit index as the layers above use it (see the module docstring)."""

    settings: Settings  # this index's default ranking settings

    def add(self, paths: Iterable[str | os.PathLike], *, jobs: int | None = None, rebuild: bool = False,
            strict: bool = False, progress: Any = None, follow_links: bool = False) -> Any:
        """Index, re-index or drop the articles of the files under ``paths``; an `IndexReport`. Symbolic
        links leading out of a folder given are skipped unless ``follow_links``."""

    def parse(self, text: str, settings: Settings) -> ParsedQuery:
        """``text`` in the query language, with prefix/fuzzy terms expanded against this index's vocabulary."""

    def run(self, parsed: ParsedQuery, filters: Filters, *, unit: str, offset: int, limit: int,
            settings: Settings) -> Ranked:
        """Rank every match of ``parsed`` within ``filters``; hits ``offset`` to ``offset + limit``; facets."""

    def all_ranked(self, parsed: ParsedQuery, filters: Filters, *, unit: str, settings: Settings) -> Iterator[RankedHit]:
        """Every match of ``parsed`` within ``filters``, best first, one at a time (memory stays flat however
        many there are); in article mode ordered by best passage (no whole-article re-ranking)."""

    def article_ids(self, parsed: ParsedQuery, filters: Filters, settings: Settings) -> set[str]:
        """The ids of every article matching ``parsed`` within ``filters`` (what saved searches compare)."""

    def count(self, parsed: ParsedQuery, filters: Filters, settings: Settings) -> int:
        """How many passages match ``parsed`` within ``filters``: no ranking, no facets, no stored fields (what
        checking a did-you-mean before offering it needs)."""

    def facet_values(self, name: str) -> list[str]:
        """Every value facet ``name`` ("source" or "speaker") has in the index, most frequent first, as the
        facets of `run` spell them (the whoosh engine: one canonical name per speaker): what
        `searchkit.results.filters.resolve` matches what a person typed against."""

    def suggest(self, text: str) -> str | None:
        """``text`` with words the index has never seen replaced by the closest indexed term, or None."""

    def article(self, article_id: str) -> Article | None:
        """The article stored at indexing time, or None."""

    def info(self) -> dict[str, Any]:
        """Counts and state: articles, passages, files, sources, date range, size, last update."""

    def is_empty(self) -> bool:
        """True when the index holds nothing (or was never built)."""
