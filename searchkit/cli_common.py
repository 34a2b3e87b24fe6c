"""What every `searchkit` subcommand module shares: the default folders, the --index option, the engine options, failing."""
from __future__ import annotations

import os
import sys

import click

DEFAULT_INDEX = "index"
DEFAULT_CORPUS = "corpus"


def expand(ctx, param, value):
    """``~`` in a path (quoted, or after ``--index=``, the shell leaves it alone): the home folder."""
    if isinstance(value, tuple):
        return tuple(os.path.expanduser(v) for v in value)
    return os.path.expanduser(value) if isinstance(value, str) else value


INDEX_OPTION = dict(default=DEFAULT_INDEX, show_default=True, callback=expand)


def fail(message: str) -> None:
    """``error: message`` on stderr (terminal controls removed: see `searchkit.present.terminal.printable`)
    and exit status 1."""
    from .present.terminal import printable

    click.echo(printable(f"error: {message}"), err=True)
    sys.exit(1)


def json_fail(message: str) -> None:
    """With --json the error is a JSON object on stdout too (a script reads stdout), and the line on stderr."""
    from .present.terminal import json_line

    click.echo(json_line({"error": message}))
    fail(message)


# --- which engine: the whoosh folder (default) or an OpenSearch cluster ---------------------------

def engine_options(fn):
    """--engine/--url/--name on a command (the whoosh folder stays the default; see README)."""
    fn = click.option("--name", "os_name", default=None, metavar="NAME",
                      help="OpenSearch index (alias) name (default: news).")(fn)
    fn = click.option("--url", "os_url", default=None, envvar="SEARCHKIT_OPENSEARCH_URL", metavar="URL",
                      help="OpenSearch cluster URL, or every node's URL comma-separated to survive losing one "
                           "(default: $SEARCHKIT_OPENSEARCH_URL).")(fn)
    fn = click.option("--engine", type=click.Choice(["whoosh", "opensearch"]), default="whoosh", show_default=True,
                      help="whoosh: the --index folder; opensearch: a cluster at --url.")(fn)
    return fn


def cluster(engine: str, url: str | None, name: str | None):
    """The `OpenSearchEngine` the options name, or None for whoosh (a down cluster: `EngineUnavailableError`)."""
    if engine != "opensearch":
        return None
    from .engines.opensearch_engine import OpenSearchEngine

    return OpenSearchEngine.connect(url, name)


def search_index(index_dir: str):
    """Open the index to search; the default one is built from ./corpus first when it is empty."""
    from .errors import IndexAccessError
    from .index import open_index

    default = index_dir == DEFAULT_INDEX
    if not default and not os.path.isdir(index_dir):
        raise IndexAccessError(f"no index at {index_dir} (build it with `searchkit index PATHS --index {index_dir}`)")
    index = open_index(index_dir, create=default)
    if default and index.is_empty():
        if not os.path.isdir(DEFAULT_CORPUS):
            raise IndexAccessError(f"no index at ./{DEFAULT_INDEX} and no ./{DEFAULT_CORPUS} folder to build it from: "
                                   "index your articles first with `searchkit index PATHS` (PATHS: your article "
                                   "files or folders), or run this where ./corpus is")
        click.echo(f"Building the index from ./{DEFAULT_CORPUS}…", err=True)
        index.ensure_built(DEFAULT_CORPUS)
    return index
