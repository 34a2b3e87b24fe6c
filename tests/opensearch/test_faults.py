"""Faults of issue 17, against a real 3-node cluster (3 shards, 1 replica) private to this module.

The cluster is started by the repo's scripts (`opensearch/start.sh` on free ports, in a temporary run dir)
and stopped at the end of the module, never the session cluster the other tests share, because these tests
``kill -9`` its nodes. The client is given every node's URL (``--url`` takes them comma-separated, as
``OPENSEARCH_HOSTS`` in ``cluster.env``), so it must survive the loss of any node, the first one included:

* a node killed during a bulk index of BBC articles: the run completes and every file's article is there;
* a node killed during a stream of searches: no search fails or answers a different total, then
  ``OS_NODE=N start.sh`` restarts it: green again, nothing lost;
* a cluster that is down: one line naming its URL(s), exit status 1, no traceback.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from oscluster import NODES, free_port_base, missing_tools, private_cluster

from searchkit.engines.opensearch_client import connect
from searchkit.engines.opensearch_engine import OpenSearchEngine

REPO = Path(__file__).resolve().parents[2]
BBC = REPO.parent / "shared" / "corpora" / "bbc"
N_BBC = 2000
QUERIES = ['"prime minister"', "profit growth", "headline:film", "election -blair", "oil AND prices", "econom*",
           "mobile OR phone*"]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """A private 3-node cluster whose nodes these tests may kill (see the module docstring)."""
    missing = missing_tools()
    if missing:
        pytest.skip(f"the fault tests need {', '.join(missing)} to start their own cluster")
    with private_cluster(tmp_path_factory.mktemp("opensearch-faults"), free_port_base(NODES, start=19640)) as c:
        yield c


@pytest.fixture()
def all_up(faulty):
    """``faulty`` with every node running (restarted if an earlier test left one dead) and the cluster green;
    the connected `Cluster` is given every node's URL."""
    for node in range(faulty.nodes):
        if faulty.pid(node) is None:
            faulty.restart(node)
    client = connect(faulty.hosts)
    assert client.health(wait_for_status="green", wait_seconds=120)["status"] == "green"
    return client


def _bbc() -> list[Path]:
    files = sorted(BBC.glob("*/*.txt"))[:N_BBC] if BBC.is_dir() else []
    if len(files) < N_BBC:
        pytest.skip(f"{BBC} is absent or holds fewer than {N_BBC} articles (the fault tests index them)")
    return files


def _articles(client, index: str) -> int:
    """Articles in ``index`` as the cluster counts them now (passage 0 of each), after a refresh."""
    client.call("refresh", client.client.indices.refresh, index=index)
    res = client.call("count", client.client.count, index=index, body={"query": {"term": {"pindex": 0}}})
    assert res["_shards"]["failed"] == 0, res
    return int(res["count"])


@pytest.fixture(scope="module")
def bbc_index(faulty):
    """The name of the index test_kill_a_node_during_bulk_indexing filled (shared with the search test)."""
    return f"test-faults-{uuid.uuid4().hex[:8]}"


def test_kill_a_node_during_bulk_indexing(faulty, all_up, bbc_index):
    files = _bbc()
    engine = OpenSearchEngine(all_up, bbc_index, shards=3, replicas=1)
    killed: list[int] = []
    timer = threading.Timer(0.3, lambda: killed.append(faulty.kill(0)))  # node-0: the client's first URL

    def progress(done: int, total: int) -> None:
        # a third of the way in, from another thread, so the kill lands in the middle of sending, likely
        # while a bulk request is in flight; two thirds of the files are sent after it
        if done == total // 3:
            timer.start()

    report = engine.add(files, progress=progress, jobs=2)
    timer.join()
    assert killed, "the node was killed during the run"
    assert faulty.pid(0) is None
    assert report.added == report.articles == len(files) and not report.errors
    health = all_up.health()
    assert health["number_of_nodes"] == NODES - 1 and health["status"] in ("yellow", "green"), health
    assert _articles(all_up, bbc_index) == len(files)
    assert engine.info()["passages"] == report.passages


def _search_stream(engine: OpenSearchEngine, expected: dict[str, int], seconds: float,
                   kill_at: float, kill) -> tuple[list[tuple], float | None, int]:
    """Search ``expected``'s queries in turn for ``seconds``, calling ``kill`` at ``kill_at``; returns the
    failures (a raised error, or a total other than ``expected``'s) as (time, query, what), the time the
    cluster first reported a status other than green, and the number of searches run."""
    failures: list[tuple] = []
    t0, left_green, n = time.monotonic(), [None], 0
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set() and left_green[0] is None:
            try:
                if engine.cluster.health()["status"] != "green":
                    left_green[0] = time.monotonic() - t0
            except Exception:  # a watcher that cannot ask says nothing; the searches are what is tested
                pass
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    queries = list(expected)
    killed = False
    while time.monotonic() - t0 < seconds:
        if not killed and time.monotonic() - t0 >= kill_at:
            kill()
            killed = True
        query = queries[n % len(queries)]
        n += 1
        at = time.monotonic() - t0
        try:
            total = engine.search(query, limit=10).total
        except Exception as e:  # noqa: BLE001 - any failure of a search is what this test counts
            failures.append((round(at, 2), query, f"{type(e).__name__}: {e}"))
            continue
        if total != expected[query]:
            failures.append((round(at, 2), query, f"total {total}, expected {expected[query]}"))
    stop.set()
    watcher.join(5)
    return failures, left_green[0], n


def test_kill_a_node_during_searches_then_restart_it(faulty, all_up, bbc_index):
    if not all_up.client.indices.exists(index=bbc_index):
        pytest.skip("needs the index test_kill_a_node_during_bulk_indexing builds")
    engine = OpenSearchEngine(all_up, bbc_index)
    expected = {q: engine.search(q, limit=10).total for q in QUERIES}
    assert all(expected.values()), expected
    articles = _articles(all_up, bbc_index)
    manager = all_up.client.cat.cluster_manager(format="json")[0]["node"]  # the hardest node to lose
    victim = int(manager.rsplit("-", 1)[1])
    failures, left_green, n = _search_stream(engine, expected, seconds=12, kill_at=2,
                                             kill=lambda: faulty.kill(victim))
    assert left_green is not None, "the cluster noticed the lost node"
    assert n > len(QUERIES) * 3
    assert not [f for f in failures if f[0] >= left_green], failures  # the bar: none after yellow
    assert not failures, failures  # and in fact none at all: every node holds a copy of every shard's data
    faulty.restart(victim)
    assert all_up.health(wait_for_status="green", wait_seconds=120)["number_of_nodes"] == NODES
    assert _articles(all_up, bbc_index) == articles
    assert {q: engine.search(q, limit=10).total for q in QUERIES} == expected


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searchkit.cli", *args], capture_output=True, text=True,
                          timeout=120, env=os.environ, cwd=REPO)


def test_a_cluster_that_is_down_is_one_line_naming_every_url():
    base = free_port_base(2, start=29400)
    url = f"http://127.0.0.1:{base},http://127.0.0.1:{base + 1}"
    for args in (["search", "taliban"], ["search", "taliban", "--json"], ["index", str(REPO / "corpus")],
                 ["info"], ["info", "--json"]):
        done = _cli(*args, "--engine", "opensearch", "--url", url)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done
        lines = done.stderr.strip().splitlines()
        assert len(lines) <= 1 and all(url in line for line in lines), done.stderr
        if "--json" in args:  # the error is the JSON on stdout (and, for info, the line on stderr too)
            assert url in json.loads(done.stdout)["error"], done.stdout
        else:
            assert len(lines) == 1, done.stderr
