"""`OpenSearchEngine`: searchkit's `searchkit.engine.Engine` on an OpenSearch cluster.

::

    from searchkit import open_index
    ix = open_index("opensearch+http://127.0.0.1:9200/news")   # or OpenSearchEngine.connect(url, "news")
    ix.add(["corpus"])
    ix.search("taliban talks").hits

The searched name (``news``) is an **alias**: the first `add` creates a concrete index ``news-<time>`` behind
it; ``add(..., rebuild=True)`` fills a new concrete index and then moves the alias in one atomic
``_aliases`` call and deletes the old one, so searches never see a half-built index. Parsing, planning and
documents come from the index pipeline (`searchkit.engines.opensearch_indexing`), queries from the one
translator (`searchkit.engines.opensearch_query`), searches from `searchkit.engines.opensearch_search` (copies
collapsed by `searchkit.engines.opensearch_dupes`, article mode ranked by `searchkit.engines.opensearch_ranking`);
`searchkit.results.search` drives this class exactly as
it drives the whoosh `searchkit.index.Index`, so the JSON of a search is the same whichever engine answers.
Snippets and highlight spans are computed by searchkit's own highlighter from the stored article, so they
mark the same words on both engines.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
import time
from typing import Any, Iterable, Iterator

from ..dupes.view import Groups
from ..engine import Filters, Ranked, RankedHit
from ..errors import QueryError
from ..model import Article, SearchResults
from ..query.nodes import once_per_article
from ..query.parser import ParsedQuery, parse_query
from ..results.search import search
from ..settings import DEFAULT_SETTINGS, Settings
from ..store.analysis import news_analyzer
from ..store.schema import build_schema
from . import URL_PREFIX
from .opensearch_client import Cluster, ClusterConfig, EngineUnavailableError
from .opensearch_indexing import index_paths, read_manifest
from .opensearch_query import blended_terms, idf_scale, search_query

DEFAULT_NAME = "news"
SUGGEST_FIELDS = ("body", "headline", "quote")
_SCHEMA = build_schema()  # the query parser's field definitions (analysers); no whoosh index is opened


def split_url(spec: str) -> tuple[str, str]:
    """``opensearch+http://host:9200/news`` -> (``http://host:9200``, ``news``)."""
    url = spec[len(URL_PREFIX):] if spec.startswith(URL_PREFIX) else spec
    head, _, name = url.rstrip("/").rpartition("/")
    if head.endswith(":/"):  # no path (the last "/" was the one of "http://"): the whole thing is the cluster URL
        return url.rstrip("/"), DEFAULT_NAME
    return head, name or DEFAULT_NAME


def open_url(spec: str, *, settings: Settings | None = None) -> "OpenSearchEngine":
    """The engine for ``opensearch+http(s)://host:port/NAME`` (what ``open_index`` accepts)."""
    url, name = split_url(spec)
    return OpenSearchEngine.connect(url, name, settings=settings)


class OpenSearchEngine:
    """A searchkit index held by an OpenSearch cluster, under the alias ``name`` (see the module docstring)."""

    def __init__(self, cluster: Cluster, name: str = DEFAULT_NAME, *, shards: int = 3, replicas: int = 1,
                 settings: Settings | None = None):
        if not name or name != name.lower() or any(c in name for c in ' "*\\<|,>/?#:'):
            raise EngineUnavailableError(f"not a valid OpenSearch index name: {name!r}")
        self.cluster, self.name = cluster, name
        self.shards, self.replicas = shards, replicas
        self.settings: Settings = settings or DEFAULT_SETTINGS
        self.path = f"{cluster.config.url}/{name}"
        self._write_lock = threading.Lock()
        self._canon: tuple[float, dict[str, str]] | None = None  # `opensearch_search.speaker_canon`'s cache

    @classmethod
    def connect(cls, url: str | None = None, name: str | None = None, **kwargs: Any) -> "OpenSearchEngine":
        """Connect to ``url`` (else ``$SEARCHKIT_OPENSEARCH_URL``); a cluster that does not answer raises
        `EngineUnavailableError` naming the URL."""
        cluster = Cluster(ClusterConfig.from_env(url))
        cluster.health()
        return cls(cluster, name or DEFAULT_NAME, **kwargs)

    def state_dir(self) -> Path:
        """The local folder (made by the first write) of this cluster index's companion files (saved
        searches): under ``$SEARCHKIT_STATE_DIR`` (default ``~/.local/share/searchkit``),
        ``opensearch/<host>_<port>/<name>``.
        Local, not in the cluster: saved searches and what they have reported are one user's alerts, and a
        shared cluster may well be read-only for that user."""
        from urllib.parse import urlsplit

        base = os.environ.get("SEARCHKIT_STATE_DIR") or os.path.join(
            os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "searchkit")
        parts = urlsplit(self.cluster.config.url)
        return Path(base) / "opensearch" / f"{parts.hostname or 'localhost'}_{parts.port or 9200}" / self.name

    def __repr__(self) -> str:
        return f"OpenSearchEngine({self.path!r})"

    # ----------------------------------------------------------------------------------- writing

    def _concrete(self) -> list[str]:
        """The concrete indices behind the alias (the alias name itself if it is a plain index)."""
        client = self.cluster.client
        if self.cluster.call("alias lookup", client.indices.exists_alias, name=self.name):
            return sorted(self.cluster.call("alias lookup", client.indices.get_alias, name=self.name))
        if self.cluster.call("index lookup", client.indices.exists, index=self.name):
            return [self.name]
        return []

    def _new_index(self) -> str:
        name = f"{self.name}-{time.time_ns()}"
        self.cluster.create_index(name, self.shards, self.replicas)
        return name

    def add(self, paths: Iterable[str | os.PathLike], *, jobs: int | None = None, rebuild: bool = False,
            strict: bool = False, progress: Any = None, follow_links: bool = False):
        """`Engine.add`: incremental by content hash; ``rebuild`` fills a new index, then swaps the alias.
        ``follow_links`` as for the whoosh engine (links out of ``paths`` are skipped unless set)."""
        with self._write_lock:
            self._canon = None  # the speaker clustering changes with the articles
            current = self._concrete()
            manifest: dict[str, str] = {}
            holders: dict[str, str] = {}
            if rebuild or not current:
                target = self._new_index()
            else:
                target = current[0]
                self.cluster.update_mapping(target)  # an index made before a field was added gets it
                manifest, holders = read_manifest(self.cluster, target)
            try:
                report = index_paths(self.cluster, target, paths, manifest=manifest, jobs=jobs, strict=strict,
                                     progress=progress, rebuilt=rebuild, follow_links=follow_links,
                                     holders=holders)
            except BaseException:
                if target not in current:  # nothing half-built is left behind (or made live) ...
                    try:
                        self.cluster.delete_index(target)
                    except EngineUnavailableError:
                        pass  # ... as far as the cluster answers: the error that stopped the run is the one to say
                raise
            if target not in current:
                self._swap(target, current)
            return report

    def _swap(self, target: str, old: list[str]) -> None:
        """Point the alias at ``target`` in one atomic call, then drop the indices it pointed at."""
        actions: list[dict[str, Any]] = [{"remove": {"index": o, "alias": self.name}} for o in old if o != self.name]
        actions.append({"add": {"index": target, "alias": self.name}})
        if self.name in old:  # a plain index of that name is in the way of the alias: removed in the same call
            actions.append({"remove_index": {"index": self.name}})
        self.cluster.call("alias swap", self.cluster.client.indices.update_aliases, body={"actions": actions})
        for o in old:
            if o != self.name:
                self.cluster.delete_index(o)

    # ----------------------------------------------------------------------------------- reading

    def _search(self, what: str, body: dict[str, Any], ranked: bool = False) -> dict[str, Any]:
        """One search request; ``ranked`` ones use ``dfs_query_then_fetch``: BM25's document frequencies
        and lengths from all shards, not each shard's own (with 3 shards those differ enough to reorder
        the top 10), so scores are the single-index scores the whoosh engine computes."""
        params = {"ignore_unavailable": "true"}
        if ranked:
            params["search_type"] = "dfs_query_then_fetch"
        res = self.cluster.call(what, self.cluster.client.search, index=self.name, body=body, params=params)
        shards = res.get("_shards", {})
        if shards.get("failed"):  # a partial answer would be a wrong total: say so instead
            reason = (shards.get("failures") or [{}])[0].get("reason", {})
            raise EngineUnavailableError(f"OpenSearch at {self.cluster.config.url} ({what}): {shards['failed']} of "
                                         f"{shards.get('total')} shards failed ({reason.get('type', 'error')}: "
                                         f"{str(reason.get('reason', ''))[:160]})")
        return res

    def is_empty(self) -> bool:
        """True when nothing is indexed under this name."""
        if not self._concrete():
            return True
        res = self.cluster.call("count", self.cluster.client.count, index=self.name)
        return int(res.get("count", 0)) == 0

    def search(self, query: str, **kwargs: Any) -> SearchResults:
        """`searchkit.results.search.search` on this engine (the same call as ``Index.search``)."""
        return search(self, query, **kwargs)

    def parse(self, text: str, settings: Settings) -> ParsedQuery:
        """`Engine.parse`: the query language's own parser, with the headline matched once per article
        (`once_per_article`); prefix and fuzzy terms expand on the server."""
        try:
            parsed = parse_query(text, _SCHEMA, settings.boosts, coordination=settings.coordination,
                                 group=settings.field_group)
        except ValueError as e:
            raise QueryError(f"cannot run this query: {e}") from None
        # README's matching semantics, as the whoosh engine: the headline matched once per article (issue 11)
        parsed.query = once_per_article(parsed.query)
        return parsed

    def run(self, parsed: ParsedQuery, filters: Filters, *, unit: str, offset: int, limit: int,
            settings: Settings) -> Ranked:
        """`Engine.run` (`searchkit.engines.opensearch_search.run`; ``settings`` decide whether article mode
        ranks by article-level statistics; BM25's k1 and b are the index's)."""
        from .opensearch_search import run

        return run(self, parsed, filters, unit=unit, offset=offset, limit=limit, settings=settings)

    def all_ranked(self, parsed: ParsedQuery, filters: Filters, *, unit: str, settings: Settings) -> Iterator[RankedHit]:
        """`Engine.all_ranked`: every match, best passage first, a page at a time (``settings`` as for `run`)."""
        from .opensearch_search import all_ranked

        return all_ranked(self, parsed, filters, unit=unit)

    def article_ids(self, parsed: ParsedQuery, filters: Filters, settings: Settings) -> set[str]:
        """`Engine.article_ids`: every matching article's id (``settings`` as for `run`)."""
        from .opensearch_search import article_ids

        return article_ids(self, parsed, filters)

    def _scale(self, q) -> dict:
        """`idf_scale` for ``q``: the document frequencies it needs, in one ``_msearch`` of counts."""
        blended = blended_terms(q)
        keys = [("", "")] + list(dict.fromkeys([k for f, t in blended for k in ((f, t), ("body", t))]))
        lines: list[dict[str, Any]] = []
        for field, text in keys:
            query = {"term": {field: text}} if field else {"match_all": {}}
            lines += [{}, {"size": 0, "track_total_hits": True, "query": query}]
        if len(keys) == 1:
            return {}
        res = self.cluster.call("term statistics", self.cluster.client.msearch, index=self.name, body=lines)
        counts = [int(r["hits"]["total"]["value"]) for r in res["responses"]]
        return idf_scale(counts[0], dict(zip(keys[1:], counts[1:])), blended)

    def article(self, article_id: str) -> Article | None:
        """`Engine.article`: the article stored at indexing time, or None."""
        from .opensearch_search import passage0

        got = passage0(self, {article_id}).get(article_id) if self._concrete() else None
        return Article.from_dict(got["article"]) if got and got.get("article") else None

    def copy_groups(self):
        """The copy groups (`searchkit.dupes.view.Groups`) of the articles indexed here."""
        from .opensearch_dupes import copy_groups

        current = self._concrete()
        return copy_groups(self.cluster, current[0]) if current else Groups()

    def count(self, parsed: ParsedQuery, filters: Filters, settings: Settings) -> int:
        """`Engine.count`: one size-0 request, the filtered query's exact hit total (``settings``: unused, the
        count does not depend on ranking)."""
        if parsed.is_empty or not self._concrete():
            return 0
        body = {"size": 0, "track_total_hits": True, "query": search_query(parsed.query, filters)}
        return int(self._search("count", body)["hits"]["total"]["value"])

    def facet_values(self, name: str) -> list[str]:
        """`Engine.facet_values`: every value of facet ``name`` ("source"/"speaker"), most frequent first."""
        from .opensearch_results import facet_values

        return facet_values(self, name)

    def suggest(self, text: str) -> str | None:
        """`Engine.suggest`: words absent from the text fields replaced by the term suggester's best term."""
        from .opensearch_results import suggestion

        if not self._concrete():
            return None
        return suggestion(self, text, news_analyzer(), SUGGEST_FIELDS)

    def info(self) -> dict[str, Any]:
        """`Engine.info`: the same keys as the whoosh index's (``path`` is the cluster URL and alias)."""
        from .opensearch_results import info

        return info(self)
