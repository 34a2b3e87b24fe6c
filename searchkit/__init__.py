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


# Modules whoosh imports at start-up only to bind a name that searchkit never calls: (the module, the
# names bound from it) per importing whoosh module. urllib.request drags in http.client, email and ssl;
# morph_en compiles six large patterns (for whoosh's Variations query). ~60 ms of every `searchkit search`.
_UNUSED_IMPORTS = {
    "whoosh.compat": ("urllib.request", ("urlretrieve",)),
    "whoosh.query.terms": ("whoosh.lang.morph_en", ("variations",)),
}


class _DeferUnusedImports:
    """Import hook: while a module of ``_UNUSED_IMPORTS`` runs, a stand-in replaces the module it imports
    needlessly; the stand-in's functions import the real one if ever called. Nothing else sees the stand-in
    (it is in ``sys.modules`` only during that import), and without whoosh the hook never fires."""

    def find_spec(self, name, path, target=None):
        if name not in _UNUSED_IMPORTS:
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        spec.loader = _Deferring(spec.loader, *_UNUSED_IMPORTS[name])
        return spec


class _Deferring:
    def __init__(self, loader, heavy: str, names: tuple[str, ...]):
        self.loader, self.heavy, self.names = loader, heavy, names

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        import sys
        import types

        if self.heavy in sys.modules:
            return self.loader.exec_module(module)
        stand_in = types.ModuleType(self.heavy)
        for name in self.names:
            setattr(stand_in, name, _deferred(self.heavy, name))
        sys.modules[self.heavy] = stand_in
        try:
            self.loader.exec_module(module)
        finally:
            if sys.modules.get(self.heavy) is stand_in:
                del sys.modules[self.heavy]


def _deferred(module: str, name: str):
    def call(*args, **kwargs):
        import importlib

        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


def _install_import_hook() -> None:
    import sys

    if not any(isinstance(f, _DeferUnusedImports) for f in sys.meta_path):
        sys.meta_path.insert(0, _DeferUnusedImports())


_install_import_hook()


def __getattr__(name: str):
    # Imported on first use so that `import searchkit` (and `searchkit search`) stays light: the
    # parser compiles many patterns, the index loads whoosh.
    if name in ("parse_file", "parse_paths"):
        from . import parse

        return getattr(parse, name)
    if name == "open_index":  # a folder (whoosh) or an OpenSearch URL: searchkit.engines
        from . import engines

        return engines.open_index
    if name in ("Index", "IndexReport"):
        from . import index

        return getattr(index, name)
    raise AttributeError(f"module 'searchkit' has no attribute {name!r}")
