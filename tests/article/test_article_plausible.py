"""Metadata must look like what it is: junk candidates from non-news text become None (issue 13)."""
from __future__ import annotations

from pathlib import Path

import pytest

from searchkit.parse import parse_file
from searchkit.article.plausible import plausible_author, plausible_source, plausible_speaker

NONNEWS = Path(__file__).resolve().parents[1] / "fixtures" / "nonnews"


@pytest.mark.parametrize("name", ["fetchit.1.txt", "deprecations.md"])
def test_manual_and_api_reference_give_no_source_or_author(name):
    (art,) = list(parse_file(NONNEWS / name))
    assert art.source is None and art.author is None
    assert all(q.speaker is None or q.speaker.startswith("the ") for q in art.quotes)


def test_manual_lines_shaped_like_taglines_stay_text():
    (art,) = list(parse_file(NONNEWS / "fetchit.1.txt"))
    assert "Upon first use, fetchit checks the network proxy settings." in art.paragraphs
    assert "Providing -q, --quiet several times has no extra effect." in art.paragraphs


@pytest.mark.parametrize("value", ["Upon first use", "Providing -q", "DEP0021: `queue.drain(callback)`",
                                   "Similarly", "For information on using the tool", "Alternatively", "7"])
def test_sentence_openings_flags_and_code_are_no_source(value):
    assert plausible_source(value) is None


@pytest.mark.parametrize("value", ["Ariana News", "The Kabul times", "nsnbc international", "example.in", "BBC Radio 4"])
def test_outlets_stay_sources(value):
    assert plausible_source(value) == value


@pytest.mark.parametrize("value", ["Now", "your needs", "this definition", "Comment", "--quiet", "S", "opts.verbose_level"])
def test_common_words_and_code_are_no_speaker(value):
    assert plausible_speaker(value) is None


@pytest.mark.parametrize("value", ["Kurt Volker", "a company spokeswoman", "the Central Statistics Office",
                                   "Kotak Institutional Equities", "Mohammad Hanif Atmar", "Will Racke"])
def test_names_and_roles_stay_speakers(value):
    assert plausible_speaker(value) == value


@pytest.mark.parametrize("value", ["S", "S The", "Authenticity", "Upon first use"])
def test_headings_are_no_author(value):
    assert plausible_author(value) is None


def test_people_stay_authors():
    assert plausible_author("Will Racke") == "Will Racke"
    assert plausible_author("Jane Doe, John Roe") == "Jane Doe, John Roe"
