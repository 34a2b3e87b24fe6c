"""Server abuse against a real waitress server on 127.0.0.1: malformed requests, huge headers, slow clients
and 1,000 rapid requests. The server never answers 5xx, stays up, and other clients keep being served.

test_web.py checks the app's answers through Flask's test client; this file speaks raw HTTP over sockets,
where the server itself (waitress) and its limits are part of what is tested.
"""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from searchkit import open_index
from searchkit.web.server import running

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 10.0

HUGE_BODY = b"POST /api/search HTTP/1.0\r\nContent-Length: 99999999\r\n\r\nabc"  # over the 64 KB body limit
HUGE_HEADER = b"GET / HTTP/1.0\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n"  # over the 256 KB header limit
MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"\x00\xff\xfe\x16\x03\x01\r\n\r\n",  # binary (a TLS hello on a plain port looks like this)
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET /?q=%zz%%%g HTTP/1.0\r\n\r\n",  # bad percent-encoding
    b"GET /?q=%ff%fe%c3 HTTP/1.0\r\n\r\n",  # invalid UTF-8 in the query string
    b"GET /api/search?q=%ff%fe%c3 HTTP/1.0\r\n\r\n",
    b"GET /api/search?q=%00%01 HTTP/1.0\r\n\r\n",
    b"GET /api/search?q=\xff\xfe HTTP/1.0\r\n\r\n",  # raw bytes, not even encoded
    b"GET /" + b"a" * 20000 + b" HTTP/1.0\r\n\r\n",  # absurd path
    b"GET /../../../../etc/passwd HTTP/1.0\r\n\r\n",
    b"GET /articles/..%2f..%2f..%2fetc%2fpasswd HTTP/1.0\r\n\r\n",
    b"GET /static/%2e%2e/%2e%2e/setup.cfg HTTP/1.0\r\n\r\n",
    b"GET /api/articles/%00 HTTP/1.0\r\n\r\n",
    b"GET http://evil.example/api/info HTTP/1.0\r\n\r\n",
    b"GET /api/search?" + b"q=a&" * 5000 + b" HTTP/1.0\r\n\r\n",
    b"GET /api/search?q=a&limit=99999999999999999999&page=-1&unit=%ff HTTP/1.0\r\n\r\n",
    b"GET /api/search?q=" + b"x" * 50000 + b" HTTP/1.0\r\n\r\n",
    HUGE_BODY,
    b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: -1\r\n\r\n",
    b"DELETE /api/info HTTP/1.0\r\n\r\n",
    HUGE_HEADER,
    b"GET / HTTP/1.0\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(20_000)) + b"\r\n",  # very many headers
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("abuse") / "index"
    open_index(path).add([ROOT / "corpus"])
    with running(path, threads=4) as url:
        host, port = url.split("//")[1].strip("/").rsplit(":", 1)
        assert host.startswith("127.")  # loopback only
        yield host, int(port)


def raw(server, data: bytes, timeout: float = TIMEOUT) -> bytes:
    """Send bytes, read until the server closes; a reset after an early refusal counts as closed."""
    with socket.create_connection(server, timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused before reading everything (e.g. 431): its answer may still be there
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except ConnectionResetError:
            pass
    return out


def search_ok(server, q: str = "Atmar") -> dict:
    """A normal client: the JSON search answers 200 with hits, in time."""
    conn = http.client.HTTPConnection(*server, timeout=TIMEOUT)
    try:
        conn.request("GET", "/api/search?" + urlencode({"q": q}))
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200, (resp.status, body[:200])
    finally:
        conn.close()
    d = json.loads(body)
    assert d["total"] > 0
    return d


@pytest.mark.parametrize("request_bytes", MALFORMED, ids=lambda b: repr(b[:40]))
def test_malformed_requests_get_a_4xx_or_a_page_never_a_5xx(server, request_bytes):
    answer = raw(server, request_bytes)
    status_line = answer.split(b"\r\n", 1)[0]
    if answer:  # a refusal may also be a plain close
        assert status_line.startswith(b"HTTP/1."), answer[:200]
        assert int(status_line.split()[1]) < 500, status_line
    assert b"Traceback" not in answer
    search_ok(server)


@pytest.mark.parametrize("request_bytes, status", [(HUGE_HEADER, b"431"), (HUGE_BODY, b"413")],
                         ids=["huge header", "huge body"])
def test_size_limits_answer_431_and_413(server, request_bytes, status):
    assert raw(server, request_bytes).split(b"\r\n", 1)[0].split()[1] == status


def test_slow_clients_do_not_block_others(server):
    # 40 clients each send half a request and then stall (slowloris); others must still be served
    stalled = []
    try:
        for _ in range(40):
            s = socket.create_connection(server, timeout=TIMEOUT)
            s.sendall(b"GET /api/search?q=Atmar HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            stalled.append(s)
        trickle = stalled[0]
        t0 = time.monotonic()
        for i in range(5):
            trickle.sendall(b"a")  # one keeps dribbling bytes
            search_ok(server)
            time.sleep(0.1)
        assert time.monotonic() - t0 < 5 * TIMEOUT
    finally:
        for s in stalled:
            s.close()
    search_ok(server)


def test_a_thousand_rapid_requests(server):
    paths = ["/api/search?" + urlencode({"q": q}) for q in ("Atmar", "Russia Taliban", '"peace talks"', "Afghan*",
                                                            "Patrushef", "zzzznothing")]
    paths += ["/api/info", "/static/search.js", "/nope", "/api/search?q=%ff", "/?q=Kabul", "/api/openapi.json"]
    statuses: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(*server, timeout=30)
        for i in range(125):
            path = paths[(n * 7 + i) % len(paths)]
            try:
                if i % 25 == 0:  # some clients come and go instead of keeping the connection alive
                    conn.close()
                    conn = http.client.HTTPConnection(*server, timeout=30)
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                with lock:
                    statuses.append(resp.status)
            except Exception as e:  # noqa: BLE001 - any client-side failure is the finding
                with lock:
                    errors.append(f"{path}: {type(e).__name__}: {e}")
                conn.close()
                conn = http.client.HTTPConnection(*server, timeout=30)
        conn.close()

    done = threading.Event()
    during: list[dict] = []

    def bystander() -> None:  # another client, served while the burst runs
        while not done.is_set():
            during.append(search_ok(server, "Moscow"))
            time.sleep(0.2)

    b = threading.Thread(target=bystander)
    b.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(client, range(8)))
    finally:
        done.set()
        b.join(60)
    assert not errors, errors[:5]
    assert len(statuses) == 1000
    assert all(s < 500 for s in statuses), sorted(set(statuses))
    assert statuses.count(200) >= 700
    assert during  # the bystander was answered during the burst
    search_ok(server)
