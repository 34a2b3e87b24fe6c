"""Query language: the text a person types -> a whoosh query, recovering from mistakes.

The language (also in ``searchkit search --help`` and the README):

=============================  ==========================================================
``russia taliban``             plain words: any may match; passages with *all* of them rank first
``"peace talks"``              phrase (stop words inside still count for position)
``-boilerplate``               exclude passages with this word (also ``NOT word``)
``kabul OR moscow``            either word (``AND`` and parentheses work too)
``headline:taliban``           field scope: ``headline:`` ``quote:`` ``speaker:`` ``source:`` ``author:``
``date:2017-03``               only that year, month or day; ``date:[2017-01-01 TO 2017-06-30]`` a range
``patrushef~``                 fuzzy: one edit away (``~2``: two edits)
``negot*``                     prefix
=============================  ==========================================================

Queries are hostile input: they are capped at ``MAX_QUERY_CHARS``, prefix and fuzzy terms expand to at most
``MAX_EXPANSION`` indexed terms (the most frequent ones), and a broken part (an unknown date, an unclosed range,
a dangling operator) is dropped with a one-line warning while the rest still runs. `QueryError` is raised only
when nothing runnable is left.

A verbose query (all upper case, or a long question: `searchkit.query.words.is_verbose`) reads ``AND``, ``OR``
and ``NOT`` as words; elsewhere they are operators.

Plain words search ``body``, ``headline``, ``quote`` and ``names`` (the phonetic name-variant field) with
per-field boosts; words are OR-ed with a coordination factor (`searchkit.query.nodes.coord_or`), so passages
containing more of the words score higher without requiring all of them.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Iterator, Mapping

from whoosh import qparser
from whoosh.qparser import syntax
from whoosh.query import And, AndNot, FuzzyTerm, MultiTerm, Not, NullQuery, Or, Phrase, Term

from ..errors import QueryError, one_line
from ..settings import DEFAULT_SETTINGS
from ..store.schema import AUTHOR, BODY, DATE, HEADLINE, NAMES, QUOTE, SOURCE, SPEAKER, WORD_FIELDS
from .dates import RANGE_HELP, check_date_order, fix_quoted_dates
from .nodes import CoordOr, coord_or
from .words import OPERATORS, operators_as_words

MAX_QUERY_CHARS = 1000
MAX_EXPANSION = 64  # indexed terms a prefix/fuzzy term may expand to
MAX_SCAN = 20000  # candidate terms looked at while expanding (bounds the time of `a*`)
MAX_FUZZY_EDITS = 2
SCOPES = (HEADLINE, QUOTE, SPEAKER, SOURCE, AUTHOR, DATE, BODY)
COORDINATION = DEFAULT_SETTINGS.coordination  # defaults of `parse_query` (the tuned values live in Settings)
FIELD_GROUP = DEFAULT_SETTINGS.field_group


@dataclass
class ParsedQuery:
    """A runnable whoosh query plus what the person should be told about their input."""

    text: str  # the query as typed, cleaned (quotes and parentheses balanced, cut to MAX_QUERY_CHARS)
    query: object  # whoosh.query.Query; NullQuery when the input holds nothing searchable
    warnings: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.query is NullQuery


_PARSERS = threading.local()  # per thread: whoosh parsers are cheap to use, not to build (~0.3 ms a query)


def _cached_parser(schema, boosts: Mapping[str, float], coordination: float, group: str):
    """`_parser`, built once per thread for each schema and settings (one per thread: whoosh does not say
    its parser is safe to share)."""
    cache = getattr(_PARSERS, "cache", None)
    if cache is None:
        cache = _PARSERS.cache = {}
    key = (id(schema), tuple(sorted(boosts.items())), coordination, group)
    hit = cache.get(key)
    if hit is not None and hit[0] is schema:
        return hit[1]
    if len(cache) > 16:
        cache.clear()
    parser = _parser(schema, boosts, coordination, group)
    cache[key] = (schema, parser)
    return parser


def _default_fields(schema, boosts: Mapping[str, float]) -> list[str]:
    """The fields a plain word searches: the default ones this schema has and whose boost is not 0."""
    return [f for f in WORD_FIELDS if f in schema.names() and boosts.get(f, 1.0) > 0]


class WordsGroup(syntax.OrGroup):
    """A group of words: an Or with per-word coordination (`searchkit.query.nodes.coord_or`); the
    coordination scale is a class attribute of the per-setting subclass `words_group` returns."""

    qclass = CoordOr
    coordination = COORDINATION

    def __init__(self, nodes=None, **kwargs):
        kwargs["scale"] = self.coordination or None
        super().__init__(nodes=nodes, **kwargs)


_WORDS_GROUPS: dict[float, type] = {}


def words_group(coordination: float) -> type:
    """The `WordsGroup` class for one coordination scale (whoosh's parser takes a group *class*)."""
    cls = _WORDS_GROUPS.get(coordination)
    if cls is None:
        cls = _WORDS_GROUPS[coordination] = type("WordsGroup", (WordsGroup,), {"coordination": coordination})
    return cls


class FieldsGroup(syntax.OrGroup):
    """One word across the default fields (a plain Or: the fields of one word are not separate words)."""


class Coordinate(qparser.Plugin):
    """Runs after the +/- plugin, which rebuilds the top level as a plain OrGroup: make every OrGroup of
    words a WordsGroup again."""

    def __init__(self, group: type):
        self.group = group

    def filters(self, parser):
        return [(self.do, 520)]

    def do(self, parser, group):
        if type(group) is syntax.OrGroup:
            group = self.group(list(group.nodes), boost=group.boost)
        group.nodes = [self.do(parser, n) if isinstance(n, syntax.GroupNode) else n for n in group.nodes]
        return group


def _parser(schema, boosts: Mapping[str, float], coordination: float, group: str):
    fields = _default_fields(schema, boosts)
    fieldboosts = {f: boosts.get(f, 1.0) for f in fields}
    WordsGroup = words_group(coordination)
    parser = qparser.QueryParser(None, schema, group=WordsGroup)
    fieldgroup = qparser.DisMaxGroup if group == "dismax" else FieldsGroup
    parser.add_plugin(qparser.MultifieldPlugin(fields, fieldboosts=fieldboosts, group=fieldgroup))
    scopes = "|".join(s for s in SCOPES if s in schema.names())
    parser.replace_plugin(qparser.FieldsPlugin(expr=rf"(?P<text>\b(?:{scopes})):", remove_unknown=True))
    parser.remove_plugin_class(qparser.WildcardPlugin)  # `?` and inner `*` are not part of the language
    parser.remove_plugin_class(qparser.BoostPlugin)  # `^` would let a query override the tuned boosts
    parser.add_plugin(qparser.PrefixPlugin())
    parser.add_plugin(qparser.FuzzyTermPlugin())
    # `-word` only at the start of a word, so `covid-19` and `0-dimensional` stay words.
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)"))
    parser.add_plugin(Coordinate(WordsGroup))
    return parser


def _clean(text: str, warnings: list[str]) -> str:
    """Fix what whoosh would silently misread: overlong input, unbalanced quotes and parentheses."""
    text = text.replace("\u201c", '"').replace("\u201d", '"')  # typographic phrase quotes
    if len(text) > MAX_QUERY_CHARS:
        warnings.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
        text = text[:MAX_QUERY_CHARS]
    if text.count('"') % 2:
        warnings.append('unclosed " ignored')
        i = text.rfind('"')
        text = text[:i] + " " + text[i + 1:]
    depth, out = 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                warnings.append("unmatched ) ignored")
                continue
            depth -= 1
        out.append(ch)
    if depth:
        warnings.append("unclosed ( closed at the end")
        out.append(")" * depth)
    return "".join(out)


def _errors(q, text: str) -> Iterator[str]:
    """One line per broken part: the query text it came from (when whoosh kept its position) and why."""
    err = getattr(q, "error", None)
    if err is not None:
        start, end = getattr(q, "startchar", None), getattr(q, "endchar", None)
        where = text[start:end].strip() if start is not None and end is not None else ""
        reason = one_line(err)
        if re.search(r"\bdate:\s*[\[{]", text) and ("int()" in reason or "date" in reason.lower()):
            yield RANGE_HELP  # whoosh's own reason is its int() slip on "[2017"; the help names date: itself
        else:
            yield f"{one_line(where)[:60] or one_line(text)[:60]}: {reason}"
    if not q.is_leaf():
        for sub in q.children():
            yield from _errors(sub, text)


def _drop_errors(q):
    """Replace every sub-query whoosh marked with ``.error`` by NullQuery, then simplify."""
    if getattr(q, "error", None) is not None:
        return NullQuery
    if q.is_leaf():
        return q
    return q.apply(_drop_errors).normalize()


def _unphrase(q, schema):
    """Phrases on fields indexed without positions (``names``, only ever reached by a phrase's default-field
    expansion) are dropped: they could only match the words anywhere, and a phrase matches where it occurs."""
    if isinstance(q, Phrase):
        f = schema[q.fieldname] if q.fieldname in schema.names() else None
        if f is not None and not f.format.supports("positions"):
            return NullQuery
        return q
    if q.is_leaf():
        return q
    return q.apply(lambda sub: _unphrase(sub, schema)).normalize()


def _exact_negations(q, negated: bool = False):
    """Inside ``-word`` / ``NOT``, drop the phonetic ``names`` clauses: excluding ``russia`` must not also
    exclude every passage that mentions someone called Rice or Ross."""
    if negated and q.is_leaf():
        return NullQuery if getattr(q, "fieldname", None) == NAMES else q
    if negated and isinstance(q, Or) and any(getattr(c, "fieldname", None) == BODY for c in q.subqueries):
        # a plain ``-word`` (its default-field expansion) leaves out passages whose *text* has it: every
        # passage carries its article's headline, so the headline clause would drop all of an article's
        # passages (issue 11: `taliban -russia`); ``-headline:word`` stays a headline exclusion
        q = type(q)([c for c in q.subqueries if getattr(c, "fieldname", None) != HEADLINE], boost=q.boost)
    if isinstance(q, AndNot):
        return AndNot(_exact_negations(q.a, negated), _exact_negations(q.b, True)).normalize()
    if isinstance(q, Not):
        return Not(_exact_negations(q.query, True)).normalize()
    if isinstance(q, Or) and not negated:
        # whoosh turns `a NOT b` in an OR group into Or(a, Not(b)), which matches almost everything:
        # the person meant "a, but not b".
        nots = [c for c in q.subqueries if isinstance(c, Not)]
        rest = [c for c in q.subqueries if not isinstance(c, Not)]
        if nots and rest:
            pos = type(q)(rest, boost=q.boost, scale=q.scale) if len(rest) > 1 else rest[0]
            neg = Or([n.query for n in nots]) if len(nots) > 1 else nots[0].query
            return AndNot(_exact_negations(pos), _exact_negations(neg, True)).normalize()
    if q.is_leaf():
        return q
    return q.apply(lambda sub: _exact_negations(sub, negated))


def _require_dates(q):
    """``date:`` clauses among the words restrict the results (a date is a filter, not a word to rank by)."""
    if isinstance(q, AndNot):
        return AndNot(_require_dates(q.a), q.b)
    if not isinstance(q, Or):
        return q
    dates = [c for c in q.subqueries if c.field() == DATE]
    rest = [c for c in q.subqueries if c.field() != DATE]
    if not dates or not rest:
        return q
    words = type(q)(rest, boost=q.boost, scale=q.scale) if len(rest) > 1 else rest[0]
    return And(dates + [words])


def _chunks(text: str) -> list[str]:
    """Whitespace-separated pieces, keeping quoted phrases and bracketed ranges whole."""
    return re.findall(r'\S*"[^"]*"\S*|\S*\[[^\]]*\]?\S*|\S*\{[^}]*\}?\S*|\S+', text)


def parse_query(text: str, schema, boosts: Mapping[str, float] | None = None, *,
                coordination: float | None = None, group: str | None = None) -> ParsedQuery:
    """Parse ``text`` against ``schema``; broken parts are dropped with a warning.

    ``boosts`` maps default fields to query-time weights (``names`` should stay below 1 so that exact
    spellings outrank phonetic variants). Raises `QueryError` when the input had errors and nothing is left.
    """
    coordination = COORDINATION if coordination is None else coordination
    group = FIELD_GROUP if group is None else group
    warnings: list[str] = []
    if not isinstance(text, str):
        raise QueryError("the query must be a string")
    text = _clean(text.replace("\x00", " "), warnings)
    runnable = operators_as_words(text)  # issue 11 item 5; ParsedQuery.text keeps them as typed
    parser = _cached_parser(schema, boosts or {}, coordination, group)

    def one(piece: str):
        q = _plain_words(piece, parser, schema, boosts or {}, coordination) if group == "sum" else None
        if q is not None:
            return _unphrase(q, schema), []
        try:
            q = parser.parse(piece)
        except Exception as e:  # whoosh raises plain Exception for e.g. a bad date inside a range
            # whoosh's own messages say what is wrong; its internal slips (a fuzzy or prefix term whose
            # word analyses to nothing, like `J~`) do not, so say that instead of leaking them.
            reason = "nothing searchable here" if isinstance(e, (AttributeError, TypeError, KeyError, IndexError)) else one_line(e)
            if re.search(r"\bdate:\s*[\[{]", piece):
                return None, [RANGE_HELP]
            return None, [f"{one_line(piece)[:60]}: {reason}"]
        errs = list(_errors(q, piece))
        check_date_order(q)
        q, date_errs = fix_quoted_dates(q, parser, schema)  # issue 12 (5): quoted date values
        return _require_dates(_exact_negations(_unphrase(_drop_errors(q), schema))), errs + date_errs

    q, errs = one(runnable)
    if q is None:
        # The whole query failed: run each whitespace-separated piece that parses on its own.
        parts, errs = [], []
        for piece in _chunks(runnable):
            pq, perrs = one(piece)
            errs += perrs
            if pq is not None and pq is not NullQuery:
                parts.append(pq)
        q = coord_or(parts, scale=coordination or None).normalize() if parts else NullQuery
    warnings += dict.fromkeys(errs)  # de-duplicated, in order
    if q is NullQuery and errs:
        raise QueryError(warnings[-1] if len(warnings) == 1 else "; ".join(warnings))
    return ParsedQuery(text=text, query=q, warnings=warnings)


_PLAIN = re.compile(r"[A-Za-z0-9]+(?:\s+[A-Za-z0-9]+)*")


def _plain_words(text: str, parser, schema, boosts: Mapping[str, float], coordination: float):
    """The query whoosh's parser builds for plain words (ASCII letters and digits, no operators), built
    directly: the parser's plugin pipeline costs about 1 ms a query and most queries are just words.
    ``tests/query/test_query.py`` checks that both give equal queries. None when ``text`` is anything else."""
    text = text.strip()
    if not _PLAIN.fullmatch(text):
        return None
    words = text.split()
    if any(w in OPERATORS for w in words):
        return None
    fields = _default_fields(schema, boosts)
    clauses = []
    for w in words:
        per_field = [parser.term_query(f, w, parser.termclass, boost=boosts.get(f, 1.0)) for f in fields]
        per_field = [q for q in per_field if q is not None]
        if per_field:
            clauses.append(Or(per_field))
    if not clauses:
        return NullQuery
    return coord_or(clauses, scale=coordination or None).normalize()


def cap_expansions(q, reader, limit: int = MAX_EXPANSION):
    """Replace prefix and fuzzy terms by an Or of their ``limit`` most frequent indexed terms.

    Bounds the cost of `a*` or `x~2` on a big vocabulary; also clamps fuzzy edit distance to 2.
    """
    if isinstance(q, MultiTerm):
        if isinstance(q, FuzzyTerm):
            q.maxdist = min(q.maxdist, MAX_FUZZY_EDITS)
            q.prefixlength = max(q.prefixlength, 1)  # the first letter must agree: keeps expansion cheap
        found = []
        try:
            for i, bt in enumerate(q._btexts(reader)):
                if i >= MAX_SCAN:
                    break
                found.append((reader.doc_frequency(q.fieldname, bt), bt))
        except Exception:  # an odd pattern must not crash the search
            return NullQuery
        found.sort(key=lambda x: -x[0])
        fld = reader.schema[q.fieldname]
        terms = [Term(q.fieldname, bt if isinstance(bt, str) else fld.from_bytes(bt), boost=q.boost)
                 for _, bt in found[:limit]]
        return Or(terms) if terms else NullQuery
    if q.is_leaf():
        return q
    return q.apply(lambda sub: cap_expansions(sub, reader, limit)).normalize()


def positive_leaves(q) -> Iterator:
    """The Term and Phrase leaves of ``q`` that a matching passage may contain (negated parts left out).
    Call after `cap_expansions`, so prefix and fuzzy terms are already concrete. Used for highlighting."""
    if isinstance(q, Not):
        return
    if isinstance(q, AndNot):
        yield from positive_leaves(q.a)
    elif isinstance(q, (Term, Phrase)):
        yield q
    elif not q.is_leaf():
        for sub in q.children():
            yield from positive_leaves(sub)


def positive_terms(q) -> dict[str, set[str]]:
    """Indexed terms per field that a matching passage may contain (a phrase's words included)."""
    out: dict[str, set[str]] = {}
    for node in positive_leaves(q):
        words = [node.text] if isinstance(node, Term) else node.words
        out.setdefault(node.fieldname, set()).update(w for w in words if isinstance(w, str))
    return out
