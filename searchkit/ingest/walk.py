"""Find the files to read under the paths a user gave: deterministic, loop-proof, index folders left out."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Iterator

_WHOOSH_TOC = re.compile(r"^_.+_\d+\.toc$")  # whoosh writes _<indexname>_<generation>.toc (e.g. _MAIN_3.toc)


def is_index_dir(path: Path) -> bool:
    """A whoosh index folder (recognised by its TOC files): its segments are not articles."""
    try:
        with os.scandir(path) as it:
            return any(_WHOOSH_TOC.match(e.name) for e in it)
    except OSError:
        return False


def resolve_path(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: symlink loop on some Python versions
        return path.absolute()


def _walk(directory: Path, ancestors: tuple[Path, ...], seen: set[Path]) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        yield directory  # unreadable folder: let read_file report it as one bad path
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows symlinks
        except OSError:
            is_dir = False
        if is_dir:
            real = resolve_path(path)
            # A directory symlink into the tree being walked (or above it) would loop or repeat.
            if entry.is_symlink() and any(real == a or a in real.parents for a in ancestors):
                continue
            if real in seen or is_index_dir(path):
                continue
            seen.add(real)
            yield from _walk(path, ancestors + (real,), seen)
            continue
        real = resolve_path(path)
        if real in seen:
            continue
        seen.add(real)
        yield path


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Files under ``paths`` in sorted order, each once (by resolved path).

    Directories are walked recursively; hidden entries and whoosh index folders are skipped.
    A path named explicitly is yielded even if it is missing or odd, so the reader reports it.
    """
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            real = resolve_path(path)
            if real in seen or is_index_dir(path):
                continue
            seen.add(real)
            yield from _walk(path, (real,), seen)
            continue
        real = resolve_path(path)
        if real not in seen:
            seen.add(real)
            yield path


def iter_sources(paths: Iterable[str | os.PathLike]) -> Iterator[tuple[Path, Path | None]]:
    """(file, id root) for each distinct file under ``paths``.

    The id root is the folder the user named, so that article ids are paths relative to it
    (``bbc/sport/001.txt`` and ``bbc/tech/001.txt`` stay distinct); a file named directly has none.
    """
    seen: set[Path] = set()
    for given in paths:
        root = Path(given)
        id_root = root if root.is_dir() else None
        for f in iter_files([root]):
            real = resolve_path(f)
            if real not in seen:
                seen.add(real)
                yield f, id_root
