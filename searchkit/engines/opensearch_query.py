"""The one query translator: searchkit's parsed query tree -> OpenSearch query DSL.

Why translate the *tree* and not the text: the query language is defined once, by `searchkit.query.parser`
(whoosh's query classes plus `searchkit.query.nodes.CoordOr`); its terms come out of searchkit's analysers
(stemmed, folded, Double Metaphone codes for ``names``), and the OpenSearch mapping
(`searchkit.engines.opensearch_mapping`) indexes exactly those terms. So every leaf becomes a ``term``-level
query on already-analysed text, and both engines match the same passages.

Node by node: Term -> ``term`` (with its field boost); Phrase -> ``span_near`` of ``span_term`` in order
(whoosh's slop 1 = adjacent = Lucene slop 0); Prefix -> ``prefix``; FuzzyTerm -> ``fuzzy`` (edits and prefix
length clamped as `cap_expansions` does, at most ``MAX_EXPANSION`` terms); And/Or/Not/AndNot/AndMaybe/Require
-> ``bool``; DisjunctionMax -> ``dis_max``; DateRange/NumericRange -> ``range``; Every -> ``match_all``;
`LeadOnly` / `HeadlineFree` (README's matching semantics, `searchkit.query.nodes.once_per_article`) -> ``bool``
with the child scoring and a filter: the article's lead (``pindex`` 0), or for a name code also a passage
whose own codes (``own_names``) hold it.

What differs (README, "When one machine is not enough"): `CoordOr`'s coordination factor has no DSL
equivalent, so words are a plain ``bool.should`` (passages with more of the words still score higher, by
the sum of their BM25 parts, but without the extra factor); prefix and fuzzy terms expand on the server
(Lucene's rewrite, scored per term: ``PREFIX_REWRITE``) rather than to the 64 most frequent terms; a name
code on a later passage matches exactly by the passage's own codes, where whoosh's `HeadlineFree` infers them.
"""
from __future__ import annotations

from datetime import datetime
from math import log
from typing import Any, Mapping

from whoosh.query import (And, AndMaybe, AndNot, DateRange, DisjunctionMax, Every, FuzzyTerm, Not,
                          NumericRange, Or, Phrase, Prefix, Require, Term)

from whoosh.util.times import long_to_datetime

from ..engine import Filters
from ..query.nodes import HeadlineFree, LeadOnly
from ..query.parser import MAX_EXPANSION, MAX_FUZZY_EDITS
from ..ranking.bm25 import BLENDED_IDF_FIELDS
from .opensearch_mapping import OWN_NAMES

MATCH_NONE: dict[str, Any] = {"match_none": {}}
PREFIX_REWRITE = "top_terms_1024"  # a scoring boolean of at most 1024 terms (the default clause limit)


class UntranslatableQuery(ValueError):
    """A node of the query tree this translator does not know (a bug to fix here, not user input)."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _leaf(q, scale: Scale) -> dict[str, Any]:
    field = q.fieldname
    boost = float(q.boost) * scale.get((field, getattr(q, "text", None)), scale.get(None, 1.0))
    if isinstance(q, FuzzyTerm):
        return {"fuzzy": {field: {"value": q.text, "fuzziness": min(int(q.maxdist), MAX_FUZZY_EDITS),
                                  "prefix_length": max(int(q.prefixlength), 1), "transpositions": True,
                                  "max_expansions": MAX_EXPANSION, "boost": boost}}}
    if isinstance(q, Prefix):
        # scored as the sum of its terms' BM25, as whoosh scores its expansion (Lucene's default rewrite gives
        # every match the same score, so copies of a story would tie where whoosh tells them apart)
        return {"prefix": {field: {"value": q.text, "boost": boost, "rewrite": PREFIX_REWRITE}}}
    if isinstance(q, Term):
        return {"term": {field: {"value": q.text, "boost": boost}}}
    if isinstance(q, Phrase):
        words = [w for w in q.words if isinstance(w, str)]
        if len(words) == 1:
            return {"term": {field: {"value": words[0], "boost": boost}}}
        spans = [{"span_term": {field: w}} for w in words]
        return {"span_near": {"clauses": spans, "slop": max(int(q.slop) - 1, 0), "in_order": True, "boost": boost}}
    if isinstance(q, DateRange):
        rng = {k: v for k, v in (("gte", _iso(q.startdate)), ("lte", _iso(q.enddate))) if v}
        return {"range": {"date": rng}} if rng else {"exists": {"field": "date"}}
    if isinstance(q, NumericRange):
        rng: dict[str, Any] = {}
        # the date field's bounds arrive as whoosh's longs (microseconds since year 1)
        conv = (lambda v: long_to_datetime(v).isoformat()) if field == "date" else (lambda v: v)
        if q.start is not None:
            rng["gt" if q.startexcl else "gte"] = conv(q.start)
        if q.end is not None:
            rng["lt" if q.endexcl else "lte"] = conv(q.end)
        return {"range": {field: rng}}
    if isinstance(q, Every):
        return {"match_all": {}}
    raise UntranslatableQuery(f"no OpenSearch translation for {type(q).__name__}")


def _once_per_article(q, child: dict[str, Any]) -> dict[str, Any]:
    """The translated ``child`` of a `LeadOnly` (matched on the article's lead, passage 0, only) or of a
    `HeadlineFree` names term (on the lead, or on a later passage whose own text or speakers hold the code:
    the same leaf on ``own_names``, exact where whoosh's node infers the headline's share from counts; a
    fuzzy or prefix term: some expansion of it there); scored as ``child``."""
    lead: dict[str, Any] = {"term": {"pindex": 0}}
    if isinstance(q, LeadOnly):
        return {"bool": {"must": [child], "filter": [lead]}}
    (kind, spec), = child.items()  # a term, prefix or fuzzy leaf on ``names`` (`once_per_article` wraps those)
    own = {kind: {OWN_NAMES: next(iter(spec.values()))}}
    return {"bool": {"must": [child], "filter": [{"bool": {"should": [lead, own], "minimum_should_match": 1}}]}}


Scale = Mapping[Any, float]  # (field, term) -> factor on that leaf's boost; None -> every other scoring leaf


def translate(q, scale: Scale | None = None) -> dict[str, Any]:
    """The DSL for the query tree ``q`` (NullQuery -> ``match_none``); ``scale`` multiplies leaf boosts
    (`idf_scale`: makes Lucene's BM25 compute whoosh's)."""
    scale = scale or {}
    if q is None or type(q).__name__ == "_NullQuery":
        return MATCH_NONE
    if isinstance(q, (LeadOnly, HeadlineFree)):
        return _once_per_article(q, translate(q.child, scale))
    if isinstance(q, AndNot):
        return {"bool": {"must": [translate(q.a, scale)], "must_not": [translate(q.b, scale)], "boost": float(q.boost)}}
    if isinstance(q, AndMaybe):
        return {"bool": {"must": [translate(q.a, scale)], "should": [translate(q.b, scale)], "boost": float(q.boost)}}
    if isinstance(q, Require):
        return {"bool": {"must": [translate(q.a, scale)], "filter": [translate(q.b, scale)], "boost": float(q.boost)}}
    if isinstance(q, Not):
        return {"bool": {"must": [{"match_all": {}}], "must_not": [translate(q.query, scale)]}}
    if isinstance(q, DisjunctionMax):
        return {"dis_max": {"queries": [translate(s, scale) for s in q.subqueries], "tie_breaker": float(q.tiebreak),
                            "boost": float(q.boost)}}
    if isinstance(q, And):
        must, must_not = [], []
        for sub in q.subqueries:
            if isinstance(sub, Not):
                must_not.append(translate(sub.query, scale))
            else:
                must.append(translate(sub, scale))
        body: dict[str, Any] = {"must": must or [{"match_all": {}}], "boost": float(q.boost)}
        if must_not:
            body["must_not"] = must_not
        return {"bool": body}
    if isinstance(q, Or):  # CoordOr too: see the module docstring
        return {"bool": {"should": [translate(s, scale) for s in q.subqueries], "minimum_should_match": 1,
                         "boost": float(q.boost)}}
    if q.is_leaf():
        return _leaf(q, scale)
    raise UntranslatableQuery(f"no OpenSearch translation for {type(q).__name__}")


def filter_values(value) -> list[str]:
    """A filter's exact values: one (a string) or several (any iterable of strings)."""
    return [value] if isinstance(value, str) else sorted(value)


def filter_clauses(filters: Filters, speaker_names: list[str] | None = None) -> list[dict[str, Any]]:
    """``bool.filter`` clauses for ``filters`` (exact facet values, inclusive date range); ``speaker_names``:
    every stored variant of the speaker's name (`searchkit.index.facets.variants_in`), as for whoosh."""
    out: list[dict[str, Any]] = []
    if filters.source:
        out.append({"terms": {"source_facet": filter_values(filters.source)}})
    if filters.speaker:
        out.append({"terms": {"speaker_facet": speaker_names or filter_values(filters.speaker)}})
    if filters.since or filters.until:
        rng = {k: v for k, v in (("gte", _iso(filters.since)), ("lte", _iso(filters.until))) if v}
        out.append({"range": {"date": rng}})
    return out


def search_query(q, filters: Filters, scale: Scale | None = None,
                 speaker_names: list[str] | None = None) -> dict[str, Any]:
    """The whole ``query`` of a search: the translated tree, restricted by ``filters`` (``speaker_names``
    as for `filter_clauses`)."""
    body = translate(q, scale)
    filt = filter_clauses(filters, speaker_names)
    if not filt:
        return body
    return {"bool": {"must": [body], "filter": filt}}


def blended_terms(q) -> list[tuple[str, str]]:
    """(field, term) of the Term leaves whose idf searchkit takes from ``body`` (`BLENDED_IDF_FIELDS`)."""
    out: list[tuple[str, str]] = []

    def walk(node):
        if isinstance(node, Term) and not isinstance(node, (Prefix, FuzzyTerm)):
            if node.fieldname in BLENDED_IDF_FIELDS and isinstance(node.text, str):
                out.append((node.fieldname, node.text))
        elif not node.is_leaf():
            for sub in node.children():
                walk(sub)

    walk(q)
    return list(dict.fromkeys(out))


def idf_scale(docs: int, df: Mapping[tuple[str, str], int], blended: list[tuple[str, str]]) -> dict:
    """Boost factors that make Lucene's BM25 compute searchkit's (`searchkit.ranking.bm25.LuceneBM25`): a
    headline/quote word x ``idf(body df) / idf(own df)``, because searchkit takes such words' df from ``body``
    (measured on corpus + 300 BBC articles: passage scores then agree within ~2%, the rest is the
    engines' different one-byte length encodings). ``df`` holds the
    document frequencies of ``(field, term)`` and ``("body", term)`` over ``docs`` passages."""
    def idf(n: int) -> float:
        return log(1.0 + (docs - n + 0.5) / (n + 0.5))

    out: dict[Any, float] = {}
    for field, text in blended:
        own, body = df.get((field, text), 0), df.get(("body", text), 0)
        if own and body:
            out[(field, text)] = idf(body) / idf(own)
    return out
