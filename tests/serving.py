"""`searchkit serve` as a real process for tests: start it (the URL it prints), stop it with Ctrl-C."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest


def start(*args: str, cwd: Path) -> tuple[subprocess.Popen, str]:
    """``searchkit serve ARGS`` in ``cwd``: (the process, the URL it announced)."""
    proc = subprocess.Popen([sys.executable, "-m", "searchkit.cli", "serve", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = readline(proc, timeout=30)
    assert "http://" in line, line + proc.stderr.read()
    return proc, line[line.rindex("http://"):].split()[0]  # the last URL: "Serving <index> on <url>"


def readline(proc: subprocess.Popen, timeout: float) -> str:
    """The next line of ``proc``'s stdout, failing the test after ``timeout`` seconds."""
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not out:
        proc.kill()
        pytest.fail("serve printed no URL in time")
    return out[0]


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    """Ctrl-C ``proc``: (its exit status, its stderr)."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("serve did not stop on Ctrl-C")
    return proc.returncode, proc.stderr.read()
