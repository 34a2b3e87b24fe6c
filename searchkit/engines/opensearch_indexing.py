"""Indexing into OpenSearch: the index pipeline's parsing and planning, passage documents, bulk with retries.

Nothing about *what* is indexed is decided here: files are planned by `searchkit.index.planning` (content
hash against the manifest), parsed in parallel processes by `searchkit.index.pipeline`, and turned into
passage documents by `searchkit.store.layout.passage_documents`, exactly as for the whoosh engine.
`os_document` only re-shapes one such document for the OpenSearch mapping (the article as an object on
passage 0, Double Metaphone codes as the ``names`` text and, without the headline's, as ``own_names``, speakers
as a keyword list).

**Deterministic ids**: a passage document's ``_id`` is ``<article id>#<passage index>``, so a re-run
overwrites instead of duplicating. **Incremental**: every passage carries ``file`` and ``content_hash``;
the manifest is read back from passage 0 documents. A changed file's old passages are deleted (by
``file``) before its new ones are sent. **Bulk**: chunks of ``CHUNK_DOCS`` documents through
``client.bulk``; items refused with 429 or 5xx, and whole chunks lost to a connection error or a node
going away, are sent again with exponential back-off (``RETRIES`` times) — a node killed during a run
costs time, not documents.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import ReadError
from ..index.pipeline import parser_jobs, run_pipeline, work_items
from ..index.planning import IdAllocator, plan, removed_files
from ..index.report import IndexReport, ProgressFn, walk_events
from ..store.analysis import news_analyzer
from ..store.layout import passage_documents
from .opensearch_client import FIRST_BACKOFF, RETRY_STATUS, Cluster, EngineUnavailableError
from .opensearch_dupes import regroup, sketch_field
from .opensearch_ranking import article_text
from .opensearch_mapping import OWN_NAMES, name_codes

CHUNK_DOCS = 500
RETRIES = 8  # per bulk request: back-off doubling up to MAX_BACKOFF, about 70 s of waiting before giving up
MAX_BACKOFF = 20.0
BULK_RETRY_STATUS = RETRY_STATUS | {500}  # a document refused with a 500 mid-failover is worth sending again


def os_document(doc: dict[str, Any], file_hash: str, article: dict[str, Any] | None) -> dict[str, Any]:
    """One `passage_documents` document in the OpenSearch mapping's shape."""
    out = {k: v for k, v in doc.items() if k not in ("filekey", "_stored_file", "article", "names", "date",
                                                      "speaker_facet")}
    out["content_hash"] = file_hash
    if doc.get("date") is not None:
        out["date"] = doc["date"].isoformat()
    if doc.get("names"):
        out["names"] = name_codes(doc["names"])
        own = name_codes(" ".join(x for x in (doc.get("body"), doc.get("speaker")) if x))
        if own:  # the passage's own codes (`OWN_NAMES`): what a names term matches a later passage by
            out[OWN_NAMES] = own
    if doc.get("speaker_facet") and any(True for _ in news_analyzer()(doc.get("speaker", ""))):
        # as the whoosh engine's facets, which read speakers only where the speaker field has terms (so a
        # "speaker" that is all stop words, e.g. "Of", is not a facet value)
        out["speaker_facet"] = doc["speaker_facet"].split(",")
    if article is not None:
        out["article"] = article
    return out


def doc_id(article_id: str, pindex: int) -> str:
    return f"{article_id}#{pindex}"


def read_manifest(cluster: Cluster, index: str) -> tuple[dict[str, str], dict[str, str]]:
    """({file key: content hash} of the files indexed in ``index``, {article id: its file key}), from each
    article's passage 0 (the ids feed `IdAllocator`: an id another file holds is not given again)."""
    from opensearchpy import helpers

    out: dict[str, str] = {}
    holders: dict[str, str] = {}
    query = {"query": {"term": {"pindex": 0}}, "_source": ["file", "content_hash", "article_id"]}
    hits = cluster.call("read the manifest", lambda: list(helpers.scan(cluster.client, query=query, index=index,
                                                                       size=2000)))
    for h in hits:
        src = h["_source"]
        out[src["file"]] = src["content_hash"]
        holders[src["article_id"]] = src["file"]
    return out, holders


def send_bulk(cluster: Cluster, actions: list[dict[str, Any]]) -> None:
    """Bulk-send ``actions`` to ``cluster`` (pairs of action line and source, flattened), retrying what may
    succeed later: the whole request after a connection error or a retryable status, else the items refused
    with one (`RETRIES` times, back-off from `FIRST_BACKOFF` doubling to `MAX_BACKOFF`); ids are fixed, so
    a resent document overwrites itself."""
    from opensearchpy import exceptions as ex

    pending, backoff = actions, FIRST_BACKOFF
    for attempt in range(RETRIES + 1):
        try:
            res = cluster.client.bulk(body=pending, request_timeout=120)
        except ex.TransportError as e:  # ConnectionError (timeouts included) is one
            if attempt == RETRIES or not (isinstance(e, ex.ConnectionError) or e.status_code in BULK_RETRY_STATUS):
                raise cluster.readable("bulk", e) from None
        else:
            pending = _refused(cluster, pending, res, last=attempt == RETRIES)
            if not pending:
                return
        time.sleep(backoff)
        backoff = min(backoff * 2, MAX_BACKOFF)


def _refused(cluster: Cluster, sent: list[dict[str, Any]], res: dict[str, Any], last: bool) -> list[dict[str, Any]]:
    """The action pairs of ``sent`` to send again after the bulk answer ``res``; a document refused for
    good (a mapping error, or a retryable refusal on the ``last`` attempt) raises `EngineUnavailableError`."""
    if not res.get("errors"):
        return []
    again: list[dict[str, Any]] = []
    for i, item in enumerate(res["items"]):
        result = next(iter(item.values()))
        status = int(result.get("status", 500))
        if status < 300:
            continue
        if status not in BULK_RETRY_STATUS or last:
            raise EngineUnavailableError(f"OpenSearch at {cluster.config.url} refused a document "
                                         f"({status}: {str(result.get('error'))[:200]})")
        again += sent[2 * i:2 * i + 2]
    return again


def _documents(events: Iterable[tuple], report: IndexReport, cluster: Cluster, index: str,
               manifest: dict[str, str], ids: IdAllocator, strict: bool, progress: ProgressFn | None,
               total: int) -> Iterator[dict[str, Any]]:
    """Bulk action pairs for the pipeline's ``events``; ``report`` counts as `Index._apply` does. Passage 0
    carries the article's copy-group sketch."""
    for key, file_hash, path, item, first in walk_events(events, report, ids, strict=strict,
                                                         known=manifest.__contains__, progress=progress, total=total):
        if item is None:  # an indexed file that changed: its old passages go first
            delete_files(cluster, index, [key])
            continue
        made = sketch_field(item)
        whole = item.to_dict()
        for doc in passage_documents(item, key, file_hash, path, first):
            src = os_document(doc, file_hash, whole if "article" in doc else None)
            if "article" in doc:
                src["sketch"], src["article_text"] = made, article_text(item)
            yield {"index": {"_index": index, "_id": doc_id(item.id, src["pindex"])}}
            yield src
            report.passages += 1


def delete_files(cluster: Cluster, index: str, keys: list[str]) -> None:
    """Remove every passage of the files ``keys`` (and make that visible before anything is re-added)."""
    cluster.call("delete old passages", cluster.client.delete_by_query, index=index,
                 body={"query": {"terms": {"file": keys}}}, refresh=True, conflicts="proceed",
                 request_timeout=300)


def index_paths(cluster: Cluster, index: str, paths: Iterable[str | Path], *, manifest: dict[str, str],
                jobs: int | None, strict: bool, progress: ProgressFn | None, rebuilt: bool,
                follow_links: bool = False, holders: dict[str, str] | None = None) -> IndexReport:
    """Index the files under ``paths`` into the concrete index ``index`` whose files are ``manifest`` and
    whose article ids are held by the files ``holders`` (`read_manifest`); then recompute the copy groups
    (`searchkit.engines.opensearch_dupes.regroup`) if anything changed."""
    t0 = time.perf_counter()
    roots = [Path(p) for p in paths]
    for r in roots:
        if not r.exists():
            raise ReadError(str(r), "no such file or folder")
    report = IndexReport(rebuilt=rebuilt)
    tasks, seen = plan(roots, manifest, follow_links)
    events = run_pipeline(work_items(tasks), parser_jobs(jobs, tasks))
    chunk: list[dict[str, Any]] = []
    ids = IdAllocator(holder=(holders or {}).get)
    for action in _documents(events, report, cluster, index, manifest, ids, strict, progress, len(tasks)):
        chunk.append(action)
        if len(chunk) >= 2 * CHUNK_DOCS:
            send_bulk(cluster, chunk)
            chunk = []
    if chunk:
        send_bulk(cluster, chunk)
    gone = removed_files(roots, manifest, seen)
    if gone:
        delete_files(cluster, index, gone)
        report.removed += len(gone)
    ids.report_crowded(report)
    cluster.call("refresh", cluster.client.indices.refresh, index=index)
    if report.changed or rebuilt:
        regroup(cluster, index)
    report.seconds = time.perf_counter() - t0
    return report
