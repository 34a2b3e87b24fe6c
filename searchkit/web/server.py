"""Run the web app under waitress: a production-grade, multi-threaded pure-Python WSGI server.

``make_server`` binds (port 0 picks a free port) and returns the server without running it, which
is what tests and ``bench/serve_load.py`` need; ``serve`` is the blocking `searchkit serve` loop that
stops cleanly on Ctrl-C.
"""
from __future__ import annotations

import ipaddress
import logging
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THREADS = 8


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def make_server(index: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, threads: int = DEFAULT_THREADS,
                allow_hosts: Iterable[str] = ()):
    """A bound waitress server for ``index`` (an Index or its path); call ``.run()`` to serve.

    It answers requests whose Host is ``host``, localhost or a loopback address, or one of ``allow_hosts``
    (see `searchkit.web.hosts`). ``url_of(server)`` gives its address. Raises OSError when the address is
    in use or not available.
    """
    from waitress.server import create_server

    from .app import create_app
    from .hosts import HostPolicy

    app = create_app(index, HostPolicy(host, allow_hosts))
    # Requests are read-only GETs with short query strings: small bodies, generous threads.
    return create_server(app, host=host, port=port, threads=threads, ident="searchkit",
                         max_request_body_size=64 * 1024, clear_untrusted_proxy_headers=True)


def url_of(server) -> str:
    """The http:// URL a bound server answers on (brackets around IPv6 addresses)."""
    host = server.effective_host
    if ":" in str(host):
        host = f"[{host}]"
    return f"http://{host}:{server.effective_port}/"


def serve(index: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, threads: int = DEFAULT_THREADS,
          open_browser: bool = False, announce: Callable[[str], None] = print, allow_hosts: Iterable[str] = ()) -> None:
    """Serve ``index`` until Ctrl-C; ``announce`` receives the URL once the socket is bound."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    server = make_server(index, host=host, port=port, threads=threads, allow_hosts=allow_hosts)
    try:  # Ctrl-C at any moment from here on is a clean stop
        url = url_of(server)
        announce(url)
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.task_dispatcher.shutdown()
        server.close()


@contextmanager
def running(index: Any, host: str = DEFAULT_HOST, port: int = 0, threads: int = DEFAULT_THREADS) -> Iterator[str]:
    """Serve ``index`` from a background thread for the duration of a ``with`` block; yields the URL.

    For tests and benchmarks that need a real server (real sockets, real threads). The server is
    stopped from inside its own event loop (waitress's trigger), then its worker threads are joined.
    """
    from waitress import wasyncore

    server = make_server(index, host=host, port=port, threads=threads)
    loop = threading.Thread(target=server.run, name="searchkit-serve", daemon=True)
    loop.start()
    try:
        yield url_of(server)
    finally:
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        except OSError:  # the loop already closed its channels (the trigger among them): nothing to stop
            wasyncore.close_all(server._map)
        loop.join(10)
        server.task_dispatcher.shutdown()
