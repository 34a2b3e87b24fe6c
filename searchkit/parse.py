"""From files to clean articles: ingest + article parsing in one call, for the CLI, the indexer and users."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

from .article.build import build_article
from .errors import ReadError
from .ingest import iter_sources, read_file
from .model import Article


def parse_file(path: str | os.PathLike, root: str | os.PathLike | None = None) -> Iterator[Article | ReadError]:
    """Yield an Article per record in ``path`` and a ReadError value per skipped record.

    ``root`` is the folder article ids are relative to (default: none, the id is the file name), as when
    ``path`` is indexed as part of a folder.

    Raises ReadError when the file as a whole cannot be read.
    """
    for item in read_file(path, root=root):
        if isinstance(item, ReadError):
            yield item
        else:
            yield build_article(item)


def parse_paths(paths: Iterable[str | os.PathLike]) -> Iterator[tuple[Path, list[Article | ReadError] | ReadError]]:
    """For each file under ``paths`` (in order): (path, its articles and warnings) or (path, the ReadError).

    Article ids are relative to the folder named in ``paths``, as the indexer makes them.
    """
    for path, root in iter_sources(paths):
        try:
            yield path, list(parse_file(path, root=root))
        except ReadError as e:
            yield path, e
