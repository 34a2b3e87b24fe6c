"""`searchkit.evaluation` and `searchkit eval`: metrics against hand-computed values, readers, a real index."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from searchkit.evaluation import (EvalInputError, EvalRun, average_precision, compare, evaluate, ndcg, precision,
                                  read_qrels, read_queries, recall, score_run)

SCIFACT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "scifact"

# One query, four documents returned; d1 (grade 1) and d3 (grade 2) found, d5 (grade 1) missed, d4 judged 0.
RANKED = ["d1", "d2", "d3", "d4"]
JUDGED = {"d1": 1, "d3": 2, "d4": 0, "d5": 1}


def test_metrics_match_hand_computed_values():
    # DCG = 1/log2(2) + 2/log2(4) = 2; ideal = 2/log2(2) + 1/log2(3) + 1/log2(4)
    assert ndcg(RANKED, JUDGED) == pytest.approx(2 / (2 + 1 / math.log2(3) + 0.5))
    assert recall(RANKED, JUDGED) == pytest.approx(2 / 3)
    assert average_precision(RANKED, JUDGED) == pytest.approx((1 / 1 + 2 / 3) / 3)  # over all 3 relevant
    assert precision(RANKED, JUDGED) == pytest.approx(2 / 10)  # divided by 10 although 4 came back


def test_cut_offs_apply():
    ranked = [f"x{i}" for i in range(10)] + ["d1"]
    assert ndcg(ranked, {"d1": 1}) == 0.0 and precision(ranked, {"d1": 1}) == 0.0
    assert recall(ranked, {"d1": 1}) == 1.0 and average_precision(ranked, {"d1": 1}) == pytest.approx(1 / 11)
    assert recall(["x"] * 100 + ["d1"], {"d1": 1}) == 0.0


def test_a_query_without_a_run_scores_zero_and_one_without_relevant_judgments_is_skipped():
    run = score_run({"1": RANKED}, {"1": JUDGED, "2": {"d1": 1}, "3": {"d1": 0}})
    assert set(run.per_query) == {"1", "2"}
    assert run.per_query["2"]["ndcg@10"] == 0.0
    assert run.metrics["p@10"] == pytest.approx(0.1)


def test_readers_take_trec_and_beir_forms(tmp_path):
    (tmp_path / "q.jsonl").write_text('{"id": 1, "query": "a b"}\n\n{"_id": "x", "text": "c"}\n')
    assert read_queries(tmp_path / "q.jsonl") == {"1": "a b", "x": "c"}
    (tmp_path / "trec").write_text("1 0 d1 2\n1 0 d2 0\n")
    (tmp_path / "beir.tsv").write_text("query-id\tcorpus-id\tscore\n1\td1\t2\n1\td2\t0\n")
    assert read_qrels(tmp_path / "trec") == read_qrels(tmp_path / "beir.tsv") == {"1": {"d1": 2, "d2": 0}}
    (tmp_path / "bad").write_text("1 0 d1 high\n")
    with pytest.raises(EvalInputError, match="line 1"):
        read_qrels(tmp_path / "bad")
    with pytest.raises(EvalInputError, match="cannot read"):
        read_queries(tmp_path / "absent.jsonl")


def test_compare_names_the_queries_that_moved():
    qrels = {"1": {"d1": 1}, "2": {"d2": 1}, "3": {"d3": 1}}
    before = score_run({"1": ["d1"], "2": ["x", "d2"], "3": ["d3"]}, qrels)
    after = score_run({"1": ["d1"], "2": ["d2"], "3": ["x"]}, qrels)
    changes = compare(after, before)
    assert [(c.qid, c.delta > 0) for c in changes] == [("2", True), ("3", False)]


def test_corpus_index_in_both_modes(corpus_index, tmp_path):
    """A query made of an article's headline finds that article first, in article and passage mode."""
    art = corpus_index.search("taliban", unit="article", limit=1).hits[0].article
    queries, qrels = {"q": art.headline}, {"q": {art.id: 1}}
    for unit in ("article", "passage"):
        run = evaluate(corpus_index, queries, qrels, unit=unit)
        assert run.run["q"][0] == art.id and run.per_query["q"]["ndcg@10"] == 1.0
        assert len(run.run["q"]) == len(set(run.run["q"]))  # passage mode: each article once


@pytest.fixture(scope="module")
def scifact_files(tmp_path_factory):
    """A small real index: the SciFact documents judged for its first 40 train queries, plus 400 others."""
    if not SCIFACT.is_dir():
        pytest.skip(f"no SciFact data at {SCIFACT} (../shared beside the checkout)")
    import searchkit

    tmp = tmp_path_factory.mktemp("scifact-eval")
    lines = (SCIFACT / "qrels" / "train.tsv").read_text().splitlines()
    qids = list(dict.fromkeys(line.split("\t")[0] for line in lines[1:]))[:40]
    keep = [line for line in lines[1:] if line.split("\t")[0] in qids]
    (tmp / "qrels.tsv").write_text("\n".join([lines[0]] + keep) + "\n")
    wanted = {line.split("\t")[1] for line in keep}
    with open(SCIFACT / "corpus.jsonl", encoding="utf-8") as f, open(tmp / "docs.jsonl", "w") as out:
        extra = 0
        for line in f:
            r = json.loads(line)
            if r["_id"] in wanted or extra < 400:
                extra += r["_id"] not in wanted
                out.write(json.dumps({"id": r["_id"], "title": r["title"], "text": r["text"]}) + "\n")
    index = searchkit.open_index(tmp / "index")
    index.add([tmp / "docs.jsonl"])
    return tmp, index


def _eval(*args, cwd):
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "searchkit.cli", "eval", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


def test_searchkit_eval_on_a_small_real_index(scifact_files):
    tmp, index = scifact_files
    queries, qrels = SCIFACT / "queries.jsonl", tmp / "qrels.tsv"
    out = _eval(queries, qrels, "--index", tmp / "index", "--articles", "--json", "--save", tmp / "run.json", cwd=tmp)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert len(got["per_query"]) == 40 and got["unit"] == "article"
    assert got["metrics"]["ndcg@10"] > 0.4  # real retrieval, not a broken run (BM25 scores ~0.7 on SciFact)
    direct = evaluate(index, read_queries(queries), read_qrels(qrels), unit="article")
    assert got["metrics"] == pytest.approx(direct.metrics)  # the command adds nothing of its own
    # A saved run with one query made worse: --compare reports exactly that query as better now.
    saved = EvalRun.load(tmp / "run.json")
    qid = max(saved.per_query, key=lambda q: saved.per_query[q]["ndcg@10"])
    saved.per_query[qid]["ndcg@10"] = 0.0
    saved.save(tmp / "worse.json")
    text = _eval(queries, qrels, "--index", tmp / "index", "--articles", "--compare", tmp / "worse.json", cwd=tmp)
    assert text.returncode == 0, text.stderr
    assert "1 better, 0 worse" in text.stdout and f"better {qid}" in text.stdout
    assert f"ndcg@10 {got['metrics']['ndcg@10']:.4f}" in text.stdout


def test_searchkit_eval_bad_input_is_one_line_and_exit_1(scifact_files, tmp_path):
    tmp, _ = scifact_files
    (tmp_path / "q.jsonl").write_text("not json\n")
    out = _eval(tmp_path / "q.jsonl", tmp / "qrels.tsv", "--index", tmp / "index", cwd=tmp_path)
    assert out.returncode == 1 and out.stderr.strip().count("\n") == 0 and "line 1" in out.stderr
    out = _eval(tmp_path / "q.jsonl", tmp / "qrels.tsv", "--index", tmp_path / "none", "--json", cwd=tmp_path)
    assert out.returncode == 1 and "error" in json.loads(out.stdout)
