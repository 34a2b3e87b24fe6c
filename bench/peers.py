#!/usr/bin/env python3
"""The systems the benchmark compares, behind one interface, and the worker that runs one of them.

Each system indexes the same JSONL corpus (title + text of every article) and answers the same queries,
returning the top 10 with a snippet each:

* ``searchkit`` — through its public library API only (``open_index(path).add(paths, jobs=N)``, ``.search()``);
* ``opensearch`` — the same API on searchkit's OpenSearch engine (a cluster at ``$SEARCHKIT_OPENSEARCH_URL``);
* ``naive`` — whoosh as the docs show it: one writer, default settings, ``StemmingAnalyzer``, stored title and
  body, ``MultifieldParser`` and ``Hit.highlights("body")`` (which re-analyses the stored body);
* ``fts5`` — SQLite FTS5, ``porter unicode61`` tokenizer, one transaction, ``MATCH … ORDER BY rank`` (rank is
  ``bm25()`` with default weights, and lets FTS5 use its top-N optimisation) and ``snippet()``;
* ``tantivy`` — tantivy-py, ``en_stem`` tokenizer (its default English stemmer), ``jobs`` writer threads,
  ``SnippetGenerator`` on the body.

Run one system in a fresh process (what bench/search.py does, so that each is measured alone and a crash
stays contained); the last stdout line is a JSON object with the figures:

    python bench/peers.py build fts5 --corpus bench/out/corpus-10k --index /tmp/fts5 --jobs 2
    python bench/peers.py query fts5 --index /tmp/fts5 --queries bench/out/work-10k/queries.json
    python bench/peers.py build searchkit --corpus … --index /tmp/sk --jobs 1 --profile /tmp/sk-profile.txt
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Iterator

from common import iter_records

CLASSES = ("one-word", "three-word", "phrase", "field")
TOP = 10


def query_string(q: dict, field_name: str = "title") -> str:
    """The query in the shared Lucene-like syntax all four systems read: AND of words, "phrase", field:word."""
    if q["class"] == "phrase":
        return '"' + " ".join(q["words"]) + '"'
    if q["class"] == "field":
        return f"{field_name}:{q['words'][0]}"
    return " ".join(q["words"])


class System:
    """Index a corpus once; then answer queries with the top 10 hits and a snippet for each."""

    name = "?"
    field_name = "title"  # the name of the headline field in this system's query syntax
    units = ("article",)  # what a hit can be; the peers index one document per article
    unit = "article"

    def build(self, corpus: Path, index: Path, jobs: int) -> dict:
        raise NotImplementedError

    def open(self, index: Path) -> None:
        raise NotImplementedError

    def search(self, q: dict) -> list[tuple[str, str]]:
        """(id, snippet) for the top hits; the snippets must be fully materialised strings."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    @staticmethod
    def records(corpus: Path) -> Iterator[tuple[str, str, str]]:
        for rec in iter_records(corpus):
            yield rec["id"], rec.get("title") or "", rec.get("text") or ""


class NaiveWhoosh(System):
    name = "naive"

    def build(self, corpus: Path, index: Path, jobs: int) -> dict:
        from whoosh import index as windex
        from whoosh.analysis import StemmingAnalyzer
        from whoosh.fields import ID, TEXT, Schema

        schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
                        body=TEXT(analyzer=StemmingAnalyzer(), stored=True))
        index.mkdir(parents=True)
        ix = windex.create_in(str(index), schema)
        writer = ix.writer()  # default: one process, 128 MB pool — "naive" by definition (issue 5)
        n = 0
        for doc_id, title, text in self.records(corpus):
            writer.add_document(id=doc_id, title=title, body=text)
            n += 1
        writer.commit()
        ix.close()
        return {"docs": n}

    def open(self, index: Path) -> None:
        from whoosh import index as windex
        from whoosh.qparser import MultifieldParser

        self.ix = windex.open_dir(str(index))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)

    def search(self, q: dict) -> list[tuple[str, str]]:
        results = self.searcher.search(self.parser.parse(query_string(q, self.field_name)), limit=TOP)
        return [(hit["id"], hit.highlights("body")) for hit in results]

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


class FTS5(System):
    name = "fts5"
    SQL = ("SELECT id, snippet(articles, 2, '[', ']', '…', 24) FROM articles "
           "WHERE articles MATCH ? ORDER BY rank LIMIT ?")

    def build(self, corpus: Path, index: Path, jobs: int) -> dict:
        import sqlite3

        index.mkdir(parents=True)
        con = sqlite3.connect(index / "fts5.db")
        con.execute("CREATE VIRTUAL TABLE articles USING fts5(id UNINDEXED, title, body, tokenize='porter unicode61')")
        n = 0
        with con:  # one transaction
            for row in self.records(corpus):
                con.execute("INSERT INTO articles(id, title, body) VALUES (?, ?, ?)", row)
                n += 1
        con.close()
        return {"docs": n}

    def open(self, index: Path) -> None:
        import sqlite3

        self.con = sqlite3.connect(f"file:{index / 'fts5.db'}?mode=ro", uri=True)

    def search(self, q: dict) -> list[tuple[str, str]]:
        return self.con.execute(self.SQL, (query_string(q, self.field_name), TOP)).fetchall()

    def close(self) -> None:
        self.con.close()


class Tantivy(System):
    name = "tantivy"

    def build(self, corpus: Path, index: Path, jobs: int) -> dict:
        import tantivy

        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
        sb.add_text_field("body", stored=True, tokenizer_name="en_stem")
        index.mkdir(parents=True)
        ix = tantivy.Index(sb.build(), path=str(index))
        writer = ix.writer(num_threads=jobs)
        n = 0
        for doc_id, title, text in self.records(corpus):
            writer.add_document(tantivy.Document(id=doc_id, title=title, body=text))
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        return {"docs": n}

    def open(self, index: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.ix = tantivy.Index.open(str(index))
        self.ix.reload()
        self.searcher = self.ix.searcher()
        self.schema = self.ix.schema

    def search(self, q: dict) -> list[tuple[str, str]]:
        query = self.ix.parse_query(query_string(q, self.field_name), ["title", "body"], conjunction_by_default=True)
        hits = self.searcher.search(query, TOP).hits
        gen = self.tantivy.SnippetGenerator.create(self.searcher, query, self.schema, "body")
        out = []
        for _score, address in hits:
            doc = self.searcher.doc(address)
            out.append((doc.get_first("id"), gen.snippet_from_doc(doc).to_html()))
        return out


class Searchkit(System):
    """searchkit through the public API the index module promises (see bench/README.md)."""

    name = "searchkit"
    field_name = "headline"
    units = ("passage", "article")  # passage: its default; article: one hit per article (issues 11, 16)
    unit = "passage"

    @staticmethod
    def _open_index():
        try:
            from searchkit.index import open_index
        except ImportError:
            from searchkit import open_index  # re-exported at the top level, if the package does so
        return open_index

    def build(self, corpus: Path, index: Path, jobs: int) -> dict:
        ix = self._open_index()(str(index))
        try:
            report = ix.add([str(corpus)], jobs=jobs)
        finally:
            getattr(ix, "close", lambda: None)()
        import searchkit

        return {"report": _jsonable(report), "searchkit": str(Path(searchkit.__file__).parent)}

    def open(self, index: Path) -> None:
        self.ix = self._open_index()(str(index))

    def search(self, q: dict) -> list[tuple[str, str]]:
        # ``unit`` is passed only when it is not the default, so the call stays the one every revision takes
        # (1b60eda, the issues' baseline, already had ``unit="article"``).
        extra = {"unit": self.unit} if self.unit != "passage" else {}
        results = self.ix.search(query_string(q, self.field_name), limit=TOP, **extra)
        return [(h.article.id, h.snippet.text) for h in results.hits]

    def close(self) -> None:
        getattr(self.ix, "close", lambda: None)()


class SearchkitOpenSearch(Searchkit):
    """searchkit's OpenSearch engine (issue 17) through the same library API, on the cluster whose node URLs
    ``$SEARCHKIT_OPENSEARCH_URL`` names (bench/search.py sets it). The ``--index`` folder stands for the
    cluster index ``bench-<folder name>``: a build into a missing folder (what a full build leaves) rebuilds
    the index behind the alias; one into the existing folder is incremental, as for the folder engine."""

    name = "opensearch"

    @staticmethod
    def _engine(index: Path):
        from searchkit.engines.opensearch_engine import OpenSearchEngine

        return OpenSearchEngine.connect(None, "bench-" + index.name.lower(), shards=3, replicas=1)

    def build(self, corpus: Path, index: Path, jobs: int) -> dict:
        engine = self._engine(index)
        report = engine.add([str(corpus)], jobs=jobs, rebuild=not index.exists())
        index.mkdir(parents=True, exist_ok=True)
        (index / "cluster-index.txt").write_text(engine.path + "\n", encoding="utf-8")
        info = engine.info()
        return {"report": _jsonable(report), "docs": info["articles"], "index_bytes": info["size_bytes"],
                "index": engine.path}

    def open(self, index: Path) -> None:
        self.ix = self._engine(index)


def _jsonable(value):
    """Whatever ``add`` returned, in a form json.dumps accepts (dict, dataclass, or its repr)."""
    if value is None or isinstance(value, (int, float, str, bool, list, dict)):
        return value
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(value)
    return repr(value)[:500]


SYSTEMS: dict[str, type[System]] = {cls.name: cls for cls in (Searchkit, SearchkitOpenSearch, NaiveWhoosh, FTS5,
                                                                Tantivy)}
PEERS = ("naive", "fts5", "tantivy")


# --- the worker -------------------------------------------------------------------------------------------


class profiled:
    """pyinstrument around a block when ``path`` is given (.html or text); a no-op otherwise."""

    def __init__(self, path: Path | None):
        self.path, self.profiler = path, None

    def __enter__(self) -> "profiled":
        if self.path:
            from pyinstrument import Profiler

            self.profiler = Profiler()
            self.profiler.start()
        return self

    def __exit__(self, *exc) -> None:
        if not self.profiler:
            return
        self.profiler.stop()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.suffix == ".html":
            self.path.write_text(self.profiler.output_html(), encoding="utf-8")
        else:
            self.path.write_text(self.profiler.output_text(unicode=True, color=False), encoding="utf-8")


def run_build(system: System, corpus: Path, index: Path, jobs: int, incremental: bool) -> dict:
    if not incremental and index.exists():
        shutil.rmtree(index)
    t0 = time.perf_counter()
    out = system.build(corpus, index, jobs)
    out["seconds"] = time.perf_counter() - t0
    out["ru_maxrss_self_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["ru_maxrss_children_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return out


def run_queries(system: System, index: Path, queries: dict, warmup: int, budget: float = 300.0,
                repeat: int = 1) -> dict:
    """Per class: latency (ms) of search + snippets for the top 10, hit counts, and errors.

    With ``repeat`` > 1 the class is run that many times over (whole passes, not back-to-back repeats of one
    query) and each query keeps its fastest time: on a shared machine that takes out other processes'
    interference, while a system's own slowness repeats and stays. A class that takes longer than ``budget``
    seconds stops early (``truncated``), so a pathologically slow system still gets percentiles from the queries
    it finished instead of stalling the whole run.
    """
    t0 = time.perf_counter()
    system.open(index)
    out: dict = {"open_ms": (time.perf_counter() - t0) * 1000, "classes": {}}
    for cls in CLASSES:
        for q in queries.get("warmup", {}).get(cls, [])[:warmup]:
            try:
                system.search(q)
            except Exception:  # noqa: BLE001 — errors are counted in the timed run
                pass
        todo = queries["classes"].get(cls, [])
        best: list[float | None] = [None] * len(todo)
        hits: list[int | None] = [None] * len(todo)
        errors, first_error, truncated = 0, None, False
        started = time.perf_counter()
        for _pass in range(repeat):
            for i, q in enumerate(todo):
                if time.perf_counter() - started > budget:
                    truncated = True
                    break
                t = time.perf_counter()
                try:
                    found = system.search(q)
                except Exception as e:  # noqa: BLE001 — one bad query must not hide the others' figures
                    errors += _pass == 0
                    first_error = first_error or f"{query_string(q, system.field_name)!r}: {type(e).__name__}: {e}"
                    continue
                ms = (time.perf_counter() - t) * 1000
                best[i] = ms if best[i] is None else min(best[i], ms)
                hits[i] = len(found)
        out["classes"][cls] = {"ms": [x for x in best if x is not None], "hits": [h for h in hits if h is not None],
                               "errors": errors, "first_error": first_error, "truncated": truncated}
    system.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run one benchmark system in this process; print figures as JSON.")
    ap.add_argument("action", choices=("build", "query"))
    ap.add_argument("system", choices=sorted(SYSTEMS))
    ap.add_argument("--corpus", type=Path, help="JSONL corpus folder (build)")
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--incremental", action="store_true", help="build on top of the existing index (searchkit)")
    ap.add_argument("--profile", type=Path, help="profile the run with pyinstrument into this .txt/.html file")
    ap.add_argument("--queries", type=Path, help="queries.json written by bench/search.py (query)")
    ap.add_argument("--warmup", type=int, default=20, help="untimed warm-up queries per class")
    ap.add_argument("--budget", type=float, default=300.0, help="seconds per query class before it stops early")
    ap.add_argument("--repeat", type=int, default=1, help="passes over each class; each query keeps its fastest")
    ap.add_argument("--unit", choices=("passage", "article"),
                    help="query: what a hit is, for a system that has both (searchkit: passage by default)")
    args = ap.parse_args(argv)
    system = SYSTEMS[args.system]()
    if args.unit:
        if args.unit not in system.units:
            ap.error(f"{args.system} has no {args.unit} mode (it has: {', '.join(system.units)})")
        system.unit = args.unit
    if args.action == "build" and not args.corpus:
        ap.error("build needs --corpus")
    if args.action == "query" and not args.queries:
        ap.error("query needs --queries")
    try:
        with profiled(args.profile):
            if args.action == "build":
                result = run_build(system, args.corpus, args.index, args.jobs, args.incremental)
            else:
                queries = json.loads(args.queries.read_text(encoding="utf-8"))
                result = run_queries(system, args.index, queries, args.warmup, args.budget, max(1, args.repeat))
    except Exception as e:  # noqa: BLE001 — report, don't crash the caller's table
        traceback.print_exc(file=sys.stderr)
        print(json.dumps({"error": f"{type(e).__name__}: {e}".splitlines()[0][:300]}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
