"""Smoke test of the scale benchmark scripts (bench/), so they do not rot between benchmark runs.

Runs make_corpus on 200 real + synthetic articles and the whole bench/search.py pipeline on them;
the figures themselves are not checked (speed targets live in the benchmark output, not in tests).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / ".." / "shared"
BENCH = ROOT / "bench"

pytestmark = pytest.mark.skipif(not (SHARED / "corpora").is_dir(),
                                reason="the shared news corpora (../shared/corpora beside the checkout) are absent")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def make(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return run(str(BENCH / "make_corpus.py"), "--size", "200", "--max-real", "150", "--shard-size", "80",
               "--out", str(out), *extra)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "corpus"
    proc = make(out)
    assert proc.returncode == 0, proc.stderr
    return out


def records(corpus: Path) -> list[dict]:
    return [json.loads(line) for shard in sorted(corpus.glob("articles-*.jsonl")) for line in shard.open()]


def test_corpus_mixes_real_and_synthetic_articles(corpus):
    recs = records(corpus)
    assert len(recs) == 200 and len(list(corpus.glob("articles-*.jsonl"))) == 3
    assert len({r["id"] for r in recs}) == 200
    real, synthetic = recs[:150], recs[150:]
    assert all(r["id"].startswith("reuters-") and r["source"] == "Reuters" for r in real)
    assert all(r["id"].startswith("syn-") for r in synthetic)
    for r in recs:
        assert r["text"].strip() and "\n\n\n" not in r["text"]
        assert r.get("date") is None or len(r["date"]) == 10
    # Synthetic articles are made of whole real paragraphs, never of invented text.
    pool = {p for r in real for p in r["text"].split("\n\n")}
    assert all(set(r["text"].split("\n\n")) <= pool for r in synthetic)
    assert all(3 <= len(r["text"].split("\n\n")) <= 12 for r in synthetic)
    manifest = json.loads((corpus / ".manifest.json").read_text())
    assert (manifest["real"], manifest["synthetic"]) == (150, 50)


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(corpus, tmp_path):
    again = make(tmp_path / "again")
    other = make(tmp_path / "other", "--seed", "6")
    assert again.returncode == 0 and other.returncode == 0
    shards = sorted(p.name for p in corpus.glob("articles-*.jsonl"))
    assert all((corpus / n).read_bytes() == (tmp_path / "again" / n).read_bytes() for n in shards)
    sha = [line for line in again.stdout.splitlines() if line.startswith("sha256 ")]
    assert sha and sha[0].split()[1] == json.loads((corpus / ".manifest.json").read_text())["sha256"]
    assert sha != [line for line in other.stdout.splitlines() if line.startswith("sha256 ")]


def test_make_corpus_refuses_to_overwrite_a_foreign_folder(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    proc = make(tmp_path)
    assert proc.returncode != 0 and "refusing" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_search_bench_measures_every_peer(corpus, tmp_path):
    out = tmp_path / "figures.json"
    proc = run(str(BENCH / "search.py"), "--corpus", str(corpus), "--queries", "10", "--warmup", "2",
               "--startup-runs", "1", "--work", str(tmp_path / "work"), "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["corpus"]["articles"] == 200
    for peer in ("naive", "fts5", "tantivy"):
        fig = report["systems"][peer]
        assert "error" not in fig, fig.get("error")
        assert fig["index_mbps"] > 0 and fig["peak_rss_mb"] > 0 and fig["size_ratio"] > 0
        for cls in ("one-word", "three-word", "phrase", "field"):
            assert fig[cls]["n"] == 10 and fig[cls]["errors"] == 0, fig[cls]["first_error"]
        # Query words are drawn from the corpus itself, so every one-word query must find something.
        assert fig["one-word"]["zero_hit_pct"] == 0
        assert peer in proc.stdout
    # searchkit is either measured or reported as unavailable in one line — never a crash of the harness.
    sk = report["systems"]["searchkit"]
    assert "index_mbps" in sk or ("error" in sk and "\n" not in sk["error"])
    if "index_mbps" in sk:  # both query modes of issues 11/16: passages (its own column) and articles
        assert report["units"] == ["passage", "article"]
        art = report["systems"]["searchkit (articles)"]
        assert art["unit"] == "article" and art["index_of"] == "searchkit" and "index_mbps" not in art
        for cls in ("one-word", "three-word", "phrase", "field"):
            assert sk[cls]["n"] == 10 and art[cls]["n"] == 10 and art[cls]["errors"] == 0, art[cls]["first_error"]
        assert art["one-word"]["zero_hit_pct"] == 0
        assert "searchkit (articles)" in proc.stdout and "three-word (articles)" in proc.stdout
    startup = report["startup"]
    assert "first_line_median_s" in startup or ("error" in startup and "\n" not in startup["error"])


def test_grouping_peak_reruns_the_copy_group_pass_of_an_index(corpus, tmp_path):
    """bench/grouping_peak.py on a fresh index of the smoke corpus (synthetic articles reuse real paragraphs,
    so there is provenance): its stages' counts are those of the groups file the build wrote."""
    import gzip

    index = tmp_path / "index"
    built = subprocess.run([sys.executable, "-c", "from searchkit.cli import main; main()", "index", str(corpus),
                            "--index", str(index)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    proc = run(str(BENCH / "grouping_peak.py"), str(index))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(gzip.decompress((index / "dupes.json").read_bytes()))
    passages = sum(len(v) for v in doc["first_seen"].values())
    assert passages, "the smoke corpus should have reused passages"
    assert f"| provenance ({passages:,} passages) |" in proc.stdout
    assert f"({len(doc['groups']):,} groups)" in proc.stdout and "(200 articles," in proc.stdout
    missing = run(str(BENCH / "grouping_peak.py"), str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
