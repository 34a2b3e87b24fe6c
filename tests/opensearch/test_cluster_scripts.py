"""The repo's cluster scripts (opensearch/start.sh, stop.sh): green with every node, one data folder
per node, 3 shards x 1 replica spread over the nodes, and stop.sh touches only what start.sh started."""
from __future__ import annotations

import subprocess
import time
import uuid
from urllib.parse import urlsplit

import pytest

from oscluster import NODES, SCRIPTS, free_port_base, missing_tools, script_env


def test_cluster_is_green_with_all_nodes(opensearch_cluster, cluster):
    health = cluster.health()
    assert health["status"] == "green"
    homes = opensearch_cluster.node_homes()
    assert health["number_of_nodes"] == (len(homes) if homes else NODES)


def test_each_node_has_its_own_data_folder(opensearch_cluster, cluster):
    if opensearch_cluster.run_dir is None:
        pytest.skip("the cluster was not started by opensearch/start.sh (no SEARCHKIT_OPENSEARCH_RUN_DIR)")
    nodes = cluster.client.nodes.info(metric="settings")["nodes"].values()
    data = sorted(n["settings"]["path"]["data"][0] if isinstance(n["settings"]["path"]["data"], list)
                  else n["settings"]["path"]["data"] for n in nodes)
    assert data == sorted(str(h / "data") for h in opensearch_cluster.node_homes())
    assert all(n["ip"] == "127.0.0.1" for n in nodes)


def test_three_shards_one_replica_spread_over_the_nodes(cluster):
    name = f"test-shards-{uuid.uuid4().hex[:8]}"
    cluster.create_index(name, shards=3, replicas=1)
    try:
        cluster.call("health", cluster.client.cluster.health, index=name, wait_for_status="green",
                     timeout="60s", request_timeout=70)
        shards = cluster.client.cat.shards(index=name, format="json")
        assert len(shards) == 6 and all(s["state"] == "STARTED" for s in shards)
        for shard in "012":
            copies = [s for s in shards if s["shard"] == shard]
            assert sorted(s["prirep"] for s in copies) == ["p", "r"]
            assert len({s["node"] for s in copies}) == 2, "a replica must not sit beside its primary"
    finally:
        cluster.delete_index(name)


def test_start_refuses_ports_in_use(opensearch_cluster, tmp_path):
    if missing_tools():
        pytest.skip(f"start.sh needs {', '.join(missing_tools())}")
    http = urlsplit(opensearch_cluster.url).port or 9200
    env = script_env(tmp_path / "run", http, 1)
    done = subprocess.run(["bash", str(SCRIPTS / "start.sh")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1
    assert f"port {http} is already in use" in done.stderr
    assert not list((tmp_path / "run").glob("node-*")), "no node may start beside a busy port"


def test_stop_leaves_other_processes_alone(tmp_path):
    """A pid file naming a process that is not our launcher (a reused PID) is not killed."""
    home = tmp_path / "run" / "node-0"
    home.mkdir(parents=True)
    other = subprocess.Popen(["sleep", "60"])
    try:
        (home / "pid").write_text(str(other.pid))
        done = subprocess.run(["bash", str(SCRIPTS / "stop.sh")], env={"OS_BASE_DIR": str(tmp_path / "run"),
                              "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "stopped 0 node(s)" in done.stdout
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_single_node_cluster_stops_when_its_watched_process_ends(opensearch_cluster, cluster, tmp_path):
    """A second, 1-node cluster from another run dir starts green; when the process named in
    OS_WATCH_PID ends, stop.sh (run by start.sh's watchdog) ends exactly its JVM, not the main cluster."""
    if missing_tools():
        pytest.skip(f"start.sh needs {', '.join(missing_tools())}")
    before = cluster.health()["number_of_nodes"]
    http = free_port_base(1, start=19500)
    watched = subprocess.Popen(["sleep", "600"])
    env = script_env(tmp_path / "run", http, 1, watch_pid=watched.pid)
    try:
        done = subprocess.run(["bash", str(SCRIPTS / "start.sh")], env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr
        assert f"SEARCHKIT_OPENSEARCH_URL=http://127.0.0.1:{http}" in done.stdout
        pid = int((tmp_path / "run" / "node-0" / "pid").read_text())
        assert _alive(pid)
        watched.kill()
        watched.wait()
        log = tmp_path / "run" / "watchdog.log"
        deadline = time.monotonic() + 60
        while (_alive(pid) or "stopped" not in log.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(pid)
        assert "stopped 1 node(s)" in log.read_text()
    finally:
        watched.kill()
        subprocess.run(["bash", str(SCRIPTS / "stop.sh")], env=env, capture_output=True, timeout=120)
    assert cluster.health()["number_of_nodes"] == before


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("node, want", [("3", "the cluster has 3 node(s)"), ("x", "must be a node number"),
                                        ("0", "no node-0 in")])
def test_restart_mode_names_a_node_of_an_existing_run_dir(tmp_path, node, want):
    env = {**script_env(tmp_path / "run", free_port_base(NODES, start=19700), NODES), "OS_NODE": node}
    done = subprocess.run(["bash", str(SCRIPTS / "start.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and want in done.stderr, done.stderr
    assert not list((tmp_path / "run").glob("node-*/pid")), "nothing is started"


def test_restart_mode_refuses_a_node_that_is_running(opensearch_cluster, cluster):
    if opensearch_cluster.run_dir is None or not opensearch_cluster.node_homes():
        pytest.skip("the session cluster was not started by the repo's scripts here")
    http = urlsplit(opensearch_cluster.url).port or 9200
    pids = [(h / "pid").read_text() for h in opensearch_cluster.node_homes()]
    env = {**script_env(opensearch_cluster.run_dir, http, len(pids)), "OS_NODE": "0"}
    done = subprocess.run(["bash", str(SCRIPTS / "start.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and f"port {http} is already in use" in done.stderr, done.stderr
    assert [(h / "pid").read_text() for h in opensearch_cluster.node_homes()] == pids
    assert cluster.health()["number_of_nodes"] == len(pids)
