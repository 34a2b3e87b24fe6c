"""searchkit: full-text search for collections of news articles.

The library is the product; the `searchkit` command and the web page are thin layers over it::

    import searchkit
    for article in searchkit.parse_file("corpus/000_4550e499fde3997a.txt"):
        print(article.headline, article.date)
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import IndexAccessError, IndexLockedError, QueryError, ReadError, SearchkitError  # noqa: E402
from .model import Article, ArticleRef, Hit, Passage, Quote, RawDocument, SearchResults, Snippet  # noqa: E402
from .parse import parse_file, parse_paths  # noqa: E402

__all__ = [
    "Article", "ArticleRef", "Hit", "Passage", "Quote", "RawDocument", "SearchResults", "Snippet",
    "SearchkitError", "ReadError", "QueryError", "IndexAccessError", "IndexLockedError",
    "parse_file", "parse_paths",
]
