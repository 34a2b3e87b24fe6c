"""Article-body extraction benchmark: searchkit's HTML path on the Zyte article-extraction DEV split.

Scores two levels against ``ground-truth.json`` with the benchmark's own metric (re-implemented here from
the description in ``../shared/eval/extraction/README.md``: multiset word-4-gram shingles, per-page
normalised TP/FP/FN, macro precision/recall, F1 from the two means, exact-token accuracy):
- reader:   ``searchkit.ingest.read_file`` -> ``RawDocument.text`` (trafilatura + markdownify)
- pipeline: ``searchkit.parse.parse_file`` -> ``Article.body`` (reader + article parser's boilerplate removal)
and prints them beside reference rows of the README's DEV-split table, plus pages per second on one core.

    python bench/extraction.py [--limit N] [--repeat N] [--worst N] [--predictions FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "eval" / "extraction"
REFERENCE_ROWS = ("AutoExtract", "rs_trafilatura", "newspaper", "trafilatura", "readability", "html-text")
_WORD = re.compile(r"\w+")

sys.path.insert(0, str(ROOT))


def tokens(text: str | None) -> list[str]:
    return _WORD.findall(text or "")


def shingles(toks: list[str], n: int = 4) -> Counter:
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))


def page_counts(gold: str, pred: str) -> tuple[float, float, float]:
    """Per-page TP, FP, FN over shingle multisets, normalised so every page weighs the same."""
    g, p = shingles(tokens(gold)), shingles(tokens(pred))
    tp = fp = fn = 0
    for s in g.keys() | p.keys():
        t, q = g[s], p[s]
        tp += min(t, q)
        fp += max(0, q - t)
        fn += max(0, t - q)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def page_precision_recall(tp: float, fp: float, fn: float) -> tuple[float, float]:
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    precision = 0.0 if tp == 0 and fp == 0 else tp / (tp + fp)
    recall = 0.0 if tp == 0 and fn == 0 else tp / (tp + fn)
    return precision, recall


def evaluate(gold: dict[str, str], pred: dict[str, str]) -> dict[str, float]:
    """F1 / precision / recall / accuracy as the benchmark defines them (point estimates)."""
    precisions, recalls, exact = [], [], 0
    for key, gold_text in gold.items():
        tp, fp, fn = page_counts(gold_text, pred.get(key) or "")
        p, r = page_precision_recall(tp, fp, fn)
        if tp + fp > 0:
            precisions.append(p)
        if tp + fn > 0:
            recalls.append(r)
        exact += tokens(gold_text) == tokens(pred.get(key))
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall, "accuracy": exact / len(gold) if gold else 0.0}


def reference_rows(readme: Path) -> dict[str, dict[str, float]]:
    """The DEV-split table of the README (``| system | F1 | precision | recall | accuracy |``)."""
    rows: dict[str, dict[str, float]] = {}
    text = readme.read_text(encoding="utf-8")
    section = text.split("DEV-split numbers", 1)[-1]
    for m in re.finditer(r"^\|\s*([\w.-]+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|", section, re.M):
        rows[m.group(1)] = dict(zip(("f1", "precision", "recall", "accuracy"), map(float, m.groups()[1:])))
    return rows


def run_level(keys: list[str], html_dir: Path, level: str) -> tuple[dict[str, str], float, list[str]]:
    """Predicted body per key at one level ("reader" or "pipeline"), the CPU seconds it took, and problems."""
    from searchkit.errors import ReadError
    from searchkit.ingest import read_file
    from searchkit.parse import parse_file

    produce = (lambda p: [d.text for d in read_file(p) if not isinstance(d, ReadError)]) if level == "reader" \
        else (lambda p: [a.body for a in parse_file(p) if not isinstance(a, ReadError)])
    preds, problems = {}, []
    start = time.process_time()
    for key in keys:
        try:
            texts = produce(html_dir / f"{key}.html.gz")
        except ReadError as e:
            texts = []
            problems.append(f"{level} {key[:12]}: {e.reason}")
        preds[key] = texts[0] if texts else ""
    return preds, time.process_time() - start, problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages (sorted keys)")
    ap.add_argument("--worst", type=int, default=0, help="list the N pages with the lowest pipeline F1")
    ap.add_argument("--repeat", type=int, default=3, help="time N runs and report the fastest (default 3)")
    ap.add_argument("--predictions", type=Path, help="write pipeline predictions in the upstream JSON format")
    args = ap.parse_args()
    if not (DATA / "ground-truth.json").is_file():
        print(f"benchmark data not found at {DATA.resolve()} (it sits beside the checkout in CI)", file=sys.stderr)
        return 1
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # "pages per second on one core"

    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[: args.limit or None]
    gold = {k: truth[k]["articleBody"] for k in keys}
    run_level(keys[:1], DATA / "html", "pipeline")  # warm-up: imports and lazy set-up are not per-page costs
    reader, t_reader, problems = run_level(keys, DATA / "html", "reader")
    pipeline, t_pipeline, more = run_level(keys, DATA / "html", "pipeline")
    problems += more
    for _ in range(args.repeat - 1):  # the fastest run is the one least disturbed by other processes
        t_reader = min(t_reader, run_level(keys, DATA / "html", "reader")[1])
        t_pipeline = min(t_pipeline, run_level(keys, DATA / "html", "pipeline")[1])

    refs = reference_rows(DATA / "README.md")
    print(f"Article body extraction, DEV split: {len(keys)} pages (metric re-implemented from the README)\n")
    print(f"{'system':<28}{'F1':>7}{'prec':>7}{'recall':>8}{'acc':>7}{'pages/s':>9}")
    for name, pred, seconds in (("searchkit reader (text)", reader, t_reader),
                                ("searchkit pipeline (body)", pipeline, t_pipeline)):
        s = evaluate(gold, pred)
        print(f"{name:<28}{s['f1']:>7.3f}{s['precision']:>7.3f}{s['recall']:>8.3f}{s['accuracy']:>7.3f}"
              f"{len(keys) / seconds:>9.1f}")
    print("  -- README, DEV split (upstream predictions) --")
    for name in REFERENCE_ROWS:
        if name in refs:
            r = refs[name]
            print(f"{name:<28}{r['f1']:>7.3f}{r['precision']:>7.3f}{r['recall']:>8.3f}{r['accuracy']:>7.3f}")
    print(f"\npages/s: per CPU-second on one core (process time, fastest of {args.repeat} runs, after a warm-up page);\n"
          f"pipeline = reader + article parser "
          f"({1000 * t_reader / len(keys):.1f} ms + {1000 * (t_pipeline - t_reader) / len(keys):.1f} ms per page)")
    for line in problems:
        print("problem:", line)
    if args.worst:
        print("\nlowest pipeline F1 (per page, for diagnosis):")
        per_page = []
        for k in keys:
            p, r = page_precision_recall(*page_counts(gold[k], pipeline[k]))
            per_page.append((2 * p * r / (p + r) if p + r else 0.0, p, r, k))
        for f1, p, r, k in sorted(per_page)[: args.worst]:
            print(f"  {k[:16]}  F1 {f1:.3f}  P {p:.3f}  R {r:.3f}  {truth[k].get('url', '')}")
    if args.predictions:
        args.predictions.write_text(json.dumps({k: {"articleBody": v} for k, v in pipeline.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
