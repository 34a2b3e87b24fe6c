"""Date values of the query language in plain words.

Ranges (issue 11 item 7): what a broken range needs, and a reversed range as an error instead of a silent 0
results. Quoted date values (issue 12, ``date:"2017"``, ``date:"x"``): whoosh's parser leaves them as a plain
term whose text is only turned into a date when the search runs — where a bad one escaped as a bare
``Exception`` (a traceback on the command line, 500 on the web, a stopped --batch). Here each such term is, at
parse time, either read as the unquoted date would be (``date:"2017-03"`` = ``date:2017-03``) or dropped with a
warning.
"""
from __future__ import annotations

from typing import Any

from whoosh import fields

from ..errors import QueryError

RANGE_HELP = "a range needs two dates, e.g. date:[2017-01 TO 2017-06]"
DATE_HELP = "not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"


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


def _date_fields(schema) -> set[str]:
    return {name for name, f in schema.items() if isinstance(f, fields.DATETIME)}


def _broken(node) -> bool:
    """True when whoosh marked ``node`` or a part of it as an error (its parser returns such nodes, not raises)."""
    if getattr(node, "error", None) is not None:
        return True
    return not node.is_leaf() and any(_broken(sub) for sub in node.children())


def fix_quoted_dates(q: Any, parser: Any, schema) -> tuple[Any, list[str]]:
    """``q`` with every raw-text term on a date field parsed as a date or replaced by NullQuery; warnings."""
    from whoosh.query import NullQuery, Term

    names = _date_fields(schema)
    warnings: list[str] = []

    def fix(node):
        if not (isinstance(node, Term) and node.fieldname in names and isinstance(node.text, str)):
            return node
        value = " ".join(node.text.split())
        if value and '"' not in value and " " not in value:
            try:
                parsed = parser.parse(f"{node.fieldname}:{value}")
            except Exception:  # noqa: BLE001 - whoosh raises plain Exception for an unparseable date
                parsed = None
            if parsed is not None and not _broken(parsed):
                return parsed
        warnings.append(f'{node.fieldname}:"{node.text[:40]}": {DATE_HELP}')
        return NullQuery

    if not names:
        return q, warnings
    return q.accept(fix).normalize(), warnings
