"""Article-level BM25F (issue 11): one score per article from article statistics, and passages ranked with it.

Why: searchkit indexes passages, so whoosh's statistics are passage statistics (N = passages, df = passages
holding the word, lengths of passages). On long news articles that is the wrong unit: a word repeated in one
long article looks common, and an article split in more passages gets its headline counted once per passage.
The prototype (bench/rank_proto.py, docs/ranking-issue11.md) measured the recipe implemented here:

    idf(t)  = ln(1 + (N - df + 0.5) / (df + 0.5))       N = live articles, df = articles holding t in any field
    tf~     = sum over fields of w_f * tf_f              the headline counted once (its passage 0 copy), w 3
    len~    = sum over fields of w_f * len_f,            avg = mean len~ over live articles
    S_a     = sum over query words of idf * tf~ (k1 + 1) / (tf~ + k1 (1 - b + b len~ / avg))

scored for *every* article that has a matching passage (no pool chosen by passage score: the ranking is exact,
so pages partition it). Passage mode combines a passage's own BM25 (body text, article idf, ``passage_b``)
with its article's score, each divided by its maximum: ``pw * P / max P + (1 - pw) * S_a / max S_a``.

Everything is array work over the segment's cached posting and length arrays (`searchkit.store.layout`):
an article's passages are consecutive documents, so per-article sums are ``np.bincount`` over article ordinals.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from whoosh.query import And, AndNot, Or, Phrase

from ..arrays import best_of_runs, distinct
from ..query.nodes import CoordOr, HeadlineFree, LeadOnly
from .lengths import HEADLINE, article_lengths, article_norm, field_weight, live_totals, mean_live_length
from .pairs import pair_tfs, query_pairs
from .scoring import word_leaves
from ..settings import Settings
from ..store.analysis import analyze
from ..store.positions import pair_acc_arrays, position_arrays
from ..store.layout import article_of, article_starts, field_lengths, is_lead, read_postings

PASSAGE_FIELDS = ("body",)  # a passage's own text, for its passage score


@dataclass
class QueryWords:
    """The positive plain words of a query: per typed word, its (field, text, boost) leaves."""

    boost: float
    words: list[list[tuple[str, str, float]]]
    qtf: list[float] | None = None  # per word: how often the query text holds it (the parser keeps it once)
    typed: int | None = None  # the first ``typed`` words are the query's own (the rest: RM3 feedback words)
    sequence: list[str] | None = None  # the query text's body terms in order, repeats kept (`searchkit.ranking.pairs`)


def _phrase_words(node) -> list | None:
    """A phrase (across the default fields: an Or of the same Phrase per field) as scoring words, one per
    position: the phrase decides which passages match, its words score them like any words. None otherwise."""
    parts = node.subqueries if type(node) is Or or (isinstance(node, CoordOr) and not node.scale) else [node]
    phrases = []
    for part in parts:
        while isinstance(part, (LeadOnly, HeadlineFree)):
            part = part.child
        if not isinstance(part, Phrase) or not part.words:
            return None
        phrases.append(part)
    if any(p.words != phrases[0].words for p in phrases):
        return None
    return [[(p.fieldname, w, p.boost) for p in phrases] for w in phrases[0].words]


def query_words(q, text: str = "") -> QueryWords | None:
    """The words that score, or None when some scoring part is not a plain term or phrase (ranges,
    wildcards...: those queries keep the passage-statistics path). ``-word`` parts match but do not score."""
    def words(node):
        if isinstance(node, AndNot):
            return words(node.a)
        if isinstance(node, CoordOr) or type(node) is And:
            out = []
            for sub in node.subqueries:
                got = words(sub)
                if got is None:
                    return None
                out.extend(got)
            return out
        got = word_leaves(node)
        return _phrase_words(node) if got is None else [got]

    got = words(q)
    if not got:
        return None
    # one scoring term per distinct token: a typed word can analyse to several ("caspase-11" -> caspas, 11),
    # each with its own df (SciFact 0.6886 -> see the tuning log); a word typed twice (a phrase's and on its
    # own) scores once, weighted by its count in the query text
    split = [part for w in got for part in _split_tokens(w)]
    seen: set = set()
    got = []
    for w in split:
        key = next((t for f, t, _ in w if f == "body"), None) or tuple(w)
        if key not in seen:
            seen.add(key)
            got.append(w)
    # qtf counted (docs/ranking-issue11.md: "once" costs CISI 0.05, its long queries repeat their key words)
    terms = analyze(text) if text else []
    counts = Counter(terms)
    qtf = [float(max(1, max((counts.get(t, 0) for f, t, _ in w if f == "body"), default=1))) for w in got]
    body = {t for w in got for f, t, _ in w if f == "body"}
    return QueryWords(getattr(q, "boost", 1.0) if isinstance(q, CoordOr) else 1.0, got, qtf,
                      sequence=[t for t in terms if t in body])


def _split_tokens(word: list) -> list[list]:
    """A typed word's leaves, one list per distinct token (a word without a body leaf stays whole)."""
    texts = list(dict.fromkeys(t for f, t, _ in word if f in ("body", HEADLINE)))
    if len(texts) <= 1:
        return [word]
    return [[leaf for leaf in word if leaf[1] == text] for text in texts]


def _word_postings(reader, word, settings: Settings) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """(BM25F weight, article ordinal, tf) of each weighted field's postings of a typed word in one segment
    (the headline's only on its article's first passage: counted once)."""
    out = []
    for field, text, _ in word:
        w = field_weight(field, settings)
        if w <= 0:
            continue
        ids, tfs = read_postings(reader, field, text)
        if not len(ids):
            continue
        if field == HEADLINE:
            keep = is_lead(reader, ids)
            ids, tfs = ids[keep], tfs[keep]
        out.append((w, article_of(reader, ids), tfs))
    return out


def _word_tf(postings, slots: np.ndarray | None, n: int) -> np.ndarray:
    """A typed word's weighted tf (`_word_postings`) in each of ``n`` articles: every article of the segment
    (``slots`` None), or the sorted article ordinals ``slots`` (the articles any query word is in). The two give
    the same floats for an article: the same postings are summed in the same order (``np.bincount``)."""
    tf = np.zeros(n)
    for w, arts, tfs in postings:
        at = arts if slots is None else np.searchsorted(slots, arts)
        tf += w * np.bincount(at, weights=tfs, minlength=n)[:n]
    return tf


# score only the articles holding a query word while its postings per query word are under 1/10 of the articles
SPARSE_ARTICLES = 10


@dataclass
class ArticleScores:
    """Whole-article scores of one search: per segment, every article's score (0 = no query word)."""

    segments: list[tuple]  # (segment reader, docnum offset, article starts, scores)
    idfs: list[float]  # per query word: its article-level idf
    n_articles: int
    avg_length: float = 1.0  # mean BM25F length of the live articles


def score_articles(searcher, words: QueryWords, settings: Settings, pairs: bool = False) -> ArticleScores:
    """S_a (module docstring) of every article of ``searcher``'s index for ``words``; with ``pairs``, plus
    ``settings.pair_weight`` times the BM25 of each pair of adjacent query words found near each other
    (`searchkit.ranking.pairs`)."""
    subs = [(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers
    # the readers `match` uses (matched by identity); an empty index has a reader without a segment
    leaves = [(sub.reader(), off) for sub, off in subs if sub.reader().segment() is not None]
    per_seg, n_live, total_len = [], 0, 0.0
    df = np.zeros(len(words.words))
    sequence = words.sequence if words.sequence is not None else [t for _, t in _body_terms(words)]
    near = query_pairs(sequence) if pairs and settings.pair_weight > 0 else []
    pair_df = np.zeros(len(near))
    for seg, off in leaves:
        starts, _, live = article_lengths(seg, settings)
        postings = [_word_postings(seg, w, settings) for w in words.words]
        ptfs = pair_tfs(seg, near, settings.pair_window, live)
        slots = _slots(postings, ptfs, len(starts))
        if slots is not None:  # sparse: every array below is over ``slots``, not every article
            live, ptfs = live[slots], [t[slots] for t in ptfs]
        tfs = [_word_tf(p, slots, len(starts) if slots is None else len(slots)) * live for p in postings]
        df += [int(np.count_nonzero(t)) for t in tfs]
        pair_df += [int(np.count_nonzero(t)) for t in ptfs]
        seg_live, seg_len = live_totals(seg, settings)
        n_live += seg_live
        total_len += seg_len
        per_seg.append((seg, off, starts, slots, tfs, ptfs))
    n = max(1, n_live)
    avg = total_len / n or 1.0
    idfs = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
    pair_idfs = np.log(1.0 + (n - pair_df + 0.5) / (pair_df + 0.5))
    k1 = settings.k1
    out = []
    for seg, off, starts, slots, tfs, ptfs in per_seg:
        norm = article_norm(seg, settings, avg)
        if slots is not None:
            norm = norm[slots]
        score = np.zeros(len(starts) if slots is None else len(slots))
        # the query's words, then its adjacent words found near each other (`searchkit.ranking.pairs`): one BM25
        weights = list(words.qtf or [1.0] * len(tfs)) + [settings.pair_weight] * len(ptfs)
        for idf, weight, tf in zip(list(idfs) + list(pair_idfs), weights, tfs + list(ptfs)):
            score += weight * idf * tf * (k1 + 1) / (tf + norm)
        if slots is None:
            out.append((seg, off, starts, words.boost * score))
        else:  # an article holding no query word scores 0, as in the dense arrays
            dense = np.zeros(len(starts))
            dense[slots] = words.boost * score
            out.append((seg, off, starts, dense))
    return ArticleScores(out, idfs.tolist(), n, avg)


def _slots(postings: list, ptfs: list, n: int) -> np.ndarray | None:
    """The sorted ordinals of the articles holding a query word (or a near pair), when their postings are
    few (`SPARSE_ARTICLES`); None to score every article of the segment. Either way the scores are the same:
    an article holding no query word scores 0 (for headline-only and rare-word queries the dense arrays were
    most of the scoring time; for common words the union costs more than it saves)."""
    arts = [a for word in postings for _, a, _ in word]
    if sum(len(a) for a in arts) * SPARSE_ARTICLES >= n * max(1, len(postings)):  # the dense cost: n per word
        return None
    return distinct(np.concatenate(arts + [np.flatnonzero(t) for t in ptfs] + [np.zeros(0, np.int64)]))


def rank_articles(matches, scores: ArticleScores) -> tuple[np.ndarray, np.ndarray]:
    """(index-wide docnum of a passage of each matching article, its article score), in index order.

    The passage is the article's best matching one (by ``matches``' scores: the one shown); the set of
    articles is exactly those with a matching passage, so ``-word`` and filters hold.
    """
    by_seg = {id(seg): s for seg, _, _, s in scores.segments}
    docs, vals = [], []
    for m in matches.segments:
        s = by_seg.get(id(m.reader))
        if s is None:
            continue
        best = best_of_runs(m.articles(), m.scores)
        docs.append(m.ids[best] + m.offset)
        vals.append(s[m.articles()[best]])
    if not docs:
        return np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(docs), np.concatenate(vals)


def _passage_bm25(m, scores: ArticleScores, words: QueryWords, norm: np.ndarray, k1: float) -> np.ndarray:
    """BM25 of each matching passage of segment matches ``m`` over its own text, with article idf."""
    p = np.zeros(len(m.ids))
    for idf, qtf, word in zip(scores.idfs, words.qtf or [1.0] * len(words.words), words.words):
        tf = np.zeros(len(m.ids))
        for field, text, _ in word:
            if field not in PASSAGE_FIELDS:
                continue
            ids, tfs = read_postings(m.reader, field, text, within=m.ids)
            pos = np.searchsorted(ids, m.ids)
            hit = (pos < len(ids)) & (ids[np.minimum(pos, len(ids) - 1)] == m.ids) if len(ids) else pos < 0
            tf[hit] += tfs[pos[hit]]
        p += qtf * idf * tf * (k1 + 1) / (tf + norm)
    return p


def rank_passages(matches, scores: ArticleScores, words: QueryWords, settings: Settings):
    """(index-wide docnums of every matching passage, combined score) for passage mode (module docstring).

    Proximity (BM25TP, Rasolofo & Savoy 2003), for the matching passages of the best `PROXIMITY_CANDIDATES`
    articles: per pair of adjacent query words, each occurrence of the first with the second near it adds
    1/d^2 (`searchkit.store.positions.pair_acc`). A passage's own score P gains ``proximity * pair idf * acc (k1+1) / (acc + K_p)`` from
    its own accumulator (pair idf: ``settings.proximity_idf``), so that of two passages of one article the one
    holding the words together and in order ranks first; its article's score gains ``article_proximity * min idf
    * acc (k1+1) / (acc + K_a)`` from the article's sum. Passage mode only: in article mode it cost SciFact
    0.004-0.008 (docs/ranking-issue11.md).
    """
    by_seg = {id(seg): (starts, s) for seg, _, starts, s in scores.segments}
    k1, pb, pw = settings.k1, settings.passage_b, settings.passage_weight
    avg = mean_live_length([seg for seg, _, _, _ in scores.segments], PASSAGE_FIELDS[0])
    pairs_on = len(_body_terms(words)) >= 2 and (settings.proximity > 0 or settings.article_proximity > 0)
    near_cut = _candidate_cut(scores) if pairs_on else 0.0
    docs, own, art = [], [], []
    for m in matches.segments:
        got = by_seg.get(id(m.reader))
        if got is None:
            continue
        _, s = got
        lengths = field_lengths(m.reader, PASSAGE_FIELDS[0])
        plen = lengths[m.ids] if lengths is not None else np.zeros(len(m.ids))
        norm = k1 * (1 - pb + pb * plen / avg)
        p = _passage_bm25(m, scores, words, norm, k1)
        arts = m.articles()
        art_s = s[arts]
        near = np.flatnonzero((art_s >= near_cut) & (art_s > 0)) if pairs_on else np.zeros(0, np.int64)
        if len(near):
            pairs = pair_accumulators(m.reader, m.ids[near], words, settings.proximity_window)
            p[near] += settings.proximity * _passage_term(pairs, m.ids[near], norm[near], scores.idfs, settings)
            art_s = art_s + settings.article_proximity * _article_term(m.reader, pairs, scores, settings)[arts]
        docs.append(m.ids + m.offset)
        own.append(p)
        art.append(art_s)
    if not docs:
        return np.zeros(0, np.int64), np.zeros(0)
    own_all, art_all = np.concatenate(own), np.concatenate(art)
    combined = pw * own_all / (own_all.max() or 1.0) + (1 - pw) * art_all / (art_all.max() or 1.0)
    return np.concatenate(docs), combined


PROXIMITY_CANDIDATES = 300


def _candidate_cut(scores: ArticleScores) -> float:
    """The article score of the `PROXIMITY_CANDIDATES`-th best article (proximity is examined above it, for
    articles scoring above 0). Found among the articles scoring above 0 only: when fewer than that many do,
    their lowest score selects the same articles as the 0 the whole array would give."""
    every = np.concatenate([s[s > 0] for _, _, _, s in scores.segments] + [np.zeros(0)])
    if not len(every):
        return 0.0
    k = min(PROXIMITY_CANDIDATES, len(every))
    return float(np.partition(every, len(every) - k)[len(every) - k])


def _body_terms(words: QueryWords) -> list[tuple[int, str]]:
    """(index of the query word, its body term) of each typed query word that has one, in query order (feedback
    words, `searchkit.ranking.expansion`, have no order to be near each other in)."""
    typed = words.words if words.typed is None else words.words[:words.typed]
    terms = [(i, next((t for f, t, _ in w if f == "body"), None)) for i, w in enumerate(typed)]
    return [(i, t) for i, t in terms if t is not None]


def proximity_terms(words: QueryWords) -> list[str]:
    """The body terms whose positions `rank_passages` reads for proximity (none for fewer than two)."""
    terms = [t for _, t in _body_terms(words)]
    return terms if len(terms) >= 2 else []


PAIR_IDF = {"min": min, "max": max, "mean": lambda a, b: (a + b) / 2}  # a word pair's weight from its words'


def pair_accumulators(seg, docs: np.ndarray, words: QueryWords, window: int) -> list[tuple[int, int, dict]]:
    """Per pair of adjacent query words: (index of its first word in ``words``, of its second, {docnum: `pair_acc`
    of the two inside that document}) over ``docs`` (sorted docnums of segment ``seg``), positions at most
    ``window`` apart."""
    terms = _body_terms(words)
    if len(terms) < 2 or "body" not in seg.schema or not len(docs):
        return []
    out = []
    for (ia, ta), (ib, tb) in zip(terms, terms[1:]):
        both, acc = pair_acc_arrays(position_arrays(seg, "body", ta, docs), position_arrays(seg, "body", tb, docs),
                                    window)
        out.append((ia, ib, dict(zip(both.tolist(), acc.tolist()))))
    return out



def _passage_term(pairs, docs: np.ndarray, norm: np.ndarray, idfs, settings: Settings) -> np.ndarray:
    """Each of ``docs``' own proximity term (`rank_passages`), ``norm`` its BM25 length norm."""
    k1, weight = settings.k1, PAIR_IDF[settings.proximity_idf]
    out = np.zeros(len(docs))
    index = {int(d): i for i, d in enumerate(docs.tolist())}
    for ia, ib, acc in pairs:
        idf = weight(idfs[ia], idfs[ib])
        for d, a in acc.items():
            i = index[d]
            out[i] += idf * a * (k1 + 1) / (a + norm[i])
    return out


def _article_term(seg, pairs, scores: ArticleScores, settings: Settings) -> np.ndarray:
    """Each article of ``seg``'s proximity term (`rank_passages`) from its passages' accumulators."""
    starts = article_starts(seg)
    k1 = settings.k1
    norm = article_norm(seg, settings, scores.avg_length or 1.0)
    out = np.zeros(len(starts))
    for ia, ib, acc in pairs:
        if not acc:
            continue
        total = np.bincount(article_of(seg, np.fromiter(acc, np.int64, len(acc))), weights=list(acc.values()),
                            minlength=len(starts))[:len(starts)]
        out += min(scores.idfs[ia], scores.idfs[ib]) * total * (k1 + 1) / (total + norm)
    return out
