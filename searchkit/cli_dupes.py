"""`searchkit dupes`: the groups of copies the index found (`searchkit.dupes`), a table or JSON lines."""
from __future__ import annotations

import click

from .cli_common import INDEX_OPTION, cluster, engine_options, fail, json_fail


@click.command("dupes")
@click.option("--index", "index_dir", **INDEX_OPTION, help="Index folder.")
@click.option("--json", "as_json", is_flag=True, help='One {"size", "articles": [...]} object per group per line.')
@engine_options
def dupes_cmd(index_dir: str, as_json: bool, engine: str, os_url: str | None, os_name: str | None) -> None:
    """List the groups of copies (the same story republished): original first, then the copies, earliest first."""
    from .dupes import list_groups
    from .errors import SearchkitError
    from .index import open_index
    from .present.terminal import json_line, render_groups, use_color

    try:
        groups = list_groups(cluster(engine, os_url, os_name) or open_index(index_dir, create=False))
    except SearchkitError as e:
        (json_fail if as_json else fail)(str(e))
    if as_json:
        for g in groups:
            click.echo(json_line(g))
        return
    click.echo(render_groups(groups, color=use_color()))
