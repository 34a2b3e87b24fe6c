"""Retries of the OpenSearch client and bulk path, on answers a live cluster gives rarely on demand (429,
503 mid-failover) — no cluster needed: the opensearch-py client is swapped for one that answers from a
script, while searchkit's own retry code (`Cluster.call`, `send_bulk`) runs unchanged."""
from __future__ import annotations

import pytest
from opensearchpy import exceptions as ex

from searchkit.engines import opensearch_client, opensearch_indexing
from searchkit.engines.opensearch_client import Cluster, ClusterConfig, EngineUnavailableError
from searchkit.engines.opensearch_indexing import send_bulk

URL = "http://127.0.0.1:9"  # never contacted: the client below answers instead


class ScriptedBulk:
    """``bulk`` answers from ``script``, one per call: an exception to raise, or per-item statuses."""

    def __init__(self, script):
        self.script, self.bodies = list(script), []

    def bulk(self, body, request_timeout=None):
        self.bodies.append(list(body))
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        items = [{"index": {"status": status, "error": None if status < 300 else {"type": "x"}}} for status in step]
        return {"errors": any(s >= 300 for s in step), "items": items}


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(opensearch_indexing, "FIRST_BACKOFF", 0.0)
    monkeypatch.setattr(opensearch_client, "FIRST_BACKOFF", 0.0)


def _cluster(client) -> Cluster:
    cluster = Cluster(ClusterConfig.from_env(URL, env={}))
    cluster.client = client
    return cluster


def _refused_connection():
    raise ex.ConnectionError("N/A", "refused", OSError("[Errno 111] Connection refused"))


def _actions(n: int) -> list[dict]:
    return [line for i in range(n) for line in ({"index": {"_id": f"a#{i}"}}, {"pindex": i})]


def test_bulk_resends_only_the_documents_refused_with_429_then_succeeds():
    client = ScriptedBulk([[201, 429, 201, 503], [201, 201]])
    send_bulk(_cluster(client), _actions(4))
    assert [len(b) // 2 for b in client.bodies] == [4, 2]
    assert client.bodies[1] == _actions(4)[2:4] + _actions(4)[6:8], "exactly the refused pairs, in order"


def test_bulk_resends_the_whole_request_after_a_lost_connection():
    client = ScriptedBulk([ex.ConnectionError("N/A", "refused", OSError("refused")), [201, 201]])
    send_bulk(_cluster(client), _actions(2))
    assert client.bodies == [_actions(2), _actions(2)]


def test_a_document_refused_for_good_is_one_line_naming_the_url():
    client = ScriptedBulk([[201, 400]])
    with pytest.raises(EngineUnavailableError) as e:
        send_bulk(_cluster(client), _actions(2))
    assert URL in str(e.value) and "400" in str(e.value) and len(client.bodies) == 1


def test_bulk_gives_up_after_its_retries(monkeypatch):
    monkeypatch.setattr(opensearch_indexing, "RETRIES", 2)
    client = ScriptedBulk([ex.TransportError(503, "unavailable", {})] * 3)
    with pytest.raises(EngineUnavailableError) as e:
        send_bulk(_cluster(client), _actions(1))
    assert len(client.bodies) == 3 and "503" in str(e.value) and "\n" not in str(e.value)


def test_call_retries_transient_failures_not_others():
    answers = [ex.TransportError(503, "cluster_manager_not_discovered", {}), ex.TransportError(429, "busy", {}),
               {"ok": True}]
    calls = []

    def flaky():
        calls.append(1)
        step = answers.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    cluster = _cluster(None)
    assert cluster.call("search", flaky) == {"ok": True} and len(calls) == 3

    def bad_query():
        calls.append(1)
        raise ex.RequestError(400, "parsing_exception", {"error": {"type": "parsing_exception", "reason": "bad"}})

    calls.clear()
    with pytest.raises(EngineUnavailableError) as e:
        cluster.call("search", bad_query)
    assert len(calls) == 1 and "parsing_exception: bad" in str(e.value)
    calls.clear()
    with pytest.raises(EngineUnavailableError):
        cluster.call("cluster health", lambda: calls.append(1) or _refused_connection(), retries=0)
    assert len(calls) == 1, "the connect probe is not retried"
