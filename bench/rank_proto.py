"""Ranking prototypes for issue 11, measured without touching the core: article-level BM25F, passage + article
evidence, term proximity, query-term weighting and RM3, all on plain Python arrays built from searchkit's own
articles (``searchkit.parse``: headline, passages) and tokens (``searchkit.analysis.analyze``).

    python bench/rank_proto.py                      # the default grid on all four collections
    python bench/rank_proto.py --only time --set k1=1.2 --set prox=0.3

Scores with `searchkit.evaluation` (the same code as `searchkit eval` and bench/relevance.py). Every setting
tried, and its figures, go to docs/ranking-issue11.md (the tuning log).
"""
from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
import tempfile
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from relevance import COLLECTIONS  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "searchkit-rank-proto"


@dataclass
class Doc:
    id: str
    head: list[str]
    passages: list[list[str]]  # tokens of each passage, in order
    body_pos: dict[str, list[int]]  # term -> positions in the concatenated passages


def load(name: str):
    """(docs, queries {qid: tokens}, qrels) from searchkit's parser and analyzer; cached between runs."""
    CACHE.mkdir(exist_ok=True)
    cached = CACHE / f"{name}.pkl"
    if cached.exists():
        return pickle.loads(cached.read_bytes())
    from searchkit.store.analysis import analyze
    from searchkit.parse import parse_paths

    raw, queries, qrels = COLLECTIONS[name]()
    src = CACHE / f"{name}.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for d in raw:
            f.write(json.dumps(d) + "\n")
    docs = []
    for _path, arts in parse_paths([src]):
        for a in arts if isinstance(arts, list) else ():
            if not hasattr(a, "passages"):
                continue  # a record the parser refused (searchkit does not index it either)
            passages = [analyze(p.text) for p in a.passages]
            pos: dict[str, list[int]] = {}
            for i, t in enumerate(t for p in passages for t in p):
                pos.setdefault(t, []).append(i)
            docs.append(Doc(a.id, analyze(a.headline or ""), passages, pos))
    out = (docs, {q: analyze(t) for q, t in queries.items()}, qrels)
    cached.write_bytes(pickle.dumps(out))
    return out


@dataclass(frozen=True)
class Params:
    k1: float = 1.2
    b: float = 0.75
    head: float = 1.0  # BM25F weight of the headline (its tf counted once per article)
    qtf: str = "count"  # query-term weight: count | once | log
    prox: float = 0.0  # weight of the BM25TP term-pair proximity component
    window: int = 5
    prox_passage_only: bool = False  # proximity only in passage mode (article mode stays plain BM25F)
    # passage mode: combined = pw * passage BM25 (article idf) + (1 - pw) * article score
    pw: float = 0.3
    pb: float = 0.5  # passage length normalisation b
    qidf: float = 0.0  # extra query-term weight idf**qidf (verbose queries: generic words weigh less)
    prune: float = 1.0  # drop query terms found in more than this share of the articles (when others remain)
    fb_docs: int = 0  # RM3: 0 = off
    fb_terms: int = 10
    fb_w: float = 0.5  # weight kept by the original query


class Collection:
    """Article-level statistics: df, article count, BM25F lengths, postings."""

    def __init__(self, docs: list[Doc], p: Params):
        self.docs, self.p = docs, p
        self.n = len(docs)
        self.post: dict[str, dict[int, float]] = {}
        self.lens = []
        for i, d in enumerate(docs):
            tf = Counter()
            for t in d.head:
                tf[t] += p.head
            for t, ps in d.body_pos.items():
                tf[t] += len(ps)
            for t, v in tf.items():
                self.post.setdefault(t, {})[i] = v
            self.lens.append(p.head * len(d.head) + sum(len(x) for x in d.passages))
        self.avg = sum(self.lens) / max(1, self.n)
        plens = [len(x) for d in docs for x in d.passages]
        self.pavg = sum(plens) / max(1, len(plens))

    def idf(self, t: str) -> float:
        df = len(self.post.get(t, ()))
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def weights(self, toks: list[str]) -> dict[str, float]:
        c = Counter(t for t in toks if t in self.post)
        kept = {t: v for t, v in c.items() if len(self.post[t]) <= self.p.prune * self.n}
        c = kept or c
        if self.p.qtf == "once":
            w = {t: 1.0 for t in c}
        elif self.p.qtf == "log":
            w = {t: 1 + math.log(v) for t, v in c.items()}
        else:
            w = {t: float(v) for t, v in c.items()}
        if self.p.qidf:
            w = {t: v * self.idf(t) ** self.p.qidf for t, v in w.items()}
        return w

    def article_scores(self, qw: dict[str, float]) -> dict[int, float]:
        p, out = self.p, {}
        for t, w in qw.items():
            idf = self.idf(t)
            for i, tf in self.post[t].items():
                norm = p.k1 * (1 - p.b + p.b * self.lens[i] / self.avg)
                out[i] = out.get(i, 0.0) + w * idf * tf * (p.k1 + 1) / (tf + norm)
        if p.prox and len(qw) > 1:
            self._proximity(qw, list(dict.fromkeys(qw)), out)
        return out

    def _proximity(self, qw: dict[str, float], order: list[str], out: dict[int, float]) -> None:
        """BM25TP (Rasolofo & Savoy 2003): for query-term pairs, sum 1/d^2 over occurrences within a window."""
        p = self.p
        for a, b in zip(order, order[1:]):
            w = min(self.idf(a), self.idf(b))
            both = self.post[a].keys() & self.post[b].keys()
            for i in both:
                pa, pb = self.docs[i].body_pos.get(a), self.docs[i].body_pos.get(b)
                if not pa or not pb:
                    continue
                acc = 0.0
                for x in pa:
                    j = bisect_left(pb, x)
                    d = min((abs(pb[k] - x) for k in (j - 1, j) if 0 <= k < len(pb)), default=99)
                    if 0 < d <= p.window:
                        acc += 1.0 / (d * d)
                if acc:
                    norm = p.k1 * (1 - p.b + p.b * self.lens[i] / self.avg)
                    out[i] += p.prox * w * acc * (p.k1 + 1) / (acc + norm)

    def passage_best(self, qw: dict[str, float], i: int) -> float:
        """The article's best passage by BM25 on its own text, with article-level idf."""
        p, best = self.p, 0.0
        idf = {t: self.idf(t) for t in qw}
        for toks in self.docs[i].passages:
            c = Counter(t for t in toks if t in qw)
            if not c:
                continue
            norm = p.k1 * (1 - p.pb + p.pb * len(toks) / self.pavg)
            best = max(best, sum(qw[t] * idf[t] * v * (p.k1 + 1) / (v + norm) for t, v in c.items()))
        return best

    def rm3(self, qw: dict[str, float], scores: dict[int, float]) -> dict[str, float]:
        """RM3: feedback terms from the top fb_docs articles, mixed with the original query."""
        p = self.p
        top = sorted(scores, key=scores.get, reverse=True)[:p.fb_docs]
        if not top:
            return qw
        mx = max(scores[i] for i in top)
        rel: Counter = Counter()
        for i in top:
            wd = math.exp(scores[i] - mx)
            for t, ps in self.docs[i].body_pos.items():
                rel[t] += wd * len(ps) / self.lens[i]
        terms = dict(rel.most_common(p.fb_terms))
        z = sum(terms.values()) or 1
        zq = sum(qw.values()) or 1
        out = {t: p.fb_w * w / zq for t, w in qw.items()}
        for t, v in terms.items():
            out[t] = out.get(t, 0.0) + (1 - p.fb_w) * v / z
        return out

    def rank(self, toks: list[str], unit: str = "article", depth: int = 100) -> list[str]:
        qw = self.weights(toks)
        if not qw:
            return []
        if self.p.prox_passage_only and unit == "article":
            self.p = replace(self.p, prox=0.0)
            scores = self.article_scores(qw)
            self.p = replace(self.p, prox=1.0)  # restore (the passage-only variant is measured with prox 1)
        else:
            scores = self.article_scores(qw)
        if self.p.fb_docs:
            qw = self.rm3(qw, scores)
            scores = self.article_scores(qw)
        if unit == "passage":
            mx = max(scores.values()) or 1
            cand = sorted(scores, key=scores.get, reverse=True)[:300]
            bests = {i: self.passage_best(qw, i) for i in cand}
            pm = max(bests.values()) or 1
            scores = {i: self.p.pw * bests[i] / pm + (1 - self.p.pw) * scores[i] / mx for i in cand}
        top = sorted(scores, key=lambda i: (-scores[i], i))[:depth]
        return [self.docs[i].id for i in top]


def run(name: str, p: Params, unit: str = "article") -> float:
    from searchkit.evaluation import score_run

    docs, queries, qrels = load(name)
    if name == "time" and SHIFT:
        qrels = shifted(qrels)
    col = Collection(docs, p)
    ranked = {q: col.rank(queries[q], unit) for q in qrels if q in queries}
    return score_run(ranked, qrels).metrics["ndcg@10"]


SHIFT = False  # --time-shift


def shifted(qrels):
    """TIME.REL numbers documents as if TIME.ALL had all 425 records; this copy lacks two, between the 370th
    and the 380th (judged docs up to 370 share words with their query at their own position, those from 380 on
    two records earlier). Renumber: n > 370 -> n - 2. A measurement aid for the tuning log, not the bench's rule."""
    return {q: {str(int(d) - 2 if int(d) > 370 else int(d)): g for d, g in j.items()} for q, j in qrels.items()}


GRID = [
    Params(),
    Params(qtf="once"), Params(qtf="log"),
    Params(k1=0.9, b=0.4), Params(k1=1.5, b=0.75), Params(b=0.6), Params(b=0.9),
    Params(head=2.0), Params(head=3.0),
    Params(prox=0.5), Params(prox=1.0), Params(prox=1.0, window=10),
    Params(fb_docs=10), Params(fb_docs=5, fb_w=0.7),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", action="append", choices=list(COLLECTIONS))
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="one setting instead of the grid")
    ap.add_argument("--passage", action="store_true", help="also TIME passage mode")
    ap.add_argument("--time-shift", action="store_true", help="TIME judgments renumbered (see shifted())")
    args = ap.parse_args()
    global SHIFT
    SHIFT = args.time_shift
    names = args.only or ["scifact", "cisi", "cranfield", "time"]
    grid = GRID
    if args.set:
        kv = dict(s.split("=", 1) for s in args.set)
        base = Params()
        grid = [replace(base, **{k: type(getattr(base, k))(v) for k, v in kv.items()})]
    for p in grid:
        figs = {n: run(n, p) for n in names}
        if args.passage and "time" in names:
            figs["time/passage"] = run("time", p, "passage")
        diff = {k: v for k, v in vars(p).items() if v != getattr(Params(), k)}
        print(f"{json.dumps(diff) or 'defaults':50s} " + "  ".join(f"{k} {v:.4f}" for k, v in figs.items()), flush=True)


if __name__ == "__main__":
    main()
