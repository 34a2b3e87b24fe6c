"""Find the files to read under the paths a user gave: deterministic, loop-proof, index folders left out.

Symbolic links that lead out of the folder given are not followed unless asked (``follow_links=True``):
a hostile or careless folder with ``notes.txt -> /etc/passwd`` must not make that file searchable.
"""
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


def display_name(name: str) -> str:
    """``name`` as valid Unicode: the bytes of a file name that is not UTF-8 (which Python holds as lone
    surrogates, ``caf\\udce9``) become ``\\xe9`` escapes. Ids, keys and printed paths use this form, so
    any name the OS can hold is indexable and displayable (the real path is still used to open the file)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # surrogates that did not come from undecodable bytes
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _inside(real: Path, root: Path) -> bool:
    return real == root or root in real.parents


def file_key(path: Path, root: Path | None) -> str:
    """The key a file is indexed under: its resolved path, unless it is a followed link leading out of
    ``root`` — then the link's own path under the resolved root, so that deleting the link (the root's
    entry) removes the article, and two roots linking to one file stay two entries."""
    real = resolve_path(path)
    if root is None:
        return display_name(str(real))
    root_real = resolve_path(root)
    if _inside(real, root_real):
        return display_name(str(real))
    try:
        return display_name(str(root_real / path.relative_to(root)))
    except ValueError:
        return display_name(str(real))


def _walk(directory: Path, ancestors: tuple[Path, ...], seen: set[Path], follow: bool) -> Iterator[Path]:
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
        real = resolve_path(path)
        if not follow and not _inside(real, ancestors[0]):
            continue  # a link out of the folder given
        if is_dir:
            # A directory symlink into the tree being walked (or above it) would loop or repeat.
            if entry.is_symlink() and any(_inside(real, a) for a in ancestors):
                continue
            if real in seen or is_index_dir(path):
                continue
            seen.add(real)
            yield from _walk(path, ancestors + (real,), seen, follow)
            continue
        if real in seen:
            continue
        seen.add(real)
        yield path


def iter_files(paths: Iterable[str | os.PathLike], follow_links: bool = False) -> Iterator[Path]:
    """Files under ``paths`` in sorted order, each once (by resolved path).

    Directories are walked recursively; hidden entries and whoosh index folders are skipped, and so are
    symbolic links leading out of the folder given unless ``follow_links``. A path named explicitly is
    yielded even if it is missing, odd or a link, so the reader reports it.
    """
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            real = resolve_path(path)
            if real in seen or is_index_dir(path):
                continue
            seen.add(real)
            yield from _walk(path, (real,), seen, follow_links)
            continue
        real = resolve_path(path)
        if real not in seen:
            seen.add(real)
            yield path


def iter_sources(paths: Iterable[str | os.PathLike], follow_links: bool = False) -> Iterator[tuple[Path, Path | None]]:
    """(file, id root) for each distinct file under ``paths``.

    The id root is the folder the user named, so that article ids are paths relative to it
    (``bbc/sport/001.txt`` and ``bbc/tech/001.txt`` stay distinct); a file named directly has none.
    """
    seen: set[Path] = set()
    for given in paths:
        root = Path(given)
        id_root = root if root.is_dir() else None
        for f in iter_files([root], follow_links):
            real = resolve_path(f)
            if real not in seen:
                seen.add(real)
                yield f, id_root
