"""Query node classes searchkit adds to whoosh's query tree: `CoordOr`, an Or over the words someone typed
with per-word coordination (`coord_or`), and its matcher; `LeadOnly` and `HeadlineFree`, which make the
headline article-level evidence (`once_per_article`: the embedded engine's matching semantics). Module-level
classes, so that the evaluator (`searchkit.ranking.evaluator`) and article scoring recognise them with
``isinstance``.
"""
from __future__ import annotations

import numpy as np
from whoosh.matching import FilterMatcher, Matcher, NullMatcher
from whoosh.query import And, AndNot, MultiTerm, Not, Or, Require, Term, WrappingQuery

from ..arrays import distinct_first_counts
from ..store.analysis import OWN_NAMES_CODE
from ..store.layout import article_of, article_starts, is_lead, read_postings, segment_cache
from ..store.schema import ARTICLE, HEADLINE, NAMES, decode_article

HEADLINE_MEMO = 20_000  # articles whose headline name codes `HeadlineFree` keeps per segment (~10 MB at most)


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


class LeadOnly(WrappingQuery):
    """A headline clause that matches an article once, on its first passage (its lead), not on every passage.

    Why: every passage document carries a copy of its article's headline (the index format), so a headline
    term's postings list every passage of the article; "a passage matches by its own text" (README, issue 11)
    needs the headline to be article-level evidence, counted once. Used by `once_per_article`.
    """

    def __eq__(self, other):
        return type(other) is type(self) and other.child == self.child

    __hash__ = WrappingQuery.__hash__

    def keep(self, reader, ids: np.ndarray, tfs: np.ndarray | None = None) -> np.ndarray:
        """Mask of ``ids`` (sorted docnums of one segment, ``reader``) to keep: the articles' first passages.
        ``tfs`` is unused (the signature `HeadlineFree.keep` shares)."""
        return is_lead(reader, ids)

    def matcher(self, searcher, context=None):
        m = self.child.matcher(searcher, context)
        if not m.is_active():
            return m
        return FilterMatcher(m, frozenset(article_starts(searcher.reader()).tolist()))


class HeadlineFree(WrappingQuery):
    """A ``names`` term (phonetic name codes) without the matches it owes only to the article's headline.

    The ``names`` field of an article's lead holds the headline's codes, its later passages only their own text's
    and speakers' (`searchkit.store.layout.passage_documents`), the lead marked so (`OWN_NAMES_CODE`): for such
    an article every posting is a match. An index an older version built has the headline's codes on every
    passage, where a name in the headline would match every passage. There the headline's share is inferred:
    when some passage of the article lacks the code, the headline (on every passage) has none of it; when
    every passage holds it, the headline's own count is read from the stored headline (once per article and
    segment, only for those articles). A later passage matches when it holds the code more often than its
    headline does, the lead (which carries the headline evidence) whenever it holds it: exact, and the same
    rule as the OpenSearch engine's ``own_names`` field. Work in proportion to the code's postings, not to
    the segment.
    """

    def __eq__(self, other):
        return type(other) is type(self) and other.child == self.child

    __hash__ = WrappingQuery.__hash__

    def needs_counts(self, reader) -> bool:
        """False when `keep` keeps every posting of this segment whatever its term frequency: every article
        was indexed with its later passages' own codes (the layout since `OWN_NAMES_CODE`), so callers need
        not read the frequencies (or call `keep`) at all."""
        starts = article_starts(reader)
        return bool(len(starts)) and starts[0] == 0 and not bool(_own_names(reader, starts).all())

    def keep(self, reader, ids: np.ndarray, tfs: np.ndarray) -> np.ndarray:
        """Mask of ``ids`` (sorted docnums of one segment, ``reader``, with term frequencies ``tfs``) to keep."""
        starts = article_starts(reader)
        if not len(ids) or not len(starts) or starts[0] != 0:
            return np.ones(len(ids), bool)
        arts = article_of(reader, ids)
        uniq, _, counts = distinct_first_counts(arts)
        sizes = np.diff(np.append(starts, reader.doc_count_all()))[uniq]
        least = np.zeros(len(uniq))  # a passage without the code: the headline (on every passage) has none of it
        # The lead is kept whatever its headline holds, so only an article with later passages needs its stored
        # headline read: a one-passage article (most short news stories) costs nothing here.
        every = np.flatnonzero((counts == sizes) & (sizes > 1))
        if len(every):  # an article indexed with own codes on its later passages needs nothing read
            every = every[~_own_names(reader, starts)[uniq[every]]]
        if len(every) and isinstance(self.child, Term):
            least[every] = [self._headline_count(reader, int(starts[a])) for a in uniq[every].tolist()]
        return (ids == starts[arts]) | (tfs > least[np.searchsorted(uniq, arts)])

    def _headline_count(self, reader, start: int) -> int:
        """How often the headline of the article whose lead is ``start`` gives this node's code. The headline's
        codes are memoised per article and segment (its documents never change), so the next query naming
        another person in the same article reads no stored fields; at most `HEADLINE_MEMO` articles a segment."""
        memo = segment_cache(reader, ("headline-names", self.child.fieldname), dict)
        codes = memo.get(start)
        if codes is None:
            stored = reader.stored_fields(start)
            headline = str(decode_article(stored[ARTICLE]).get("headline") or "") if ARTICLE in stored else ""
            analyzer = reader.schema[self.child.fieldname].analyzer
            codes = tuple(t.text for t in analyzer(headline)) if headline else ()
            if len(memo) >= HEADLINE_MEMO:
                memo.clear()
            memo[start] = codes
        return codes.count(self.child.text)

    def matcher(self, searcher, context=None):
        m = self.child.matcher(searcher, context)
        q = self.child
        if not m.is_active() or not isinstance(q, Term):
            return m
        reader = searcher.reader()
        ids, tfs = read_postings(reader, q.fieldname, q.text)
        return FilterMatcher(m, frozenset(ids[self.keep(reader, ids, tfs)].tolist()))


def _own_names(reader, starts: np.ndarray) -> np.ndarray:
    """Per article of segment ``reader`` (``starts``: its leads): True when its later passages' ``names`` hold
    only their own codes (the lead's `OWN_NAMES_CODE`, written since the layout put the headline's codes on the
    lead alone); False for an article an older version indexed, headline codes on every passage. Read once a
    segment: one posting list, an entry an article."""
    def make():
        ids, _ = read_postings(reader, NAMES, OWN_NAMES_CODE)
        return np.isin(starts, ids, assume_unique=True)

    return segment_cache(reader, ("own-names",), make)


def _article_level(q) -> bool:
    """True when every leaf of ``q`` is a headline clause (so ``q`` says something about whole articles)."""
    if q.is_leaf():
        return getattr(q, "fieldname", None) == HEADLINE
    kids = list(q.children())
    return bool(kids) and all(_article_level(k) for k in kids)


def once_per_article(q):
    """``q`` with the matching semantics of README's query table: a passage matches by its own text.

    A headline clause (unscoped word's headline part, ``headline:``) matches the article once, on its lead
    (`LeadOnly`); ``names`` terms lose their headline-only matches (`HeadlineFree`; a prefix or fuzzy one too, for
    an engine that expands it on the server, where the whoosh engine has already made it terms); inside an exclusion
    (``-headline:word``, ``NOT``) a headline clause still covers every passage, so the whole article is left
    out; a headline clause that is a required part of an ``AND`` beside passage clauses filters articles (every
    passage of an article whose headline has it may match by its own text).
    """
    if _article_level(q):
        return LeadOnly(q)
    if isinstance(q, (Term, MultiTerm)) and q.fieldname == NAMES:  # MultiTerm: where the engine expands it
        return HeadlineFree(q)
    if isinstance(q, (Not, LeadOnly, HeadlineFree)) or q.is_leaf():
        return q
    if isinstance(q, AndNot):
        return AndNot(once_per_article(q.a), q.b)
    if isinstance(q, Require):
        return Require(once_per_article(q.a), q.b if _article_level(q.b) else once_per_article(q.b))
    if type(q) is And:
        return And([k if _article_level(k) else once_per_article(k) for k in q.subqueries], boost=q.boost)
    return q.apply(once_per_article)
