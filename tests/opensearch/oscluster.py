"""Helpers for the OpenSearch tests: where the scripts are, free ports, the scripts' environment."""
from __future__ import annotations

import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "opensearch"
NODES = 3


@dataclass(frozen=True)
class RunningCluster:
    """A running cluster: its URL, and (when the repo's scripts started it) their run dir."""

    url: str
    run_dir: Path | None

    def node_homes(self) -> list[Path]:
        """The node folders the scripts made (empty for a cluster started elsewhere)."""
        return sorted(self.run_dir.glob("node-*")) if self.run_dir else []


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


