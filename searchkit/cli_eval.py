"""`searchkit eval`: score an index on judged queries (`searchkit.evaluation`) and render the figures."""
from __future__ import annotations

import json
import sys

import click

from .cli_common import INDEX_OPTION, cluster, engine_options, search_index


@click.command("eval")
@click.argument("queries", type=click.Path(dir_okay=False, path_type=str))
@click.argument("qrels", type=click.Path(dir_okay=False, path_type=str))
@click.option("--index", "index_dir", **INDEX_OPTION, help="Index folder.")
@click.option("--articles", is_flag=True, help="Rank articles (default: passages, each article at its first).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: metrics, per_query, run, changes.")
@click.option("--save", "save_path", metavar="RUN", help="Save this run (rankings and figures) to the file RUN.")
@click.option("--compare", "compare_path", metavar="RUN", help="Say which queries got better or worse than RUN.")
@click.option("--expand", is_flag=True, help="Run the queries with pseudo-relevance feedback (RM3), as search --expand.")
@engine_options
def eval_cmd(queries: str, qrels: str, index_dir: str, articles: bool, as_json: bool, save_path: str | None,
             compare_path: str | None, expand: bool, engine: str, os_url: str | None, os_name: str | None) -> None:
    """Score the index on judged QUERIES (JSONL {"id", "query"} or BEIR queries.jsonl) against QRELS
    (TREC `qid 0 docid grade` or BEIR TSV): nDCG@10, Recall@100, MAP@100 and P@10, overall and per query."""
    from .errors import SearchkitError
    from .evaluation import EvalRun, compare, evaluate, read_qrels, read_queries
    from .present.evaluation import render_eval

    try:
        saved = EvalRun.load(compare_path) if compare_path else None
        index = cluster(engine, os_url, os_name) or search_index(index_dir)
        run = evaluate(index, read_queries(queries), read_qrels(qrels),
                       unit="article" if articles else "passage", expand=expand or None)
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
