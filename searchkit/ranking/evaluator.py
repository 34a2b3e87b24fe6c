"""Run a parsed query: every matching passage with its BM25 score, computed term-at-a-time with numpy.

Why not whoosh's collector: whoosh scores document-at-a-time through a tree of matcher objects (a dozen
Python calls per posting: union, coordination, wrapping, scorer, length lookup), and searchkit needs every
match anyway (the total, facets over all matching articles, one hit per article). Here each term's posting
list is read a block at a time into arrays, scored in one vectorised expression against the segment's cached
field lengths, and unions, intersections, exclusions and coordination are array operations. Scores are
whoosh's own (the same BM25 expression, idf, average lengths, boosts and `searchkit.query.nodes.coord_or`
coordination; sums may differ in the last bit), which ``tests/ranking/test_evaluator.py`` checks against whoosh's
searcher.

`searchkit.query.nodes.LeadOnly` and ``HeadlineFree`` (the headline matched once per article) keep part of
their child's matches by the same mask their whoosh matchers use, so both paths still agree.

Query nodes without an array form here (ranges, ``NOT`` alone, sloppy phrases, dis-max...) are run by
whoosh's own matcher for that node only, so everything the query language can express still runs, with
whoosh's scores.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from whoosh.query import And, AndNot, NullQuery, Or, Phrase, Term
from whoosh.scoring import BM25F

from ..query.nodes import CoordOr, HeadlineFree, LeadOnly
from ..store.layout import EMPTY, article_of, field_lengths, posting_arrays, read_postings, term_bytes

Postings = tuple  # (sorted unique docnums: int64 array, their scores: float64 array)
SPARSE_SUM = 8  # unions over fewer than 1/8 of a segment's documents are summed sparsely (`_Segment._sum`)


@dataclass
class SegmentMatches:
    """The matches of one segment: its own docnums (sorted) and their scores."""

    reader: Any  # the segment's whoosh reader
    offset: int  # its first document's number in the whole index
    ids: np.ndarray
    scores: np.ndarray
    _articles: np.ndarray | None = field(default=None, repr=False, compare=False)

    def articles(self) -> np.ndarray:
        """The article ordinal of each match (`searchkit.store.layout.article_of`), computed once: the
        passage ranking, facets, the timeline and copy collapsing each need it for the same matches."""
        if self._articles is None:
            self._articles = article_of(self.reader, self.ids)
        return self._articles


@dataclass
class Matches:
    """Every document matching a query, scored, per segment."""

    segments: list[SegmentMatches] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(s.ids) for s in self.segments)

    def docnums(self) -> np.ndarray:
        """Index-wide docnums of every match."""
        if not self.segments:
            return np.zeros(0, np.int64)
        return np.concatenate([s.ids + s.offset for s in self.segments])

    def scores(self) -> np.ndarray:
        if not self.segments:
            return np.zeros(0, np.float64)
        return np.concatenate([s.scores for s in self.segments])

    def top(self, n: int) -> list[tuple[int, float]]:
        """The ``n`` best (docnum, score), best first; equal scores in index order (as whoosh orders them)."""
        return top(self.docnums(), self.scores(), n)


def top(ids: np.ndarray, scores: np.ndarray, n: int) -> list[tuple[int, float]]:
    """The ``n`` best of ``ids`` by ``scores``, best first, ties (to 9 decimals: sums taken in another order
    differ in the last bit) in ``ids`` order."""
    if n <= 0 or not len(ids):
        return []
    if len(ids) > n:
        cut = np.partition(scores, len(scores) - n)[len(scores) - n]
        keep = scores >= cut - 1e-9 * max(1.0, abs(cut))
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -np.round(scores, 9)))[:n]
    return [(int(ids[i]), float(scores[i])) for i in order]


def match(searcher, q, filter_docs: set[int] | None = None) -> Matches:
    """Every document of ``searcher``'s index matching the whoosh query ``q``, scored with the searcher's
    weighting; ``filter_docs`` (index-wide docnums), when given, keeps only those documents."""
    subs = [(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers
    context = searcher.context()
    allowed = None
    if filter_docs is not None:
        allowed = np.fromiter(filter_docs, np.int64, len(filter_docs))
        allowed.sort()
    out = Matches()
    for sub, offset in subs:
        ids, scores = _Segment(searcher, sub, context).eval(q)
        if allowed is not None and len(ids):
            keep = np.isin(ids + offset, allowed, assume_unique=True)
            ids, scores = ids[keep], scores[keep]
        if len(ids):
            out.segments.append(SegmentMatches(sub.reader(), offset, ids, scores))
    return out


class _Segment:
    """Evaluates query nodes on one segment into (docnums, scores) arrays."""

    def __init__(self, top, sub, context):
        self.top, self.sub, self.context = top, sub, context
        self.reader = sub.reader()
        self.ndocs = self.reader.doc_count_all()
        self.weighting = top.weighting
        self.params: dict[str, tuple] = {}  # field -> (average length, B, K1)

    def eval(self, q) -> Postings:
        if q is NullQuery:
            return EMPTY
        kind = type(q)
        coord_cls = CoordOr
        if kind is Term:
            return self.term(q)
        if (kind is Or or isinstance(q, coord_cls)) and len(q.subqueries) == 1:
            return self.eval(q.subqueries[0])  # whoosh: a one-clause compound is its clause (no boost)
        if isinstance(q, coord_cls) and q.scale:
            return self.coord(q)
        if (kind is Or or isinstance(q, coord_cls)) and not q.scale:
            return self.union([self.eval(s) for s in q.subqueries])
        if kind is And:
            return self.intersection(q.subqueries)
        if kind is AndNot:
            ids, scores = self.eval(q.a)
            if len(ids):
                bids = self.eval(q.b)[0]
                if len(bids):
                    keep = ~np.isin(ids, bids, assume_unique=True)
                    ids, scores = ids[keep], scores[keep]
            return ids, scores
        if kind is Phrase and q.slop == 1:
            return self.phrase(q)
        if kind is LeadOnly or kind is HeadlineFree:
            return self.scoped(q)
        return self.whoosh(q)

    # -- leaves

    def _posting_arrays(self, fieldname: str, btext: bytes, values: bool = False, within: np.ndarray | None = None):
        return posting_arrays(self.reader, fieldname, btext, values, within)

    def _term_setup(self, fieldname: str, text):
        """(bytes of the term, its BM25 parameters, the field's lengths), or None when the term is not here;
        parameters None when whoosh must score it (not BM25F, or a field without lengths)."""
        reader = self.reader
        btext = term_bytes(reader, fieldname, text)
        if btext is None:
            return None
        fieldobj = reader.schema[fieldname]
        w = self.weighting
        lengths = field_lengths(reader, fieldname) if fieldobj.scorable else None
        if type(w).scorer is not BM25F.scorer or lengths is None:
            return btext, None, None
        # what whoosh's BM25FScorer takes from the top-level searcher (idf is cached there)
        params = self.params.get(fieldname)
        if params is None:
            params = self.params[fieldname] = (self.top.avg_field_length(fieldname) or 1,
                                               w._field_B.get(fieldname, w.B), w.K1)
        return btext, (self.top.idf(fieldname, text), *params), lengths

    @staticmethod
    def _bm25(params, tfs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        # whoosh.scoring.bm25, the same expression in the same order (so the same floats)
        idf, avgfl, B, K1 = params
        return idf * ((tfs * (K1 + 1)) / (tfs + K1 * ((1 - B) + B * lengths / avgfl)))

    def term(self, q) -> Postings:
        setup = self._term_setup(q.fieldname, q.text)
        if setup is None:
            return EMPTY
        btext, scorer, lengths = setup
        if scorer is None:
            return self.whoosh(q)
        ids, tfs = self._posting_arrays(q.fieldname, btext)
        scores = self._bm25(scorer, tfs, lengths[ids])
        if q.boost != 1.0:
            scores = scores * q.boost
        return ids, scores

    def phrase(self, q) -> Postings:
        """Adjacent words in order (whoosh's Phrase with slop 1); scored as whoosh does: the sum of the words'
        term scores, times the phrase's boost."""
        schema = self.reader.schema
        if q.fieldname not in schema or not q.words:
            return EMPTY
        fmt = schema[q.fieldname].format
        if not fmt or not fmt.supports("positions"):
            return self.whoosh(q)  # whoosh raises its own "no positions" error
        words = []
        for w in q.words:
            setup = self._term_setup(q.fieldname, w)
            if setup is None:
                return EMPTY
            if setup[1] is None:
                return self.whoosh(q)
            words.append(setup)
        # rarest word first: the other words' posting blocks holding none of its documents are skipped unread
        order = sorted(range(len(words)), key=lambda i: self.reader.doc_frequency(q.fieldname, words[i][0]))
        cand = None
        postings: list = [None] * len(words)
        for i in order:
            got = self._posting_arrays(q.fieldname, words[i][0], values=True, within=cand)
            postings[i] = got
            cand = got[0] if cand is None else np.intersect1d(cand, got[0], assume_unique=True)
            if not len(cand):
                return EMPTY
        positions = []  # per word: {docnum: encoded positions} for the candidates
        total = np.zeros(len(cand))
        for (btext, scorer, lengths), (ids, tfs, vals) in zip(words, postings):
            idx = np.searchsorted(ids, cand)
            positions.append({int(d): vals[i] for d, i in zip(cand, idx)})
            total += self._bm25(scorer, tfs[idx], lengths[cand])
        decode = fmt.decode_positions
        keep = []
        for d in cand.tolist():
            starts = set(decode(positions[0][d]))
            for k in range(1, len(words)):
                there = set(decode(positions[k][d]))
                starts = {s for s in starts if s + k in there}
                if not starts:
                    break
            keep.append(bool(starts))
        mask = np.array(keep, bool)
        ids, scores = cand[mask], total[mask]
        if q.boost != 1.0:
            scores = scores * q.boost
        return ids, scores

    def scoped(self, q) -> Postings:
        """`LeadOnly` / `HeadlineFree`: the child's matches that the node keeps (its ``keep`` mask), scores kept."""
        ids, scores = self.eval(q.child)
        if not len(ids):
            return ids, scores
        tfs = None
        if isinstance(q, HeadlineFree):
            if not isinstance(q.child, Term) or not q.needs_counts(self.reader):
                return ids, scores
            tid, tfs = read_postings(self.reader, q.child.fieldname, q.child.text, within=ids)
            tfs = tfs[np.searchsorted(tid, ids)]
        keep = q.keep(self.reader, ids, tfs)
        return ids[keep], scores[keep]

    def whoosh(self, q) -> Postings:
        """Run one node with whoosh's own matcher (its scores, its semantics)."""
        m = q.matcher(self.sub, self.context)
        ids, scores = [], []
        scored = self.context.weighting is not None
        while m.is_active():
            ids.append(m.id())
            scores.append(m.score() if scored else 0.0)
            m.next()
        return np.array(ids, np.int64), np.array(scores, np.float64)

    # -- combinations

    def union(self, parts: list[Postings]) -> Postings:
        parts = [p for p in parts if len(p[0])]
        if not parts:
            return EMPTY
        if len(parts) == 1:
            return parts[0]
        ids, total, _ = self._sum(parts)
        return ids, total

    def coord(self, q) -> Postings:
        """`searchkit.query.nodes.coord_or`: the sum, times ``1 - c + c * words matched / words``."""
        n, scale = len(q.subqueries), q.scale
        parts = [p for p in map(self.eval, q.subqueries) if len(p[0])]
        if not parts:
            return EMPTY
        ids, total, count = self._sum(parts)
        return ids, q.boost * total * ((1.0 - scale) + scale * count / n)

    def _sum(self, parts: list[Postings]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(docnums in any of ``parts``, the sum of their scores, in how many parts each is), each part's
        docnums unique. Sums run in part order on both paths (the same floating-point result).

        Why two ways: a dense accumulator over the segment's documents costs its size whatever the matches
        (zeroed and scanned: at 100k articles, 180k passages a segment, for a union of a few thousand), so
        when the parts hold under `SPARSE_SUM` of the segment they are sorted together instead (a stable sort
        keeps each docnum's parts in order, and `np.bincount` adds them in that order)."""
        m = sum(len(p[0]) for p in parts)
        if m * SPARSE_SUM < self.ndocs:
            ids = np.concatenate([p[0] for p in parts])
            scores = np.concatenate([p[1] for p in parts])
            order = np.argsort(ids, kind="stable")
            ids, scores = ids[order], scores[order]
            first = np.empty(len(ids), bool)
            first[0] = True
            np.not_equal(ids[1:], ids[:-1], out=first[1:])
            which = np.cumsum(first) - 1
            return ids[first], np.bincount(which, scores), np.bincount(which)
        total = np.zeros(self.ndocs)
        count = np.zeros(self.ndocs, np.int32)
        for ids, scores in parts:
            total[ids] += scores  # ids are unique within one part
            count[ids] += 1
        ids = np.flatnonzero(count)
        return ids, total[ids], count[ids]

    def intersection(self, subs) -> Postings:
        if not subs:
            return EMPTY
        parts = []
        for s in subs:
            p = self.eval(s)
            if not len(p[0]):
                return EMPTY
            parts.append(p)
        ids, scores = parts[0]
        for oids, oscores in parts[1:]:
            ids, ia, ib = np.intersect1d(ids, oids, assume_unique=True, return_indices=True)
            scores = scores[ia] + oscores[ib]
            if not len(ids):
                break
        return ids, scores

