"""Any text and any metadata give an Article: no exception, offsets and quote indexes always valid."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit.article import build_article
from searchkit.model import RawDocument

PIECES = st.sampled_from(
    list("abc XYZ.,;:!?\"\u201c\u201d\u00ab\u00bb\u201e'\u2019-\u2014_|#*>[]()<>/\n\t0123456789")
    + ["\n\n", "By ", "said ", "Related posts", "According to ", "About ", " logo", "2017", "March ", "He said",
       "\u00a0", "](", "![", "**"]
)
META = st.dictionaries(
    st.sampled_from(["headline", "date", "author", "source", "url"]),
    st.one_of(st.text(max_size=30), st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=2)),
    max_size=3,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=120).map("".join), META)
def test_any_input_gives_a_consistent_article(text, meta):
    art = build_article(RawDocument("x", "x.txt", text, "text", meta))
    body = art.body
    assert all(body[p.start:p.end] == p.text for p in art.passages)
    assert all(0 <= q.paragraph < len(art.paragraphs) for q in art.quotes)
    assert art.date is None or len(art.date) == 10
    assert all(p.strip() == p and p for p in art.paragraphs)
