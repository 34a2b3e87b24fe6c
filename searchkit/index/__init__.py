"""index: the embedded whoosh engine, the first implementation of `searchkit.engine.Engine`.

`facade` (`Index`, `open_index`: ``searchkit.open_index`` is the public entry point), `planning` (which files
changed, by content hash), `pipeline` (parallel parsing, in ordered events), `writers` (writer processes),
`generations` (rebuilds, the ``CURRENT`` pointer, the writer lock), `searching` (its side of a search),
`facets` (facet counts and one hit per article over the segment arrays), `report` (`IndexReport`).
"""
from __future__ import annotations

from .facade import Index, IndexReport, open_index

__all__ = ["Index", "IndexReport", "open_index"]
