"""The OpenSearch cluster the tests in this folder run against.

Rule: with ``SEARCHKIT_OPENSEARCH_URL`` set (CI: `.ci/run` starts a 3-node cluster with the repo's
scripts and exports it, plus ``SEARCHKIT_OPENSEARCH_RUN_DIR``), use that cluster; it must answer.
Otherwise start a private 3-node cluster with `opensearch/start.sh` on free ports in a temporary run
dir, and stop it with `opensearch/stop.sh` at the end of the session. Skip only when that cannot be
done here: no java, or no mvn while the launcher is not built yet.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from oscluster import NODES, RunningCluster, free_port_base, missing_tools, private_cluster


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
    with private_cluster(run_dir, free_port_base(NODES)) as running:
        yield running


@pytest.fixture(scope="session")
def cluster(opensearch_cluster):
    """A connected `searchkit.engines.opensearch_client.Cluster`, waited on until green."""
    from searchkit.engines.opensearch_client import connect

    c = connect(opensearch_cluster.url)
    c.health(wait_for_status="green", wait_seconds=120)
    return c
