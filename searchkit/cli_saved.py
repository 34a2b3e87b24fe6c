"""`searchkit saved add|list|rm|run`: saved searches and new-match alerts (`searchkit.saved`), rendered."""
from __future__ import annotations

import json
import sys

import click

from .cli_common import INDEX_OPTION, cluster, engine_options, fail


@click.group("saved")
def saved_group() -> None:
    """Saved searches, stored with the index; `saved run` reports the articles new since the last run."""


def _store(index_dir: str, where: dict):
    """The saved searches of the --index folder, or of the cluster index the engine options ``where`` name."""
    from .index import open_index
    from .saved import saved_searches

    return saved_searches(cluster(**where) or open_index(index_dir, create=False))


def _where(engine: str, os_url: str | None, os_name: str | None) -> dict:
    """The engine options as `cluster` takes them."""
    return dict(engine=engine, url=os_url, name=os_name)


def _saved_call(fn):
    """Run ``fn()``; a searchkit error is one line on stderr and exit status 1."""
    from .errors import SearchkitError

    try:
        return fn()
    except SearchkitError as e:
        fail(str(e))


@saved_group.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--index", "index_dir", **INDEX_OPTION, help="Index folder.")
@click.option("--source", metavar="NAME", help="Only articles from this source.")
@click.option("--speaker", metavar="NAME", help="Only passages quoting this speaker.")
@click.option("--since", metavar="DATE", help="Only articles from DATE on (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Only articles up to DATE (inclusive).")
@engine_options
def saved_add(name: str, query: str, index_dir: str, engine: str, os_url: str | None, os_name: str | None,
               **filters) -> None:
    """Save QUERY as NAME; what matches now counts as seen, so `saved run` reports only later articles."""
    where = _where(engine, os_url, os_name)
    s = _saved_call(lambda: _store(index_dir, where).add(name, query, **filters))
    click.echo(f"saved {s.name!r}: {s.query}" + "".join(f" --{k} {v}" for k, v in s.filters().items()))


@saved_group.command("list")
@click.option("--index", "index_dir", **INDEX_OPTION, help="Index folder.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per saved search per line (with new_matches).")
@engine_options
def saved_list(index_dir: str, as_json: bool, **where) -> None:
    """List the saved searches with their number of new matches (nothing is marked as seen)."""
    counts = _saved_call(lambda: _store(index_dir, _where(**where)).counts())
    for s, n in counts:
        if as_json:
            click.echo(json.dumps({**s.to_dict(), "new_matches": n}, ensure_ascii=False))
        else:
            filters = "".join(f" --{k} {v}" for k, v in s.filters().items())
            click.echo(f"{s.name}: {s.query}{filters}  ({n} new, last run {s.last_run or 'never'})")
    if not counts and not as_json:
        click.echo("no saved searches (add one with `searchkit saved add NAME QUERY`)")


@saved_group.command("rm")
@click.argument("name")
@click.option("--index", "index_dir", **INDEX_OPTION, help="Index folder.")
@engine_options
def saved_rm(name: str, index_dir: str, **where) -> None:
    """Delete the saved search NAME."""
    _saved_call(lambda: _store(index_dir, _where(**where)).remove(name))
    click.echo(f"removed {name!r}")


@saved_group.command("run")
@click.argument("name", required=False)
@click.option("--index", "index_dir", **INDEX_OPTION, help="Index folder.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per saved search per line.")
@click.option("--fail-on-new", is_flag=True, help="Exit with status 3 when there are new matches (for cron or CI).")
@engine_options
def saved_run(name: str | None, index_dir: str, as_json: bool, fail_on_new: bool, **where) -> None:
    """Run NAME (default: every saved search) and print the articles new since its last run; each new
    article is reported once. Exit status 0, or 3 with --fail-on-new when anything is new."""
    runs = _saved_call(lambda: _store(index_dir, _where(**where)).run(name))
    for run in runs:
        if as_json:
            click.echo(json.dumps(run.to_dict(), ensure_ascii=False))
            continue
        click.echo(f"{run.search.name}: {len(run.new)} new")
        for a in run.new:
            meta = " · ".join(x for x in (a.source, a.date) if x)
            click.echo(f"  {a.headline or a.id}" + (f"  ({meta})" if meta else "") + f"  [{a.id}]")
    if fail_on_new and any(run.new for run in runs):
        sys.exit(3)
