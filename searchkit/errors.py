"""Exceptions a caller can catch by kind; every message is one line meant for a person."""
from __future__ import annotations


class SearchkitError(Exception):
    """Base class: anything searchkit raises on purpose."""


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
