"""The search parameters the web page and the JSON API accept, declared once.

The same table validates requests (``parse_search_args``) and writes the OpenAPI document
(``searchkit.web.openapi``), so the published bounds are exactly the enforced ones. Queries and
filters are hostile input: lengths, ``page`` and ``limit`` are capped and control characters refused
before anything reaches the library.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from ..article.dates import DATE_PATTERN
from ..errors import SearchkitError
from ..query.parser import MAX_QUERY_CHARS
from ..results import MAX_LIMIT, UNITS

MAX_FILTER_CHARS = 200
MAX_PAGE = 1000  # deep pages cost the server (whoosh scores page x limit hits) and help no reader
DEFAULT_LIMIT = 10
COPIES = ("collapse", "all")  # the `copies` parameter: Index.search(collapse=True / False)
# since/until follow searchkit's one date grammar (article.dates), which the OpenAPI document publishes.
DATE_HINT = "must be a real date like 2017, 2017-03 or 2017-03-19"
# Free text: anything a person can type, so no control characters (tab and newline allowed).
TEXT_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"


class ParamError(SearchkitError):
    """A request parameter is missing, malformed or out of bounds (HTTP 400)."""


@dataclass(frozen=True)
class Param:
    """One query-string parameter: its type, default and bounds."""

    name: str
    description: str
    kind: type = str
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = TEXT_PATTERN
    hint: str = "must not contain control characters"

    @property
    def empty_is_absent(self) -> bool:
        """A free-text parameter sent empty means "not given"; an empty number, enum or date is junk."""
        return self.kind is str and self.enum is None and bool(re.fullmatch(self.pattern or "", ""))

    def parse(self, raw: str) -> Any:
        """The typed value of ``raw``, or ParamError with a one-line reason."""
        if self.kind is int:
            if not re.fullmatch(r"[0-9]{1,9}", raw.strip()):
                raise ParamError(f"{self.name} must be a whole number, not {_show(raw)}")
            value = int(raw)
            if self.minimum is not None and value < self.minimum:
                raise ParamError(f"{self.name} must be at least {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise ParamError(f"{self.name} must be at most {self.maximum}")
            return value
        if self.max_length is not None and len(raw) > self.max_length:
            raise ParamError(f"{self.name} is too long ({len(raw)} characters; the limit is {self.max_length})")
        if self.enum is not None and raw not in self.enum:
            raise ParamError(f"{self.name} must be one of {', '.join(self.enum)}, not {_show(raw)}")
        if self.pattern is not None and not re.fullmatch(self.pattern, raw):
            raise ParamError(f"{self.name} {self.hint}, not {_show(raw)}")
        return raw


SEARCH_PARAMS: tuple[Param, ...] = (
    Param("q", "The query, in searchkit's query language (words, \"phrases\", -exclusion, OR, field:scopes, "
          "date:, term~, term*).", max_length=MAX_QUERY_CHARS),
    Param("page", "Page of results, from 1.", kind=int, default=1, minimum=1, maximum=MAX_PAGE),
    Param("limit", "Results per page.", kind=int, default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT),
    Param("unit", "passage: ranked passages; article: one hit per article (its best passage).",
          default="passage", enum=UNITS, pattern=None),
    Param("source", "Only articles from this source (any case, or part of a name from facets.source).",
          max_length=MAX_FILTER_CHARS),
    Param("speaker", "Only passages quoting this speaker (any case, or part of a name from facets.speaker).",
          max_length=MAX_FILTER_CHARS),
    Param("since", "Only articles dated on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).",
          pattern=DATE_PATTERN, hint=DATE_HINT),
    Param("until", "Only articles dated on or before this date (YYYY, YYYY-MM or YYYY-MM-DD).",
          pattern=DATE_PATTERN, hint=DATE_HINT),
    Param("copies", "collapse: one result per syndicated story, its other copies listed in `copies`; "
          "all: every copy as its own result.", default="collapse", enum=COPIES, pattern=None),
    Param("expand", "1: also search words of the best articles (pseudo-relevance feedback, RM3) for a query of "
          "plain words; 0: the query as typed.", kind=int, default=0, minimum=0, maximum=1),
    Param("format", "json: the results object; csv: this page's hits as a CSV download (one row per hit: rank, "
          "score, article_id, path, headline, date, source, author, passage_index, snippet, url).",
          default="json", enum=("json", "csv"), pattern=None),
)
# Parameters that shape the response, not the search
RESPONSE_PARAMS = ("format",)
_BY_NAME = {p.name: p for p in SEARCH_PARAMS}


def parse_search_args(args: Mapping[str, list[str]], *, strict: bool) -> dict[str, Any]:
    """Validate a query string (name -> list of values) into keyword arguments for ``Index.search``.

    Every parameter is returned (absent ones get their default). ``strict`` (the API) refuses
    unknown and repeated parameters and empty numbers, units and dates, so a client's mistake is a
    400 rather than a silently ignored filter. The page is lenient: an empty value counts as absent
    (an untouched form field sends one) and unknown parameters are ignored, since browsers and
    bookmarks add what they like.
    """
    out: dict[str, Any] = {}
    for name, values in args.items():
        if name not in _BY_NAME:
            if strict:
                raise ParamError(f"unknown parameter {_show(name)}; known: {', '.join(_BY_NAME)}")
            continue
        if strict and len(values) > 1:
            raise ParamError(f"{name} given {len(values)} times")
        param, raw = _BY_NAME[name], (values[0] if values else "")
        if raw == "" and (not strict or param.empty_is_absent):
            continue
        out[name] = param.parse(raw)
    for p in SEARCH_PARAMS:
        out.setdefault(p.name, p.default if p.name != "q" else "")
    return out


def _show(value: str) -> str:
    """A short, printable rendering of a user's value for an error message."""
    value = value if len(value) <= 40 else value[:40] + "…"
    return repr(value)
