#!/usr/bin/env python3
"""Scale benchmark (issues 5 and 16): indexing throughput, peak RSS, index size, query latency with snippets,
incremental re-index and CLI start-up — searchkit beside naive whoosh, SQLite FTS5 and tantivy.

    python bench/search.py --size 10k              # builds bench/out/corpus-10k if needed
    python bench/search.py --size 100k --jobs 2 --json bench/out/search-100k.json

Every system runs in its own process (bench/peers.py), one after the other, so the figures do not disturb
each other and a crash in one leaves the others' columns intact. Prints one table and writes every figure
(including the raw per-query latencies) as JSON.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tarfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from common import (BENCH_DIR, OUT_DIR, REPO_ROOT, STOP_WORDS, TreeRSSSampler, dir_size, iter_records, now,
                    parse_size, percentile, raw_bytes, read_manifest, shard_paths, size_label)
from peers import CLASSES, PEERS

TARGETS = {  # issue 16 (issue 5 had indexing >= 3x naive whoosh and re-index <= 5 %, and no memory bound)
    "index_mbps_vs_naive": 4.0,
    "p95_vs_fts5": 1.0,
    "size_ratio": 1.5,
    "peak_rss_mb": 500.0,
    "reindex_pct": 2.0,
    "startup_s": 0.3,
}
ARTICLES = "{} (articles)"  # the column of a system's article-mode queries (its passage mode is its own name)
CANDIDATE = re.compile(r"\b[a-z]{3,}\b")  # whole words only: "abc" in "abc123" is no token anywhere


# --- corpus and queries -----------------------------------------------------------------------------------


def ensure_corpus(corpus: Path | None, size: int, seed: int) -> tuple[Path, dict]:
    """Use ``corpus`` as given, or build (once) the default corpus of this size; return it with its manifest."""
    if corpus is not None:
        if not shard_paths(corpus):
            raise SystemExit(f"error: {corpus} holds no articles-*.jsonl shards (make it with bench/make_corpus.py)")
        manifest = read_manifest(corpus) or {}
    else:
        corpus = OUT_DIR / f"corpus-{size_label(size)}"
        manifest = read_manifest(corpus) or {}
        if (manifest.get("size"), manifest.get("seed"), manifest.get("format")) != (size, seed, "jsonl"):
            from make_corpus import write_corpus

            print(f"building corpus {corpus} ({size:,} articles) …", file=sys.stderr, flush=True)
            manifest = write_corpus(corpus, size, seed)
    if "raw_bytes" not in manifest or "articles" not in manifest:  # a corpus made some other way
        sizes = [raw_bytes(r) for r in iter_records(corpus)]
        manifest.update(raw_bytes=sum(sizes), articles=len(sizes))
    return corpus, manifest


def sample_queries(corpus: Path, per_class: int, warmup: int, seed: int, sample_docs: int = 20_000) -> dict:
    """A fixed query set drawn from the corpus's own vocabulary with ``random.Random(seed)``.

    Words are mid-frequency (in 0.1 %–3 % of the sampled articles), outside the stop list, letters only;
    three-word queries are three such words from one article (so each has at least one answer), phrases are
    adjacent word pairs from a real article, field queries a mid-frequency headline word.
    """
    rng = random.Random(seed)
    total = sum(1 for _ in iter_records(corpus))
    keep = min(1.0, sample_docs / max(1, total))
    df: Counter[str] = Counter()
    title_df: Counter[str] = Counter()
    texts: list[str] = []
    sampled = 0
    for rec in iter_records(corpus):
        if rng.random() >= keep:
            continue
        sampled += 1
        text = (rec.get("text") or "").lower()
        df.update(set(CANDIDATE.findall(text)))
        title_df.update(set(CANDIDATE.findall((rec.get("title") or "").lower())))
        if len(texts) < 3000:  # reservoir: the articles queries come from span the whole corpus
            texts.append(text)
        elif (j := rng.randrange(sampled)) < 3000:
            texts[j] = text
    lo, hi = max(2, 0.001 * sampled), max(3, 0.03 * sampled)
    mid = sorted(w for w, n in df.items() if lo <= n <= hi and w not in STOP_WORDS)
    mid_set = set(mid)
    title_mid = sorted(w for w, n in title_df.items() if n >= 2 and n <= max(3, 0.02 * sampled) and w not in STOP_WORDS)
    if not mid:
        raise SystemExit("error: corpus too small to sample queries from")
    n = per_class + warmup

    def draw(make) -> list[dict]:
        out: list[dict] = []
        for _ in range(n * 50):
            if len(out) == n:
                break
            q = make()
            if q:
                out.append(q)
        return out

    def three():
        words = sorted(set(CANDIDATE.findall(rng.choice(texts))) & mid_set)
        return {"class": "three-word", "words": rng.sample(words, 3)} if len(words) >= 3 else None

    def phrase():
        text = rng.choice(texts)
        pairs = [(a, b) for a, b in re.findall(r"(?=\b([a-z]{3,}) ([a-z]{3,})\b)", text)
                 if a not in STOP_WORDS and b not in STOP_WORDS and (a in mid_set or b in mid_set)]
        return {"class": "phrase", "words": list(rng.choice(pairs))} if pairs else None

    classes = {
        "one-word": draw(lambda: {"class": "one-word", "words": [rng.choice(mid)]}),
        "three-word": draw(three),
        "phrase": draw(phrase),
        "field": draw(lambda: {"class": "field", "field": "headline", "words": [rng.choice(title_mid)]})
        if title_mid else [],
    }
    return {
        "seed": seed,
        "sampled_articles": sampled,
        "mid_frequency_df": [lo, hi],
        "warmup": {c: qs[:warmup] for c, qs in classes.items()},
        "classes": {c: qs[warmup:] for c, qs in classes.items()},
    }


# --- running the systems ----------------------------------------------------------------------------------


@dataclass
class Settings:
    """How every system is run (from the command line)."""

    jobs: int = 2
    warmup: int = 20
    repeat: int = 1
    timeout: float = 7200
    budget: float = 300
    env: dict = field(default_factory=lambda: {**os.environ, "NO_COLOR": "1"})


def export_searchkit(rev: str, work: Path) -> tuple[Path, str]:
    """Extract ``searchkit/`` as of git revision ``rev`` into the work folder; return it and the full hash.

    Measuring a commit (not the shared working tree, which others edit mid-run) makes a run reproducible
    and keeps an index built by one version from being queried by the next.
    """
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=30)
    if commit.returncode != 0:
        raise SystemExit(f"error: not a git revision: {rev}")
    sha = commit.stdout.strip()
    dest = work / f"src-{sha[:12]}"
    if not (dest / "searchkit" / "__init__.py").exists():
        archive = subprocess.run(["git", "archive", "--format=tar", sha, "searchkit"], cwd=REPO_ROOT,
                                 capture_output=True, timeout=60, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
    return dest, sha


def run_worker(args: list[str], log: Path, opts: Settings) -> dict:
    """Run bench/peers.py in a new process group; its last stdout line is the JSON result."""
    log.parent.mkdir(parents=True, exist_ok=True)
    timeout = opts.timeout
    with log.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, str(BENCH_DIR / "peers.py"), *args], stdout=subprocess.PIPE,
                                stderr=err, text=True, cwd=REPO_ROOT, env=opts.env, start_new_session=True)
        with TreeRSSSampler(proc.pid) as rss:
            t0 = now()
            try:
                out, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                return {"error": f"timed out after {timeout:.0f} s (log: {log})"}
            wall = now() - t0
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    try:
        result = json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
        result = {"error": f"exit {proc.returncode}: {tail[-1] if tail else 'no output'} (log: {log})"}
    result.update(wall_s=wall, peak_rss_tree_kb=rss.peak_kb, exit=proc.returncode)
    return result


def bench_system(name: str, corpus: Path, work: Path, queries_file: Path, raw: int, opts: Settings,
                 incremental: bool, cluster_run_dir: Path | None = None, units: tuple[str, ...] = ("passage",)) -> dict:
    """Index ``corpus`` with system ``name``, query it, re-index it if ``incremental``; for the opensearch
    system, ``cluster_run_dir`` (the run dir of the scripts that started the cluster) gives the cluster RSS
    (summed node RSS: peak while indexing, right after it, peak while querying). ``units`` are the query modes
    of a system that has both (searchkit): "passage" is its default (figures in its own column), "article"
    gives the figures of the column ``<name> (articles)``, returned under the key ``"articles"``."""
    from cluster import ClusterRSSSampler

    index = work / f"index-{name}"
    print(f"[{name}] indexing …", file=sys.stderr, flush=True)
    load_before = os.getloadavg()[0]
    with ClusterRSSSampler(cluster_run_dir) as indexing:
        build = run_worker(["build", name, "--corpus", str(corpus), "--index", str(index), "--jobs", str(opts.jobs)],
                           work / f"{name}-build.log", opts)
    res: dict = {"build": build, "load_1min_before": load_before}
    if cluster_run_dir is not None:
        res["cluster_rss_index_peak_mb"] = indexing.peak_kb / 1024
        res["cluster_rss_after_index_mb"] = indexing.last_kb / 1024
    if "error" in build:
        res["error"] = build["error"]
        return res
    report = build.get("report") if isinstance(build.get("report"), dict) else {}
    res["articles_indexed"] = build.get("docs", report.get("articles"))
    res["index_s"] = build["seconds"]
    res["index_mbps"] = raw / 1e6 / build["seconds"]
    res["peak_rss_mb"] = build["peak_rss_tree_kb"] / 1024
    res["index_bytes"] = build.get("index_bytes", dir_size(index))  # a cluster's: primary store size
    res["size_ratio"] = res["index_bytes"] / raw
    print(f"[{name}] {build['seconds']:.1f} s; querying …", file=sys.stderr, flush=True)
    with ClusterRSSSampler(cluster_run_dir) as querying:
        if "passage" in units:
            res.update(query_figures(name, index, queries_file, opts, work, None))
        if "article" in units:
            print(f"[{name}] querying, one hit per article …", file=sys.stderr, flush=True)
            res["articles"] = {"unit": "article", "index_of": name,
                               **query_figures(name, index, queries_file, opts, work, "article")}
    if cluster_run_dir is not None:
        res["cluster_rss_query_peak_mb"] = querying.peak_kb / 1024
    if incremental:
        print(f"[{name}] incremental re-index of the unchanged corpus …", file=sys.stderr, flush=True)
        again = run_worker(["build", name, "--corpus", str(corpus), "--index", str(index), "--jobs", str(opts.jobs),
                            "--incremental"], work / f"{name}-reindex.log", opts)
        res["reindex"] = again
        if "error" not in again:
            res["reindex_s"] = again["seconds"]
            res["reindex_pct"] = 100 * again["seconds"] / build["seconds"]
    return res


def query_figures(name: str, index: Path, queries_file: Path, opts: Settings, work: Path,
                  unit: str | None) -> dict:
    """Per class p50/p95, no-hit share and raw latencies of system ``name`` on ``index``; ``unit`` "article"
    asks a system that has both (searchkit) for one hit per article, None for its default (passages)."""
    args = ["query", name, "--index", str(index), "--queries", str(queries_file), "--warmup", str(opts.warmup),
            "--budget", str(opts.budget), "--repeat", str(opts.repeat)] + (["--unit", unit] if unit else [])
    q = run_worker(args, work / f"{name}-query{'-' + unit if unit else ''}.log", opts)
    if "error" in q:
        return {"query_error": q["error"]}
    res: dict = {"open_ms": q["open_ms"]}
    for cls, r in q["classes"].items():
        res[cls] = {"p50_ms": percentile(r["ms"], 50), "p95_ms": percentile(r["ms"], 95), "n": len(r["ms"]),
                    "zero_hit_pct": 100 * sum(1 for h in r["hits"] if h == 0) / max(1, len(r["hits"])),
                    "errors": r["errors"], "first_error": r["first_error"], "truncated": r["truncated"],
                    "ms": [round(x, 3) for x in r["ms"]]}
    return res


def measure_startup(work: Path, runs: int, opts: Settings) -> dict:
    """Wall time of `searchkit search WORD` on a copy of the bundled corpus, index already built."""
    exe = [shutil.which("searchkit")] if shutil.which("searchkit") else [sys.executable, "-m", "searchkit.cli"]
    home = work / "startup"
    if home.exists():
        shutil.rmtree(home)
    shutil.copytree(REPO_ROOT / "corpus", home / "corpus")
    words = Counter(w for p in sorted((home / "corpus").iterdir())
                    for w in CANDIDATE.findall(p.read_text(encoding="utf-8", errors="replace").lower())
                    if len(w) >= 5 and w not in STOP_WORDS)
    word = min(words, key=lambda w: (-words[w], w))
    # As installed: pip writes bytecode at install time and an editable install on first import, so the timed
    # runs read cached .pyc files; PYTHONDONTWRITEBYTECODE (set on some CI machines) would have every run compile
    # all of searchkit from source again (~0.1 s here), which no user's start-up pays. The untimed first run,
    # which builds the index, writes the bytecode.
    env, timeout = {k: v for k, v in opts.env.items() if k != "PYTHONDONTWRITEBYTECODE"}, min(opts.timeout, 600)
    cmd = [*exe, "search", word]
    t0 = now()
    first = subprocess.run(cmd, cwd=home, env=env, capture_output=True, text=True, timeout=timeout)
    out: dict = {"command": " ".join(["searchkit", "search", word]), "first_run_s": now() - t0, "bytecode_cached": True}
    if first.returncode != 0 or not first.stdout.strip():
        tail = (first.stderr.strip().splitlines() or ["no output"])[-1]
        return {**out, "error": f"exit {first.returncode}: {tail}"}
    to_first_line, total = [], []
    for _ in range(runs):
        t0 = now()
        proc = subprocess.Popen(cmd, cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        proc.stdout.readline()
        to_first_line.append(now() - t0)
        proc.communicate(timeout=timeout)
        total.append(now() - t0)
    imp = subprocess.run([sys.executable, "-X", "importtime", "-m", "searchkit.cli", "search", word], cwd=home,
                         env=env, capture_output=True, text=True, timeout=timeout)
    rows = []
    for line in imp.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append({"module": m.group(4), "self_ms": int(m.group(1)) / 1000,
                         "cumulative_ms": int(m.group(2)) / 1000, "depth": len(m.group(3)) // 2})
    top = sorted((r for r in rows if r["depth"] == 0), key=lambda r: -r["cumulative_ms"])[:12]
    return {**out, "runs": runs, "first_line_median_s": statistics.median(to_first_line),
            "total_median_s": statistics.median(total), "first_line_s": to_first_line, "total_s": total,
            "import_total_ms": sum(r["cumulative_ms"] for r in rows if r["depth"] == 0), "import_top": top}


# --- report -----------------------------------------------------------------------------------------------


def fmt(v, spec: str = ".1f") -> str:
    return "—" if v is None else format(v, spec)


def summarize(report: dict) -> dict:
    s = report["systems"]
    sk = s.get("searchkit", {})
    out: dict = {}
    if "index_mbps" in sk and "index_mbps" in s.get("naive", {}):
        out["index_mbps_vs_naive"] = sk["index_mbps"] / s["naive"]["index_mbps"]
    for suffix, figures in (("", sk), ("_articles", s.get(ARTICLES.format("searchkit"), {}))):
        for cls in CLASSES:
            a, b = figures.get(cls, {}).get("p95_ms"), s.get("fts5", {}).get(cls, {}).get("p95_ms")
            if a is not None and b:
                out[f"p95_vs_fts5_{cls}{suffix}"] = a / b
    for key in ("size_ratio", "peak_rss_mb", "reindex_pct"):
        if key in sk:
            out[key] = sk[key]
    if "first_line_median_s" in report.get("startup", {}):
        out["startup_s"] = report["startup"]["first_line_median_s"]
    verdict = {}
    for key, value in out.items():
        target_key = "p95_vs_fts5" if key.startswith("p95_vs_fts5") else key
        limit = TARGETS[target_key]
        ok = value >= limit if target_key == "index_mbps_vs_naive" else value <= limit
        verdict[key] = {"value": value, "target": limit, "met": ok}
    return verdict


def render(report: dict) -> str:
    systems = report["systems"]
    names = list(systems)
    width = max(12, *(len(n) + 2 for n in names))
    rows: list[tuple[str, list[str]]] = [
        ("articles indexed", [fmt(systems[n].get("articles_indexed"), ",") for n in names]),
        ("index time (s)", [fmt(systems[n].get("index_s")) for n in names]),
        ("index MB/s", [fmt(systems[n].get("index_mbps"), ".2f") for n in names]),
        ("peak RSS (MB)", [fmt(systems[n].get("peak_rss_mb"), ".0f") for n in names]),
    ]
    if any("cluster_rss_index_peak_mb" in systems[n] for n in names):
        rows += [(label, [fmt(systems[n].get(key), ".0f") for n in names]) for label, key in (
            ("cluster RSS, indexing peak (MB)", "cluster_rss_index_peak_mb"),
            ("cluster RSS, after indexing (MB)", "cluster_rss_after_index_mb"),
            ("cluster RSS, querying peak (MB)", "cluster_rss_query_peak_mb"))]
    rows += [
        ("index size (MB)", [fmt(systems[n].get("index_bytes") and systems[n]["index_bytes"] / 1e6) for n in names]),
        ("size ÷ raw text", [fmt(systems[n].get("size_ratio"), ".2f") for n in names]),
    ]
    for cls in CLASSES:
        for p in ("p50", "p95"):
            rows.append((f"{cls} {p} (ms)", [fmt(systems[n].get(cls, {}).get(f"{p}_ms"), ".2f") for n in names]))
        rows.append((f"{cls} no hits (%)", [fmt(systems[n].get(cls, {}).get("zero_hit_pct"), ".0f") for n in names]))
    label_w = max(len(r[0]) for r in rows) + 2
    c = report["corpus"]
    lines = [f"searchkit scale benchmark — {c['articles']:,} articles, {c['raw_bytes'] / 1e6:.1f} MB raw text, "
             f"jobs={report['jobs']}, {report['queries_per_class']} queries/class (top 10 + snippets"
             f"{', fastest of %d passes' % report['repeat'] if report['repeat'] > 1 else ''}), "
             f"load average {report['environment']['load_1min_start']:.1f} → {report['load_1min_end']:.1f}; "
             f"searchkit from {report['searchkit_source']}",
             "".ljust(label_w) + "".join(n.rjust(width) for n in names)]
    lines += [label.ljust(label_w) + "".join(v.rjust(width) for v in vals) for label, vals in rows]
    for n in names:
        for key in ("error", "query_error"):
            if key in systems[n]:
                lines.append(f"{n}: {'not available' if key == 'error' else 'queries failed'}: {systems[n][key]}")
        got = systems[n].get("articles_indexed")
        if got is not None and got != c["articles"]:
            lines.append(f"{n}: WARNING: indexed {got:,} articles of {c['articles']:,} — its figures are not comparable")
        for cls in CLASSES:
            if systems[n].get(cls, {}).get("truncated"):
                lines.append(f"{n}: {cls} stopped after {systems[n][cls]['n']} queries (--query-budget)")
            err = systems[n].get(cls, {}).get("first_error")
            if err:
                lines.append(f"{n}: {systems[n][cls]['errors']} {cls} queries failed, e.g. {err}")
    sk = systems.get("searchkit", {})
    if "reindex_s" in sk:
        lines.append(f"incremental re-index (unchanged corpus): {sk['reindex_s']:.2f} s = {sk['reindex_pct']:.1f} % of the full build")
    elif "reindex" in sk:
        lines.append(f"incremental re-index: failed: {sk['reindex'].get('error')}")
    st = report.get("startup")
    if st:
        if "error" in st:
            lines.append(f"start-up (`{st['command']}`): not available: {st['error']}")
        else:
            top = ", ".join(f"{r['module']} {r['cumulative_ms']:.0f}" for r in st["import_top"][:6])
            lines.append(f"start-up (`{st['command']}`, bundled corpus, median of {st['runs']}): first line "
                         f"{st['first_line_median_s']:.3f} s, exit {st['total_median_s']:.3f} s; imports "
                         f"{st['import_total_ms']:.0f} ms ({top} ms)")
    lines.append("targets (issue 16; peak RSS must also stay flat from 10k to 300k: compare runs):")
    names_t = {"index_mbps_vs_naive": "indexing MB/s searchkit ÷ naive whoosh", "size_ratio": "index size ÷ raw text",
               "peak_rss_mb": "peak RSS of the indexing process tree (MB)",
               "reindex_pct": "incremental re-index, % of full build", "startup_s": "start-up, first line (s)"}
    for key, v in report["targets"].items():
        label = names_t.get(key) or (f"p95 searchkit ÷ FTS5, {key.removeprefix('p95_vs_fts5_').removesuffix('_articles')}"
                                     + (" (articles)" if key.endswith("_articles") else ""))
        op = "≥" if key == "index_mbps_vs_naive" else "≤"
        lines.append(f"  {label:<45} {v['value']:8.2f}  (target {op} {v['target']:g})  {'met' if v['met'] else 'NOT met'}")
    if not report["targets"]:
        lines.append("  none measurable (searchkit or the peers it is compared with did not run)")
    refs = [f"÷ {p} {sk['index_mbps'] / systems[p]['index_mbps']:.2f}" for p in ("fts5", "tantivy")
            if "index_mbps" in sk and "index_mbps" in systems.get(p, {})]
    if refs:
        lines.append("  (for reference) indexing MB/s searchkit " + ", ".join(refs))
    lines += render_opensearch(report)
    return "\n".join(lines)


def render_opensearch(report: dict) -> list[str]:
    """What the table's ``opensearch`` column is, and its ratios to the whoosh engine (``searchkit``)."""
    os_fig, sk = report["systems"].get("opensearch"), report["systems"].get("searchkit", {})
    if os_fig is None:
        return []
    c = report.get("opensearch", {})
    lines = [f"opensearch: searchkit's OpenSearch engine on {len(c.get('hosts', '').split(','))} nodes "
             f"({'started by this run, heap ' + c['heap'] + ' per node' if c.get('started_here') else c.get('hosts')}; "
             "3 shards, 1 replica); its 'peak RSS' is the client's process tree, the cluster's is 'cluster RSS'"]
    ratios = []
    if "index_mbps" in os_fig and "index_mbps" in sk:
        ratios.append(f"indexing MB/s {os_fig['index_mbps'] / sk['index_mbps']:.2f}")
    for cls in CLASSES:
        a, b = os_fig.get(cls, {}).get("p95_ms"), sk.get(cls, {}).get("p95_ms")
        if a is not None and b:
            ratios.append(f"p95 {cls} {a / b:.2f}")
    if ratios:
        lines.append("  opensearch ÷ whoosh engine: " + ", ".join(ratios))
    if "reindex_s" in os_fig:
        lines.append(f"  opensearch incremental re-index (unchanged corpus): {os_fig['reindex_s']:.2f} s = "
                     f"{os_fig['reindex_pct']:.1f} % of its full build")
    return lines


def environment() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "sqlite": sqlite3.sqlite_version, "load_1min_start": os.getloadavg()[0], "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    for mod in ("whoosh", "tantivy"):
        try:
            from importlib.metadata import version

            info[mod] = version(mod)
        except Exception:  # noqa: BLE001
            info[mod] = None
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                        text=True, timeout=10).stdout.strip() or None
        # Uncommitted edits under searchkit/ mean the figures describe a work in progress.
        info["searchkit_dirty"] = bool(subprocess.run(["git", "status", "--porcelain", "--", "searchkit"], cwd=REPO_ROOT,
                                                      capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        info["commit"] = None
    return info


def opensearch_cluster(args, opts: Settings, work: Path):
    """The cluster of ``--engine opensearch``: ``--url``'s, or one started here (see bench/cluster.py); its
    node URLs go to the workers as ``$SEARCHKIT_OPENSEARCH_URL``."""
    from cluster import BenchCluster, start_cluster

    if args.url:
        cluster = BenchCluster(args.url, args.os_run_dir)
    else:
        print(f"[opensearch] starting a 3-node cluster (heap {args.os_heap} per node) …", file=sys.stderr, flush=True)
        cluster = start_cluster(3, args.os_heap)
    opts.env["SEARCHKIT_OPENSEARCH_URL"] = cluster.hosts
    return cluster


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="10k", help="corpus size: 10k, 100k, 300k or a number (default 10k)")
    ap.add_argument("--corpus", type=Path, help="an existing JSONL corpus folder instead of bench/out/corpus-<size>")
    ap.add_argument("--json", type=Path, help="where to write the figures (default bench/out/search-<size>.json)")
    ap.add_argument("--peers", default=None,
                    help="comma list of peers: naive,fts5,tantivy (or none; default all, none with --engine opensearch)")
    ap.add_argument("--engine", choices=("whoosh", "opensearch"), default="whoosh",
                    help="opensearch: also searchkit on an OpenSearch cluster, beside the whoosh engine (issue 17)")
    ap.add_argument("--url", help="with --engine opensearch: the cluster's node URL(s), comma-separated "
                                  "(default: start a 3-node cluster with opensearch/start.sh, ports 9600+)")
    ap.add_argument("--os-run-dir", type=Path, help="the run dir of the scripts that started the --url cluster "
                                                    "(for its RSS)")
    ap.add_argument("--os-heap", default="1g", help="heap per node of the cluster the benchmark starts (512m tripped circuit breakers at 100k)")
    ap.add_argument("--no-searchkit", action="store_true", help="skip searchkit (peers only)")
    ap.add_argument("--no-startup", action="store_true", help="skip the CLI start-up measurement")
    ap.add_argument("--jobs", type=int, default=2, help="indexing processes/threads where a system has them")
    ap.add_argument("--queries", type=int, default=200, help="timed queries per class (default 200)")
    ap.add_argument("--warmup", type=int, default=20, help="untimed warm-up queries per class")
    ap.add_argument("--seed", type=int, default=5, help="seed of the synthetic corpus part and of the query set")
    ap.add_argument("--work", type=Path, help="folder for indexes and logs (default bench/out/work-<size>)")
    ap.add_argument("--timeout", type=float, default=7200, help="seconds allowed per indexing or query run")
    ap.add_argument("--query-budget", type=float, default=300, help="seconds per system and query class (then it stops early)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="passes over the query set; each query keeps its fastest time (noisy shared machines)")
    ap.add_argument("--units", default="passage,article",
                    help="searchkit's query modes, comma list: passage (search(q, limit=10)), article (unit='article', "
                         "its own column 'searchkit (articles)'); default both — the peers have one document per article")
    ap.add_argument("--startup-runs", type=int, default=7)
    ap.add_argument("--searchkit-rev", metavar="REV",
                    help="measure searchkit/ as of this git revision (e.g. HEAD) instead of the working tree")
    args = ap.parse_args(argv)
    try:
        size = parse_size(args.size)
    except ValueError as e:
        ap.error(str(e))
    if args.peers is None:
        args.peers = "none" if args.engine == "opensearch" else ",".join(PEERS)
    peers = [p for p in args.peers.split(",") if p and p != "none"]
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        ap.error(f"unknown peer(s): {', '.join(unknown)} (choose from {', '.join(PEERS)})")
    units = [u for u in args.units.split(",") if u]
    if not units or set(units) - {"passage", "article"}:
        ap.error("--units is a comma list of passage and article")
    if args.jobs < 1 or args.queries < 1 or args.warmup < 0:
        ap.error("--jobs and --queries must be positive, --warmup not negative")

    opts = Settings(jobs=args.jobs, warmup=args.warmup, repeat=max(1, args.repeat), timeout=args.timeout,
                    budget=args.query_budget)
    corpus, manifest = ensure_corpus(args.corpus, size, args.seed)
    label = size_label(manifest.get("articles", size))
    work = args.work or OUT_DIR / f"work-{label}"
    work.mkdir(parents=True, exist_ok=True)
    searchkit_src = "working tree"
    if args.searchkit_rev and not args.no_searchkit:
        src, searchkit_src = export_searchkit(args.searchkit_rev, work)
        opts.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), opts.env.get("PYTHONPATH")]))
    queries = sample_queries(corpus, args.queries, args.warmup, args.seed)
    queries_file = work / "queries.json"
    queries_file.write_text(json.dumps(queries, indent=1), encoding="utf-8")

    report: dict = {"size": label, "corpus": {"path": str(corpus), **{k: manifest.get(k) for k in
                    ("articles", "real", "synthetic", "raw_bytes", "seed", "sha256")}},
                    "jobs": args.jobs, "units": units, "queries_per_class": args.queries, "warmup": args.warmup, "repeat": args.repeat,
                    "query_sample": {c: [" ".join(q["words"]) for q in qs[:5]] for c, qs in queries["classes"].items()},
                    "environment": environment(), "searchkit_source": searchkit_src, "systems": {}}
    out = args.json or OUT_DIR / (f"search-opensearch-{label}.json" if args.engine == "opensearch"
                                  else f"search-{label}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    # The peers first: they are quick, and a long searchkit run cut short still leaves their figures.
    names = peers + ([] if args.no_searchkit else ["searchkit"])
    cluster = None
    try:
        if args.engine == "opensearch":
            cluster = opensearch_cluster(args, opts, work)
            report["opensearch"] = {"hosts": cluster.hosts, "started_here": cluster.started, "heap": args.os_heap,
                                    "run_dir": str(cluster.run_dir) if cluster.run_dir else None}
            names.append("opensearch")
        for name in names:
            columns = {}
            try:
                ours = name in ("searchkit", "opensearch")  # the peers have one mode: one document per article
                columns[name] = bench_system(name, corpus, work, queries_file, manifest["raw_bytes"], opts,
                                             incremental=ours, units=tuple(units) if ours else ("passage",),
                                             cluster_run_dir=cluster.run_dir if cluster and name == "opensearch" else None)
                if "articles" in columns[name]:
                    columns[ARTICLES.format(name)] = columns[name].pop("articles")
            except Exception as e:  # noqa: BLE001 — one system's failure must not lose the others' figures
                columns[name] = {"error": f"{type(e).__name__}: {e}"}
            order = ("searchkit", ARTICLES.format("searchkit"), "opensearch", ARTICLES.format("opensearch"), *PEERS)
            report["systems"] = {n: {**report["systems"], **columns}[n] for n in
                                 sorted({*report["systems"], *columns}, key=order.index)}
            out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")  # partial figures, kept if interrupted
    finally:
        if cluster is not None:
            from cluster import stop_cluster

            stop_cluster(cluster)
    if not args.no_searchkit and not args.no_startup and args.engine == "whoosh":
        print("[searchkit] start-up …", file=sys.stderr, flush=True)
        try:
            report["startup"] = measure_startup(work, args.startup_runs, opts)
        except Exception as e:  # noqa: BLE001
            report["startup"] = {"command": "searchkit search", "error": f"{type(e).__name__}: {e}"}
    report["load_1min_end"] = os.getloadavg()[0]
    report["targets"] = summarize(report)
    table = render(report)
    report["table"] = table
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(table)
    print(f"figures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
