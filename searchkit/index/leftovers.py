"""What an interrupted run leaves in an index folder, and its removal by the next successful one.

A killed ``--rebuild`` leaves its whole generation: segment files, a TOC (``_G<ns>_0.toc``), a TOC written
but never renamed (``_G<ns>_0.toc.<random>``, e.g. on a full disk), whoosh's ``G<ns>_WRITELOCK`` and the
writer's spill folder ``G<ns>.tmp/`` (16 kills left 1.9 GB of those beside a 45 MB index); a killed
update leaves the live generation's spill folder; a kill inside the pointer switch leaves ``.CURRENT.tmp``.
None of these is referenced by a committed version, and the caller holds the writer lock, so no other
writer can be using them.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

_GENERATION_ENTRY = re.compile(r"^_?(MAIN|G\d+)(_|\.tmp$)")  # files of a generation, and its spill folder
POINTER_TEMP = ".CURRENT.tmp"


def _remove(entry: os.DirEntry) -> None:
    try:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            os.unlink(entry.path)
    except OSError:
        pass  # still open elsewhere (Windows) or already gone: a later run removes it


def remove_leftovers(folder: Path, keep: str) -> None:
    """Delete every entry of a generation other than ``keep``, every spill folder (``keep``'s included:
    a finished writer has removed its own) and a stale pointer temp file. Call with the writer lock held."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name == POINTER_TEMP:
            _remove(entry)
            continue
        m = _GENERATION_ENTRY.match(entry.name)
        if m and (m.group(1) != keep or m.group(2) == ".tmp"):
            _remove(entry)
