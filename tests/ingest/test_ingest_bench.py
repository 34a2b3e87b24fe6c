"""bench/extraction.py: the benchmark metric on hand-made cases (as the README defines it), and a smoke run."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "eval" / "extraction"
_spec = importlib.util.spec_from_file_location("bench_extraction", ROOT / "bench" / "extraction.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_shingles_follow_the_readme():
    assert bench.tokens("Hello, hello-world! 42") == ["Hello", "hello", "world", "42"]
    assert bench.shingles(["a", "b"]) == {("a", "b"): 1}  # 1-3 tokens: one shingle of all of them
    assert bench.shingles([]) == {}
    assert bench.shingles(list("abcabca")) == {("a", "b", "c", "a"): 2, ("b", "c", "a", "b"): 1,
                                               ("c", "a", "b", "c"): 1}


def test_page_scores():
    gold = "one two three four five six"
    assert bench.page_counts(gold, gold) == (1.0, 0.0, 0.0)
    tp, fp, fn = bench.page_counts(gold, "one two three four five six seven")  # 3 gold shingles + 1 extra
    assert (tp, fp, fn) == (0.75, 0.25, 0.0)
    assert bench.page_precision_recall(tp, fp, fn) == (0.75, 1.0)
    assert bench.page_precision_recall(0.0, 0.0, 1.0) == (0.0, 0.0)


def test_macro_average_and_accuracy():
    gold = {"a": "one two three four five", "b": "alpha beta gamma delta epsilon"}
    pred = {"a": "one two three four five", "b": "Alpha beta gamma delta epsilon"}  # case matters
    s = bench.evaluate(gold, pred)
    assert s["accuracy"] == 0.5
    assert s["precision"] == pytest.approx((1.0 + 1 / 2) / 2)  # page b: 1 of 2 predicted shingles right
    assert s["recall"] == pytest.approx((1.0 + 1 / 2) / 2)
    assert s["f1"] == pytest.approx(0.75)
    # an empty prediction is left out of the precision mean but counts (as 0) in the recall mean
    s = bench.evaluate(gold, {"a": gold["a"], "b": ""})
    assert s["precision"] == 1.0 and s["recall"] == 0.5


def test_reference_rows_are_read_from_the_readme():
    if not (DATA / "README.md").is_file():
        pytest.skip("../shared/eval/extraction (benchmark data) is not beside the checkout")
    rows = bench.reference_rows(DATA / "README.md")
    assert {"AutoExtract", "trafilatura", "newspaper"} <= set(rows)
    assert all(0 < r["f1"] <= 1 for r in rows.values())


def test_smoke_run_on_three_pages():
    if not (DATA / "ground-truth.json").is_file():
        pytest.skip("../shared/eval/extraction (benchmark data) is not beside the checkout")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "extraction.py"), "--limit", "3", "--repeat", "1"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "searchkit reader (text)" in out.stdout and "searchkit pipeline (body)" in out.stdout
    assert "pages/s" in out.stdout and "problem:" not in out.stdout
