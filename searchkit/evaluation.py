"""Relevance evaluation: run judged queries on an index and score the rankings (the `searchkit eval` command).

This is how a user tunes boosts on their own archive (Elasticsearch's ``_rank_eval`` is the peer), and what
``bench/relevance.py`` measures searchkit with, so the benchmark and the command cannot disagree.

Conventions (those of trec_eval / pytrec_eval, so figures compare with published ones):

* a document is *relevant* when its grade is >= 1; queries without any relevant judgment are not scored
  (trec_eval skips them too), and a judged query absent from the queries file is reported as missing;
* **nDCG@10**: gain = grade (linear, trec_eval's ``ndcg_cut``), discount log2(rank + 1); the ideal ranking is
  every judged grade sorted, cut at 10;
* **Recall@100**: relevant documents in the top 100 / all relevant documents of the query;
* **MAP@100**: average precision cut at 100, divided by *all* relevant documents of the query (trec_eval's
  ``map_cut_100``; not by min(R, 100));
* **P@10**: relevant documents in the top 10 / 10, even when fewer than 10 were returned.

Runs are ranked lists of *article* ids: in article mode the hits' order; in passage mode each article at the
position of its first passage (an article's later passages add nothing, as a reader skips them).
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .errors import SearchkitError

METRICS = ("ndcg@10", "recall@100", "map@100", "p@10")
DEPTH = 100  # how many articles a query's run holds: enough for Recall@100 and MAP@100
PAGE = 100  # results fetched per search call (the search API's largest page)
MAX_PAGES = 5  # passage mode: pages read at most while collecting DEPTH distinct articles

Qrels = dict[str, dict[str, int]]


class EvalInputError(SearchkitError):
    """A queries, judgments or saved-run file that cannot be read; the message names the file and line."""


# --- readers ------------------------------------------------------------------------------------------------


def read_queries(path: str | Path) -> dict[str, str]:
    """Queries from JSONL: ``{"id", "query"}`` lines, or BEIR's ``{"_id", "text"}`` (queries.jsonl)."""
    out: dict[str, str] = {}
    for n, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as e:
            raise EvalInputError(f"{path}: line {n}: not JSON ({e})") from None
        if not isinstance(item, dict):
            raise EvalInputError(f"{path}: line {n}: expected a JSON object")
        qid, text = item.get("id", item.get("_id")), item.get("query", item.get("text"))
        if qid is None or not isinstance(text, str):
            raise EvalInputError(f'{path}: line {n}: expected {{"id", "query"}} or {{"_id", "text"}}')
        out[str(qid)] = text
    if not out:
        raise EvalInputError(f"{path}: no queries")
    return out


def read_qrels(path: str | Path) -> Qrels:
    """Judgments in TREC form (``qid 0 docid grade``, whitespace-separated) or BEIR TSV (``qid docid grade``,
    with or without its ``query-id corpus-id score`` header). Grades are integers; 0 and below = not relevant."""
    out: Qrels = {}
    for n, line in enumerate(_lines(path), 1):
        parts = line.split()
        if not parts or (n == 1 and parts[0].lower() in ("query-id", "query_id", "qid")):
            continue  # blank line, or the BEIR header
        if len(parts) not in (3, 4):
            raise EvalInputError(f"{path}: line {n}: expected 'qid 0 docid grade' or 'qid<TAB>docid<TAB>grade'")
        qid, doc, grade = parts[0], parts[-2], parts[-1]
        try:
            out.setdefault(qid, {})[doc] = int(grade)
        except ValueError:
            raise EvalInputError(f"{path}: line {n}: the grade {grade!r} is not a whole number") from None
    if not out:
        raise EvalInputError(f"{path}: no judgments")
    return out


def _lines(path: str | Path) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise EvalInputError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None


# --- metrics ------------------------------------------------------------------------------------------------


def ndcg(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with gain = grade and discount log2(rank + 1) (trec_eval's ndcg_cut)."""
    dcg = sum(max(judged.get(d, 0), 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    rel = {d for d, g in judged.items() if g > 0}
    return len(rel.intersection(ranked[:k])) / len(rel) if rel else 0.0


def average_precision(ranked: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    """AP cut at k, over all relevant documents of the query (trec_eval's map_cut_k)."""
    n_rel = sum(1 for g in judged.values() if g > 0)
    hits, total = 0, 0.0
    for i, d in enumerate(ranked[:k]):
        if judged.get(d, 0) > 0:
            hits += 1
            total += hits / (i + 1)
    return total / n_rel if n_rel else 0.0


def precision(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    return sum(1 for d in ranked[:k] if judged.get(d, 0) > 0) / k


def score_query(ranked: Sequence[str], judged: Mapping[str, int]) -> dict[str, float]:
    """The four metrics of one query's ranking."""
    return {"ndcg@10": ndcg(ranked, judged), "recall@100": recall(ranked, judged),
            "map@100": average_precision(ranked, judged), "p@10": precision(ranked, judged)}


# --- runs ---------------------------------------------------------------------------------------------------


@dataclass
class EvalRun:
    """Rankings, per-query metrics and their means; what ``--save`` writes and ``--compare`` reads."""

    unit: str
    metrics: dict[str, float]
    per_query: dict[str, dict[str, float]]
    run: dict[str, list[str]]
    errors: dict[str, str] = field(default_factory=dict)  # qid -> why its query could not run
    missing: list[str] = field(default_factory=list)  # judged queries the queries file lacks

    def to_dict(self) -> dict:
        return asdict(self)

    def save(self, path: str | Path) -> None:
        try:
            Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")
        except OSError as e:
            raise EvalInputError(f"cannot write {path}: {e.strerror or e}") from None

    @classmethod
    def load(cls, path: str | Path) -> "EvalRun":
        try:
            d = json.loads("\n".join(_lines(path)))
            return cls(unit=d["unit"], metrics=d["metrics"], per_query=d["per_query"], run=d["run"],
                       errors=d.get("errors", {}), missing=d.get("missing", []))
        except (ValueError, KeyError, TypeError):
            raise EvalInputError(f"{path}: not a run saved by `searchkit eval --save`") from None


def score_run(run: Mapping[str, Sequence[str]], qrels: Qrels, unit: str = "article",
              errors: Mapping[str, str] | None = None, missing: Iterable[str] = ()) -> EvalRun:
    """Score rankings against judgments: every query with a relevant judgment counts (an absent run = 0)."""
    per_query = {q: score_query(list(run.get(q, [])), judged) for q, judged in qrels.items()
                 if any(g > 0 for g in judged.values())}
    n = len(per_query) or 1
    means = {m: sum(s[m] for s in per_query.values()) / n for m in METRICS}
    return EvalRun(unit=unit, metrics=means, per_query=per_query, run={q: list(r) for q, r in run.items()},
                   errors=dict(errors or {}), missing=sorted(missing))


def rank_articles(index, query: str, unit: str = "article", depth: int = DEPTH, expand: bool | None = None) -> list[str]:
    """The article ids ``query`` ranks, best first, at most ``depth`` (passage mode: by first passage);
    ``expand`` as for `searchkit.results.search.search` (None: the index's settings)."""
    if unit == "article":
        return [h.article.id for h in index.search(query, unit="article", limit=min(depth, PAGE), expand=expand).hits]
    seen: dict[str, None] = {}
    for page in range(1, MAX_PAGES + 1):
        res = index.search(query, unit="passage", limit=PAGE, page=page, expand=expand)
        for h in res.hits:
            seen.setdefault(h.article.id, None)
        if len(seen) >= depth or len(res.hits) < PAGE:
            break
    return list(seen)[:depth]


def evaluate(index, queries: Mapping[str, str], qrels: Qrels, unit: str = "article",
             expand: bool | None = None) -> EvalRun:
    """Run every judged query on ``index`` (``unit`` "article" or "passage"; ``expand``: RM3 on or off, None =
    the index's settings) and score the rankings.

    A query that cannot run (a `SearchkitError`, e.g. nothing searchable in it) scores 0 and is listed in
    ``errors``, so one odd query neither stops the evaluation nor silently vanishes from the mean.
    """
    if unit not in ("article", "passage"):
        raise EvalInputError(f"unit must be article or passage, not {unit!r}")
    run: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for qid in qrels:
        if qid not in queries:
            continue
        try:
            run[qid] = rank_articles(index, queries[qid], unit, expand=expand)
        except SearchkitError as e:
            errors[qid] = str(e)
    missing = [q for q in qrels if q not in queries and any(g > 0 for g in qrels[q].values())]
    return score_run(run, qrels, unit, errors, missing)


@dataclass
class Change:
    """One query whose nDCG@10 moved between a saved run and this one."""

    qid: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


def compare(current: EvalRun, saved: EvalRun, metric: str = "ndcg@10", eps: float = 1e-9) -> list[Change]:
    """Queries scored in both runs whose ``metric`` changed, largest gain first, largest loss last."""
    out = [Change(q, saved.per_query[q][metric], s[metric]) for q, s in current.per_query.items()
           if q in saved.per_query and abs(s[metric] - saved.per_query[q][metric]) > eps]
    return sorted(out, key=lambda c: (-c.delta, c.qid))
