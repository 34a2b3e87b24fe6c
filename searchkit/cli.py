"""The `searchkit` command: translates arguments, calls the library, renders. No search logic here."""
from __future__ import annotations

import json
import os
import sys

import click

from . import __version__
from .cli_common import DEFAULT_CORPUS, INDEX_OPTION
from .cli_common import cluster as _cluster
from .cli_common import engine_options as _engine_options
from .cli_common import search_index as _search_index
from .cli_common import expand as _expand
from .cli_common import fail as _fail
from .cli_common import json_fail as _json_fail
from .results import MAX_LIMIT


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="searchkit")
def main() -> None:
    """Full-text search for collections of news articles."""


def _dropped_warning(share: float) -> str:
    return f"{share:.0%} of its words were dropped as boilerplate (see `searchkit parse`)"


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
    from .present.terminal import json_line, printable, render_article, use_color

    failed = False
    color = use_color()
    for path, result in parse_paths(files):
        items = [result] if isinstance(result, ReadError) else result
        for item in items:
            if isinstance(item, ReadError):
                failed = True
                if as_json:
                    click.echo(json_line({"path": item.path, "error": item.reason}))
                else:
                    click.echo(printable(f"error: {item.path}: {item.reason}"), err=True)
                continue
            if item.mostly_dropped:
                click.echo(printable(f"warning: {item.path}: {_dropped_warning(item.dropped_share)}"), err=True)
            if as_json:
                click.echo(json_line(item.to_dict()))
            else:
                click.echo(render_article(item, color=color) + "\n")
    if failed:
        sys.exit(1)


@main.command()
@click.option("--index", "index_dir", **INDEX_OPTION, help="Index folder to serve.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this Host name (e.g. behind a proxy); others get 400.")
@click.option("--watch", "watch_paths", multiple=True, type=click.Path(exists=True, path_type=str), callback=_expand,
              metavar="PATH", help="Keep the index current with PATH while serving (as `searchkit watch`); repeatable.")
@_engine_options
def serve(index_dir: str, host: str, port: int, threads: int, open_browser: bool, allow_hosts: tuple[str, ...],
          watch_paths: tuple[str, ...], engine: str, os_url: str | None, os_name: str | None) -> None:
    """Serve the search page and its JSON API on http://HOST:PORT/ until Ctrl-C.

    Re-indexing meanwhile (`searchkit index`) needs no restart: new commits show up on the next search.
    With --watch PATH the server indexes changes under PATH itself, a line per update.
    """
    from .errors import SearchkitError
    from .present.terminal import printable
    from .web.server import is_loopback
    from .web.server import serve as run_server

    stop = None  # the --watch thread's stop event
    if not is_loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this address can read the index", err=True)
    try:
        cluster = _cluster(engine, os_url, os_name)
        if cluster is not None and watch_paths:
            _fail("--watch needs the folder index (--engine whoosh): it follows the index folder's files")
        if cluster is not None:
            index, shown = cluster, cluster.path
        elif watch_paths:  # build or catch up first, so the page never serves a folder that is not an index yet
            from .cli_watch import echo_update
            from .index import open_index
            from .watch import update, watch_in_thread

            index, shown = open_index(index_dir), index_dir
            echo_update(update(index, list(watch_paths), 0))
            stop = watch_in_thread(index, list(watch_paths), on_update=echo_update)[1]
        else:
            index, shown = _search_index(index_dir), index_dir  # the index `searchkit search` would use
        run_server(index, host=host, port=port, threads=threads, open_browser=open_browser, allow_hosts=allow_hosts,
                   announce=lambda url: click.echo(f"Serving {shown} on {url}  (Ctrl-C to stop)"))
    except SearchkitError as e:
        click.echo(printable(f"error: {e}"), err=True)
        sys.exit(1)
    except OSError as e:
        click.echo(f"error: cannot listen on {host}:{port}: {e.strerror or e}", err=True)
        sys.exit(1)
    finally:
        if stop is not None:
            stop.set()


# --- index side: `index` and `info` -------------------------------------------------------------


def _progress_printer(label: str):
    """A progress(done, total) callback: a bar on a terminal, else a count line every 5 s."""
    import time

    state: dict = {"bar": None, "last": time.monotonic()}
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            if state["bar"] is None:
                state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
                state["bar"].__enter__()
            state["bar"].update(done - state["bar"].pos)
            if done >= total:
                state["bar"].__exit__(None, None, None)
        elif time.monotonic() - state["last"] >= 5 or (done == total and state["last"] != state.get("start")):
            state["last"] = time.monotonic()
            click.echo(f"{label} {done}/{total} files", err=True)

    state["start"] = state["last"]
    return progress


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str), callback=_expand)
@click.option("--index", "index_dir", **INDEX_OPTION, help="Index folder.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Writer processes, fed by one parser per two (default: every core for large batches, "
                   "1 for small ones).")
@click.option("--rebuild", is_flag=True, help="Index PATHS from scratch; the old index stays searchable until done.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any file or record was skipped.")
@click.option("--follow-links", is_flag=True, help="Also index files that symbolic links lead to outside PATHS.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@_engine_options
def index_cmd(paths: tuple[str, ...], index_dir: str, jobs: int | None, rebuild: bool, strict: bool,
              follow_links: bool, as_json: bool, engine: str, os_url: str | None, os_name: str | None) -> None:
    """Index PATHS (files or folders; default ./corpus) into --index.

    Incremental: new and changed files (by content hash) are indexed, files that disappeared from
    a given folder are removed, unchanged files are skipped. Files that cannot be read are listed
    on stderr and skipped (their previous version stays indexed). Symbolic links that lead out of PATHS
    are not followed unless --follow-links. One writer at a time.
    """
    from .errors import SearchkitError
    from .index import open_index

    fail = _json_fail if as_json else _fail
    if not paths:
        if not os.path.isdir(DEFAULT_CORPUS):
            fail(f"no PATHS given and no ./{DEFAULT_CORPUS} folder here")
        paths = (DEFAULT_CORPUS,)
    for p in paths:  # checked here, not by click.Path(exists=True): `~` is expanded first
        if not os.path.exists(p):
            if as_json:
                click.echo(json.dumps({"error": f"{p}: does not exist"}, ensure_ascii=False))
            raise click.BadParameter(f"Path {p!r} does not exist.", param_hint="'PATHS...'")
    try:
        target = _cluster(engine, os_url, os_name) or open_index(index_dir)
        report = target.add(paths, jobs=jobs, rebuild=rebuild, follow_links=follow_links,
                            progress=_progress_printer("indexing"))
    except SearchkitError as e:
        fail(str(e))
    except KeyboardInterrupt:
        fail(f"interrupted; {index_dir} is unchanged")
    from .present.terminal import json_line, printable

    for err in report.errors:
        click.echo(printable(f"error: {err.path}: {err.reason}"), err=True)
    for path, share in report.mostly_dropped:
        click.echo(printable(f"warning: {path}: {_dropped_warning(share)}"), err=True)
    if as_json:
        click.echo(json_line(report.to_dict()))
    else:
        click.echo(report.summary())
    if strict and report.errors:
        sys.exit(1)


@main.command("info")
@click.option("--index", "index_dir", **INDEX_OPTION, help="Index folder.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_engine_options
def info_cmd(index_dir: str, as_json: bool, engine: str, os_url: str | None, os_name: str | None) -> None:
    """Show what the index holds: articles, passages, sources, date range, size, last update."""
    from .errors import SearchkitError
    from .index import open_index

    try:
        info = (_cluster(engine, os_url, os_name) or open_index(index_dir, create=False)).info()
    except SearchkitError as e:  # with --json a script reads the error from stdout too, as for index
        (_json_fail if as_json else _fail)(str(e))
    from .present.terminal import json_line, printable

    if as_json:
        click.echo(json_line(info))
        return
    sources = printable(", ".join(f"{k} ({v})" for k, v in info["sources"].items())) or "-"
    dates = f"{info['date_from']} to {info['date_to']}" if info["date_from"] else "-"
    for label, value in [
        ("index", f"{printable(info['path'])}  ({info['size_bytes'] / 1e6:.1f} MB, updated {info['last_update'] or 'never'})"),
        ("articles", f"{info['articles']}  ({info['passages']} passages from {info['files']} files)"),
        ("dates", dates),
        ("sources", sources),
    ]:
        click.echo(f"{label:<9} {value}")


# --- query side: `search` ----------------------------------------------------------------------

SEARCH_HELP = """Search the index for QUERY and print the best passages with highlighted snippets.

\b
Query language:
  russia taliban         any of the words; passages with all of them rank first
  "peace talks"          exact phrase
  -russia, NOT russia    exclude a word (or phrase)
  kabul OR moscow        either word; AND and ( ) work too (words, in a query of 4+
                         words all in upper case or a question)
  headline:taliban       only in a field: headline: quote: speaker: source: author:
  date:2017-03           only that year, month or day; date:[2017-01-01 TO 2017-06-30]: a range
  patrushef~             fuzzy: one edit away (patrushef~2: two)
  negot*                 prefix
A broken part of a query is dropped with a warning and the rest still runs.

\b
With --batch FILE (- for stdin), FILE holds one {"id", "query"} JSON object per line; each gives one output
line {"id", ...the --json object} (or {"id", "error"}), all in one process. On a fresh checkout the default
index is first built from ./corpus.
"""


@main.command("search", help=SEARCH_HELP)
@click.argument("query", required=False)
@click.option("--index", "index_dir", **INDEX_OPTION, help="Index folder.")
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, MAX_LIMIT), help="Results per page.")
@click.option("--page", "-p", default=1, show_default=True, type=click.IntRange(min=1), help="Page of results.")
@click.option("--articles", is_flag=True, help="One result per article (its best passage as the snippet).")
@click.option("--since", metavar="DATE", help="Only articles from DATE on (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Only articles up to DATE (inclusive).")
@click.option("--source", metavar="NAME", help="Only articles from this source (any case, or part of its name: \"ariana\").")
@click.option("--speaker", metavar="NAME", help="Only passages quoting this speaker (any case, or part of the name: \"lavrov\").")
@click.option("--all-copies", is_flag=True,
              help="Show every copy of a syndicated story as its own result (default: one, with the others listed).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the documented contract).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default=None,
              help="Print one row per hit (rank, score, article id, path, headline, date, source, author, "
                   "passage index, snippet, url) as CSV or JSON Lines.")
@click.option("--all", "everything", is_flag=True, help="With --format: every match, not one page (streamed).")
@click.option("--timeline", is_flag=True, help="Also print matching articles per month (per year for long spans).")
@click.option("--batch", type=click.File("r", encoding="utf-8"), metavar="FILE",
              help='Run many queries: lines of {"id", "query"} in, one JSON line per query out.')
@click.option("--expand", is_flag=True, help="Also search words of the best articles (pseudo-relevance feedback, RM3).")
@_engine_options
def search_cmd(query: str | None, index_dir: str, limit: int, page: int, articles: bool, since: str | None,
               until: str | None, source: str | None, speaker: str | None, all_copies: bool, as_json: bool,
               fmt: str | None, everything: bool, timeline: bool, batch, expand: bool, engine: str,
               os_url: str | None, os_name: str | None) -> None:
    from .errors import SearchkitError
    from .present.terminal import json_line, printable

    if (query is None) == (batch is None):
        raise click.UsageError("give either a QUERY or --batch FILE")
    if everything and not fmt:
        raise click.UsageError("--all needs --format csv or --format jsonl")
    if fmt and (as_json or batch is not None or timeline):
        raise click.UsageError("--format prints rows: it does not combine with --json, --batch or --timeline")
    options = dict(limit=limit, page=page, unit="article" if articles else "passage", source=source,
                   speaker=speaker, since=since, until=until, collapse=not all_copies, expand=expand)
    try:
        index = _cluster(engine, os_url, os_name) or _search_index(index_dir)
        if batch is not None:
            _run_batch(index, batch, options)
            return
        if fmt:
            _export(index, query, fmt, everything, options)
            return
        results = index.search(query, **options)
    except SearchkitError as e:
        if as_json:
            click.echo(json_line({"query": query, "error": str(e)}))
        else:
            click.echo(printable(f"error: {e}"), err=True)
        sys.exit(1)
    if as_json:
        click.echo(json_line(results.to_dict()))
    else:
        from .present.terminal import render_results, use_color

        from .results.filters import matched_notes

        for note in matched_notes(results.filters, {"source": source, "speaker": speaker}):
            click.echo(printable(note), err=True)
        for w in results.warnings:
            click.echo(printable(f"warning: {w}"), err=True)
        results.warnings = []  # said on stderr already
        click.echo(render_results(results, color=use_color()))
        if timeline:
            from .present.terminal import terminal_width
            from .present.timeline import text_histogram
            from .results.timeline import bars

            click.echo("\n" + text_histogram(bars(results.facets.get("month") or {}), width=terminal_width()))


def _export(index, query: str, fmt: str, everything: bool, options: dict) -> None:
    """Rows of this page's hits, or of every match streamed (--all); a bad query fails before any row."""
    import itertools

    from .export import write
    from .results.search import iter_hits

    if everything:
        keep = ("unit", "source", "speaker", "since", "until", "collapse", "expand")
        hits = iter_hits(index, query, **{k: options[k] for k in keep})
        first = next(hits, None)  # runs the query: its errors come before the header
        hits = itertools.chain([first] if first is not None else [], hits)
    else:
        hits = iter(index.search(query, **options).hits)
    try:
        write(hits, sys.stdout, fmt)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _run_batch(index, lines, options: dict) -> None:
    """One JSON line out per JSON line in; a bad line or query gives {"id", "error"} and the rest go on."""
    from .errors import SearchkitError
    from .present.terminal import json_line

    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        qid = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("query"), str):
                raise ValueError('expected an object with a "query" string')
            qid = item.get("id")
            out = {"id": qid, **index.search(item["query"], **options).to_dict()}
        except (ValueError, SearchkitError) as e:
            out = {"id": qid, "error": f"line {n}: {e}" if not isinstance(e, SearchkitError) else str(e)}
        click.echo(json_line(out))


def _register() -> None:
    from .cli_dupes import dupes_cmd
    from .cli_eval import eval_cmd
    from .cli_saved import saved_group
    from .cli_watch import watch_cmd

    main.add_command(dupes_cmd)
    main.add_command(eval_cmd)
    main.add_command(saved_group)
    main.add_command(watch_cmd)


_register()


if __name__ == "__main__":  # pragma: no cover
    main()
