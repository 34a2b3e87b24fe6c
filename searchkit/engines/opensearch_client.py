"""A small wrapper around opensearch-py: where the cluster is, and errors a person can read.

Why a wrapper: opensearch-py raises exceptions whose text is a tuple repr with a nested urllib3
error; searchkit promises a one-line message naming the cluster's URL instead (and never the password).
It also pins two easy-to-miss details: credentials come from the environment, not the command line
(``SEARCHKIT_OPENSEARCH_USER`` / ``SEARCHKIT_OPENSEARCH_PASSWORD``), and TLS certificates are verified
unless ``SEARCHKIT_OPENSEARCH_VERIFY=0`` (``SEARCHKIT_OPENSEARCH_CA_CERTS`` names a CA bundle).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, TypeVar
from urllib.parse import urlsplit, urlunsplit

from searchkit.errors import IndexAccessError

from .opensearch_mapping import NEWS_ANALYZER, index_body, mappings

URL_ENV = "SEARCHKIT_OPENSEARCH_URL"
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

    @classmethod
    def from_env(cls, url: str | None = None, env: Mapping[str, str] | None = None) -> "ClusterConfig":
        """``url`` (else ``$SEARCHKIT_OPENSEARCH_URL``) plus credentials and TLS options from ``env``."""
        env = os.environ if env is None else env
        raw = url or env.get(URL_ENV, "")
        if not raw:
            raise EngineUnavailableError(f"no OpenSearch URL: pass --url or set {URL_ENV}")
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EngineUnavailableError(f"not an http(s) URL for OpenSearch: {_redact(raw)}")
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        clean = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
        user = env.get("SEARCHKIT_OPENSEARCH_USER") or parts.username
        password = env.get("SEARCHKIT_OPENSEARCH_PASSWORD") or parts.password
        verify = env.get("SEARCHKIT_OPENSEARCH_VERIFY", "1").strip().lower() not in ("0", "false", "no")
        return cls(clean, user, password, verify, env.get("SEARCHKIT_OPENSEARCH_CA_CERTS") or None)


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
            hosts=[config.url], http_auth=auth, verify_certs=config.verify_certs, ca_certs=config.ca_certs,
            ssl_show_warn=config.verify_certs, timeout=config.timeout, max_retries=2, retry_on_timeout=True,
        )

    def call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``; a failure becomes one line: what failed, where, and why."""
        from opensearchpy import exceptions as ex

        try:
            return fn(*args, **kwargs)
        except ex.AuthenticationException:
            raise EngineUnavailableError(f"OpenSearch at {self.config.url} refused the credentials "
                                         f"(set SEARCHKIT_OPENSEARCH_USER/PASSWORD)") from None
        except ex.ConnectionError as e:  # includes timeouts and TLS failures
            reason = _short(e.info if isinstance(e.info, Exception) else e.error)
            raise EngineUnavailableError(f"cannot reach OpenSearch at {self.config.url} ({what}): "
                                         f"{reason}") from None
        except ex.TransportError as e:
            raise EngineUnavailableError(f"OpenSearch at {self.config.url} ({what}): "
                                         f"{e.status_code} {_reason(e)}") from None

    def health(self, wait_for_status: str | None = None, wait_seconds: int = 30) -> dict[str, Any]:
        """Cluster health; with ``wait_for_status``, wait (server side) up to ``wait_seconds``."""
        kwargs: dict[str, Any] = {}
        if wait_for_status:
            # opensearch-py takes "timeout" as the client's socket timeout unless request_timeout is given
            kwargs = {"wait_for_status": wait_for_status, "timeout": f"{wait_seconds}s",
                      "request_timeout": wait_seconds + 10}
        return self.call("cluster health", self.client.cluster.health, **kwargs)

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
    """The server's one-line reason from a TransportError (its root cause when there is one)."""
    info = error.info if isinstance(error.info, dict) else {}
    err = info.get("error")
    if isinstance(err, dict):
        return f"{err.get('type', 'error')}: {err.get('reason', '')}".strip()
    return str(err or error.error)


def connect(url: str | None = None) -> Cluster:
    """A `Cluster` for ``url`` (else ``$SEARCHKIT_OPENSEARCH_URL``), checked with one health call so a
    wrong URL fails here, with its name in the message, not at the first search."""
    cluster = Cluster(ClusterConfig.from_env(url))
    cluster.health()
    return cluster
