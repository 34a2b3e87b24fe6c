"""The `searchkit` command: translates arguments, calls the library, renders. No search logic here."""
from __future__ import annotations

import json
import os
import sys

import click

from . import __version__
from .results import MAX_LIMIT

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


@main.command()
@click.option("--index", "index_dir", default=DEFAULT_INDEX, show_default=True, help="Index folder to serve.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
def serve(index_dir: str, host: str, port: int, threads: int, open_browser: bool) -> None:
    """Serve the search page and its JSON API on http://HOST:PORT/ until Ctrl-C.

    Re-indexing meanwhile (`searchkit index`) needs no restart: new commits show up on the next search.
    """
    from .errors import SearchkitError
    from .web.server import is_loopback
    from .web.server import serve as run_server

    if not is_loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this address can read the index", err=True)
    try:
        index = _search_index(index_dir)  # the same index `searchkit search` would use, built on first use
        run_server(index, host=host, port=port, threads=threads, open_browser=open_browser,
                   announce=lambda url: click.echo(f"Serving {index_dir} on {url}  (Ctrl-C to stop)"))
    except SearchkitError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    except OSError as e:
        click.echo(f"error: cannot listen on {host}:{port}: {e.strerror or e}", err=True)
        sys.exit(1)


# --- index side: `index` and `info` -------------------------------------------------------------

def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


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
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=str))
@click.option("--index", "index_dir", default=DEFAULT_INDEX, show_default=True, help="Index folder.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Parser processes (default: every core for large batches, 1 for small ones).")
@click.option("--rebuild", is_flag=True, help="Index PATHS from scratch; the old index stays searchable until done.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any file or record was skipped.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def index_cmd(paths: tuple[str, ...], index_dir: str, jobs: int | None, rebuild: bool, strict: bool,
              as_json: bool) -> None:
    """Index PATHS (files or folders; default ./corpus) into --index.

    Incremental: new and changed files (by content hash) are indexed, files that disappeared from
    a given folder are removed, unchanged files are skipped. Files that cannot be read are listed
    on stderr and skipped (their previous version stays indexed). One writer at a time.
    """
    from .errors import SearchkitError
    from .index import open_index

    if not paths:
        if not os.path.isdir(DEFAULT_CORPUS):
            _fail(f"no PATHS given and no ./{DEFAULT_CORPUS} folder here")
        paths = (DEFAULT_CORPUS,)
    try:
        report = open_index(index_dir).add(paths, jobs=jobs, rebuild=rebuild, progress=_progress_printer("indexing"))
    except SearchkitError as e:
        _fail(str(e))
    except KeyboardInterrupt:
        _fail(f"interrupted; {index_dir} is unchanged")
    for err in report.errors:
        click.echo(f"error: {err.path}: {err.reason}", err=True)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        click.echo(report.summary())
    if strict and report.errors:
        sys.exit(1)


@main.command("info")
@click.option("--index", "index_dir", default=DEFAULT_INDEX, show_default=True, help="Index folder.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def info_cmd(index_dir: str, as_json: bool) -> None:
    """Show what the index holds: articles, passages, sources, date range, size, last update."""
    from .errors import SearchkitError
    from .index import open_index

    try:
        info = open_index(index_dir, create=False).info()
    except SearchkitError as e:
        _fail(str(e))
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    sources = ", ".join(f"{k} ({v})" for k, v in info["sources"].items()) or "-"
    dates = f"{info['date_from']} to {info['date_to']}" if info["date_from"] else "-"
    for label, value in [
        ("index", f"{info['path']}  ({info['size_bytes'] / 1e6:.1f} MB, updated {info['last_update'] or 'never'})"),
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
  kabul OR moscow        either word; AND and ( ) work too
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
@click.option("--index", "index_dir", default=DEFAULT_INDEX, show_default=True, help="Index folder.")
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, MAX_LIMIT), help="Results per page.")
@click.option("--page", "-p", default=1, show_default=True, type=click.IntRange(min=1), help="Page of results.")
@click.option("--articles", is_flag=True, help="One result per article (its best passage as the snippet).")
@click.option("--since", metavar="DATE", help="Only articles from DATE on (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Only articles up to DATE (inclusive).")
@click.option("--source", metavar="NAME", help="Only articles from this source (exact name, as in the facets).")
@click.option("--speaker", metavar="NAME", help="Only passages quoting this speaker (exact name, as in the facets).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the documented contract).")
@click.option("--batch", type=click.File("r", encoding="utf-8"), metavar="FILE",
              help='Run many queries: lines of {"id", "query"} in, one JSON line per query out.')
def search_cmd(query: str | None, index_dir: str, limit: int, page: int, articles: bool, since: str | None,
               until: str | None, source: str | None, speaker: str | None, as_json: bool, batch) -> None:
    from .errors import SearchkitError

    if (query is None) == (batch is None):
        raise click.UsageError("give either a QUERY or --batch FILE")
    options = dict(limit=limit, page=page, unit="article" if articles else "passage", source=source,
                   speaker=speaker, since=since, until=until)
    try:
        index = _search_index(index_dir)
        if batch is not None:
            _run_batch(index, batch, options)
            return
        results = index.search(query, **options)
    except SearchkitError as e:
        if as_json:
            click.echo(json.dumps({"query": query, "error": str(e)}, ensure_ascii=False))
        else:
            click.echo(f"error: {e}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False))
    else:
        from .present.terminal import render_results, use_color

        for w in results.warnings:
            click.echo(f"warning: {w}", err=True)
        results.warnings = []  # said on stderr already
        click.echo(render_results(results, color=use_color()))


@main.command("eval")
@click.argument("queries", type=click.Path(dir_okay=False, path_type=str))
@click.argument("qrels", type=click.Path(dir_okay=False, path_type=str))
@click.option("--index", "index_dir", default=DEFAULT_INDEX, show_default=True, help="Index folder.")
@click.option("--articles", is_flag=True, help="Rank articles (default: passages, each article at its first).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: metrics, per_query, run, changes.")
@click.option("--save", "save_path", metavar="RUN", help="Save this run (rankings and figures) to the file RUN.")
@click.option("--compare", "compare_path", metavar="RUN", help="Say which queries got better or worse than RUN.")
def eval_cmd(queries: str, qrels: str, index_dir: str, articles: bool, as_json: bool, save_path: str | None,
             compare_path: str | None) -> None:
    """Score the index on judged QUERIES (JSONL {"id", "query"} or BEIR queries.jsonl) against QRELS
    (TREC `qid 0 docid grade` or BEIR TSV): nDCG@10, Recall@100, MAP@100 and P@10, overall and per query."""
    from .errors import SearchkitError
    from .evaluation import EvalRun, compare, evaluate, read_qrels, read_queries
    from .present.evaluation import render_eval

    try:
        saved = EvalRun.load(compare_path) if compare_path else None
        run = evaluate(_search_index(index_dir), read_queries(queries), read_qrels(qrels),
                       unit="article" if articles else "passage")
        if save_path:
            run.save(save_path)
    except SearchkitError as e:
        click.echo(json.dumps({"error": str(e)}) if as_json else f"error: {e}", err=not as_json)
        sys.exit(1)
    changes = compare(run, saved) if saved is not None else None
    if as_json:
        out = run.to_dict()
        if changes is not None:
            out["changes"] = [{"id": c.qid, "before": c.before, "after": c.after} for c in changes]
        click.echo(json.dumps(out, ensure_ascii=False))
    else:
        click.echo(render_eval(run, changes))


def _search_index(index_dir: str):
    """Open the index to search; the default one is built from ./corpus first when it is empty."""
    from .errors import IndexAccessError
    from .index import open_index

    default = index_dir == DEFAULT_INDEX
    if not default and not os.path.isdir(index_dir):
        raise IndexAccessError(f"no index at {index_dir} (build it with `searchkit index PATHS --index {index_dir}`)")
    index = open_index(index_dir, create=default)
    if default and index.is_empty():
        if not os.path.isdir(DEFAULT_CORPUS):
            raise IndexAccessError(f"the index at ./{DEFAULT_INDEX} is empty and there is no ./{DEFAULT_CORPUS} "
                                   "to build it from (use `searchkit index PATHS`)")
        click.echo(f"Building the index from ./{DEFAULT_CORPUS}…", err=True)
        index.ensure_built(DEFAULT_CORPUS)
    return index


def _run_batch(index, lines, options: dict) -> None:
    """One JSON line out per JSON line in; a bad line or query gives {"id", "error"} and the rest go on."""
    from .errors import SearchkitError

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
        click.echo(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    main()
