"""The OpenSearch engine from the command line and ``open_index``: the same commands and JSON as the whoosh
engine, ``--rebuild`` behind an alias, and a cluster that is down as one line with exit status 1."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from oscluster import free_port_base

import searchkit

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searchkit.cli", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})}, cwd=REPO)


@pytest.fixture()
def name(cluster):
    """A fresh alias name; every index behind it is deleted afterwards."""
    alias = f"test-cli-{uuid.uuid4().hex[:8]}"
    yield alias
    cluster.delete_index(f"{alias}-*")


def test_index_info_search_on_the_cluster_match_the_whoosh_engine(opensearch_cluster, name, tmp_path):
    opts = ["--engine", "opensearch", "--url", opensearch_cluster.url, "--name", name]
    first = _cli("index", str(CORPUS), *opts, "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    again = json.loads(_cli("index", str(CORPUS), *opts, "--json").stdout)
    assert again["unchanged"] == report["added"] and again["articles"] == 0
    info = json.loads(_cli("info", *opts, "--json").stdout)
    assert (info["articles"], info["passages"]) == (report["articles"], report["passages"])

    whoosh_dir = tmp_path / "index"
    assert _cli("index", str(CORPUS), "--index", str(whoosh_dir)).returncode == 0
    w_info = json.loads(_cli("info", "--index", str(whoosh_dir), "--json").stdout)
    assert list(w_info) == list(info)
    for query in ("taliban peace", '"peace talks"', "headline:taliban"):
        o = json.loads(_cli("search", query, *opts, "--json").stdout)
        w = json.loads(_cli("search", query, "--index", str(whoosh_dir), "--json").stdout)
        assert list(o) == list(w) and o["total"] == w["total"] and o["facets"] == w["facets"]
        assert [list(h) for h in o["results"]] == [list(h) for h in w["results"]]
    text = _cli("search", "taliban", *opts, env={"NO_COLOR": "1"})
    assert text.returncode == 0 and "Taliban" in text.stdout


def test_rebuild_swaps_the_alias_and_leaves_one_index(cluster, opensearch_cluster, name):
    ix = searchkit.open_index(f"opensearch+{opensearch_cluster.url}/{name}")
    ix.add([CORPUS])
    before = ix._concrete()
    total = ix.search("taliban").total
    report = ix.add([CORPUS], rebuild=True)
    after = ix._concrete()
    assert report.rebuilt and len(before) == len(after) == 1 and before != after
    assert not cluster.client.indices.exists(index=before[0]), "the old index is dropped after the swap"
    assert ix.search("taliban").total == total


def test_a_cluster_that_is_down_is_one_line_and_exit_1():
    url = f"http://127.0.0.1:{free_port_base(1, start=29200)}"
    for args in (["search", "taliban"], ["index", str(CORPUS)], ["info"], ["dupes"], ["saved", "list"],
                 ["saved", "add", "x", "taliban"], ["eval", str(CORPUS / "x"), str(CORPUS / "y")]):
        done = _cli(*args, "--engine", "opensearch", "--url", url)
        assert done.returncode == 1, done
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and url in lines[0] and "Traceback" not in done.stderr, done.stderr
