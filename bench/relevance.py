"""Relevance benchmark: nDCG@10 of searchkit on judged collections, beside naive whoosh, bm25s, tantivy and FTS5.

    python bench/relevance.py                       # scifact (train judgments), cisi, cranfield, time (dev)
    python bench/relevance.py time --no-peers       # searchkit alone (tuning)
    python bench/relevance.py scifact --keep /tmp/sk-rel   # reuse built indexes between runs (tuning)
    python bench/relevance.py --set k1=0.9 --set coordination=0 --boosts headline=1

Each collection is written to a temporary JSONL file (``id``, ``title``, ``text``: title becomes the headline,
text the body) and indexed with ``open_index(...).add(...)``, so the real pipeline (reader, article builder,
passages, analysis) is what gets measured. Queries go through ``Index.search(text, unit="article")`` exactly as
typed (the query language included); query metadata is ignored. Data: ``../shared/eval`` beside the checkout.

Scoring is `searchkit.evaluation` (the code behind `searchkit eval`, trec_eval conventions: nDCG gain = grade,
log2 discount; see that module), so `searchkit eval` on the same files prints the same figures. Article mode
for every collection; TIME dev also in passage mode (each article at the position of its first passage). The
peers (bench/relevance_peers.py) index the same documents, one per article, and OR the query's words.

Gains: SciFact, CISI and TIME judgments are binary; Cranfield's grades 1 (complete answer) .. 4 (minimal
interest) become gains 4 .. 1, and its -1 code (one per query, "no interest") gain 0. TIME: the 423 records
of TIME.ALL, numbered by position (as its judgments are), no headline; the odd-numbered queries of TIME.REL.DEV.

``--set NAME=value`` overrides a field of `searchkit.settings.Settings` for this run (``k1``, ``b``,
``coordination``, ``field_group``, ``article_level``, ``article_block``, ``headline_b``, ``bm25f``; an old
``module.NAME`` spelling is accepted); ``--boosts`` overrides some of ``Settings.boosts``. That is how the
defaults were chosen; the measurements are recorded in docs/ranking.md.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED  # noqa: E402

EVAL = SHARED / "eval"
# Published BM25 nDCG@10 (see ../shared/eval/scifact/README.md); SciFact's are on the held-back test split.
ANCHORS = {
    "scifact": "BM25 anchors (test split): Elasticsearch 0.665, Anserini flat 0.679, multifield 0.665, "
               "bm25s/Lucene 0.676-0.690; on these train judgments (issue 3): naive whoosh 0.671, tantivy 0.677, "
               "bm25s 0.696, SQLite FTS5 0.699; target >= 0.69",
}


def load_scifact() -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    d = EVAL / "scifact"
    docs = []
    with open(d / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs.append({"id": r["_id"], "title": r.get("title") or "", "text": r.get("text") or ""})
    queries = {}
    with open(d / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            queries[r["_id"]] = r["text"]
    qrels: dict[str, dict[str, int]] = {}
    for line in (d / "qrels" / "train.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.strip().split("\t")
        if len(parts) == 3 and int(parts[2]) > 0:
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return docs, {q: queries[q] for q in qrels}, qrels


def _smart(path: Path) -> list[tuple[str, dict[str, str]]]:
    """Records of a SMART tagged file: (.I id, {field letter: text})."""
    out: list[tuple[str, dict[str, str]]] = []
    field = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = re.match(r"^\.([A-Z])\b\s*(.*)$", line)
        if m and m.group(1) == "I":
            out.append((m.group(2).strip(), {}))
            field = None
        elif m:
            field = m.group(1)
            out[-1][1].setdefault(field, "")
            if m.group(2).strip():
                out[-1][1][field] += m.group(2) + "\n"
        elif field and out:
            out[-1][1][field] += line + "\n"
    return out


def _smart_docs(path: Path) -> list[dict]:
    return [{"id": i, "title": " ".join(f.get("T", "").split()), "text": " ".join(f.get("W", "").split())}
            for i, f in _smart(path)]


def load_cisi():
    d = EVAL / "cisi"
    queries = {i: " ".join(f.get("W", "").split()) for i, f in _smart(d / "CISI.QRY")}
    qrels: dict[str, dict[str, int]] = {}
    for line in (d / "CISI.REL").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2:
            qrels.setdefault(parts[0], {})[parts[1]] = 1
    return _smart_docs(d / "CISI.ALL"), {q: queries[q] for q in qrels if q in queries}, qrels


def load_cranfield():
    d = EVAL / "cranfield"
    # The judgments number queries by position, not by the .I numbers in cran.qry.
    queries = {str(k): " ".join(f.get("W", "").split()) for k, (_, f) in enumerate(_smart(d / "cran.qry"), 1)}
    qrels: dict[str, dict[str, int]] = {}
    for line in (d / "cranqrel").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 3 and 1 <= int(parts[2]) <= 4:
            qrels.setdefault(parts[0], {})[parts[1]] = 5 - int(parts[2])
    return _smart_docs(d / "cran.all.1400"), {q: queries[q] for q in qrels if q in queries}, qrels


def load_time():
    d = EVAL / "time"
    docs, cur = [], None
    for line in (d / "TIME.ALL").read_text(encoding="ascii", errors="replace").splitlines():
        if line.startswith("*TEXT"):
            cur = {"id": str(len(docs) + 1), "title": "", "text": ""}  # judged by record position
            docs.append(cur)
        elif cur is not None and line.strip():
            cur["text"] += " " + line.strip()
    queries: dict[str, str] = {}
    qid = None
    for line in (d / "TIME.QUE").read_text(encoding="ascii", errors="replace").splitlines():
        if line.startswith("*FIND"):
            qid = line.split()[1]
            queries[qid] = ""
        elif qid and line.strip():
            queries[qid] = (queries[qid] + " " + line.strip()).strip()
    qrels: dict[str, dict[str, int]] = {}
    for line in (d / "TIME.REL.DEV").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2:
            qrels[parts[0]] = {doc: 1 for doc in parts[1:]}
    return docs, {q: queries[q] for q in qrels if q in queries}, qrels


COLLECTIONS = {"scifact": load_scifact, "cisi": load_cisi, "cranfield": load_cranfield, "time": load_time}
PASSAGE_MODE = ("time",)  # long articles: passage mode differs from article mode there


def build(name: str, docs: list[dict], root: Path, settings=None):
    """Index ``docs`` into ``root/index`` through the real pipeline (reusing it when already built)."""
    import searchkit

    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    src = data / f"{name}.jsonl"
    if not src.exists():
        with open(src, "w", encoding="utf-8") as f:
            for d in docs:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
    from searchkit.errors import IndexAccessError

    index = searchkit.open_index(root / "index", settings=settings)
    t0 = time.perf_counter()
    try:
        report = index.add([src])
    except IndexAccessError:  # a --keep index from another searchkit version: build it afresh
        shutil.rmtree(root / "index")
        index = searchkit.open_index(root / "index", settings=settings)
        t0 = time.perf_counter()
        report = index.add([src])
    return index, time.perf_counter() - t0, report


def measure(index, queries: dict[str, str], qrels: dict[str, dict[str, int]], unit: str = "article"):
    """searchkit's run, scored by the same code as `searchkit eval`; and the mean query time in ms."""
    from searchkit.evaluation import evaluate

    t0 = time.perf_counter()
    run = evaluate(index, queries, qrels, unit=unit)
    return run, 1000 * (time.perf_counter() - t0) / max(1, len(queries))


def write_eval_files(name: str, queries: dict[str, str], qrels: dict[str, dict[str, int]], folder: Path) -> None:
    """The collection's queries and judgments as `searchkit eval` reads them (JSONL, TREC), for --keep users."""
    with open(folder / f"{name}-queries.jsonl", "w", encoding="utf-8") as f:
        for q, text in queries.items():
            f.write(json.dumps({"id": q, "query": text}) + "\n")
    with open(folder / f"{name}-qrels.txt", "w", encoding="utf-8") as f:
        for q, judged in qrels.items():
            for doc, grade in judged.items():
                f.write(f"{q} 0 {doc} {grade}\n")


def make_settings(overrides: list[str], boosts: dict[str, float] | None):
    """The `Settings` of this run: the defaults with ``NAME=value`` overrides and some boosts changed."""
    from searchkit.settings import Settings

    settings = Settings()
    for s in overrides:
        m = re.fullmatch(r"(?:\w+\.)?(\w+)=(.*)", s)
        name = m.group(1).lower() if m else ""
        if name not in {f.name for f in dataclasses.fields(Settings)} or name == "boosts":
            sys.exit(f"--set wants NAME=value with NAME a field of searchkit.settings.Settings, not {s!r}")
        old, raw = getattr(settings, name), m.group(2)
        if isinstance(old, bool):
            value = raw.lower() in ("1", "true", "yes", "on")
        else:
            value = type(old)(raw)
        settings = dataclasses.replace(settings, **{name: value})
    return settings.with_boosts(boosts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("collections", nargs="*", help=f"any of {', '.join(COLLECTIONS)} (default: all)")
    ap.add_argument("--keep", type=Path, help="build indexes here and reuse them on the next run")
    ap.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=value")
    ap.add_argument("--no-peers", dest="peers", action="store_false", help="searchkit only (faster tuning runs)")
    ap.add_argument("--boosts", default="", help="e.g. headline=2,quote=1.5,names=0.2")
    args = ap.parse_args()
    if not EVAL.is_dir():
        sys.exit(f"no evaluation data at {EVAL} (../shared/eval beside the checkout)")
    unknown = set(args.collections) - set(COLLECTIONS)
    if unknown:
        sys.exit(f"unknown collection(s): {', '.join(sorted(unknown))}; choose from {', '.join(COLLECTIONS)}")
    boosts = {k: float(v) for k, v in (kv.split("=") for kv in args.boosts.split(",") if kv)} or None
    settings = make_settings(args.settings, boosts)
    tmp = None if args.keep else tempfile.TemporaryDirectory(prefix="searchkit-relevance-")
    base = args.keep or Path(tmp.name)
    try:
        for name in args.collections or list(COLLECTIONS):
            _run_collection(name, base, settings, args.peers)
    finally:
        if tmp:
            tmp.cleanup()


def _run_collection(name: str, base: Path, settings, with_peers: bool) -> None:
    from relevance_peers import peer_runs
    from searchkit.evaluation import score_run

    docs, queries, qrels = COLLECTIONS[name]()
    index, secs, report = build(name, docs, base / name, settings)
    write_eval_files(name, queries, qrels, base / name / "data")
    run, ms = measure(index, queries, qrels)
    peers = peer_runs(docs, queries) if with_peers else {}
    line = "  ".join(f"{p} {score_run(r, qrels).metrics['ndcg@10']:.4f}" for p, r in peers.items())
    print(f"{name:10s} article nDCG@10 {run.metrics['ndcg@10']:.4f}  recall@100 {run.metrics['recall@100']:.4f}"
          f"  | {line or 'peers skipped'}")
    print(f"{'':10s} ({len(run.per_query)} queries, {len(docs)} docs, {getattr(report, 'passages', '?')} passages; "
          f"index {secs:.1f}s, {ms:.1f} ms/query, {len(run.errors)} query errors)")
    if name in PASSAGE_MODE:
        prun, pms = measure(index, queries, qrels, unit="passage")
        print(f"{name:10s} passage nDCG@10 {prun.metrics['ndcg@10']:.4f}  recall@100 {prun.metrics['recall@100']:.4f}"
              f"  (articles in order of their first passage; {pms:.1f} ms/query)")
    if name in ANCHORS:
        print(f"{'':10s} {ANCHORS[name]}")


if __name__ == "__main__":
    main()
