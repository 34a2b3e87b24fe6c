"""The saved-search pages: ``GET /saved`` lists them with their new-match counts, ``POST /saved`` saves one.

The only route that changes anything, so the only one with a body: a form POST carrying a CSRF token. The
token is a random value made when the app starts and put in the page's form; another site can make a
browser POST here but cannot read the page to learn the token (same-origin policy), and a browser's
``Sec-Fetch-Site``/``Origin`` saying the request comes from elsewhere is refused as well. Counts are
computed on each request (`searchkit.saved.SavedSearches.counts`), so they follow the index as it is
updated (by `searchkit index`, `watch` or `serve --watch`) without a restart.
"""
from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, render_template, request

from ..saved import SavedSearchError, saved_searches
from .params import parse_search_args

FILTERS = ("source", "speaker", "since", "until")


def register_saved(app: Flask, index: Any) -> None:
    """Add the saved-search routes for ``index`` to ``app``, and ``csrf_token`` to its templates."""
    token = secrets.token_urlsafe(32)
    app.jinja_env.globals["csrf_token"] = token
    store = saved_searches(index)

    @app.get("/saved")
    def saved_page():
        counts = store.counts()
        return render_template("saved.html", counts=counts, saved=request.args.get("saved", "")[:100])

    @app.post("/saved")
    def saved_add():
        _check_same_origin()
        if not hmac.compare_digest(request.form.get("csrf", "").encode("utf-8"), token.encode("ascii")):
            abort(403, description="this form has expired or did not come from this page: reload it and save again")
        values = parse_search_args({k: request.form.getlist(k)[:1] for k in ("q", *FILTERS) if k in request.form},
                                   strict=False)
        name = (request.form.get("name") or values["q"]).strip()
        try:
            store.add(name, values["q"], **{k: values[k] for k in FILTERS})
        except SavedSearchError as e:
            abort(400, description=str(e))
        return redirect(f"{request.script_root}/saved?saved={name}", code=303)


def _check_same_origin() -> None:
    """Refuse a POST a browser says came from another site (defence in depth beside the token)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site and site not in ("same-origin", "none"):
        abort(403, description="saving a search only works from this server's own page")
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        abort(403, description="saving a search only works from this server's own page")
