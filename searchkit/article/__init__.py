"""Article: turn a RawDocument into a clean Article (metadata, body, quotes, passages).

Contract: ``build_article(raw: RawDocument) -> Article``. The steps live in their own modules:
``paragraphs`` (text -> paragraph units), ``headline``, ``boilerplate`` (body vs dropped), ``dates``,
``bylines`` (source, author), ``quotes``, ``passages``. Metadata from the reader (``raw.meta``) wins over
what is read from the text, but is cleaned the same way; every source, author and speaker passes
``plausible`` last (code, flags, sentence openings and common words become None).

``build_article`` lives in ``build`` and is imported on first use: search needs only ``dates`` (the date
grammar of filters) and ``variants`` (name matching), and importing every step's compiled patterns made
``searchkit search`` start ~30 ms later than it need.
"""
from __future__ import annotations

from typing import Any

__all__ = ["build_article"]


def __getattr__(name: str) -> Any:
    """``build_article`` from ``build``, imported when first asked for (PEP 562)."""
    if name == "build_article":
        from .build import build_article

        return build_article
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
