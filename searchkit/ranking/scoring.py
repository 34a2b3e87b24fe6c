"""Ranking: BM25 weighting per field and the passage -> article aggregation.

Why a subclass of whoosh's BM25F: whoosh's idf is ``log(N / (df + 1)) + 1``, which keeps very common words
(present in most passages) at a weight near 1; Lucene/Anserini use ``log(1 + (N - df + .5) / (df + .5))``,
the form the published BM25 anchors were measured with; and headline/quote words take the body's df (see
BLENDED_IDF_FIELDS). Everything else (per-field length normalisation) is whoosh's.

Article mode scores whole articles (`article_scores`; ARTICLE_LEVEL False = best passage via `aggregate`):
BM25 over the article's passages, the headline merged into the body's tf BM25F-style (weight 1, as if it were
the first line of the text) plus, for a headline boost above 1, the excess as a clause of its own, so a
headline word still counts once the body's tf has saturated. Measured with
``python bench/relevance.py --keep /tmp/skb/real [--set scoring.X=...] [--boosts headline=H,quote=0.5,body=1,names=0.2]``
(nDCG@10; SciFact train / CISI / Cranfield; "headline test" = tests/test_search.py's headline-first test):

==================================================  =======  ======  =========  =============
setting                                             SciFact  CISI    Cranfield  headline test
==================================================  =======  ======  =========  =============
best passage, headline 1.5 (before)                 0.6753   0.3462  0.3716     passes
whole articles, fields saturated apart, head. 1.5   0.6879   0.3326  0.3712     fails
whole articles, fields saturated apart, head. 2     0.6804   --      --         --
whole articles, pure BM25F (headline weight 3)      0.6968   0.3328  0.3500     fails ('region')
whole articles, BM25F + excess clause, head. 2      0.6942   0.3376  0.3643     passes  **default**
==================================================  =======  ======  =========  =============

Re-ranking only the fetched pool (best articles by passage score) instead of every match gives the same
SciFact figure and costs ~3 ms a query instead of ~370 ms. CISI and Cranfield lose ~0.008 against best-passage
ranking: short abstracts with one passage gain nothing from whole-article scoring there.

Parameters were chosen on ``bench/relevance.py`` (SciFact train judgments, article mode), cross-checked on CISI
and Cranfield; the figures are in ``searchkit.search``'s docstring.
"""
from __future__ import annotations

from math import log
from typing import Sequence

K1 = 1.2
B = 0.75
# Fields whose words take the body's document frequency for idf ("how rare is this word" is a property of the
# word, not of the field; Lucene's cross-field queries blend it the same way). Needed because every passage
# carries its article's headline: a headline word's own df counts the article's passages, so an article with
# many passages would see its headline words look common and rank below a single body mention elsewhere.
# Quotes are text inside the body, so their body df is the honest count too. Words found in no body keep
# their own field's df.
BLENDED_IDF_FIELDS = ("headline", "quote")
# Article score = best passage + ARTICLE_SHARE x the sum of the other matching passages: a second passage that
# also matches is evidence the article is about the query, but must not let long articles win on length alone.
ARTICLE_SHARE = 0.0
# Article mode scores whole articles (`article_scores`); False = best passage (`aggregate`), for comparison.
ARTICLE_LEVEL = True


def weighting(k1: float | None = None, b: float | None = None):
    """The whoosh weighting model searchkit ranks with (BM25 with Lucene's idf); defaults K1, B."""
    from whoosh.scoring import BM25F

    class LuceneBM25(BM25F):
        def idf(self, searcher, fieldname, text):
            n = 0
            if fieldname in BLENDED_IDF_FIELDS:
                n = searcher.doc_frequency("body", text)
            n = n or searcher.doc_frequency(fieldname, text)
            dc = searcher.doc_count_all()
            return log(1.0 + (dc - n + 0.5) / (n + 0.5))

    return LuceneBM25(B=B if b is None else b, K1=K1 if k1 is None else k1)


def aggregate(scores: Sequence[float], share: float | None = None) -> float:
    """One article's score from its passages' scores (any order); ``share`` defaults to ARTICLE_SHARE."""
    share = ARTICLE_SHARE if share is None else share
    if not scores:
        return 0.0
    best = max(scores)
    return best + share * (sum(scores) - best)


def coord_or(subqueries, boost: float = 1.0, scale: float | None = None):
    """An Or over the query's words whose score is multiplied by ``1 - scale + scale * matched / words``.

    Why not whoosh's ``Or(scale=...)``: its coordination counts *term matchers*, i.e. one word found in
    body and headline counts twice, and it adds a bonus that is negligible next to BM25 scores. Here each
    direct sub-query is one word (or phrase, or group) of what the person typed, whatever fields it spans.
    """
    return _coord_classes()[0](subqueries, boost=boost, scale=scale)


def _coord_classes():
    global _COORD
    if _COORD is None:
        _COORD = _make_coord_classes()
    return _COORD


_COORD = None


def _make_coord_classes():
    from whoosh.matching import Matcher
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
            return self if self.is_active() else _null_matcher()

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

    return CoordOr, CoordOrMatcher


def _null_matcher():
    from whoosh.matching import NullMatcher

    return NullMatcher()


# Fields counted once per article in article scoring: every passage carries a copy of the article's headline,
# so summing its tf over passages would reward articles for being split into more passages.
ONCE_PER_ARTICLE_FIELDS = ("headline",)
# Length normalisation of headline words in article scoring (B for the headline field): a headline is a
# dozen words whatever the article, so its length says little about verbosity.
HEADLINE_B = 0.75
# BM25F: a word's headline and body matches are summed (weighted by the field boosts, each length-normalised)
# before one saturation, instead of saturating each field apart (a headline match then counts as more tf).
BM25F = True
BM25F_FIELDS = ("headline", "body")


def _words(q):
    """The query as (coordination scale, boost, [[(field, text, boost), ...] per typed word]), or None when
    some part is not a plain term (phrases, ranges, wildcards...): those keep best-passage scoring."""
    from whoosh.query import Or, Term

    def leaves(node, boost):
        if isinstance(node, Term):
            return [(node.fieldname, node.text, boost * node.boost)]
        if type(node) is Or or (isinstance(node, Or) and not node.scale):
            out = []
            for sub in node.subqueries:
                got = leaves(sub, boost * node.boost)
                if got is None:
                    return None
                out.extend(got)
            return out
        return None

    coord_cls = _coord_classes()[0]
    if isinstance(q, coord_cls):
        subs, scale, boost = q.subqueries, q.scale or 0.0, q.boost
    else:
        subs, scale, boost = [q], 0.0, 1.0
    words = [leaves(s, 1.0) for s in subs]
    return None if any(w is None for w in words) else (scale, boost, words)


def _article_count(reader) -> int:
    """Distinct articles in the index (cached on the reader: counting walks the article_id lexicon)."""
    n = getattr(reader, "_searchkit_articles", None)
    if n is None:
        n = sum(1 for _ in reader.lexicon("article_id")) or 1
        try:
            reader._searchkit_articles = n
        except AttributeError:
            pass
    return n


def article_scores(searcher, q, best_docs: Sequence[int]) -> dict | None:
    """BM25 of whole articles for ``q``: tf summed over each article's passages, length = the sum of their
    lengths (headline counted once), the same field boosts, idf and coordination as passage scoring.

    Why: an article's best passage often holds only part of the query's words (a 200-word abstract is 2-3
    passages), so "one hit per article" should score the article, not its best piece. ``best_docs`` are
    index-wide docnums of one passage of each candidate article; returns {docnum: score} for them, or None
    when the query is not plain words. An article's passages are the run of documents from its passage 0
    (`searchkit.facets.article_starts`), so its sums are slices of the posting and length arrays.
    """
    import numpy as np

    from .evaluator import field_lengths, read_postings
    from ..results.facets import article_of, article_starts

    parsed = _words(q)
    if parsed is None:
        return None
    scale, qboost, words = parsed
    reader = searcher.reader()
    names = searcher.schema.names()
    n_articles = _article_count(reader)
    w = searcher.weighting
    k1, b = getattr(w, "K1", K1), getattr(w, "B", B)
    terms = list(dict.fromkeys((f, t) for word in words for f, t, _ in word))
    idfs = {(f, t): w.idf(searcher, f, t) for f, t in terms}
    avg = {}
    for f in {f for f, _ in terms}:
        total = reader.field_length(f) if f in names else 0
        avg[f] = (total / reader.doc_count_all() if f in ONCE_PER_ARTICLE_FIELDS else total / n_articles) or 1.0
    leaves = [(reader, 0)] if reader.is_atomic() else reader.leaf_readers()
    bounds = [off for _, off in leaves] + [reader.doc_count_all()]
    docs = np.asarray(sorted(best_docs), np.int64)
    # per article: {(field, text): tf} and {field: length}, from its segment's arrays
    tf_of: dict[int, dict] = {}
    len_of: dict[int, dict] = {}
    for i, (seg, off) in enumerate(leaves):
        mine = docs[(docs >= off) & (docs < bounds[i + 1])]
        if not len(mine):
            continue
        starts = article_starts(seg)
        arts = article_of(seg, mine - off)
        first = starts[arts]
        last = np.where(arts + 1 < len(starts), starts[np.minimum(arts + 1, len(starts) - 1)], seg.doc_count_all())
        within = np.unique(np.concatenate([np.arange(s0, e0) for s0, e0 in zip(first.tolist(), last.tolist())]))
        for d in mine.tolist():
            tf_of[d], len_of[d] = {}, {}
        for f in {f for f, _ in terms}:
            lengths = field_lengths(seg, f) if f in names else None
            for d, s0, e0 in zip(mine.tolist(), first.tolist(), last.tolist()):
                if lengths is None:
                    len_of[d][f] = 0
                elif f in ONCE_PER_ARTICLE_FIELDS:
                    len_of[d][f] = float(lengths[s0])
                else:
                    len_of[d][f] = float(lengths[s0:e0].sum())
        for f, t in terms:
            ids, tfs = read_postings(seg, f, t, within) if f in names else (np.zeros(0, np.int64), np.zeros(0))
            lo = np.searchsorted(ids, first)
            hi = np.searchsorted(ids, last)
            cums = np.concatenate([[0.0], np.cumsum(tfs)])
            for d, s0, l0, h0 in zip(mine.tolist(), first.tolist(), lo.tolist(), hi.tolist()):
                if f in ONCE_PER_ARTICLE_FIELDS:
                    tf = float(tfs[l0]) if l0 < len(ids) and ids[l0] == s0 else 0.0
                else:
                    tf = float(cums[h0] - cums[l0])
                tf_of[d][f, t] = tf
    out = {}
    n = len(words)
    for d in tf_of:
        total, matched = 0.0, 0
        for word in words:
            s = 0.0
            merged: dict[str, list[float]] = {}  # BM25F: text -> [weighted length-normalised tf, idf]
            for field, text, boost in word:
                tf = tf_of[d][field, text]
                if not tf:
                    continue
                fb = HEADLINE_B if field == "headline" else b
                lnorm = (1 - fb) + fb * len_of[d][field] / avg[field]
                if BM25F and field in BM25F_FIELDS:
                    acc = merged.setdefault(text, [0.0, 0.0])
                    acc[0] += min(boost, 1.0) * tf / lnorm
                    acc[1] = max(acc[1], idfs[field, text])
                    boost -= 1.0  # a boost above 1 is an extra clause of its own, beyond the body's saturation
                    if boost <= 0:
                        continue
                s += boost * idfs[field, text] * tf * (k1 + 1) / (tf + k1 * lnorm)
            for ntf, idf in merged.values():
                s += idf * ntf * (k1 + 1) / (ntf + k1)
            if s > 0:
                total += s
                matched += 1
        out[d] = qboost * total * (1.0 - scale + scale * matched / n) if n else 0.0
    return out
