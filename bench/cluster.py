"""The OpenSearch cluster `bench/search.py --engine opensearch` measures, and its memory.

Without a URL the benchmark starts its own cluster with the repo's scripts (`opensearch/start.sh`: 3 nodes,
ports from 9600, transport ports +100, a run dir under /tmp) and stops it with `opensearch/stop.sh` when it
is done, whatever happened, then deletes the run dir; the watchdog of start.sh (``OS_WATCH_PID``) stops it too should the benchmark
be killed. **Cluster RSS** is the summed ``VmRSS`` of the node JVMs, read from ``/proc/<pid>/status`` of the
PIDs start.sh recorded in the run dir (``node-N/pid``), sampled in a thread: a cluster given by URL only has
no such figure unless its run dir is given too.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common import REPO_ROOT, PeakSampler

SCRIPTS = REPO_ROOT / "opensearch"
PORTS = range(9600, 9700, 10)  # http p..p+N-1, transport p+100..: all inside 9600-9799


@dataclass
class BenchCluster:
    """A cluster to benchmark: every node's URL (comma-separated), the scripts' run dir if known, and
    whether this benchmark started it (and so must stop it)."""

    hosts: str
    run_dir: Path | None
    started: bool = False
    env: dict | None = None


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def start_cluster(nodes: int = 3, heap: str = "1g") -> BenchCluster:
    """Start ``nodes`` nodes with ``heap`` each on the first free ports of `PORTS`, full JIT (start.sh's
    default stops at C1 to boot fast on 2 cores; queries are what is measured here); raises SystemExit with
    start.sh's output when the cluster does not come up."""
    base = next((p for p in PORTS if all(_free(p + i) and _free(p + 100 + i) for i in range(nodes))), None)
    if base is None:
        raise SystemExit("error: no free ports in 9600-9799 for the benchmark's cluster")
    run_dir = Path(tempfile.mkdtemp(prefix="searchkit-bench-os-"))
    env = {**os.environ, "OS_BASE_DIR": str(run_dir), "OS_NODES": str(nodes), "OS_HTTP_PORT": str(base),
           "OS_TRANSPORT_PORT": str(base + 100), "OS_CLUSTER_NAME": f"searchkit-bench-{base}", "OS_HEAP": heap,
           "OS_JAVA_OPTS": "-XX:TieredStopAtLevel=4", "OS_WATCH_PID": str(os.getpid())}
    done = subprocess.run(["bash", str(SCRIPTS / "start.sh")], env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"error: opensearch/start.sh failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    hosts = ",".join(f"http://127.0.0.1:{base + i}" for i in range(nodes))
    return BenchCluster(hosts, run_dir, started=True, env=env)


def stop_cluster(cluster: BenchCluster) -> None:
    """Stop ``cluster`` if this benchmark started it (only the PIDs start.sh recorded in its run dir), and
    delete its run dir (the nodes' data: gigabytes at 100k articles)."""
    if cluster.started and cluster.env:
        subprocess.run(["bash", str(SCRIPTS / "stop.sh")], env=cluster.env, capture_output=True, timeout=120)
        if cluster.run_dir and not node_pids(cluster.run_dir):
            shutil.rmtree(cluster.run_dir, ignore_errors=True)


def node_pids(run_dir: Path) -> list[int]:
    """The running node JVMs start.sh recorded in ``run_dir`` (a PID is taken only while its command line
    still names that node's home, as stop.sh checks)."""
    pids = []
    for pid_file in sorted(run_dir.glob("node-*/pid")):
        try:
            pid = int(pid_file.read_text())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if str(pid_file.parent).encode() in cmdline:
            pids.append(pid)
    return pids


def vm_rss_kb(pid: int) -> int:
    """``VmRSS`` of ``pid`` from ``/proc/<pid>/status`` in kB (0 once the process is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cluster_rss_kb(run_dir: Path | None) -> int:
    """The summed RSS (kB) of the nodes start.sh recorded in ``run_dir`` (0 for None)."""
    return sum(vm_rss_kb(p) for p in node_pids(run_dir)) if run_dir else 0


class ClusterRSSSampler(PeakSampler):
    """The summed RSS of a cluster's nodes, sampled every ``interval`` seconds in a thread while in the
    ``with`` block: ``peak_kb`` over the block, ``last_kb`` at its end (0 when ``run_dir`` is None)."""

    def __init__(self, run_dir: Path | None, interval: float = 0.2):
        super().__init__(lambda: cluster_rss_kb(run_dir), interval)
