"""The one date grammar (`searchkit.article.dates.date_span`): it accepts exactly the real calendar dates and
their prefixes, and the library's filters, the web's parameters and the indexer agree on every string."""
from __future__ import annotations

from datetime import datetime

import pytest

from searchkit.article.dates import date_span
from searchkit.errors import QueryError
from searchkit.model import Article
from searchkit.results.filters import make_filters
from searchkit.store.layout import passage_documents
from searchkit.web.params import ParamError, parse_search_args

# Around year 1 (no year 0), the leap-year rules (4, 100, 400), the old web limits (1000, 2999) and 9999.
YEARS = [0, 1, 4, 100, 400, 999, 1000, 1900, 2000, 2016, 2017, 2100, 2400, 2999, 3000, 9999]


def calendar_date(y: int, m: int, d: int) -> datetime | None:
    try:
        return datetime(y, m, d)
    except ValueError:
        return None


def test_the_grammar_accepts_exactly_the_calendar_dates_and_their_prefixes():
    for y in YEARS:
        assert (date_span(f"{y:04d}") is not None) == (y >= 1), y
        for m in range(0, 14):
            for month in {f"{m}", f"{m:02d}"}:
                assert (date_span(f"{y:04d}-{month}") is not None) == (y >= 1 and 1 <= m <= 12)
                for d in range(0, 33):
                    for day in {f"{d}", f"{d:02d}"}:
                        text = f"{y:04d}-{month}-{day}"
                        expected = calendar_date(y, m, d) if y >= 1 and 1 <= m <= 12 else None
                        span = date_span(text)
                        assert (span[0] if span else None) == expected, text


def test_a_prefix_covers_its_whole_year_month_or_day():
    assert date_span("2016") == (datetime(2016, 1, 1), datetime(2016, 12, 31, 23, 59, 59, 999999))
    assert date_span("2016-2") == (datetime(2016, 2, 1), datetime(2016, 2, 29, 23, 59, 59, 999999))
    assert date_span(" 2016-12-31\t") == (datetime(2016, 12, 31), datetime(2016, 12, 31, 23, 59, 59, 999999))
    assert date_span("9999-12") == (datetime(9999, 12, 1), datetime.max)


STRINGS = ["2017", "2017-03", "2017-3", "2017-03-19", "2017-3-9", " 2017-03 ", "0001", "0999", "3000", "9999-12-31",
           "2016-02-29", "2000-2-29", "1900-02-29", "2017-02-29", "2017-04-31", "0000", "2017-00", "2017-13",
           "2017-03-00", "2017-03-19T10:00", "2017-", "20170", "201703", "17-03-19", "March 2017", "", "\u0662\u0660\u0661\u0667",
           "2017/03/19", "2017-03-19\n", "+2017", "2017-03-019"]


@pytest.mark.parametrize("text", STRINGS)
def test_library_web_and_indexer_accept_and_reject_the_same_dates(text):
    try:
        library = make_filters(since=text).since if text else None
    except QueryError:
        library = None
    try:
        web = parse_search_args({"since": [text]}, strict=True)["since"]
    except ParamError:
        web = None
    article = Article(id="a", path="f", headline="A headline", date=text or None, paragraphs=["Some text."])
    indexed = next(passage_documents(article, "f", "h", "f")).get("date")
    assert (library is not None) == (web is not None) == (indexed is not None), (library, web, indexed)
    assert library == indexed
