"""searchkit: full-text search for collections of news articles.

The library is the product; the `searchkit` command and the web page are thin layers over it::

    import searchkit
    for article in searchkit.parse_file("corpus/000_4550e499fde3997a.txt"):
        print(article.headline, article.date)

    index = searchkit.open_index("index")   # see searchkit.index
    index.add(["corpus"])
    for hit in index.search("Atmar Patrushev").hits:
        print(hit.rank, hit.article.headline, hit.snippet.text)
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import IndexAccessError, IndexLockedError, QueryError, ReadError, SearchkitError  # noqa: E402
from .model import Article, ArticleRef, Hit, Passage, Quote, RawDocument, SearchResults, Snippet  # noqa: E402

__all__ = [
    "Article", "ArticleRef", "Hit", "Passage", "Quote", "RawDocument", "SearchResults", "Snippet",
    "SearchkitError", "ReadError", "QueryError", "IndexAccessError", "IndexLockedError",
    "parse_file", "parse_paths", "open_index", "Index", "IndexReport",
]


def _whoosh_compat_without_urllib() -> None:
    """Import whoosh.compat without urllib.request: whoosh binds ``urlretrieve`` from it at import and
    never uses it here, yet it drags in http.client, email and ssl (~35 ms CPU of every `searchkit
    search`). A stand-in module is in place only while whoosh.compat loads; the real one is imported
    if anything calls whoosh's ``urlretrieve``, and `import urllib.request` elsewhere is unaffected."""
    import sys

    if "whoosh.compat" in sys.modules or "urllib.request" in sys.modules:
        return
    import types

    def urlretrieve(*args, **kwargs):
        from urllib.request import urlretrieve as real

        return real(*args, **kwargs)

    stand_in = types.ModuleType("urllib.request")
    stand_in.urlretrieve = urlretrieve  # type: ignore[attr-defined]
    sys.modules["urllib.request"] = stand_in
    try:
        import whoosh.compat  # noqa: F401
    except ImportError:
        pass
    finally:
        if sys.modules.get("urllib.request") is stand_in:
            del sys.modules["urllib.request"]


_whoosh_compat_without_urllib()


def __getattr__(name: str):
    # Imported on first use so that `import searchkit` (and `searchkit search`) stays light: the
    # parser compiles many patterns, the index loads whoosh.
    if name in ("parse_file", "parse_paths"):
        from . import parse

        return getattr(parse, name)
    if name in ("open_index", "Index", "IndexReport"):
        from . import index

        return getattr(index, name)
    raise AttributeError(f"module 'searchkit' has no attribute {name!r}")
