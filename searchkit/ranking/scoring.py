"""Whole-article scoring: BM25 of an article's passages taken together, for article mode.

The headline is merged into the body's tf BM25F-style (weight 1, as if it were the first line of the text)
plus, for a headline boost above 1, the excess as a clause of its own, so a headline word still counts once
the body's tf has saturated. Only the pool of best articles by passage score is re-ranked (~3 ms a query
instead of ~370 ms for every match, the same SciFact figure). The measurements behind each choice are in
docs/ranking.md.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from whoosh.query import Or, Term

from ..arrays import distinct
from ..query.nodes import CoordOr, HeadlineFree, LeadOnly
from ..settings import DEFAULT_SETTINGS, Settings
from ..store.layout import article_of, article_starts, field_lengths, read_postings
from ..store.schema import ARTICLE_ID, BODY, HEADLINE

# Fields counted once per article in article scoring: every passage carries a copy of the article's headline,
# so summing its tf over passages would reward articles for being split into more passages.
ONCE_PER_ARTICLE_FIELDS = (HEADLINE,)
# BM25F: a word's headline and body matches are summed (weighted by the field boosts, each length-normalised)
# before one saturation, instead of saturating each field apart (`Settings.bm25f`).
BM25F_FIELDS = (HEADLINE, BODY)


def word_leaves(node, boost: float = 1.0):
    """One typed word's [(field, text, boost), ...] (a Term, or an Or of Terms without coordination), or
    None when it is something else (a phrase, range, wildcard...)."""
    if isinstance(node, (LeadOnly, HeadlineFree)):  # matching scopes (`once_per_article`): the same word
        return word_leaves(node.child, boost)
    if isinstance(node, Term):
        return [(node.fieldname, node.text, boost * node.boost)]
    if type(node) is Or or (isinstance(node, Or) and not node.scale):
        out = []
        for sub in node.subqueries:
            got = word_leaves(sub, boost * node.boost)
            if got is None:
                return None
            out.extend(got)
        return out
    return None


def _words(q):
    """The query as (coordination scale, boost, [[(field, text, boost), ...] per typed word]), or None when
    some part is not a plain term (phrases, ranges, wildcards...): those keep best-passage scoring."""
    if isinstance(q, CoordOr):
        subs, scale, boost = q.subqueries, q.scale or 0.0, q.boost
    else:
        subs, scale, boost = [q], 0.0, 1.0
    words = [word_leaves(s) for s in subs]
    return None if any(w is None for w in words) else (scale, boost, words)


def _article_count(reader) -> int:
    """Distinct articles in the index (cached on the reader: counting walks the article_id lexicon)."""
    n = getattr(reader, "_searchkit_articles", None)
    if n is None:
        n = sum(1 for _ in reader.lexicon(ARTICLE_ID)) or 1
        try:
            reader._searchkit_articles = n
        except AttributeError:
            pass
    return n


def article_scores(searcher, q, best_docs: Sequence[int], settings: Settings = DEFAULT_SETTINGS) -> dict | None:
    """BM25 of whole articles for ``q``: tf summed over each article's passages, length = the sum of their
    lengths (headline counted once), the same field boosts, idf and coordination as passage scoring.

    Why: an article's best passage often holds only part of the query's words (a 200-word abstract is 2-3
    passages), so "one hit per article" should score the article, not its best piece. ``best_docs`` are
    index-wide docnums of one passage of each candidate article; returns {docnum: score} for them, or None
    when the query is not plain words. An article's passages are the run of documents from its passage 0
    (`searchkit.store.layout.article_starts`), so its sums are slices of the posting and length arrays.
    """
    parsed = _words(q)
    if parsed is None:
        return None
    scale, qboost, words = parsed
    reader = searcher.reader()
    names = searcher.schema.names()
    n_articles = _article_count(reader)
    w = searcher.weighting
    k1, b = getattr(w, "K1", settings.k1), getattr(w, "B", settings.b)
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
        within = distinct(np.concatenate([np.arange(s0, e0) for s0, e0 in zip(first.tolist(), last.tolist())]))
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
    return _bm25_of_articles(words, tf_of, len_of, avg, idfs, (k1, b, scale, qboost), settings)


def _bm25_of_articles(words, tf_of: dict, len_of: dict, avg: dict, idfs: dict, params: tuple,
                      settings: Settings) -> dict:
    """{docnum: score} from each article's summed tfs and lengths (see `article_scores`)."""
    k1, b, scale, qboost = params
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
                fb = settings.headline_b if field == HEADLINE else b
                lnorm = (1 - fb) + fb * len_of[d][field] / avg[field]
                if settings.bm25f and field in BM25F_FIELDS:
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
