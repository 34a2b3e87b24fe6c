"""Helpers for the OpenSearch tests: where the scripts are, free ports, the scripts' environment, a private
cluster started and stopped by the repo's scripts, and killing / restarting one of its nodes."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "opensearch"
NODES = 3


@dataclass(frozen=True)
class RunningCluster:
    """A running cluster: its URL, and (when the repo's scripts started it) their run dir."""

    url: str
    run_dir: Path | None
    http: int | None = None  # the first HTTP port, when these helpers started it
    nodes: int = NODES

    def node_homes(self) -> list[Path]:
        """The node folders the scripts made (empty for a cluster started elsewhere)."""
        return sorted(self.run_dir.glob("node-*")) if self.run_dir else []

    @property
    def hosts(self) -> str:
        """Every node's URL, comma-separated (what ``--url`` takes so a client survives any one node)."""
        if self.http is None:
            return self.url
        return ",".join(f"http://127.0.0.1:{self.http + i}" for i in range(self.nodes))

    def pid(self, node: int) -> int | None:
        """The PID of node ``node`` while it runs this run dir's launcher, else None."""
        home = self.run_dir / f"node-{node}"
        try:
            pid = int((home / "pid").read_text())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            return None
        return pid if str(home).encode() in cmdline else None

    def kill(self, node: int) -> int:
        """``kill -9`` node ``node`` (only a PID this run dir recorded and still running it); its PID."""
        pid = self.pid(node)
        assert pid, f"node-{node} of {self.run_dir} is not running"
        os.kill(pid, signal.SIGKILL)
        return pid

    def restart(self, node: int) -> None:
        """Start node ``node`` again on its kept data (`start.sh` with ``OS_NODE``), until green."""
        env = {**script_env(self.run_dir, self.http, self.nodes), "OS_NODE": str(node)}
        done = subprocess.run(["bash", str(SCRIPTS / "start.sh")], env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, f"restart of node-{node} failed:\n{done.stdout}\n{done.stderr}"


@contextlib.contextmanager
def private_cluster(run_dir: Path, http: int, nodes: int = NODES) -> Iterator[RunningCluster]:
    """A cluster of ``nodes`` started by `opensearch/start.sh` in ``run_dir`` on ports from ``http``
    (transport ports from ``http + 100``), stopped by `opensearch/stop.sh` on leaving, whatever happened."""
    env = script_env(run_dir, http, nodes)
    try:
        done = subprocess.run(["bash", str(SCRIPTS / "start.sh")], env=env, capture_output=True, text=True,
                              timeout=900)
        if done.returncode != 0:
            pytest.fail(f"opensearch/start.sh failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        yield RunningCluster(f"http://127.0.0.1:{http}", run_dir, http, nodes)
    finally:
        subprocess.run(["bash", str(SCRIPTS / "stop.sh")], env=env, capture_output=True, timeout=120)


def missing_tools() -> list[str]:
    """The tools `opensearch/start.sh` needs that this machine lacks."""
    need = ["java", "curl"] + ([] if (SCRIPTS / "target" / ".built").exists() else ["mvn"])
    return [t for t in need if shutil.which(t) is None]


def free_port_base(count: int, start: int = 19200) -> int:
    """A port p such that p .. p+count-1 and p+100 .. p+100+count-1 are all free on 127.0.0.1."""
    for base in range(start, start + 2000, 10):
        ports = [base + i for i in range(count)] + [base + 100 + i for i in range(count)]
        if all(_free(p) for p in ports):
            return base
    raise RuntimeError("no free ports for a test cluster")


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def script_env(run_dir: Path, http: int, nodes: int, watch_pid: int | None = None) -> dict[str, str]:
    """Environment for start.sh / stop.sh: run dir, ports (transport = http + 100), node count, and the
    process whose end stops the cluster (default: this test process, so a killed session leaves no JVM)."""
    return {**os.environ, "OS_BASE_DIR": str(run_dir), "OS_NODES": str(nodes), "OS_HTTP_PORT": str(http),
            "OS_TRANSPORT_PORT": str(http + 100), "OS_CLUSTER_NAME": f"searchkit-test-{http}",
            "OS_WATCH_PID": str(watch_pid or os.getpid())}


