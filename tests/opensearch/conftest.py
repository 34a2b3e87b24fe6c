"""The OpenSearch cluster the tests in this folder run against.

Rule: with ``SEARCHKIT_OPENSEARCH_URL`` set (CI: `.ci/run` starts a 3-node cluster with the repo's
scripts and exports it, plus ``SEARCHKIT_OPENSEARCH_RUN_DIR``), use that cluster; it must answer.
Otherwise start a private 3-node cluster with `opensearch/start.sh` on free ports in a temporary run
dir, and stop it with `opensearch/stop.sh` at the end of the session. Skip only when that cannot be
done here: no java, or no mvn while the launcher is not built yet.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from oscluster import NODES, SCRIPTS, RunningCluster, free_port_base, missing_tools, script_env


@pytest.fixture(scope="session")
def opensearch_cluster(tmp_path_factory):
    """The cluster (see the module docstring for where it comes from)."""
    url = os.environ.get("SEARCHKIT_OPENSEARCH_URL")
    if url:
        run_dir = os.environ.get("SEARCHKIT_OPENSEARCH_RUN_DIR")
        yield RunningCluster(url.rstrip("/"), Path(run_dir) if run_dir else None)
        return
    missing = missing_tools()
    if missing:
        pytest.skip(f"OpenSearch tests need {', '.join(missing)} to start a local cluster "
                    f"(or set SEARCHKIT_OPENSEARCH_URL)")
    run_dir = tmp_path_factory.mktemp("opensearch-run")
    http = free_port_base(NODES)
    env = script_env(run_dir, http, NODES)
    try:
        done = subprocess.run(["bash", str(SCRIPTS / "start.sh")], env=env, capture_output=True, text=True,
                              timeout=900)
        if done.returncode != 0:
            pytest.fail(f"opensearch/start.sh failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        yield RunningCluster(f"http://127.0.0.1:{http}", run_dir)
    finally:
        subprocess.run(["bash", str(SCRIPTS / "stop.sh")], env=env, capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def cluster(opensearch_cluster):
    """A connected `searchkit.engines.opensearch_client.Cluster`, waited on until green."""
    from searchkit.engines.opensearch_client import connect

    c = connect(opensearch_cluster.url)
    c.health(wait_for_status="green", wait_seconds=120)
    return c
