"""Query expansion by pseudo-relevance feedback (RM3, Lavrenko & Croft 2001; Abdul-Jaleel et al. 2004), optional.

``expand=True`` (``Settings.expand``, ``--expand``, ``expand=1`` on /api/search): the query's best
``expand_docs`` articles (article-level BM25F, `searchkit.ranking.articles`) are taken as relevant; each word of
their text is weighted by ``P(w|R) = sum_d P(w|d) P(d|q)`` with ``P(w|d)`` the word's share of the article's
text and ``P(d|q)`` proportional to ``exp(S_a(d) - max S_a)``; the ``expand_terms`` heaviest words join the
query, which keeps ``expand_weight`` of the total weight (the original words in their proportions, the new ones
in theirs). The expanded query is run again, so articles holding only new words can come in.

Why optional: it doubles the query's work, and the measured gains differ by collection (docs/ranking-issue11.md:
prototype TIME +0.01, Cranfield +0.04, SciFact +0.0004). Only plain-word queries are expanded (the ones that
article-level ranking scores); the words shown highlighted stay the query's own.
"""
from __future__ import annotations

from collections import Counter
from math import exp

import numpy as np
from whoosh.query import AndNot, Term

from ..query.nodes import CoordOr, LeadOnly
from ..settings import Settings
from ..store.analysis import analyze
from ..store.schema import ARTICLE, BODY, HEADLINE, decode_article
from .articles import QueryWords, rank_articles


def _article_tokens(seg, start: int) -> list[str]:
    """The analysed body words of the article whose first passage is document ``start`` of segment ``seg``."""
    stored = seg.stored_fields(int(start))
    if ARTICLE not in stored:
        return []
    art = decode_article(stored[ARTICLE])
    return [t for p in art.get("passages") or [] for t in analyze(p.get("text") or "")]


def feedback(matches, scores, settings: Settings) -> dict[str, float]:
    """{word: P(w|R)} of the ``settings.expand_terms`` heaviest words of the best ``settings.expand_docs``
    matching articles (``scores``: their `searchkit.ranking.articles.ArticleScores`), normalised to sum 1."""
    docs, vals = rank_articles(matches, scores)
    if not len(docs):
        return {}
    order = np.lexsort((docs, -vals))[:settings.expand_docs]
    best = float(vals[order[0]])
    segs = sorted((off, seg, starts) for seg, off, starts, _ in scores.segments)
    offsets = np.array([off for off, _, _ in segs])
    rel: Counter = Counter()
    for i in order.tolist():
        off, seg, starts = segs[int(np.searchsorted(offsets, docs[i], side="right")) - 1]
        local = int(docs[i] - off)
        start = int(starts[int(np.searchsorted(starts, local, side="right")) - 1])
        tokens = _article_tokens(seg, start)
        if not tokens:
            continue
        weight = exp(float(vals[i]) - best)
        for t, n in Counter(tokens).items():
            rel[t] += weight * n / len(tokens)
    top = dict(rel.most_common(settings.expand_terms))
    total = sum(top.values()) or 1.0
    return {t: v / total for t, v in top.items()}


def expand_words(words: QueryWords, fb: dict[str, float], settings: Settings) -> QueryWords:
    """``words`` with the feedback words added: the original words keep ``expand_weight`` of the weight.

    The original words keep their own weights (and the feedback words are scaled to match), not weights
    normalised to sum 1: the proximity terms of passage mode are not weighted by the query words, so a query
    scaled down would let them outweigh the words (TIME passage 0.5728 normalised, see the tuning log).
    """
    keep = settings.expand_weight
    qtf = list(words.qtf or [1.0] * len(words.words))
    scale = (sum(qtf) or 1.0) * (1 - keep) / keep
    out = [list(w) for w in words.words]
    own = {t: i for i, w in enumerate(words.words) for f, t, _ in w if f == BODY}
    for t, v in fb.items():
        if t in own:
            qtf[own[t]] += scale * v
        else:
            out.append([(BODY, t, 1.0), (HEADLINE, t, 1.0)])
            qtf.append(scale * v)
    return QueryWords(words.boost, out, qtf, typed=len(words.words) if words.typed is None else words.typed,
                      sequence=words.sequence)


def expand_query(q, fb: dict[str, float]):
    """The whoosh query matching what ``q`` matches plus any passage holding a feedback word in its text (or a
    lead whose headline has it); ``q``'s exclusions still hold."""
    extra = [CoordOr([Term(BODY, t), LeadOnly(Term(HEADLINE, t))]) for t in fb]
    if not extra:
        return q
    if isinstance(q, AndNot):
        return AndNot(CoordOr([q.a] + extra), q.b)
    return CoordOr([q] + extra)
