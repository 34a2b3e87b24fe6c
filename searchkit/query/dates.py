"""Date ranges of the query language in plain words (issue 11 item 7): what a broken range needs, and a
reversed range as an error instead of a silent 0 results."""
from __future__ import annotations

from ..errors import QueryError

RANGE_HELP = "a range needs two dates, e.g. date:[2017-01 TO 2017-06]"


def check_date_order(q) -> None:
    """A reversed ``date:[later TO earlier]`` is the same error as ``--since`` after ``--until``
    (`searchkit.results.filters`), not a silent 0 results. Dates are whoosh's numeric ranges on ``date``."""
    stack = [q]
    while stack:
        node = stack.pop()
        lo, hi = getattr(node, "start", None), getattr(node, "end", None)
        if getattr(node, "fieldname", None) == "date" and isinstance(lo, int) and isinstance(hi, int) and lo > hi:
            raise QueryError("a date range runs from the earlier date to the later one, e.g. "
                             "date:[2017-01 TO 2017-06]")
        if not node.is_leaf():
            stack.extend(node.children())
