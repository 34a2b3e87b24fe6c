"""index: the `Index` facade and `open_index` (`index.facade`), the parse/write pipeline and the writer
processes (`index.writers`). ``searchkit.open_index`` is the public entry point; see the facade for the design.
"""
from __future__ import annotations

from .facade import Index, IndexReport, open_index

__all__ = ["Index", "IndexReport", "open_index"]
