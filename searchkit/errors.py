"""Exceptions a caller can catch by kind; every message is one line meant for a person."""
from __future__ import annotations


def one_line(e: object, limit: int | None = None) -> str:
    """A message (or an exception's) as one line: runs of whitespace, newlines included, become one space.

    Messages quote hostile input (a query, a path, a whoosh error about either), and a terminal line, a log
    line or a JSON ``error`` must not break on it. An exception with an empty message is named by its class;
    ``limit`` cuts the line to that many characters.
    """
    text = " ".join(str(e).split())
    if not text and isinstance(e, BaseException):
        text = type(e).__name__
    return text if limit is None else text[:limit]


class SearchkitError(Exception):
    """Base class: anything searchkit raises on purpose. Its message is folded to one line (`one_line`)."""

    def __init__(self, *args: object):
        super().__init__(*(one_line(a) if isinstance(a, str) else a for a in args))


class ReadError(SearchkitError):
    """A file (or one record in it) could not be turned into an article."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class QueryError(SearchkitError):
    """The query (or part of it) is not valid query syntax."""


class IndexAccessError(SearchkitError):
    """The index is missing, unreadable, or cannot be written."""


class IndexLockedError(IndexAccessError):
    """Another process is writing to the index."""
