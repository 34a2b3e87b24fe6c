"""Publication dates: the written forms news pages use, metadata strings, and which line counts."""
from __future__ import annotations

import pytest

from searchkit.article import build_article
from searchkit.article.dates import article_date, find_date, is_date_line, normalize_date
from searchkit.model import RawDocument


@pytest.mark.parametrize(
    "text, iso",
    [
        ("Published On: Sun, Mar 19th, 2017", "2017-03-19"),
        ("publish: 24 November 2017", "2017-11-24"),
        ("(Last Updated On: March 18, 2017)", "2017-03-18"),
        ("CH/L \u2013 nsnbc 19.03.2017", "2017-03-19"),
        ("Posted 2021-04-05", "2021-04-05"),
        ("Updated 05/04/2021", "2021-05-04"),  # US numeric: month first
        ("Updated 25/04/2021", "2021-04-25"),  # cannot be a month: day first
        ("Wednesday, 14 June 2023", "2023-06-14"),
        ("Sept. 4, 2018", "2018-09-04"),
        ("1st of nothing", None),
        ("31.02.2017", None),  # no such day
    ],
)
def test_written_forms(text, iso):
    assert find_date(text) == iso


@pytest.mark.parametrize(
    "value, iso",
    [
        ("2017-03-19T10:00:00Z", "2017-03-19"),
        ("2017-03-19", "2017-03-19"),
        ("Sun, 19 Mar 2017 10:00:00 +0000", "2017-03-19"),
        ("March 19, 2017", "2017-03-19"),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_metadata_dates_are_normalised(value, iso):
    assert normalize_date(value) == iso


def test_prose_dates_are_not_date_lines():
    assert not is_date_line("The ceasefire began at midnight on March 3, 2022.")
    assert is_date_line("March 3, 2022")
    assert article_date(["The ceasefire began at midnight on March 3, 2022.", "Filed 4 March 2022"]) == "2022-03-04"


def test_labelled_date_wins_over_a_sign_off():
    assert article_date(["AB/cd 01.01.2019", "Posted on: 2 January 2019"]) == "2019-01-02"


def test_meta_date_wins_and_no_printed_date_gives_none():
    text = "Harbour Deal Signed\n\nPosted on 2021-04-05\n\nThe port authority signed the deal on Tuesday, officials said."
    assert build_article(RawDocument("a", "a", text, "text", {"date": "2021-04-07T08:00:00+02:00"})).date == "2021-04-07"
    assert build_article(RawDocument("a", "a", text, "text")).date == "2021-04-05"
    undated = "Harbour Deal Signed\n\nThe port authority signed the deal on Tuesday, 5 April 2021, officials said."
    assert build_article(RawDocument("a", "a", undated, "text")).date is None
