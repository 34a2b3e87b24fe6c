"""Highlighting: where one query matched a passage's text and its article's headline, as [start, end) spans.

The one place that turns a query into highlight spans: search snippets and ``article.headline_highlights`` use
it (on both engines: the highlighter is searchkit's own), and so does the web page's article view (through
`highlighter`), so every view marks the same words.

What is marked follows the matching semantics (README's query table): a word is marked where the index matched
it, through the same analyzer (``talks`` for ``talk``, ``Russia’s`` for ``russia``, ``Hanif`` for ``Haneef``
through the name codes); a phrase is marked only where the whole phrase occurs (one span from its first to its
last word), never word by word; passage text is marked for body, quote and speaker clauses, the headline for
headline clauses (an unscoped word has both); excluded parts mark nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from whoosh.query import Term

from ..errors import QueryError
from ..model import Snippet
from ..query.parser import positive_leaves
from ..settings import DEFAULT_SETTINGS
from ..store.analysis import NewsAnalyzer, name_analyzer, news_analyzer
from ..store.schema import BODY, HEADLINE, NAMES, QUOTE, SPEAKER
from .snippets import build_snippet, spans_for

PASSAGE_FIELDS = (BODY, QUOTE, SPEAKER)  # clauses whose matches are in the passage's own text


@dataclass
class Targets:
    """What to mark in one kind of text: single terms, and phrases (tuples of analysed words)."""

    terms: set[str] = field(default_factory=set)
    phrases: set[tuple[str, ...]] = field(default_factory=set)


def query_targets(q) -> dict[str, Targets]:
    """Per field, the positive terms and phrases of the parsed query ``q`` (negated parts left out). Call
    after `searchkit.query.parser.cap_expansions`, so prefix and fuzzy terms are already concrete."""
    out: dict[str, Targets] = {}
    for node in positive_leaves(q):
        target = out.setdefault(node.fieldname, Targets())
        words = tuple(w for w in ([node.text] if isinstance(node, Term) else node.words) if isinstance(w, str))
        if len(words) > 1:
            target.phrases.add(words)
        else:
            target.terms.update(words)
    return out


def _tokens(text: str, analyzer: Callable) -> list[tuple[str, int, int]]:
    """(term, start, end) of every kept token of ``text``, in order: consecutive entries are consecutive index
    positions (stop words are dropped and positions renumbered, `searchkit.store.analysis`)."""
    if type(analyzer) is NewsAnalyzer:
        tokenizer, filt = analyzer.items
        lookup = filt.lookup
        out = []
        for m in tokenizer.expression.finditer(text):
            term = lookup(m.group())
            if term is not None:
                out.append((term, m.start(), m.end()))
        return out
    try:
        return [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True, positions=True, mode="index")]
    except Exception:  # a misbehaving analyzer must not break a search result
        return []


def phrase_spans(text: str, phrases, analyzer: Callable) -> list[tuple[int, int, str]]:
    """(start, end, phrase) of every occurrence in ``text`` of one of ``phrases`` (tuples of analysed words),
    each span running from its first word's first character to its last word's last."""
    if not phrases or not text:
        return []
    tokens = _tokens(text, analyzer)
    terms = [t for t, _, _ in tokens]
    out = []
    for words in phrases:
        n = len(words)
        for i in range(len(tokens) - n + 1):
            if terms[i] == words[0] and tuple(terms[i:i + n]) == words:
                out.append((tokens[i][1], tokens[i + n - 1][2], " ".join(words)))
    return out


HEADLINES_KEPT = 256  # headlines a `Highlighter` keeps matched: bounded, so an export's memory stays flat


class Highlighter:
    """Where one query matched: its positive terms and phrases analysed once, matched as the index matched."""

    def __init__(self, q):
        targets = query_targets(q)
        self.news = news_analyzer()
        self.names = name_analyzer()
        self.text = Targets()
        for f in PASSAGE_FIELDS:
            got = targets.get(f, Targets())
            self.text.terms |= got.terms
            self.text.phrases |= got.phrases
        self.headline = targets.get(HEADLINE, Targets())
        self.name_terms = targets.get(NAMES, Targets()).terms
        self._headlines: dict[str, list[tuple[int, int]]] = {}  # a page's hits often share an article

    def _found(self, text: str, target: Targets) -> list[tuple[int, int, str]]:
        return (spans_for(text, [(target.terms, self.news), (self.name_terms, self.names)])
                + phrase_spans(text, target.phrases, self.news))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """[start, end) of every match in a passage or paragraph ``text`` (sorted, overlaps merged)."""
        return _merged(self._found(text, self.text))

    def headline_spans(self, headline: str | None) -> list[tuple[int, int]]:
        """[start, end) of every match in an article's ``headline`` (sorted, overlaps merged); each headline
        is matched once per highlighter (several passages of one article on a page share it)."""
        if not headline:
            return []
        got = self._headlines.get(headline)
        if got is None:
            if len(self._headlines) >= HEADLINES_KEPT:  # `iter_hits` highlights a whole export with one
                self._headlines.clear()
            got = self._headlines[headline] = _merged(self._found(headline, self.headline))
        return list(got)

    def __call__(self, text: str) -> Snippet:
        """The snippet of a passage: its best sentences with the matches highlighted."""
        return build_snippet(text, self._found(text, self.text))


def _merged(spans: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e, _ in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def highlighter(index, query: str) -> Highlighter | None:
    """A `Highlighter` for ``query`` on ``index`` (prefix/fuzzy terms expanded against its vocabulary),
    or None when the query has nothing to mark or cannot be read."""
    if not query or not query.strip():
        return None
    try:
        parsed = index.parse(query, DEFAULT_SETTINGS)
    except QueryError:
        return None
    return Highlighter(parsed.query)
