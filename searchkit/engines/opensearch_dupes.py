"""Copy groups on OpenSearch: the same groups as the whoosh engine's, stored on the documents, collapsed per search.

Nothing about *what* a copy is is decided here: sketches come from `searchkit.dupes.sketch` (computed in the
parser processes, as for whoosh), groups and passage provenance from `searchkit.dupes.grouping.compute` over
every article of the index, shaped by `searchkit.dupes.document.groups_document` -- so both engines find the
same groups in the same articles.

Where things live (the cluster holds everything; no file beside it):

- ``sketch`` on each article's passage 0 (not indexed): size, MinHash signature and passage pieces, base64;
- after every indexing run that changed something, `regroup` reads all sketches back, recomputes the groups
  and writes, for the articles whose state changed only, ``group`` (the original's article id, a keyword)
  and ``group_rank`` (0: the original) on every passage of a member and ``copies`` / ``first_seen`` on passage 0 (what a hit shows, fetched with
  the article). A rebuild does this before its alias swap, so searches never see a rebuilt index without
  its groups.

Collapsing (`contested_groups`, `collapse_clause`): as `searchkit.dupes.collapse`, of each group only the
member with the best-scoring matching passage counts (ties: the earlier member, ``group_rank``), for hits, total
and facets alike. A size-0 search of one aggregation finds the groups with two or more matching members and
each one's best member; the search itself then filters the others' passages out.
"""
from __future__ import annotations

import base64
from typing import Any, Iterator

import numpy as np

from ..dupes import grouping, sketch
from ..dupes.hooks import SKETCH_ATTR
from ..dupes.document import groups_document
from ..dupes.view import Groups
from .opensearch_client import Cluster
from .opensearch_ranking import ARTICLE_TEXT_SCRIPT, HEADLINE_TIMES, SEPARATOR

GROUP, RANK, SKETCH, COPIES, FIRST_SEEN = "group", "group_rank", "sketch", "copies", "first_seen"
MAX_GROUPS = 10000  # matching groups one search examines for contested ones (the terms aggregation's size)
_UPDATE_CHUNK = 500  # articles per update-by-query request

_APPLY = """
def s = params.s.get(ctx._source.article_id);
if (s == null) { ctx.op = 'noop'; return; }
if (s.get('group') == null) { ctx._source.remove('group'); ctx._source.remove('group_rank'); }
else { ctx._source.group = s.get('group'); ctx._source.group_rank = s.get('rank'); }
if (ctx._source.pindex == 0) { ctx._source.copies = s.get('copies'); ctx._source.first_seen = s.get('first_seen'); }
"""


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def _unb64(text: str, dtype, width: int) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype).reshape(-1, width)


def sketch_field(article) -> dict[str, Any]:
    """The ``sketch`` value of ``article``'s passage 0: its `searchkit.dupes.sketch.article_sketch` (taken
    from the parser process when `searchkit.dupes.hooks.prepare` made it there) and the metadata grouping
    orders by."""
    made = article.__dict__.pop(SKETCH_ATTR, None) or sketch.article_sketch(article.paragraphs, article.passages)
    size, sig, pieces = made
    cols = np.array([(p, b, i) for p, b, i, _ in pieces], np.int64).reshape(-1, 3)
    sigs = np.stack([s for *_, s in pieces]) if pieces else np.zeros((0, sketch.PARAGRAPH_PERM), np.uint32)
    return {"size": int(size), "sig": _b64(sig.astype(np.uint32)), "cols": _b64(cols),
            "psigs": _b64(sigs.astype(np.uint32)), "date": article.date, "source": article.source,
            "headline": article.headline, "path": article.path}


def _passage0(cluster: Cluster, index: str, fields: list[str], query: dict | None = None) -> Iterator[dict]:
    from opensearchpy import helpers

    body = {"query": {"bool": {"filter": [{"term": {"pindex": 0}}, *([query] if query else [])]}},
            "_source": fields}
    hits = cluster.call("read sketches", lambda: list(helpers.scan(cluster.client, query=body, index=index,
                                                                   size=1000)))
    for h in hits:
        yield h["_source"]


def _missing_sketches(cluster: Cluster, index: str, ids: list[str]) -> dict[str, dict]:
    """Sketches of articles indexed before sketches were stored: computed from their stored articles."""
    from ..model import Article

    out: dict[str, dict] = {}
    for start in range(0, len(ids), 500):
        query = {"terms": {"article_id": ids[start:start + 500]}}
        for src in _passage0(cluster, index, ["article_id", "article"], query):
            out[src["article_id"]] = sketch_field(Article.from_dict(src.get("article") or {}))
    return out


def read_groups(cluster: Cluster, index: str) -> tuple[Groups, dict[str, tuple]]:
    """(the copy groups of every article in ``index``, as the whoosh engine computes them; each article's
    stored state (group, copies, first_seen))."""
    docs = list(_passage0(cluster, index, ["article_id", "path", SKETCH, GROUP, RANK, COPIES, FIRST_SEEN]))
    lacking = _missing_sketches(cluster, index, [d["article_id"] for d in docs if not d.get(SKETCH)])
    meta, records, cols, psigs, stored = [], [], [], [], {}
    for row, d in enumerate(docs):
        aid = d["article_id"]
        sk = d.get(SKETCH) or lacking.get(aid) or {}
        sig = _unb64(sk["sig"], np.uint32, sketch.NUM_PERM)[0] if sk else np.zeros(sketch.NUM_PERM, np.uint32)
        path = sk.get("path") or d.get("path") or ""  # the article's own path, as whoosh's tracker files it
        meta.append([aid, "", path, sk.get("date"), sk.get("source"), sk.get("headline")])
        records.append(grouping.Record(id=aid, path=path, date=sk.get("date"),
                                       size=int(sk.get("size", 0)), sig=sig))
        if sk:
            c = _unb64(sk["cols"], np.int64, 3)
            cols.append(np.column_stack([np.full(len(c), row, np.int64), c]))
            psigs.append(_unb64(sk["psigs"], np.uint32, sketch.PARAGRAPH_PERM))
        stored[aid] = (d.get(GROUP), d.get(RANK), d.get(COPIES) or [], d.get(FIRST_SEEN) or {})
    pieces = grouping.Pieces(np.concatenate(cols) if cols else np.zeros((0, 4), np.int64),
                             np.concatenate(psigs) if psigs else np.zeros((0, sketch.PARAGRAPH_PERM), np.uint32))
    doc = groups_document(meta, grouping.compute(records, pieces), None)
    groups = Groups(members=doc["groups"], articles=doc["articles"], first_seen=doc["first_seen"])
    return groups, stored


def article_state(groups: Groups, article_id: str) -> tuple[str | None, int | None, list, dict]:
    """(group id, place in the group (0: the original), copies, first_seen) of one article as `regroup`
    stores them."""
    provenance = {p: groups.ref(src) for p, src in groups.first_seen.get(article_id, {}).items()}
    g = groups.group_of.get(article_id)
    rank = None if g is None else groups.members[g].index(article_id)
    return groups.original(article_id), rank, groups.copies(article_id), provenance


def regroup(cluster: Cluster, index: str) -> int:
    """Recompute the copy groups of ``index`` and store them on the articles whose state changed; how many."""
    groups, stored = read_groups(cluster, index)
    changed: dict[str, dict[str, Any]] = {}
    for aid, old in stored.items():
        new = article_state(groups, aid)
        if new != old:
            changed[aid] = {"group": new[0], "rank": new[1], "copies": new[2], "first_seen": new[3]}
    ids = sorted(changed)
    for start in range(0, len(ids), _UPDATE_CHUNK):
        part = ids[start:start + _UPDATE_CHUNK]
        params = {"s": {a: changed[a] for a in part}, "times": HEADLINE_TIMES, "sep": SEPARATOR}
        body = {"query": {"terms": {"article_id": part}},
                "script": {"lang": "painless", "source": _APPLY + ARTICLE_TEXT_SCRIPT, "params": params}}
        cluster.call("store copy groups", cluster.client.update_by_query, index=index, body=body,
                     conflicts="proceed", refresh=True, request_timeout=300)
    return len(ids)


def contested_aggs() -> dict[str, Any]:
    """The aggregation (added to a search) that finds the groups with several matching members, and each
    group's best member: the best passage score, then the first indexed."""
    return {"groups": {"terms": {"field": GROUP, "size": MAX_GROUPS}, "aggs": {
        "members": {"cardinality": {"field": "article_id"}},
        "best": {"top_hits": {"size": 1, "sort": [{"_score": "desc"}, {RANK: {"order": "asc"}}],
                              "_source": False, "docvalue_fields": ["article_id"]}}}}}


def contested_groups(res: dict[str, Any]) -> dict[str, str]:
    """{group id: the member that stands for it} for the groups of a search answer with two or more
    matching members (the others must go)."""
    out: dict[str, str] = {}
    for b in res.get("aggregations", {}).get("groups", {}).get("buckets", []):
        if b["members"]["value"] > 1:
            out[str(b["key"])] = b["best"]["hits"]["hits"][0]["fields"]["article_id"][0]
    return out


def collapse_clause(winners: dict[str, str]) -> dict[str, Any]:
    """A ``must_not`` clause dropping every passage of a contested group but its standing member's."""
    return {"bool": {"filter": [{"terms": {GROUP: sorted(winners)}}],
                     "must_not": [{"terms": {"article_id": sorted(set(winners.values()))}}]}}


def copy_groups(cluster: Cluster, index: str) -> Groups:
    """The groups of ``index`` (recomputed from the stored sketches: the groups `regroup` stored, in the
    same order), for `searchkit.dupes.list_groups`."""
    return read_groups(cluster, index)[0]
