"""Host header (issue 12, defects 9 and 11): only the names the server is bound to and localhost are answered
(DNS rebinding defence), malformed Host values never give a 5xx, and the API shows no absolute paths."""
from __future__ import annotations

import http.client
import json
from pathlib import Path

import pytest

from searchkit import open_index
from searchkit.web.app import create_app
from searchkit.web.hosts import HostPolicy
from searchkit.web.server import running

ROOT = Path(__file__).resolve().parents[2]
WEIRD_HOSTS = ["a" * 64 + ".example", "a..b", "..", ".", "[", "[::1", "[::1]x", "a b", "\u00e9.example", ":80",
               "x" * 300, "exa mple:99999", "%00", "localhost:notaport"]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hosts").resolve() / "index"
    open_index(path).add([ROOT / "corpus"])
    return path


def _get(url: str, path: str, host: str | None) -> tuple[int, bytes]:
    hostport = url.split("//")[1].strip("/")
    conn = http.client.HTTPConnection(hostport, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    if host is not None:
        conn.putheader("Host", host.encode("utf-8"))
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


def test_foreign_host_names_get_400_and_own_names_200(index_dir: Path):
    with running(index_dir) as url:
        port = url.rstrip("/").rsplit(":", 1)[1]
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", "localhost.evil.example"):
            for path in ("/?q=taliban", "/api/search?q=taliban", "/api/info"):
                status, body = _get(url, path, host)
                assert status == 400, (host, path, status)
                assert b"taliban" not in body.lower() and str(index_dir).encode() not in body
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", "localhost."):
            assert _get(url, "/api/search?q=taliban", host)[0] == 200, host


def test_malformed_host_values_never_give_5xx(index_dir: Path):
    with running(index_dir) as url:
        for host in WEIRD_HOSTS:
            for path in ("/", "/?q=x", "/api/info", "/nowhere", "/articles/nope"):
                status, _ = _get(url, path, host)
                assert 400 <= status < 500, (host, path, status)


def test_malformed_host_on_an_every_interface_server_is_a_4xx_page(index_dir: Path):
    app = create_app(index_dir, HostPolicy("0.0.0.0"))
    client = app.test_client()
    for host in WEIRD_HOSTS:
        response = client.get("/", headers={"Host": host})
        assert 400 <= response.status_code < 500, (host, response.status_code)
    assert client.get("/api/info", headers={"Host": "192.168.1.20:8000"}).status_code == 200
    assert client.get("/api/info", headers={"Host": "evil.example"}).status_code == 400


def test_the_api_shows_no_absolute_paths(index_dir: Path):
    with running(index_dir) as url:
        for path in ("/api/info", "/api/search?q=taliban", "/api/search?q=taliban&unit=article"):
            status, body = _get(url, path, "127.0.0.1")
            assert status == 200
            text = body.decode()
            assert str(index_dir) not in text and str(ROOT) not in text, path
        info = json.loads(_get(url, "/api/info", "127.0.0.1")[1])
        assert info["path"] == "index"
