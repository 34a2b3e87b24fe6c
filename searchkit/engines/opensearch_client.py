"""A small wrapper around opensearch-py: where the cluster is, and errors a person can read.

Why a wrapper: opensearch-py raises exceptions whose text is a tuple repr with a nested urllib3
error; searchkit promises a one-line message naming the cluster's URL instead (and never the password).
It also pins two easy-to-miss details: credentials come from the environment, not the command line
(``SEARCHKIT_OPENSEARCH_USER`` / ``SEARCHKIT_OPENSEARCH_PASSWORD``), and TLS certificates are verified
unless ``SEARCHKIT_OPENSEARCH_VERIFY=0`` (``SEARCHKIT_OPENSEARCH_CA_CERTS`` names a CA bundle).

Losing a node: the URL may list every node, comma-separated; opensearch-py then goes round them and
skips one that fails, and `Cluster.call` retries transient failures with back-off, so a client survives
the loss of any node (``tests/opensearch/test_faults.py`` kills them).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, TypeVar
from urllib.parse import urlsplit, urlunsplit

from searchkit.errors import IndexAccessError

from .opensearch_mapping import NEWS_ANALYZER, index_body, mappings

URL_ENV = "SEARCHKIT_OPENSEARCH_URL"
RETRIES = 3  # transient failures of one call, after the client has tried every node (see `Cluster.call`)
FIRST_BACKOFF = 0.5  # seconds, doubled per retry
RETRY_STATUS = frozenset({429, 502, 503, 504})  # busy, or a node/cluster manager is gone for the moment
T = TypeVar("T")


class EngineUnavailableError(IndexAccessError):
    """The OpenSearch cluster cannot be reached, refuses us, or answers with an error."""


@dataclass(frozen=True)
class ClusterConfig:
    """Where the cluster is and how to log in; ``url`` never carries the password."""

    url: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    verify_certs: bool = True
    ca_certs: str | None = None
    timeout: float = 30.0

    @property
    def hosts(self) -> list[str]:
        """Every node URL the client may talk to (``url`` names them comma-separated)."""
        return self.url.split(",")

    @classmethod
    def from_env(cls, url: str | None = None, env: Mapping[str, str] | None = None) -> "ClusterConfig":
        """``url`` (else ``$SEARCHKIT_OPENSEARCH_URL``) plus credentials and TLS options from ``env``.

        ``url`` may name several nodes of one cluster, comma-separated (``$OPENSEARCH_HOSTS`` of
        `opensearch/start.sh`): requests then go round the nodes, and one that stops answering is skipped,
        so a client survives the loss of any node, the first one included."""
        env = os.environ if env is None else env
        raw = url or env.get(URL_ENV, "")
        if not raw.strip(" ,"):
            raise EngineUnavailableError(f"no OpenSearch URL: pass --url or set {URL_ENV}")
        cleaned, user, password = [], None, None
        for one in (u.strip() for u in raw.split(",")):
            if not one:
                continue
            parts = urlsplit(one)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise EngineUnavailableError(f"not an http(s) URL for OpenSearch: {_redact(one)}")
            netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
            cleaned.append(urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", "")))
            user, password = user or parts.username, password or parts.password
        user = env.get("SEARCHKIT_OPENSEARCH_USER") or user
        password = env.get("SEARCHKIT_OPENSEARCH_PASSWORD") or password
        verify = env.get("SEARCHKIT_OPENSEARCH_VERIFY", "1").strip().lower() not in ("0", "false", "no")
        return cls(",".join(cleaned), user, password, verify, env.get("SEARCHKIT_OPENSEARCH_CA_CERTS") or None)


def _redact(url: str) -> str:
    """``url`` without a password in it."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


class Cluster:
    """One OpenSearch cluster; every call turns client errors into `EngineUnavailableError`."""

    def __init__(self, config: ClusterConfig):
        from opensearchpy import OpenSearch  # optional dependency: imported only when a cluster is used

        self.config = config
        auth = (config.username, config.password or "") if config.username else None
        self.client = OpenSearch(
            hosts=config.hosts, http_auth=auth, verify_certs=config.verify_certs, ca_certs=config.ca_certs,
            ssl_show_warn=config.verify_certs, timeout=config.timeout, max_retries=max(2, len(config.hosts)),
            retry_on_timeout=True,
        )

    def call(self, what: str, fn: Callable[..., T], *args: Any, retries: int = RETRIES, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``; a failure becomes one line: what failed, where, and why.

        ``what`` names the step in that line. A transient failure (no node answered, or 429/502/503/504:
        overloaded, or no cluster manager while one is elected after a node died) is tried again up to
        ``retries`` times with doubling back-off; the client has by then already tried every node once."""
        from opensearchpy import exceptions as ex

        backoff = FIRST_BACKOFF
        for attempt in range(retries + 1):
            try:
                return fn(*args, **kwargs)
            except ex.TransportError as e:
                transient = (isinstance(e, ex.ConnectionError) and not isinstance(e, ex.ConnectionTimeout)) \
                    or e.status_code in RETRY_STATUS
                if not transient or attempt == retries:
                    raise self.readable(what, e) from None
            time.sleep(backoff)
            backoff *= 2
        raise AssertionError("unreachable")

    def readable(self, what: str, error: Exception) -> EngineUnavailableError:
        """The one-line `EngineUnavailableError` for the opensearch-py ``error`` raised by step ``what``."""
        from opensearchpy import exceptions as ex

        if isinstance(error, ex.AuthenticationException):
            return EngineUnavailableError(f"OpenSearch at {self.config.url} refused the credentials "
                                          f"(set SEARCHKIT_OPENSEARCH_USER/PASSWORD)")
        if isinstance(error, ex.ConnectionError):  # includes timeouts and TLS failures
            reason = _short(error.info if isinstance(error.info, Exception) else error.error)
            return EngineUnavailableError(f"cannot reach OpenSearch at {self.config.url} ({what}): {reason}")
        if isinstance(error, ex.TransportError):
            return EngineUnavailableError(f"OpenSearch at {self.config.url} ({what}): "
                                          f"{error.status_code} {_reason(error)}")
        return EngineUnavailableError(f"OpenSearch at {self.config.url} ({what}): {error}")

    def health(self, wait_for_status: str | None = None, wait_seconds: int = 30, retries: int = 0) -> dict[str, Any]:
        """Cluster health; with ``wait_for_status``, wait (server side) up to ``wait_seconds``. No retries by
        default (``retries``): it is the probe `connect` uses, and a cluster that is down should say so now."""
        kwargs: dict[str, Any] = {}
        if wait_for_status:
            # opensearch-py takes "timeout" as the client's socket timeout unless request_timeout is given
            kwargs = {"wait_for_status": wait_for_status, "timeout": f"{wait_seconds}s",
                      "request_timeout": wait_seconds + 10}
        return self.call("cluster health", self.client.cluster.health, retries=retries, **kwargs)

    def create_index(self, name: str, shards: int = 3, replicas: int = 1) -> None:
        """Create ``name`` with searchkit's analyzers and mapping."""
        self.call(f"create index {name}", self.client.indices.create, index=name, body=index_body(shards, replicas))

    def update_mapping(self, name: str) -> None:
        """Add the mapping's fields that ``name`` lacks (an index created by an older searchkit)."""
        self.call(f"update mapping of {name}", self.client.indices.put_mapping, index=name,
                  body={"properties": mappings()["properties"]})

    def delete_index(self, name: str) -> None:
        """Delete ``name`` if it exists."""
        self.call(f"delete index {name}", self.client.indices.delete, index=name, ignore=[404])

    def analyze(self, index: str, text: str, analyzer: str = NEWS_ANALYZER) -> list[tuple[str, int]]:
        """(term, position) pairs ``text`` becomes under ``analyzer`` of ``index``."""
        res = self.call("analyze", self.client.indices.analyze, index=index,
                        body={"analyzer": analyzer, "text": text})
        return [(t["token"], t["position"]) for t in res.get("tokens", [])]


def _short(error: Any) -> str:
    """The last clause of a urllib3 error ("[Errno 111] Connection refused"), not its object repr."""
    text = " ".join(str(error).split())
    if isinstance(error, Exception) and "timed out" in text.lower():
        return "timed out"
    return text.rsplit(": ", 1)[-1][:200] or type(error).__name__


def _reason(error: Any) -> str:
    """The server's one-line reason from a TransportError (its root cause when there is one); an answer
    that is not OpenSearch's JSON (a web server or proxy at that URL) is said to be one, not quoted whole."""
    info = error.info if isinstance(error.info, dict) else {}
    err = info.get("error")
    if isinstance(err, dict):
        return f"{err.get('type', 'error')}: {err.get('reason', '')}".strip()
    if err:
        return " ".join(str(err).split())[:200]
    if isinstance(error.info, (str, bytes)) or not info:
        return "not an OpenSearch answer (is this the cluster's URL?)"
    return " ".join(str(error.error).split())[:200]


def connect(url: str | None = None) -> Cluster:
    """A `Cluster` for ``url`` (else ``$SEARCHKIT_OPENSEARCH_URL``), checked with one health call so a
    wrong URL fails here, with its name in the message, not at the first search."""
    cluster = Cluster(ClusterConfig.from_env(url))
    cluster.health()
    return cluster
