"""`searchkit watch`: keep an index current while files change (`searchkit.watch`), a line per update."""
from __future__ import annotations

import os

import click

from .cli_common import DEFAULT_CORPUS, INDEX_OPTION, expand, fail
from .watch import SETTLE_MS


def echo_update(update) -> None:
    """Print one update line (stdout) and each skipped file (stderr), as `searchkit index` does."""
    if update.report is not None:
        for err in update.report.errors:
            click.echo(f"error: {err.path}: {err.reason}", err=True)
    click.echo(update.line(), err=update.error is not None)


@click.command("watch")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str), callback=expand)
@click.option("--index", "index_dir", **INDEX_OPTION, help="Index folder.")
@click.option("--settle", default=SETTLE_MS, show_default=True, type=click.IntRange(50, 60_000),
              help="Milliseconds of quiet that end a batch of changes.")
def watch_cmd(paths: tuple[str, ...], index_dir: str, settle: int) -> None:
    """Keep --index current while files under PATHS (default ./corpus) appear, change or disappear.

    Changes are batched (a burst of files is one update) and each batch is indexed like `searchkit index
    PATHS`: same lock, same atomic commit, unreadable files listed and skipped. One line per update;
    Ctrl-C stops (an update in progress is dropped and the index keeps its last commit).
    """
    from .errors import SearchkitError
    from .index import open_index
    from .watch import watch

    if not paths:
        if not os.path.isdir(DEFAULT_CORPUS):
            fail(f"no PATHS given and no ./{DEFAULT_CORPUS} folder here")
        paths = (DEFAULT_CORPUS,)
    for p in paths:
        if not os.path.exists(p):
            raise click.BadParameter(f"Path {p!r} does not exist.", param_hint="'PATHS...'")
    try:
        watch(open_index(index_dir), list(paths), on_update=echo_update, settle_ms=settle,
              on_ready=lambda: click.echo(f"watching {', '.join(paths)} for {index_dir}  (Ctrl-C to stop)", err=True))
    except SearchkitError as e:
        fail(str(e))
    except KeyboardInterrupt:
        pass
    click.echo("stopped", err=True)
