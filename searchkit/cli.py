"""The `searchkit` command: translates arguments, calls the library, renders. No search logic here."""
from __future__ import annotations

import json
import sys

import click

from . import __version__

DEFAULT_INDEX = "index"
DEFAULT_CORPUS = "corpus"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="searchkit")
def main() -> None:
    """Full-text search for collections of news articles."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article per line.")
def parse(files: tuple[str, ...], as_json: bool) -> None:
    """Show what the engine will index for FILES: fields, quotes, passages, dropped boilerplate.

    A file that cannot be read is reported on its own line (with --json: {"path", "error"});
    the others continue and the exit status is 1.
    """
    from .errors import ReadError
    from .parse import parse_paths
    from .present.terminal import render_article, use_color

    failed = False
    color = use_color()
    for path, result in parse_paths(files):
        items = [result] if isinstance(result, ReadError) else result
        for item in items:
            if isinstance(item, ReadError):
                failed = True
                if as_json:
                    click.echo(json.dumps({"path": item.path, "error": item.reason}, ensure_ascii=False))
                else:
                    click.echo(f"error: {item.path}: {item.reason}", err=True)
                continue
            if as_json:
                d = item.to_dict()
                click.echo(json.dumps(d, ensure_ascii=False))
            else:
                click.echo(render_article(item, color=color) + "\n")
    if failed:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
