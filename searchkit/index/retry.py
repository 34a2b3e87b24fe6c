"""Readers racing a commit: retry when the file just listed has vanished.

whoosh finds the newest table of contents by listing the folder, then opens it; a commit in between
(another process, or a rebuild's clean-up) may delete that TOC, or a segment an older TOC named. The
folder then holds a newer, whole committed version, so reading again is always right: a reader retries a
few times with short pauses and sees one whole committed version (1 search in 40,128 failed before).
"""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")
ATTEMPTS = 8
PAUSE = 0.02  # seconds, doubled after each vanished read (at most ~5 s in all)


def vanish_retry(read: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """``read()``, called again when it raises FileNotFoundError; the last such error is re-raised."""
    pause = PAUSE
    for attempt in range(attempts):
        try:
            return read()
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(pause)
            pause *= 2
    raise AssertionError("unreachable")  # pragma: no cover
