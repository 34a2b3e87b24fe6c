"""One name per person in search (issue 13): the speaker facet shows one value per person and
``--speaker`` finds every variant of the name, on the bundled corpus."""
from __future__ import annotations

import json

from click.testing import CliRunner

from searchkit.cli import main
from searchkit.results.search import search


def test_atmar_variants_are_one_speaker_facet_value(corpus_index):
    res = search(corpus_index, "atmar", limit=50)
    atmar = [name for name in res.facets["speaker"] if name.endswith("Atmar")]
    assert atmar == ["Mohammad Haneef Atmar"] or (len(atmar) == 1 and len(atmar[0].split()) == 3), res.facets


def test_speaker_filter_with_a_variant_finds_every_spelling(corpus_index):
    exact = {name: search(corpus_index, "afghanistan", speaker=name, unit="article", limit=50).total
             for name in ("Mohammad Hanif Atmar", "Mohammad Haneef Atmar", "Hanif Atmar")}
    any_variant = search(corpus_index, "afghanistan", speaker="haneef atmar", unit="article", limit=50)
    assert any_variant.total >= max(exact.values()) > 0
    assert all(v == any_variant.total for v in exact.values())  # every spelling finds the same person


def test_cli_speaker_option_accepts_a_lower_case_variant(corpus_index):
    result = CliRunner().invoke(main, ["search", "--index", str(corpus_index.path), "--json",
                                       "--speaker", "haneef atmar", "atmar"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["total"] > 0 and list(out["facets"]["speaker"]) == ["Mohammad Haneef Atmar"]
