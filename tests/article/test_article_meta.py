"""Reader metadata (HTML <meta>, front matter, JSON fields) wins over guesses, but is cleaned the same way."""
from __future__ import annotations

import pytest

from searchkit.article import build_article
from searchkit.article.headline import clean_headline
from searchkit.model import RawDocument

TEXT = (
    "Harbour Daily, the independent voice of the coast.\n\n"
    "Dock Strike Ends After Three Weeks\n\n"
    "Dock workers voted on Sunday to accept a revised wage offer, ending a strike that had stranded "
    "hundreds of containers, the union said."
)


def test_meta_values_are_preferred_and_cleaned():
    meta = {"headline": "Dock Strike Ends After Three Weeks | Harbour Daily", "date": "Sun, 04 Apr 2021 09:00:00 GMT",
            "author": ["Marieke de Vries"], "source": "Harbour Daily Online", "url": "https://harbour.example/strike"}
    art = build_article(RawDocument("a", "a.html", TEXT, "html", meta))
    assert (art.headline, art.date, art.author, art.source, art.url) == (
        "Dock Strike Ends After Three Weeks", "2021-04-04", "Marieke de Vries", "Harbour Daily Online",
        "https://harbour.example/strike")
    assert art.paragraphs == [TEXT.split("\n\n")[-1]]  # the printed headline is not body text


def test_without_meta_the_text_is_read():
    art = build_article(RawDocument("a", "a.txt", TEXT, "text"))
    assert art.headline == "Dock Strike Ends After Three Weeks"
    assert art.source == "Harbour Daily" and art.url is None


@pytest.mark.parametrize(
    "title, clean",
    [
        ("Dock Strike Ends | Harbour Daily", "Dock Strike Ends"),
        ("Dock Strike Ends After Three Weeks - Harbour Daily", "Dock Strike Ends After Three Weeks"),
        ("Afghanistan - Russia relations warm again", "Afghanistan - Russia relations warm again"),
        ("  Dock   Strike Ends ", "Dock Strike Ends"),
    ],
)
def test_site_suffix_is_stripped(title, clean):
    assert clean_headline(title) == clean


def test_empty_document_gives_empty_article():
    art = build_article(RawDocument("e", "e.txt", "", "text"))
    assert art.headline is None and art.paragraphs == [] and art.passages == [] and art.quotes == []


@pytest.mark.parametrize("title", ["Opinion | Dock Strike Ends Early", "BREAKING: Dock Strike Ends Early"])
def test_section_label_prefix_is_stripped(title):
    assert clean_headline(title) == "Dock Strike Ends Early"


@pytest.mark.parametrize(
    "author, clean",
    [("By TOM KRISHER, AP Auto Writer", "Tom Krisher"), ("Victor Tangermann, Futurism", "Victor Tangermann"),
     ("Jane Doe and John Roe", "Jane Doe and John Roe"), ("Marieke de Vries", "Marieke de Vries"),
     ("News Nation Bureau", "News Nation Bureau")],
)
def test_meta_author_is_cleaned(author, clean):
    art = build_article(RawDocument("a", "a.html", TEXT, "html", {"author": author}))
    assert art.author == clean


@pytest.mark.parametrize(
    "source, clean",
    [("Autoracing | F1 | Indy | MotoGP", "Autoracing"), ("https://www.harbour.example", "harbour.example"),
     ("Los Angeles Times", "Los Angeles Times")],
)
def test_meta_source_is_cleaned(source, clean):
    assert build_article(RawDocument("a", "a.html", TEXT, "html", {"source": source})).source == clean
