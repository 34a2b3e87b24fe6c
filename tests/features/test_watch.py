"""`searchkit watch` (issue 14): a new file is indexed soon after it is closed, a burst is one update, the
writer lock is respected, Ctrl-C stops cleanly. Bounds are generous (a shared 2-core machine); the measured
latency is printed (run with -s to see it)."""
from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from searchkit import open_index
from searchkit.watch import watch_in_thread

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "corpus").iterdir())
BOUND_S = 10.0  # the target is 2 s on an idle machine; this only catches "never"


def text_article(n: int) -> str:
    return (f"Harbour pilots report ship {n}\n\nBy Ines Moreau\n\nMarch 3, 2021\n\n"
            f"Harbour pilots guided vessel number {n} into the container port overnight, the port authority said, "
            "as dockworkers returned after the strike.\n\nThe queue of ships offshore shortened to a handful.")


@pytest.fixture
def watched(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    index = open_index(tmp_path / "index")
    index.add([data])  # what `serve --watch` does before it starts watching
    updates: queue.Queue = queue.Queue()
    thread, stop = watch_in_thread(index, [str(data)], on_update=updates.put)
    time.sleep(1.5)  # the watcher is listening once its thread has started watchfiles
    yield index, data, updates
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the watcher stops when asked"


def next_update(updates: queue.Queue, timeout: float = BOUND_S):
    return updates.get(timeout=timeout)


def test_a_new_file_is_searchable_soon_after_it_is_closed(watched):
    index, data, updates = watched
    t0 = time.monotonic()
    shutil.copy(CORPUS[0], data / CORPUS[0].name)
    u = next_update(updates)
    latency = time.monotonic() - t0
    print(f"\nwatch: new file indexed {latency:.2f} s after it was closed")
    assert u.report.added == 1 and latency < BOUND_S
    assert index.search("Patrushev").total > 0
    (data / CORPUS[0].name).unlink()
    assert next_update(updates).report.removed == 1


def test_a_burst_of_200_files_is_one_update(watched):
    index, data, updates = watched
    for n in range(200):
        (data / f"ship-{n:03d}.txt").write_text(text_article(n), encoding="utf-8")
    u = next_update(updates)
    assert u.report.added == 200, u.line()
    with pytest.raises(queue.Empty):
        updates.get(timeout=2.0)  # no second update for the same burst
    assert index.search("harbour pilots", unit="article").total == 200


def test_waits_for_another_indexer_and_reports_bad_files(watched):
    index, data, updates = watched
    with index._write_lock():
        (data / "good.txt").write_text(text_article(1), encoding="utf-8")
        (data / "bad.txt").write_bytes(b"")  # empty: skipped with an error, as `searchkit index` does
        time.sleep(2.5)
        assert updates.empty(), "nothing is written while another process holds the lock"
    u = next_update(updates, timeout=BOUND_S + 5)
    assert u.report.added == 1 and [Path(e.path).name for e in u.report.errors] == ["bad.txt"]


def test_cli_prints_a_line_per_update_and_stops_on_ctrl_c(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "searchkit.cli", "watch", str(data), "--index", str(tmp_path / "ix")],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "watching" in p.stderr.readline()
        shutil.copy(CORPUS[1], data / CORPUS[1].name)
        line = p.stdout.readline()
        assert "1 added" in line
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=BOUND_S)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0 and "stopped" in err and "Traceback" not in err
    report = open_index(tmp_path / "ix").add([data])  # the lock is free and the index whole
    assert report.unchanged == 1 and not report.changed


def test_serve_watch_indexes_while_serving(tmp_path):
    import json
    import re
    import urllib.request

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(CORPUS[0], data / CORPUS[0].name)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "searchkit.cli", "serve", "--watch", str(data), "--index",
                          str(tmp_path / "ix"), "--port", "0"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        assert "1 added" in p.stdout.readline()  # the catch-up before serving
        url = re.search(r"(http://\S+)", p.stdout.readline()).group(1)

        def total(q):
            with urllib.request.urlopen(f"{url}api/search?q={q}", timeout=5) as r:
                return json.load(r)["total"]

        assert total("Patrushev") > 0 and total("pilots") == 0
        time.sleep(1.5)
        (data / "ship.txt").write_text(text_article(7), encoding="utf-8")
        deadline = time.monotonic() + BOUND_S
        while total("pilots") == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert total("pilots") > 0
        p.send_signal(signal.SIGINT)
        p.communicate(timeout=BOUND_S)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0
