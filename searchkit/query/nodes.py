"""Query node classes searchkit adds to whoosh's query tree: `CoordOr`, an Or over the words someone typed
with per-word coordination (`coord_or`), and its matcher. Module-level classes, so that the evaluator
(`searchkit.ranking.evaluator`) and article scoring recognise them with ``isinstance``.
"""
from __future__ import annotations

from whoosh.matching import Matcher, NullMatcher
from whoosh.query import Or


class CoordOrMatcher(Matcher):
    def __init__(self, kids, n: int, scale: float, boost: float):
        self._all = kids
        self._n, self._scale, self._boost = n, scale, boost
        self._advance()

    def _advance(self):
        self._kids = [m for m in self._all if m.is_active()]
        self._all = self._kids
        self._id = min(m.id() for m in self._kids) if self._kids else None

    def is_active(self):
        return self._id is not None

    def id(self):
        return self._id

    def next(self):
        for m in self._kids:
            if m.id() == self._id:
                m.next()
        self._advance()

    def skip_to(self, target):
        for m in self._kids:
            if m.id() < target:
                m.skip_to(target)
        self._advance()

    def score(self):
        total, k = 0.0, 0
        for m in self._kids:
            if m.id() == self._id:
                total += m.score()
                k += 1
        return self._boost * total * (1.0 - self._scale + self._scale * k / self._n)

    def supports(self, astype):
        return all(m.supports(astype) for m in self._kids)

    def supports_block_quality(self):
        return False

    def max_quality(self):
        # an upper bound (the coordination factor is at most 1), asked for by AndMaybe/AndNot pruning
        return self._boost * sum(m.max_quality() for m in self._kids)

    def children(self):
        return list(self._kids)

    def term_matchers(self):
        for m in self._kids:
            yield from m.term_matchers()

    def matching_terms(self, id=None):
        id = self._id if id is None else id
        for m in self._kids:
            if m.is_active() and m.id() == id:
                yield from m.matching_terms(id)

    def copy(self):
        return CoordOrMatcher([m.copy() for m in self._kids], self._n, self._scale, self._boost)

    def reset(self):
        for m in self._all:
            m.reset()
        self._advance()

    def replace(self, minquality=0):
        return self if self.is_active() else NullMatcher()

class CoordOr(Or):
    """Or with per-word coordination (see `coord_or`); a distinct class so whoosh's normalisation
    does not flatten the per-field Ors of each word into it."""

    def apply(self, fn):
        return CoordOr([fn(q) for q in self.subqueries], boost=self.boost, scale=self.scale)

    def _matcher(self, subs, searcher, context):
        if not self.scale:
            return Or._matcher(self, subs, searcher, context)
        kids = [q.matcher(searcher, context) for q in subs]
        return CoordOrMatcher(kids, len(subs), self.scale, self.boost)


def coord_or(subqueries, boost: float = 1.0, scale: float | None = None):
    """An Or over the query's words whose score is multiplied by ``1 - scale + scale * matched / words``.

    Why not whoosh's ``Or(scale=...)``: its coordination counts *term matchers*, i.e. one word found in
    body and headline counts twice, and it adds a bonus that is negligible next to BM25 scores. Here each
    direct sub-query is one word (or phrase, or group) of what the person typed, whatever fields it spans.
    """
    return CoordOr(subqueries, boost=boost, scale=scale)
