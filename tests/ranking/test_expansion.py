"""Optional RM3 query expansion (issue 11 item 6, `searchkit.ranking.expansion`) on the bundled corpus: off by
default, on with ``expand=True`` / ``--expand`` / ``expand=1``; it adds words of the best articles and keeps
the query's exclusions and filters."""
from __future__ import annotations

import json

from click.testing import CliRunner

from searchkit.cli import main
from searchkit.index.searching import ranked_searcher
from searchkit.ranking.articles import query_words, score_articles
from searchkit.ranking.expansion import expand_words, feedback
from searchkit.settings import DEFAULT_SETTINGS
from searchkit.store.analysis import analyze


def test_feedback_words_come_from_the_best_articles_and_keep_the_original_weight(corpus_index):
    from searchkit.ranking.evaluator import match

    searcher = ranked_searcher(corpus_index, DEFAULT_SETTINGS)
    q = corpus_index.parse("tripartite", DEFAULT_SETTINGS).query
    words = query_words(q, "tripartite")
    scores = score_articles(searcher, words, DEFAULT_SETTINGS)
    fb = feedback(match(searcher, q), scores, DEFAULT_SETTINGS)
    assert 0 < len(fb) <= DEFAULT_SETTINGS.expand_terms and abs(sum(fb.values()) - 1) < 1e-9
    best = corpus_index.search("tripartite", unit="article", limit=1).hits[0]
    text = set(analyze(" ".join(p.text for p in corpus_index.article(best.article.id).passages)))
    assert set(fb) <= text | {w for h in corpus_index.search("tripartite", unit="article", limit=10).hits
                              for p in corpus_index.article(h.article.id).passages for w in analyze(p.text)}
    assert max(fb, key=fb.get) in text
    grown = expand_words(words, fb, DEFAULT_SETTINGS)
    assert len(grown.words) >= len(words.words) and grown.typed == len(words.words)
    own = sum(grown.qtf[:len(words.words)])
    assert own >= DEFAULT_SETTINGS.expand_weight * sum(grown.qtf) - 1e-9  # the original words keep their share
    assert grown.qtf[:len(words.words)] >= words.qtf  # ... at their own weights (the scale of the query)


def test_expand_is_off_by_default_and_adds_matches_when_on(corpus_index):
    plain = corpus_index.search("tripartite", unit="passage", limit=100)
    again = corpus_index.search("tripartite", unit="passage", limit=100, expand=False)
    grown = corpus_index.search("tripartite", unit="passage", limit=100, expand=True)
    assert [h.passage_index for h in plain.hits] == [h.passage_index for h in again.hits]
    assert grown.total > plain.total  # passages holding only feedback words come in
    # highlights stay the query's own words
    for h in grown.hits:
        assert all(analyze(h.snippet.text[s:e]) == ["tripartit"] for s, e in h.snippet.highlights)


def test_expansion_keeps_exclusions_and_filters(corpus_index):
    res = corpus_index.search("taliban -russia", unit="passage", limit=100, expand=True)
    assert res.total > 0 and all("russia" not in analyze(h.passage_text) for h in res.hits)
    src = corpus_index.search("taliban", unit="article", limit=100).hits[0].article.source
    res = corpus_index.search("taliban", unit="article", limit=100, expand=True, source=src)
    assert res.total > 0 and all(h.article.source == src for h in res.hits)


def test_cli_and_api_expand(corpus_index):
    from searchkit.web.app import create_app

    args = ["search", "tripartite", "--index", str(corpus_index.path), "--json", "-n", "50"]
    plain = json.loads(CliRunner().invoke(main, args).output)
    grown = json.loads(CliRunner().invoke(main, args + ["--expand"]).output)
    assert grown["total"] > plain["total"]
    client = create_app(corpus_index).test_client()
    api = client.get("/api/search", query_string={"q": "tripartite", "limit": "50", "expand": "1"}).get_json()
    assert api["total"] == grown["total"]
    assert client.get("/api/search", query_string={"q": "x", "expand": "2"}).status_code == 400


def test_eval_runs_with_expand(corpus_index, tmp_path):
    queries, qrels = tmp_path / "q.jsonl", tmp_path / "qrels.txt"
    queries.write_text(json.dumps({"id": "1", "query": "tripartite"}) + "\n", encoding="utf-8")
    best = corpus_index.search("tripartite meeting", unit="article", limit=1).hits[0].article.id
    qrels.write_text(f"1 0 {best} 1\n", encoding="utf-8")
    base = ["eval", str(queries), str(qrels), "--index", str(corpus_index.path), "--articles", "--json"]
    for extra in ([], ["--expand"]):
        r = CliRunner().invoke(main, base + extra)
        assert r.exit_code == 0, r.output
        assert json.loads(r.output)["metrics"]["ndcg@10"] > 0


def test_export_of_every_match_expands_too(corpus_index):
    args = ["search", "tripartite", "--index", str(corpus_index.path), "--format", "jsonl", "--all"]
    plain = CliRunner().invoke(main, args).output.splitlines()
    grown = CliRunner().invoke(main, args + ["--expand"]).output.splitlines()
    res = corpus_index.search("tripartite", limit=1, expand=True)
    assert len(plain) < len(grown) == res.total
