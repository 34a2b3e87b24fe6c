"""`searchkit dupes|saved|eval|serve --engine opensearch`: the same commands, answers and JSON as on the whoosh
engine, on planted copies (`copies.plant`: an original, a trimmed copy, a follow-up reusing one paragraph)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from copies import plant
from serving import start, stop

import searchkit
import searchkit.dupes

REPO = Path(__file__).resolve().parents[2]
QUERY = "Patrushev Taliban contacts"


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searchkit.cli", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})}, cwd=REPO)


@pytest.fixture(scope="module")
def both(cluster, opensearch_cluster, tmp_path_factory):
    """(folder of the articles, whoosh index folder, --engine options of a cluster index holding the same)."""
    tmp = tmp_path_factory.mktemp("commands")
    root, _, reused = plant(tmp / "corpus")
    whoosh = tmp / "index"
    assert _cli("index", str(root), "--index", str(whoosh)).returncode == 0
    name = f"test-cmd-{uuid.uuid4().hex[:8]}"
    opts = ["--engine", "opensearch", "--url", opensearch_cluster.url, "--name", name]
    done = _cli("index", str(root), *opts, "--json")
    assert done.returncode == 0, done.stderr
    yield root, whoosh, opts, reused
    cluster.delete_index(f"{name}-*")


def _json_lines(done: subprocess.CompletedProcess) -> list:
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_dupes_lists_the_same_groups(both):
    _, whoosh, opts, _ = both
    on_cluster = _json_lines(_cli("dupes", *opts, "--json"))
    assert on_cluster == _json_lines(_cli("dupes", "--index", str(whoosh), "--json"))
    assert [a["id"] for a in on_cluster[0]["articles"]] == ["a/original.md", "b/copy.md"]
    text = _cli("dupes", *opts, env={"NO_COLOR": "1"})
    assert text.returncode == 0 and "Outlet B" in text.stdout


def test_the_article_ranking_field_survives_the_copy_group_update(both, cluster):
    """Storing the groups re-indexes passage 0 from ``_source``, which leaves ``article_text`` out: it is
    rebuilt, so every article (all three here were updated) keeps its article-level ranking terms."""
    _, _, opts, _ = both
    index = opts[-1]

    def count(query):
        return cluster.call("count", cluster.client.count, index=index, body={"query": query})["count"]

    assert count({"exists": {"field": "group"}}) > 0
    assert count({"exists": {"field": "article_text"}}) == count({"term": {"pindex": 0}}) == 3
    assert count({"term": {"article_text": "taliban"}}) == count({"bool": {"filter": [
        {"term": {"pindex": 0}}, {"terms": {"article_id": ["a/original.md", "b/copy.md", "c/followup.md"]}}]}})


def test_search_shows_one_copy_with_the_other_listed_and_first_seen(both):
    _, whoosh, opts, reused = both
    for extra in ([], ["--all-copies"]):
        o = json.loads(_cli("search", QUERY, *opts, "--articles", "--json", *extra).stdout)
        w = json.loads(_cli("search", QUERY, "--index", str(whoosh), "--articles", "--json", *extra).stdout)
        assert o["total"] == w["total"] and o["facets"] == w["facets"]
        # the same articles, each with the same copies (near-identical copies may swap places in the ranking)
        assert {r["article"]["id"]: r["copies"] for r in o["results"]} == \
               {r["article"]["id"]: r["copies"] for r in w["results"]}
    plain = json.loads(_cli("search", QUERY, *opts, "--articles", "--json").stdout)
    assert any(r["copies"] and r["copies"][0]["source"] for r in plain["results"])
    words = " ".join(reused.split()[3:9])
    o = json.loads(_cli("search", words, *opts, "--json").stdout)
    w = json.loads(_cli("search", words, "--index", str(whoosh), "--json").stdout)
    assert {r["article"]["id"]: r["passage"]["first_seen"] for r in o["results"]} == \
           {r["article"]["id"]: r["passage"]["first_seen"] for r in w["results"]}
    assert any((r["passage"]["first_seen"] or {}).get("id") == "a/original.md" for r in o["results"])


def test_saved_searches_report_new_articles_once(both, tmp_path):
    root, _, opts, _ = both
    env = {"SEARCHKIT_STATE_DIR": str(tmp_path / "state")}
    other = next(searchkit.parse_file(REPO / "corpus" / "003_7eeeb5047d5b8c34.txt"))
    query = other.headline.split()[-1]
    add = _cli("saved", "add", "later", query, *opts, env=env)
    assert add.returncode == 0, add.stderr
    listed = _json_lines(_cli("saved", "list", *opts, "--json", env=env))
    assert [(s["name"], s["new_matches"]) for s in listed] == [("later", 0)]
    shutil.copy(REPO / "corpus" / "003_7eeeb5047d5b8c34.txt", root / "later.txt")
    try:
        assert _cli("index", str(root), *opts).returncode == 0
        run = _json_lines(_cli("saved", "run", "later", *opts, "--json", env=env))
        assert [a["id"] for a in run[0]["new"]] == ["later.txt"]  # an id is the file's path under the folder
        again = _cli("saved", "run", "later", *opts, "--fail-on-new", env=env)
        assert again.returncode == 0, again.stdout + again.stderr  # reported once
    finally:
        (root / "later.txt").unlink()
        _cli("index", str(root), *opts)
    assert _cli("saved", "rm", "later", *opts, env=env).returncode == 0
    assert (tmp_path / "state" / "opensearch").is_dir()  # kept on this machine, not in the cluster


def test_eval_scores_the_cluster_as_the_folder(both, tmp_path):
    _, whoosh, opts, _ = both
    queries, qrels = tmp_path / "q.jsonl", tmp_path / "qrels.txt"
    follow_up = next(searchkit.parse_file(REPO / "corpus" / "002_6c642faf50f227e3.txt")).headline
    queries.write_text(json.dumps({"id": "1", "query": QUERY}) + "\n" + json.dumps({"id": "2", "query": follow_up}) + "\n")
    qrels.write_text("1 0 a/original.md 1\n1 0 b/copy.md 1\n2 0 c/followup.md 1\n")  # either copy answers 1
    o = json.loads(_cli("eval", str(queries), str(qrels), "--articles", "--json", *opts).stdout)
    w = json.loads(_cli("eval", str(queries), str(qrels), "--articles", "--json", "--index", str(whoosh)).stdout)
    assert list(o) == list(w) and o["metrics"] == w["metrics"]
    assert o["metrics"]["ndcg@10"] > 0.5


def test_serve_answers_the_api_from_the_cluster(both, tmp_path):
    _, whoosh, opts, _ = both
    proc, url = start(*opts, "--port", "0", cwd=tmp_path)
    try:
        with urllib.request.urlopen(f"{url}api/search?q=taliban&unit=article", timeout=30) as r:
            o = json.loads(r.read())
    finally:
        code, err = stop(proc)
    assert code == 0 and "Traceback" not in err, err
    from searchkit.web import create_app

    w = create_app(searchkit.open_index(whoosh, create=False)).test_client().get("/api/search?q=taliban&unit=article")
    w = w.get_json()
    assert list(o) == list(w) and o["total"] == w["total"] and o["facets"] == w["facets"]
    assert [list(h) for h in o["results"]] == [list(h) for h in w["results"]]


def test_an_id_another_file_holds_gets_a_suffix_across_runs(cluster, opensearch_cluster, tmp_path):
    """Two files with one id (BBC: ``business/001.txt`` and ``sport/001.txt``) indexed in separate runs: the
    second becomes ``001.txt~2`` on both engines, so its passages never overwrite the first's documents."""
    for sub, src in (("business", "000_4550e499fde3997a.txt"), ("sport", "001_233c0a0495289e8e.txt")):
        (tmp_path / sub).mkdir()
        shutil.copy(REPO / "corpus" / src, tmp_path / sub / "001.txt")
    name = f"test-ids-{uuid.uuid4().hex[:8]}"
    engines = [searchkit.open_index(tmp_path / "index"), searchkit.open_index(f"opensearch+{opensearch_cluster.url}/{name}")]
    try:
        for ix in engines:
            for sub in ("business", "sport", "business"):
                ix.add([tmp_path / sub / "001.txt"])
        got = [{aid: ix.article(aid).headline for aid in ("001.txt", "001.txt~2")} for ix in engines]
        assert got[0] == got[1] and len(set(got[0].values())) == 2
        assert engines[1].info()["articles"] == engines[1].info()["files"] == 2
    finally:
        cluster.delete_index(f"{name}-*")


def test_articles_indexed_without_sketches_are_sketched_from_their_stored_article(cluster, opensearch_cluster,
                                                                                    tmp_path):
    """An index filled before sketches were stored (simulated: the field removed) still groups its copies on
    the next run that changes something, from the articles it stores."""
    root, _, _ = plant(tmp_path / "corpus")
    ix = searchkit.open_index(f"opensearch+{opensearch_cluster.url}/test-old-{uuid.uuid4().hex[:8]}")
    try:
        (root / "c" / "followup.md").rename(tmp_path / "followup.md")
        ix.add([root])
        before = searchkit.dupes.list_groups(ix)
        index = ix._concrete()[0]
        cluster.call("drop sketches", cluster.client.update_by_query, index=index, refresh=True,
                     body={"script": {"source": "ctx._source.remove('sketch')"}})
        assert cluster.call("count", cluster.client.count, index=index,
                            body={"query": {"exists": {"field": "sketch"}}})["count"] == 0
        (tmp_path / "followup.md").rename(root / "c" / "followup.md")
        assert ix.add([root]).added == 1
        assert searchkit.dupes.list_groups(ix) == before and len(before) == 1
    finally:
        cluster.delete_index(f"{ix.name}-*")
