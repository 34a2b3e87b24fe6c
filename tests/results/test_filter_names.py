"""Issue 11 item 7: ``--source`` / ``--speaker`` (library, CLI, JSON, web page, /api/search) match facet values
case-insensitively and by part of a name, say which values they matched, and name the closest values when
nothing matches (`searchkit.results.filters.resolve`)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from searchkit.cli import main
from searchkit.engine import Filters
from searchkit.errors import QueryError
from searchkit.results.filters import match_values
from searchkit.results.search import article_ids
from searchkit.web.app import create_app


@pytest.fixture(scope="module")
def sources(corpus_index):
    values = corpus_index.facet_values("source")
    assert len(values) >= 3, values  # the bundled corpus has several outlets (else these tests prove little)
    return values


def test_facet_values_are_the_facets_values(corpus_index, sources):
    res = corpus_index.search("afghanistan", limit=1)
    assert set(res.facets["source"]) <= set(sources)
    assert set(res.facets["speaker"]) <= set(corpus_index.facet_values("speaker"))


def test_a_source_in_any_case_or_by_one_word_finds_the_same_articles(corpus_index, sources):
    for exact in sources:
        want = corpus_index.search("afghanistan", source=exact, unit="article", limit=50)
        for typed in (exact.lower(), exact.upper()):
            got = corpus_index.search("afghanistan", source=typed, unit="article", limit=50)
            assert got.total == want.total and got.filters == {"source": [exact]}, (typed, got.filters)
        assert all(h.article.source == exact for h in want.hits)


def test_part_of_a_name_matches_every_value_holding_it(corpus_index, sources):
    word = next(w for s in sources for w in s.split() if len(w) > 3 and w.isalpha())
    holding = [s for s in sources if any(x.lower().startswith(word.lower()) for x in s.split())]
    res = corpus_index.search("afghanistan", source=word.lower(), unit="article", limit=50)
    assert res.filters == {"source": holding}
    assert {h.article.source for h in res.hits} <= set(holding) and res.total > 0


def test_a_surname_finds_the_speaker(corpus_index):
    speakers = corpus_index.facet_values("speaker")
    lavrov = [s for s in speakers if s.split()[-1] == "Lavrov"]
    assert lavrov, speakers
    res = corpus_index.search("taliban", speaker="lavrov", limit=50)
    assert res.filters == {"speaker": lavrov} and res.total > 0
    assert res.total == corpus_index.search("taliban", speaker=lavrov[0], limit=50).total


def test_exact_beats_part_and_words_keep_their_order():
    values = ["Kabul", "Kabul Times", "The Kabul times", "Times of Kabul"]
    assert match_values("kabul", values) == ["Kabul"]
    assert match_values("kabul times", values) == ["Kabul Times"]
    assert match_values("kab tim", values) == ["Kabul Times", "The Kabul times"]
    assert match_values("times of", values) == ["Times of Kabul"]
    assert match_values("bul ti", values) == ["Kabul Times", "The Kabul times"]
    assert match_values("herald", values) == []


def test_nothing_matching_is_an_error_naming_the_closest_value(corpus_index, sources):
    typo = sources[0][:-2] + sources[0][-1] + sources[0][-2]  # last two letters swapped
    with pytest.raises(QueryError, match="closest") as e:
        corpus_index.search("afghanistan", source=typo)
    assert f'"{sources[0]}"' in str(e.value)
    with pytest.raises(QueryError, match="no speaker matches"):
        corpus_index.search("afghanistan", speaker="zzyzx qwerty")


def test_saved_searches_keep_an_unknown_source_instead_of_failing(corpus_index):
    assert article_ids(corpus_index, "afghanistan", source="no such outlet") == set()
    assert article_ids(corpus_index, "afghanistan", source="ariana") == \
        article_ids(corpus_index, "afghanistan", source="Ariana News") != set()


def test_filters_still_take_one_exact_string():
    assert Filters(source="Ariana News").source == ("Ariana News",)
    assert Filters(source=["A", "B"], speaker="").source == ("A", "B")
    assert Filters(speaker="").speaker is None


def test_cli_says_what_the_filter_matched_and_json_carries_it(corpus_index):
    runner = CliRunner()
    r = runner.invoke(main, ["search", "taliban", "--index", str(corpus_index.path), "--source", "ariana news"])
    assert r.exit_code == 0 and 'source: matched "Ariana News"' in r.stderr, r.output
    r = runner.invoke(main, ["search", "taliban", "--index", str(corpus_index.path), "--source", "Ariana News"])
    assert "matched" not in r.stderr  # typed exactly: nothing to say
    r = runner.invoke(main, ["search", "taliban", "--index", str(corpus_index.path), "--json", "--speaker", "lavrov"])
    out = json.loads(r.stdout)
    assert out["filters"] == {"speaker": ["Sergey Lavrov"]} and out["total"] > 0
    r = runner.invoke(main, ["search", "taliban", "--index", str(corpus_index.path), "--json", "--source", "zzyzx"])
    assert r.exit_code == 1 and "no source matches" in json.loads(r.stdout)["error"]
    r = runner.invoke(main, ["search", "taliban", "--index", str(corpus_index.path), "--source", "zzyzx"])
    assert r.exit_code == 1 and r.output.count("\n") == 1 and "Traceback" not in r.output


def test_web_page_and_api_match_the_same_way(corpus_index):
    client = create_app(corpus_index).test_client()
    r = client.get("/api/search", query_string={"q": "taliban", "source": "ariana"})
    assert r.status_code == 200 and r.get_json()["filters"] == {"source": ["Ariana News"]}
    assert r.get_json()["total"] == corpus_index.search("taliban", source="Ariana News").total
    page = client.get("/", query_string={"q": "taliban", "speaker": "lavrov"}).get_data(as_text=True)
    assert "speaker: matched &#34;Sergey Lavrov&#34;" in page or 'speaker: matched "Sergey Lavrov"' in page
    r = client.get("/api/search", query_string={"q": "taliban", "source": "zzyzx"})
    assert r.status_code == 400 and "no source matches" in r.get_json()["error"]
    assert client.get("/", query_string={"q": "taliban", "source": "zzyzx"}).status_code == 400


def test_an_empty_index_has_no_values_and_says_so(tmp_path):
    import searchkit

    index = searchkit.open_index(tmp_path / "ix", create=True)
    index.add([])
    assert index.facet_values("source") == index.facet_values("speaker") == []
    with pytest.raises(QueryError, match="no article in this index has a source"):
        index.search("taliban", source="ariana")
