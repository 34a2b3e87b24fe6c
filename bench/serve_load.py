"""Load test for `searchkit serve`: N concurrent clients on loopback for a bounded time.

Starts the real server (waitress, same settings as `searchkit serve`) in this process, then runs
``--clients`` threads that each keep one HTTP/1.1 connection open and cycle through a mix of
requests: JSON searches (words, phrase, prefix, field scope, article mode, page 2, a misspelling),
the HTML results page, and article pages. Prints requests/s, p50/p95/max latency and the error
count (anything but a 2xx, or a socket error) — which must be 0.

    python bench/serve_load.py                       # ./index (built from ./corpus if empty), 8 clients, 10 s
    python bench/serve_load.py --clients 16 --seconds 30 --index /tmp/big-index
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import logging
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = ["Atmar", "Russia Taliban", '"peace talks"', "Afghan*", "speaker:Atmar", "drug production Moscow",
           "Patrushef", "security adviser", "headline:Russia", "opium OR poppy"]


def request_mix(article_ids: list[str]) -> list[str]:
    """The cycle of paths each client requests."""
    paths = []
    for i, q in enumerate(QUERIES):
        params = {"q": q}
        if i % 3 == 1:
            params["unit"] = "article"
        if i % 4 == 2:
            params["page"] = "2"
            params["limit"] = "3"
        paths.append("/api/search?" + urlencode(params))
        if i % 2 == 0:
            paths.append("/?" + urlencode({"q": q}))
    for aid in article_ids[:5]:
        paths.append("/articles/" + quote(aid, safe="/") + "?" + urlencode({"q": "Russia"}))
    return paths


def client(host: str, port: int, paths: list[str], start: int, deadline: float,
           latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    for path in itertools.islice(itertools.cycle(paths), start, None):
        if time.perf_counter() >= deadline:
            break
        t0 = time.perf_counter()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            ok = 200 <= resp.status < 300
            if not ok:
                errors.append(f"{resp.status} {path}")
        except (OSError, http.client.HTTPException) as e:
            errors.append(f"{e.__class__.__name__} {path}")
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            continue
        latencies.append(time.perf_counter() - t0)
    conn.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default="index", help="index folder (default ./index, built from ./corpus if empty)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=8, help="server worker threads")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object too")
    args = ap.parse_args()

    from searchkit import SearchkitError, open_index
    from searchkit.web.server import running

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" is the point of a load test

    try:
        index = open_index(args.index, create=args.index == "index")
        if index.is_empty():
            print("Building the index from ./corpus…", file=sys.stderr)
            index.ensure_built(str(ROOT / "corpus"))
    except SearchkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    ids = sorted({h.article.id for q in QUERIES[:3] for h in index.search(q, limit=10).hits})

    with running(index, threads=args.threads) as url:
        parts = urlsplit(url)
        paths = request_mix(ids)
        latencies: list[float] = []
        errors: list[str] = []
        deadline = time.perf_counter() + args.seconds
        t0 = time.perf_counter()
        workers = [threading.Thread(target=client, args=(parts.hostname, parts.port, paths, i * 3, deadline,
                                                         latencies, errors)) for i in range(args.clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        wall = time.perf_counter() - t0

    lat = sorted(latencies)
    figures = {
        "clients": args.clients, "server_threads": args.threads, "seconds": round(wall, 2),
        "requests": len(lat) + len(errors), "requests_per_s": round(len(lat) / wall, 1),
        "p50_ms": round(1000 * statistics.median(lat), 1) if lat else None,
        "p95_ms": round(1000 * lat[int(0.95 * (len(lat) - 1))], 1) if lat else None,
        "max_ms": round(1000 * lat[-1], 1) if lat else None,
        "errors": len(errors),
    }
    print(f"{figures['clients']} clients x {figures['seconds']} s on {url} ({args.threads} server threads, "
          f"{len(paths)} distinct requests)")
    print(f"  requests   {figures['requests']}")
    print(f"  req/s      {figures['requests_per_s']}")
    print(f"  p50        {figures['p50_ms']} ms")
    print(f"  p95        {figures['p95_ms']} ms")
    print(f"  max        {figures['max_ms']} ms")
    print(f"  errors     {figures['errors']}")
    for e in errors[:5]:
        print(f"    {e}")
    if args.json:
        print(json.dumps(figures))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
