"""The WSGI app behind `searchkit serve`: the search page, the article page and the JSON API.

It translates HTTP into calls to the library (``Index.search``, ``Index.article``, ``Index.info``) and
renders the answers; it has no search logic of its own. Everything is a GET: the page is a plain
form that works without JavaScript, and ``/static/search.js`` only adds search-as-you-type.

Hostile input is the normal case here: parameters are validated against ``searchkit.web.params``
(the same table the OpenAPI document is written from), templates autoescape, snippets are rendered
by ``searchkit.present.html`` (escaping every segment), article ids are only ever looked up in the
index, and an unexpected error is logged with its traceback while the client gets a generic message.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from html import escape
from urllib.parse import quote, urlencode, urlsplit

from flask import Flask, Response, abort, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import BaseConverter

from ..errors import IndexAccessError, SearchkitError, one_line
from ..present.groups import group_hits
from ..present.timeline import timeline_svg
from ..results.filters import matched_notes
from ..results.timeline import bars
from ..present.html import article_paragraphs, highlight_html, query_marks, snippet_html
from .hosts import HostPolicy
from .openapi import MAX_ID_CHARS, openapi_document
from .params import MAX_QUERY_CHARS, RESPONSE_PARAMS, SEARCH_PARAMS, ParamError, parse_search_args

log = logging.getLogger("searchkit.web")

# No inline script or style anywhere: the page's JS and CSS come from /static, so a payload that
# slipped past escaping still could not run.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # queries sit in URLs; don't hand them to other sites
    "X-Frame-Options": "DENY",
}
FILTERS = ("source", "speaker", "since", "until")
_DEFAULTS = {p.name: p.default for p in SEARCH_PARAMS}  # in the order URLs list them


class ArticleIdConverter(BaseConverter):
    """Article ids in URLs: any string, ``/`` allowed (ids are relative paths or JSONL record ids).

    Built URLs percent-encode everything that is not a plain path character (``#``, ``?``, ``%``…).
    An id with an empty, ``.`` or ``..`` segment would be rewritten by the browser's path
    normalisation, so such ids are encoded as one segment (``/`` as ``%2F``, which the server decodes).
    """

    part_isolating = False
    regex = ".+"

    def to_url(self, value: Any) -> str:
        value = str(value)
        if any(seg in ("", ".", "..") for seg in value.split("/")):
            return quote(value, safe="")
        return quote(value, safe="/")


def create_app(index: Any, hosts: HostPolicy | None = None) -> Flask:
    """A Flask app serving ``index`` (an ``Index`` from ``open_index``, or the path of one).

    The index's shared searcher picks up new commits, so re-indexing while serving needs no restart.
    ``hosts`` says which Host headers are answered (default: loopback names only); others get 400.
    """
    hosts = hosts or HostPolicy()
    if isinstance(index, (str, os.PathLike)):
        from .. import open_index

        index = open_index(Path(index), create=False)
    app = Flask(__name__)
    app.config["SEARCHKIT_INDEX"] = index
    app.json.sort_keys = False  # keep the documented key order of the JSON contracts
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.url_map.converters["article_id"] = ArticleIdConverter
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["snippet_html"] = snippet_html
    app.jinja_env.filters["highlight_html"] = highlight_html  # the headline's matches (hit.article)
    app.jinja_env.globals.update(page_url=page_url, article_url=article_url, csv_url=csv_url,
                                 MAX_QUERY_CHARS=MAX_QUERY_CHARS)

    from .saved import register_saved

    register_saved(app, index)

    _install_guards(app, hosts)
    _install_pages(app, index)
    _install_api(app, index)
    return app


def _install_guards(app: Flask, hosts: HostPolicy) -> None:
    """Host check, security headers and the error pages every route shares (JSON for the API)."""

    @app.before_request
    def _check_host():
        if not hosts.allows(request.environ.get("HTTP_HOST")):
            return _plain_error(400, "this server does not answer for that Host name")
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        message = e.description if isinstance(e.description, str) else e.name
        response = app.make_response(_error_response(e.code or 400, message))
        for name, value in e.get_headers():  # e.g. Allow on a 405 (RFC 9110)
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(InternalServerError)
    def _internal_error(e: InternalServerError):
        # Flask has already logged the original exception with its traceback (app.logger); the
        # client learns nothing about the internals.
        original = getattr(e, "original_exception", None)
        if original is not None:
            log.error("error serving %s: %s", request.full_path, original.__class__.__name__)
        return _error_response(500, "internal error: the server could not complete this request (see its log)")

    @app.errorhandler(ParamError)
    @app.errorhandler(SearchkitError)
    def _bad_request(e: Exception):
        return _error_response(400, one_line(e, 300))

    @app.errorhandler(IndexAccessError)
    def _unavailable(e: IndexAccessError):
        # The index folder is missing, unreadable or from another version: the server's problem, said plainly.
        log.error("index unavailable: %s", e)
        return _error_response(503, one_line(e, 300))


def _install_pages(app: Flask, index: Any) -> None:
    """The HTML pages: results (``/``) and one article."""

    @app.get("/")
    def page():
        values: dict[str, Any] = dict(_DEFAULTS)
        values["q"] = request.args.get("q", "")[: MAX_QUERY_CHARS + 1]
        results, error, status, bad_param = None, None, 200, False
        try:
            values = parse_search_args(request.args.to_dict(flat=False), strict=False)
            if values["q"].strip():
                results = _run_search(index, values)
        except IndexAccessError:
            raise
        except (SearchkitError, ValueError) as e:
            error, status, bad_param = one_line(e, 300), 400, isinstance(e, ParamError)
        facets = results.facets if results is not None else {}
        groups = group_hits(results.hits) if results is not None else []
        chart = timeline_svg(bars(facets.get("month") or {}), lambda b: page_url(values, since=b.since, until=b.until))
        matched = matched_notes(results.filters, values) if results is not None else []
        return render_template("search.html", v=values, results=results, error=error, bad_param=bad_param,
                               facets=facets, active=_active_filters(values), groups=groups, timeline=chart,
                               matched=matched), status

    @app.get("/articles/<article_id:article_id>")
    def article_page(article_id: str):
        query = parse_search_args({"q": request.args.getlist("q")[:1]}, strict=False)["q"]
        article = _lookup(index, article_id)
        spans_for, headline_html = query_marks(index, query)
        paragraphs = article_paragraphs(article, spans_for)
        quotes = [(q, highlight_html(q.text, spans_for(q.text) if spans_for else ())) for q in article.quotes]
        raw = request.args.get("passage", "")
        opened = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None
        return render_template("article.html", article=article, paragraphs=paragraphs, quotes=quotes, q=query,
                               safe_url=_safe_url(article.url), opened=opened,
                               headline=headline_html(article.headline) if article.headline else None)


def _install_api(app: Flask, index: Any) -> None:
    """The JSON API under ``/api/`` (documented in `searchkit.web.openapi`)."""

    @app.get("/api/search")
    def api_search():
        values = parse_search_args(request.args.to_dict(flat=False), strict=True)
        if not values["q"].strip():
            raise ParamError("q is required: the query to search for")
        results = _run_search(index, values)
        if values["format"] == "csv":
            return _csv_response(results)
        return jsonify(without_absolute_paths(results.to_dict()))

    @app.get("/api/articles/<article_id:article_id>")
    def api_article(article_id: str):
        return jsonify(without_absolute_paths(_lookup(index, article_id).to_dict()))

    @app.get("/api/info")
    def api_info():
        return jsonify(without_absolute_paths(index.info()))

    @app.get("/api/openapi.json")
    def api_openapi():
        return jsonify(openapi_document())


def _lookup(index: Any, article_id: str):
    # The id is only ever a key into the index: no filesystem access, whatever it contains.
    article = index.article(article_id) if len(article_id) <= MAX_ID_CHARS else None
    if article is None:
        abort(404, description=f"no article with id {article_id[:200]!r} in this index")
    return article


def _run_search(index: Any, values: dict[str, Any]):
    """``Index.search`` with validated parameters (``q`` is its positional query)."""
    options = {k: v for k, v in values.items() if k not in ("q", "copies") and k not in RESPONSE_PARAMS}
    return index.search(values["q"], collapse=values.get("copies") != "all", **options)


def _csv_response(results) -> Response:
    """This page's hits as a CSV file to download (`searchkit.export`, with a BOM so spreadsheets read UTF-8)."""
    import io
    import re

    from ..export import write_csv

    buf = io.StringIO()
    write_csv(results.hits, buf, bom=True)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", results.query).strip("-")[:40] or "results"
    return Response(buf.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="searchkit-{slug}.csv"'})


def _error_response(status: int, message: str):
    """JSON ``{"error", "status"}`` under /api/, a friendly page elsewhere."""
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": status}), status
    try:
        return render_template("error.html", status=status, message=message), status
    except Exception:  # noqa: BLE001 - e.g. no URL adapter for a malformed Host: links cannot be built
        return _plain_error(status, message)


def _plain_error(status: int, message: str):
    """An error answer that needs no template or URL building (it must work when those cannot)."""
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": status}), status
    body = f"<!doctype html><title>Error {status}</title><p>{escape(message)}</p>\n"
    return Response(body, status=status, mimetype="text/html")


def without_absolute_paths(value: Any) -> Any:
    """``value`` (a JSON-ready structure) with every absolute ``path`` reduced to its last component: the
    API must not tell a page that reaches it where the user keeps their files or their index."""
    if isinstance(value, dict):
        return {k: (os.path.basename(v.rstrip("/")) or v if k == "path" and isinstance(v, str) and os.path.isabs(v)
                    else without_absolute_paths(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [without_absolute_paths(v) for v in value]
    return value


def _active_filters(values: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, value, URL without it) for each filter in effect, for the removable chips."""
    labels = {"source": "Source", "speaker": "Speaker", "since": "Since", "until": "Until"}
    return [(labels[k], values[k], page_url(values, **{k: None})) for k in FILTERS if values.get(k)]


def page_url(values: dict[str, Any], **changes: Any) -> str:
    """The search page URL for ``values`` with ``changes`` applied (None removes a parameter).

    Any change other than ``page`` goes back to page 1; defaults are left out so URLs stay short
    and shareable.
    """
    merged = {**values, **changes}
    if "page" not in changes:
        merged["page"] = 1
    return request.script_root + "/" + _query_string(merged)


def csv_url(values: dict[str, Any]) -> str:
    """The JSON API URL that downloads this page's hits as CSV (same query, filters, page and limit)."""
    return request.script_root + "/api/search" + _query_string({**values, "format": "csv"})


def _query_string(values: dict[str, Any]) -> str:
    pairs = [(name, values[name]) for name, default in _DEFAULTS.items()
             if values.get(name) not in (None, "") and values.get(name) != default]
    return "?" + urlencode(pairs) if pairs else ""


def article_url(article_id: str, query: str = "", passage: int | None = None) -> str:
    """Link to an article page, carrying the query for highlighting and the passage anchor."""
    # ``passage`` in the query too, so the server marks the passage (for screen readers, without JavaScript)
    args = {**({"q": query} if query else {}), **({"passage": passage} if passage is not None else {})}
    url = url_for("article_page", article_id=article_id, **args)
    return url + (f"#p{passage}" if passage is not None else "")


def _safe_url(url: str | None) -> str | None:
    """The article's original URL if it is a plain http(s) link (never ``javascript:`` and friends)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None
