"""The OpenAPI 3 document served at ``/api/openapi.json``.

Built from the same parameter table the server validates with (``searchkit.web.params``), so the
documented bounds cannot drift from the enforced ones. Response schemas mirror the ``to_dict``
contracts in ``searchkit.model``; the schemathesis test checks every response against them.
"""
from __future__ import annotations

from typing import Any

from .. import __version__
from .params import SEARCH_PARAMS, UNITS, Param

MAX_ID_CHARS = 1000


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


_STR = {"type": "string"}
_INT = {"type": "integer"}
_NSTR = _nullable(_STR)

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string", "description": "One line meant for a person."},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
        },
    },
    "ArticleRef": {
        "type": "object",
        "required": ["id", "path", "headline", "date", "source", "author"],
        "properties": {"id": _STR, "path": _STR, "headline": _NSTR, "date": _NSTR, "source": _NSTR, "author": _NSTR,
                       "headline_highlights": {
                           "type": "array",
                           "description": "[start, end) character offsets into headline: where the query matched it.",
                           "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                     "items": {"type": "integer", "minimum": 0}}}},
    },
    "Hit": {
        "type": "object",
        "required": ["rank", "score", "article", "passage"],
        "properties": {
            "rank": {"type": "integer", "minimum": 1},
            "score": {"type": "number"},
            "article": {"$ref": "#/components/schemas/ArticleRef"},
            "passage": {
                "type": "object",
                "required": ["index", "text", "snippet", "highlights"],
                "properties": {
                    "index": {"type": "integer", "minimum": 0},
                    "text": _STR,
                    "snippet": _STR,
                    "highlights": {
                        "type": "array",
                        "description": "[start, end) character offsets into snippet.",
                        "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "integer", "minimum": 0}},
                    },
                },
            },
        },
    },
    "SearchResults": {
        "type": "object",
        "description": "Exactly the object `searchkit search --json` prints.",
        "required": ["query", "total", "page", "suggestion", "facets", "results", "warnings", "unit", "limit", "elapsed_ms",
                     "filters"],
        "properties": {
            "query": _STR,
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "suggestion": {**_NSTR, "description": "A corrected query when a word is probably misspelt."},
            "facets": {
                "type": "object",
                "description": "Matching articles over the whole matching set, by source, year and speaker (most "
                               "frequent first), and month: every YYYY-MM with a match, oldest first (the timeline).",
                "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
            },
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "warnings": {"type": "array", "items": _STR},
            "unit": {"type": "string", "enum": list(UNITS)},
            "limit": {"type": "integer", "minimum": 1},
            "elapsed_ms": {"type": "number", "minimum": 0},
            "filters": {
                "type": "object",
                "description": "For each source/speaker filter given: the exact facet values it matched (any case, "
                               "or part of a name: source=ariana -> [\"Ariana News\"]).",
                "additionalProperties": {"type": "array", "items": _STR},
            },
        },
    },
    "Article": {
        "type": "object",
        "required": ["id", "path", "headline", "date", "source", "author", "url", "body", "paragraphs", "quotes", "passages"],
        "properties": {
            "id": _STR, "path": _STR, "headline": _NSTR, "date": _NSTR, "source": _NSTR, "author": _NSTR, "url": _NSTR,
            "body": _STR,
            "paragraphs": {"type": "array", "items": _STR},
            "quotes": {"type": "array", "items": {
                "type": "object", "required": ["text", "speaker"],
                "properties": {"text": _STR, "speaker": _NSTR, "paragraph": {"type": "integer", "minimum": 0}},
            }},
            "passages": {"type": "array", "items": {
                "type": "object", "required": ["index", "text", "start", "end"],
                "properties": {"index": _INT, "text": _STR, "start": _INT, "end": _INT},
            }},
            "dropped": {"type": "array", "items": _STR},
            "dropped_share": {"type": "number", "minimum": 0, "maximum": 1},
            "mostly_dropped": {"type": "boolean"},
        },
    },
    "Info": {
        "type": "object",
        "description": "What `searchkit info --json` prints: counts, sources, date range, size, last update.",
        "required": ["articles", "passages"],
        "properties": {
            "path": _STR,
            "articles": {"type": "integer", "minimum": 0},
            "passages": {"type": "integer", "minimum": 0},
            "files": {"type": "integer", "minimum": 0},
            "sources": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
            "date_from": _NSTR,
            "date_to": _NSTR,
            "size_bytes": {"type": "integer", "minimum": 0},
            "last_update": _NSTR,
        },
    },
}


def _param_schema(p: Param) -> dict[str, Any]:
    if p.kind is int:
        schema: dict[str, Any] = {"type": "integer", "minimum": p.minimum, "maximum": p.maximum}
    else:
        schema = {"type": "string"}
        if p.max_length is not None:
            schema["maxLength"] = p.max_length
        if p.enum is not None:
            schema["enum"] = list(p.enum)
        if p.pattern is not None:
            schema["pattern"] = p.pattern
    if p.default is not None:
        schema["default"] = p.default
    return schema


def _search_parameters(*, query_required: bool) -> list[dict[str, Any]]:
    params = []
    for p in SEARCH_PARAMS:
        schema = _param_schema(p)
        required = p.name == "q" and query_required
        if required:
            schema["minLength"] = 1
        param = {"name": p.name, "in": "query", "required": required, "description": p.description, "schema": schema}
        if not query_required and p.name != "q":
            param["allowEmptyValue"] = True  # the page's forms send untouched fields empty
        params.append(param)
    return params


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


_UNAVAILABLE = _error("The index is missing, unreadable or was built by another version (rebuild it).")

_ID_PARAM = {"name": "id", "in": "path", "required": True,
             "description": "Article id: the path relative to the indexed folder, or the JSONL record id "
                            "(may contain '/' and '#', URL-encoded).",
             "schema": {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS}}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.0 description of every route the server answers (GET and HEAD alike; POST only to
    save a search)."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "searchkit",
            "version": __version__,
            "description": "Local full-text search over news articles: the JSON API behind `searchkit serve`. "
                           "Read-only: every endpoint is GET, except the page's form that saves a search (POST /saved).",
        },
        "paths": {
            "/api/search": {"get": {
                "operationId": "search",
                "summary": "Ranked passages (or articles) for a query, with snippets, facets and a suggestion.",
                "parameters": _search_parameters(query_required=True),
                "responses": {
                    "200": {"description": "One page of results (format=csv: its hits as CSV rows).",
                            "content": {**_json("SearchResults", "")["content"],
                                        "text/csv": {"schema": {"type": "string"}}}},
                    "400": _error("A bad parameter, since after until, or a query with nothing runnable."),
                    "503": _UNAVAILABLE,
                },
            }},
            "/api/articles/{id}": {"get": {
                "operationId": "article",
                "summary": "One clean article as stored in the index.",
                "parameters": [_ID_PARAM],
                "responses": {"200": _json("Article", "The article."), "404": _error("No article with this id."),
                              "503": _UNAVAILABLE},
            }},
            "/api/info": {"get": {
                "operationId": "info",
                "summary": "Index statistics.",
                "responses": {"200": _json("Info", "Counts, sources, date range, size, last update."),
                              "503": _UNAVAILABLE},
            }},
            "/api/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": {"200": {"description": "OpenAPI 3.0 document.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
            "/": {"get": {
                "operationId": "page",
                "summary": "The search page (server-rendered; works without JavaScript).",
                "parameters": _search_parameters(query_required=False),
                "responses": {"200": _html("Search box and results."),
                              "400": _html("The search page explaining what is wrong with the request.")},
            }},
            "/saved": {
                "get": {"operationId": "saved_page", "summary": "The saved searches with their new-match counts.",
                        "responses": {"200": _html("The list of saved searches.")}},
                "post": {"operationId": "saved_add",
                         "summary": "Save a search (the page's form: name, q, source, speaker, since, until, csrf).",
                         "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                             "schema": {"type": "object", "required": ["q", "csrf"],
                                        "properties": {k: {"type": "string"} for k in
                                                       ("name", "q", "source", "speaker", "since", "until", "csrf")}}}}},
                         "responses": {"303": {"description": "Saved; go to /saved."},
                                       "400": _html("A bad name, query or filter."),
                                       "403": _html("A missing or wrong CSRF token, or a request from another site.")}},
            },
            "/articles/{id}": {"get": {
                "operationId": "article_page",
                "summary": "One article as a page, the query's words highlighted (pass q).",
                "parameters": [_ID_PARAM, _search_parameters(query_required=False)[0]],
                "responses": {"200": _html("The article."), "400": _html("A bad parameter."),
                              "404": _html("No article with this id.")},
            }},
        },
        "components": {"schemas": SCHEMAS},
    }

