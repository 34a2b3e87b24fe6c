"""An article body split by the page into sibling containers is read whole (issue 13, extraction)."""
from __future__ import annotations

import trafilatura

from searchkit.ingest.html import extract, join_split_bodies

PARA = ("The cooperative's members voted on Saturday to buy the old grain silo by the river and turn it into "
        "a cold store for the valley's apple growers, who now truck their fruit two hours to the coast. ")


def page(between: str) -> str:
    first = "".join(f"<p>{PARA}Part one, paragraph {i}.</p>" for i in range(4))
    second = "".join(f"<p>Part two, paragraph {i}: the loan is repaid from storage fees over twelve years, "
                     f"and the growers keep a seat on the board for every hundred tonnes they store.</p>"
                     for i in range(5))
    return (f"<html><head><title>Growers buy the silo</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/farming'>Farming</a></nav><main>"
            f"<h1>Growers buy the silo</h1>"
            f"<div class='row'><div class='story-body grid__main'>{first}</div><aside class='rail'>Most read</aside></div>"
            f"{between}"
            f"<div class='row'><div class='story-body grid__main'>{second}</div></div>"
            f"</main><footer>Contact us</footer></body></html>")


def test_body_split_by_an_advert_row_is_read_whole():
    text, _ = extract(page("<div class='ad-row'><span>Advertisement</span><div class='slot'></div></div>"))
    assert "Part one, paragraph 0." in text and "Part two, paragraph 4" in text


def test_next_story_after_its_own_headline_is_not_joined():
    advert = trafilatura.load_html(page("<div class='ad-row'><span>Advertisement</span></div>"))
    assert join_split_bodies(advert) == 1
    scrolled = trafilatura.load_html(page("<article><h1>Ferry timetable changes in June</h1></article>"))
    assert join_split_bodies(scrolled) == 0


def test_embedded_post_in_a_social_embed_wrapper_is_kept():
    story = "".join(f"<p>{PARA}Paragraph {i}.</p>" for i in range(3))
    html = (f"<html><head><title>Silo vote</title></head><body><main><article><h1>Silo vote</h1>{story}"
            "<div class='social-embed-box'><blockquote class='twitter-tweet'><p lang='en'>Forty years of "
            "hauling apples to the coast and now the cold store is ours. Proud of this valley tonight."
            "</p>— Orchard Co-op (@orchardcoop) <a href='https://twitter.com/x/status/1'>May 4, 2022</a>"
            "</blockquote><script src='https://platform.twitter.com/widgets.js'></script></div>"
            f"<p>{PARA}The last paragraph.</p></article></main></body></html>")
    text, _ = extract(html)
    assert "now the cold store is ours" in text and "The last paragraph." in text
