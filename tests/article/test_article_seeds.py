"""The five seed pages in corpus/: facts read off the pages themselves (not from any evaluation data)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from searchkit.article import build_article
from searchkit.model import Article, RawDocument

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _seed(prefix: str) -> Article:
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    return build_article(RawDocument(path.name, str(path), path.read_text(encoding="utf-8"), "text"))


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    return {p: _seed(p) for p in ("000", "001", "002", "003", "004")}


@pytest.mark.parametrize(
    "seed, headline, date, source, author",
    [
        ("000", "Russia Claims Contacts With Taliban Aimed at Promoting Peace in Afghanistan", "2017-03-19",
         "nsnbc international", None),
        ("001", "Hanif Atmar: If Russia has contacts with Taliban, they should use it to bring them to peace talks",
         "2017-11-24", "Stars and Stripes", None),
        ("002", "Afghanistan Considers Russia Key Regional Ally: Atmar", "2017-03-18", "Ariana News", "Hesamuddin Hesam"),
        ("003", "Afghanistan Looks To Russia For Help Bringing Taliban To Negotiating Table", None,
         "Daily Caller News Foundation", "Will Racke"),
        ("004", "Russia\u2019s peace efforts must meet Afghanistan\u2019s need", None, "The Kabul times", None),
    ],
)
def test_seed_fields(seeds, seed, headline, date, source, author):
    art = seeds[seed]
    assert (art.headline, art.date, art.source, art.author) == (headline, date, source, author)


BOILERPLATE = re.compile(
    r"Leave a (?:comment|Reply)|XHTML|email address will not|Required fields|About the Author|About Ariana|"
    r"Check Also|Related posts|cookies|Font Size|Follow Will|Send tips|All content created|republish|"
    r"REUTERS/|logo|Breaking News|Last Updated|Published On|publish:|category:|By: |RELATED:|" 
    r"Trustable News Agency|_Afghanistan_|\" />|CH/L|According to Stars",
)


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_no_boilerplate_left_and_it_is_kept_aside(seeds, seed):
    art = seeds[seed]
    assert not BOILERPLATE.search(art.body), BOILERPLATE.search(art.body)
    assert art.dropped, "the dropped lines are kept for inspection"
    assert art.headline not in art.body


def test_teaser_date_and_text_are_cut(seeds):
    art = seeds["002"]
    assert "2019" not in art.body and "Taliban Stress on Full U.S. Withdrawal" not in art.body
    assert any("August 20, 2019" in d for d in art.dropped)


def test_single_line_paragraphs_become_paragraphs(seeds):
    art = seeds["004"]
    assert len(art.paragraphs) == 8
    assert art.paragraphs[0].startswith("In 2001, Russia backed")
    assert art.paragraphs[-1].endswith("support of the militants.")


def test_real_paragraphs_are_all_kept(seeds):
    assert len(seeds["001"].paragraphs) == 11
    assert seeds["003"].paragraphs[-1].startswith("A hardline Islamist movement")
    assert seeds["000"].paragraphs[-1].endswith("among Taliban insurgents.")
    assert seeds["000"].paragraphs[1].startswith("The office of Afghanistan")


def _speakers(art: Article) -> dict[str, str | None]:
    return {q.text: q.speaker for q in art.quotes}


def test_seed_000_quote(seeds):
    assert _speakers(seeds["000"]) == {"a close regional ally": "Mohammad Hanif Atmar"}


def test_seed_001_quotes(seeds):
    quotes = seeds["001"].quotes
    assert len(quotes) == 16
    by = _speakers(seeds["001"])
    assert by["a significant role"] == "Mohammad Haneef Atmar"
    # "He said he told ... Patrushev that “...”": the pronoun is Atmar, the addressee is not the speaker
    assert by["if you have contacts with the Taliban, please use these contacts for promotion of peace talks. "
              "The Taliban should not be able to use such contacts for war."] == "Mohammad Haneef Atmar"
    assert by["absolutely counter-productive"] == by["detrimental to our common goal of stabilizing the situation"] \
        == "Zamir Kabulov"
    assert by["national reconciliation in Afghanistan"] == "Interfax"
    assert by["agreed to explore ways to further cooperate in the fight against"] == "the White House"
    assert by["So it\u2019s not one against the other."] == "Mohammad Haneef Atmar"
    assert all(q.speaker for q in quotes)


def test_seed_002_mismatched_marks(seeds):
    by = _speakers(seeds["002"])
    assert by["Russia and Afghanistan has important and common interests"] == "Mohammad Hanif Atmar"
    rest = "our cooperation is important in counter-terrorism, counter-narcotics, peace and reconciliation " \
           "as well as our economical cooperation."
    assert by[rest] == "Mohammad Hanif Atmar"
    lavrov = [q for q in seeds["002"].quotes if q.text.startswith("It is very important")]
    assert lavrov[0].speaker == "Sergey Lavrov" and lavrov[0].text.endswith("along this path")


def test_seed_003_quotes(seeds):
    quotes = seeds["003"].quotes
    assert [q.speaker for q in quotes] == [
        "Hanif Atmar", "Sergey Lavrov", "Sergey Lavrov",
        "a U.S. Department of State spokesman", "a U.S. Department of State spokesman",
    ]


def test_seed_004_unattributed_quote(seeds):
    (quote,) = seeds["004"].quotes
    assert quote.text.startswith("The current situation of Afghanistan was discussed")
    assert quote.speaker is None
