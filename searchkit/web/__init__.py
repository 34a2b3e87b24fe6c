"""The local search page and JSON API (`searchkit serve`): a thin HTTP layer over the library.

``create_app(index)`` builds the WSGI app (``app.py``); ``serve(...)`` runs it under waitress
(``server.py``). Importing this package pulls in Flask, so the CLI imports it only for `serve`.
"""
from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
