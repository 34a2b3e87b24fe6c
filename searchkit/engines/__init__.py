"""Engines other than the embedded whoosh index, and `open_index`, which picks the engine from its argument.

``searchkit.open_index`` is this function: a folder opens the whoosh index (`searchkit.index.open_index`);
``"opensearch+http(s)://host:port/NAME"`` opens the index (alias) NAME of an OpenSearch cluster
(`searchkit.engines.opensearch_engine.OpenSearchEngine`). Both implement `searchkit.engine.Engine`.
"""
from __future__ import annotations

import os
from typing import Any

from ..settings import DEFAULT_SETTINGS, Settings

URL_PREFIX = "opensearch+"


def open_index(path: str | os.PathLike = "index", *, create: bool = True, boosts: dict[str, float] | None = None,
               settings: Settings | None = None) -> Any:
    """The engine ``path`` names (see the module docstring).

    ``path``: an index folder (whoosh) or ``opensearch+URL/NAME``; ``create``: make the folder index if it
    is missing (a cluster index is created by its first ``add``); ``boosts``: field weights over
    ``settings`` (default `DEFAULT_SETTINGS`), as for `searchkit.index.open_index`."""
    if isinstance(path, str) and path.startswith(URL_PREFIX):
        from .opensearch_engine import open_url  # optional: opensearch-py is needed only for a cluster

        return open_url(path, settings=(settings or DEFAULT_SETTINGS).with_boosts(boosts))
    from ..index import open_index as open_folder  # whoosh loads only when a folder is opened

    return open_folder(path, create=create, boosts=boosts, settings=settings)
