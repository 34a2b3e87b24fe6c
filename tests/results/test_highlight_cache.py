"""`Highlighter.headline_spans` matches each headline once per highlighter, in bounded memory."""
from __future__ import annotations

import searchkit.results.highlight as highlight
from searchkit.results.highlight import highlighter


def test_headline_spans_are_matched_once_and_kept_bounded(corpus_index, monkeypatch):
    monkeypatch.setattr(highlight, "HEADLINES_KEPT", 3)
    calls = []
    real = highlight.spans_for
    monkeypatch.setattr(highlight, "spans_for", lambda text, wanted: calls.append(text) or real(text, wanted))
    h = highlighter(corpus_index, "russia talks")
    headlines = [f"Russia talks {i} in Moscow" for i in range(8)]
    first = [h.headline_spans(t) for t in headlines]
    assert all(first) and len(calls) == 8
    assert h.headline_spans(headlines[-1]) == first[-1] and len(calls) == 8  # kept: not matched again
    assert h.headline_spans(headlines[0]) == first[0] and len(calls) == 9  # dropped (bounded): matched again
    fresh = highlighter(corpus_index, "russia talks")
    assert [fresh.headline_spans(t) for t in headlines] == first
    first[-1].append((0, 1))  # a caller changing its list does not change the next answer
    assert h.headline_spans(headlines[-1]) == fresh.headline_spans(headlines[-1])
