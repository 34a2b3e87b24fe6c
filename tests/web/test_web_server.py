"""`searchkit serve` as a user runs it: a real process, real sockets, Ctrl-C to stop."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from searchkit import open_index
from searchkit.web.server import is_loopback, running
from serving import start as _start
from serving import stop as _stop

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built_index(tmp_path_factory):
    path = tmp_path_factory.mktemp("serve") / "index"
    open_index(path).add([ROOT / "corpus"])
    return path


def test_serve_prints_url_answers_and_stops_cleanly_on_ctrl_c(built_index, tmp_path):
    proc, url = _start("--index", str(built_index), "--port", "0", cwd=tmp_path)
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "api/search?q=Atmar", timeout=10) as r:
            assert r.status == 200 and json.load(r)["total"] > 0
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.headers["Server"] == "searchkit"
            assert "Content-Security-Policy" in r.headers
    finally:
        code, err = _stop(proc)
    assert code == 0, err
    assert "Traceback" not in err


def test_serve_warns_when_listening_beyond_loopback(built_index, tmp_path):
    proc, url = _start("--index", str(built_index), "--host", "0.0.0.0", "--port", "0", cwd=tmp_path)
    code, err = _stop(proc)
    assert code == 0
    assert "warning: listening on 0.0.0.0" in err


def test_serve_missing_index_is_a_one_line_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "searchkit.cli", "serve", "--index", str(tmp_path / "nope"),
                           "--port", "0"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert not (tmp_path / "nope").exists(), "serving never creates an index it was not asked to build"


def test_serve_port_in_use_is_a_one_line_error(built_index, tmp_path):
    with running(built_index) as url:
        port = url.rstrip("/").rsplit(":", 1)[1]
        proc = subprocess.run([sys.executable, "-m", "searchkit.cli", "serve", "--index", str(built_index),
                               "--port", port], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "error: cannot listen on 127.0.0.1:" + port in proc.stderr and "Traceback" not in proc.stderr


def test_threaded_server_answers_concurrent_clients(built_index):
    with running(built_index, threads=4) as url:
        def fetch(q: str) -> int:
            with urllib.request.urlopen(url + "api/search?q=" + q, timeout=30) as r:
                return json.load(r)["total"]

        with ThreadPoolExecutor(8) as pool:
            totals = list(pool.map(fetch, ["Atmar", "Russia", "Taliban", "peace"] * 6))
        assert all(t > 0 for t in totals)
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url + "api/search?q=Atmar&limit=1000", timeout=10)
        assert e.value.code == 400


@pytest.mark.parametrize("host,expected", [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True),
                                           ("localhost", True), ("0.0.0.0", False), ("192.168.1.4", False),
                                           ("::", False), ("example.com", False)])
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected
