"""Article-level ranking on OpenSearch (issue 11's recipe, as far as the engine allows).

The whoosh engine ranks articles by a BM25F over *article* statistics (`searchkit.ranking.articles`): N = the
articles, df = articles holding the word, tf~ = 3 x headline tf (counted once) + body tf over all passages,
len~ likewise. OpenSearch computes exactly that with one field, ``article_text``, indexed on passage 0 only:
the headline three times (``HEADLINE_TIMES``, `Settings.headline_weight`) then every passage's text. Lucene's
BM25 on that field takes its N and average length from the documents that have it (one per article), so its
idf, tf and length normalisation are the article-level ones; the field is left out of ``_source``, so the
article's text is still stored once (an update re-indexing passage 0 from ``_source`` -- the copy groups'
-- rebuilds it with ``ARTICLE_TEXT_SCRIPT``). Its similarity uses searchkit's k1/b (the index settings).

Article mode, for queries of plain words (`searchkit.ranking.articles.query_words`; phrases, fields, ranges,
prefixes... keep the best-passage ranking on both engines) runs three requests:

1. the passage query (copies collapsed) with an aggregation of the matching article ids: total and facets,
   and the set -- exactly the articles with a matching passage, so ``-word`` and filters hold;
2. ``article_text`` term queries (weighted by how often the query repeats the word) over passage 0 of
   those articles only: the article ranking, of which the page is cut;
3. the passage query within the page's articles, collapsed on the article: the best passage shown.

Passage mode, for the same queries, mixes as `searchkit.ranking.articles.rank_passages` does (`combine`): the
article ranking of the best ``PASSAGE_POOL`` articles, the best body score of any matching passage, and the
matching passages of those articles scored by body BM25 alone (passage statistics; no word proximity).

What differs (README): the headline weight is fixed at indexing time (a changed ``headline_weight`` or body
boost needs a rebuild to show), Lucene stores lengths in one byte (approximate) and drops BM25's constant
``k1 + 1`` factor (no effect on order).
"""
from __future__ import annotations

from typing import Any

from ..query.parser import ParsedQuery
from ..ranking.articles import query_words
from ..settings import Settings

ARTICLE_TEXT = "article_text"
SEPARATOR = "\n"
HEADLINE_TIMES = 3  # `Settings.headline_weight`'s default: the headline's BM25F weight, as repetitions
MAX_ARTICLES = 65000
PASSAGE_POOL = 100  # passage mode: the best articles whose passages are ranked (at least; twice the page's end)  # matching articles ranked this way (below OpenSearch's search.max_buckets)


def article_text(article) -> str:
    """The ``article_text`` of ``article``'s passage 0: the headline ``HEADLINE_TIMES`` times, then the text
    of every passage (what the whoosh engine's article lengths and frequencies sum over)."""
    parts = [article.headline] * HEADLINE_TIMES if article.headline else []
    parts += [p.text for p in article.passages]
    return SEPARATOR.join(p for p in parts if p)


def article_terms(parsed: ParsedQuery, settings: Settings) -> list[tuple[str, float]] | None:
    """(term, weight) of the query's words when article-level ranking applies to it, else None: article mode
    ranks with article statistics (``settings.article_stats``/``article_level``), the query is plain words,
    and every word is searched in headline and body alike (a field-scoped word cannot use the merged field)."""
    if not (settings.article_stats and settings.article_level) or parsed.is_empty:
        return None
    words = query_words(parsed.query, parsed.text)
    if words is None:
        return None
    out: dict[str, float] = {}
    for word, qtf in zip(words.words, words.qtf or [1.0] * len(words.words)):
        texts = {f: t for f, t, _ in word if f in ("body", "headline")}
        if set(texts) != {"body", "headline"} or texts["body"] != texts["headline"]:
            return None
        out[texts["body"]] = out.get(texts["body"], 0.0) + qtf
    return list(out.items()) or None


# `article_text` in painless, for updates that re-index a passage 0 from its ``_source`` (which leaves the
# field out): rebuilt from the stored article exactly as `article_text` builds it
ARTICLE_TEXT_SCRIPT = """
def a = ctx._source.article;
if (ctx._source.pindex == 0 && a != null) {
  def parts = new ArrayList();
  if (a.headline != null && a.headline != '') { for (int i = 0; i < params.times; i++) { parts.add(a.headline); } }
  if (a.passages != null) { for (p in a.passages) { if (p.text != null && p.text != '') { parts.add(p.text); } } }
  ctx._source.article_text = String.join(params.sep, parts);
}
"""


def ids_agg() -> dict[str, Any]:
    """The aggregation listing the matching article ids (request 1)."""
    return {"ids": {"terms": {"field": "article_id", "size": MAX_ARTICLES}}}


def matching_ids(res: dict[str, Any]) -> list[str]:
    """The article ids `ids_agg` found in a search answer."""
    return [str(b["key"]) for b in res.get("aggregations", {}).get("ids", {}).get("buckets", [])]


def ranking_body(ids: list[str], terms: list[tuple[str, float]], wanted: int) -> dict[str, Any]:
    """Request 2: the ``wanted`` best of the articles ``ids`` by article-level BM25 (an article holding no
    query word in headline or body -- matched through a quote or a name variant -- scores 0 and comes last)."""
    return {"size": wanted, "_source": ["article_id"], "track_total_hits": False,
            "query": {"bool": {"filter": [{"terms": {"article_id": ids}}, {"term": {"pindex": 0}}],
                               "should": [{"term": {ARTICLE_TEXT: {"value": t, "boost": w}}} for t, w in terms]}},
            "sort": ["_score", {"article_id": "asc"}]}


def best_passages_body(query: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """Request 3: the best matching passage of each article of ``ids``."""
    return {"size": len(ids), "_source": ["article_id", "pindex"], "collapse": {"field": "article_id"},
            "query": {"bool": {"must": [query], "filter": [{"terms": {"article_id": ids}}]}},
            "sort": ["_score", {"pindex": "asc"}]}


def passage_score_body(query: dict[str, Any], terms: list[tuple[str, float]], ids: list[str] | None,
                       size: int) -> dict[str, Any]:
    """Passage mode: the matching passages (of the articles ``ids``, or all) scored by their own body BM25
    alone, as `searchkit.ranking.articles.rank_passages`' P (passage statistics here, not article idf)."""
    filt: list[dict[str, Any]] = [query] + ([{"terms": {"article_id": ids}}] if ids is not None else [])
    return {"size": size, "_source": False, "docvalue_fields": ["article_id", "pindex"], "track_total_hits": False,
            "query": {"bool": {"filter": filt,
                               "should": [{"term": {"body": {"value": t, "boost": w}}} for t, w in terms]}},
            "sort": ["_score", {"article_id": "asc"}, {"pindex": "asc"}]}


def combine(passages: list[dict[str, Any]], article_scores: dict[str, float], best_passage: float,
            weight: float) -> list[tuple[float, dict[str, Any]]]:
    """(combined score, hit) best first: ``weight`` x P / max P + (1 - weight) x S_a / max S_a, the whoosh
    engine's passage-mode mix (without its word-proximity term)."""
    best_article = max(article_scores.values(), default=0.0) or 1.0
    hits = [{"_score": h.get("_score") or 0.0,
             "_source": {"article_id": h["fields"]["article_id"][0], "pindex": h["fields"]["pindex"][0]}}
            for h in passages]  # read from doc values (`passage_score_body`), shaped as search hits
    out = [(weight * h["_score"] / (best_passage or 1.0)
            + (1 - weight) * article_scores.get(h["_source"]["article_id"], 0.0) / best_article, h) for h in hits]
    out.sort(key=lambda x: (-round(x[0], 9), x[1]["_source"]["article_id"], x[1]["_source"]["pindex"]))
    return out
