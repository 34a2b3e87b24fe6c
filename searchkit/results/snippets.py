"""Snippets: the best one or two sentences of a passage, with highlight spans.

Why not whoosh's highlighter: we need *offsets* (one span model rendered three ways: terminal bold, HTML
``<mark>``, JSON ``[start, end)``), and we want whole sentences rather than fragments. Matching uses the same
analyzer as the index, so ``talks`` is highlighted for the query ``talk`` and ``Russia’s`` for ``russia``.

Invariants (fuzzed by the tests): every part of the snippet between ``…`` separators is a substring of the
passage; spans lie inside the snippet, sorted and non-overlapping; the snippet is at most ``max_chars`` long
plus its separators.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Collection, Iterable, Iterator

from ..model import Snippet
from ..store.analysis import NameAnalyzer, NewsAnalyzer, fold, tokenizer

MAX_CHARS = 300
ELLIPSIS = "\u2026"
# A sentence ends at . ! ? … (plus closing quotes/brackets) followed by space, or at a line break.
# Not `searchkit.article.sentences` on purpose: that splitter (quote attribution, passage cuts) keeps
# "U.S. officials" or "Gen. Dostum" whole and ignores line breaks and "…"; snippets cut shorter pieces so one
# or two of them fit in MAX_CHARS. Sharing it would change the snippet of 467 of the bundled corpus's 1038
# passages (measured 2026-12-01), so both stay until a snippet change is measured on its own.
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])([\"'\u201d\u2019)\]]*)\s+|()\s*\n\s*")


@dataclass
class _Sentence:
    start: int
    end: int
    hits: list[tuple[int, int, str]]  # spans into the passage, with the term that matched

    @property
    def score(self) -> tuple[int, int]:
        return (len({t for _, _, t in self.hits}), len(self.hits))


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence of ``text``, whitespace trimmed."""
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[tuple[int, int]]:
    """`sentences`, found one at a time: a snippet with nothing to highlight needs only the first few."""
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end(1) if m.group(1) is not None else m.start()
        if end > pos:
            yield pos, end
        pos = m.end()
    if pos < len(text) and text[pos:].strip():
        yield pos, len(text.rstrip())


def _matching(words: set[str], terms: Collection[str], analyzer: Callable) -> dict[str, list[str]]:
    """Of a text's distinct ``words``, those that one of searchkit's own analyzers turns into one of
    ``terms``, each with the term(s) it gives: decided once per distinct word (a passage repeats words, and
    most words cannot match at all), with the filter's cached per-word lookup instead of a whoosh Token."""
    lookup = analyzer.items[1].lookup
    matching: dict[str, list[str]] = {}
    if type(analyzer) is NewsAnalyzer:
        # A term starts with its folded word's first letter (stemming only changes endings): words that
        # cannot match skip the stemmer, which dominates a fresh process (`searchkit search`, 10 passages).
        firsts = {t[:1] for t in terms}
        ok = firsts | {c.upper() for c in firsts}  # first characters known to fold into ``firsts``
        for word in words:
            if word[0] not in ok and (word[0].isascii() or fold(word)[:1] not in firsts) and word not in terms:
                continue
            term = lookup(word)
            if term is None:
                term = word  # a stop word keeps its text, as in the token stream
            if term in terms:
                matching[word] = [term]
    else:  # index mode: capitalised words only, one span per matching code
        for word in words:
            if word[:1].isupper():
                codes = [code for code in lookup(word) if code in terms]
                if codes:
                    matching[word] = codes
    return matching


def _stream_spans(text: str, terms: Collection[str], analyzer: Callable) -> list[tuple[int, int, str]]:
    """`match_spans` through the analyzer's whoosh token stream (any analyzer)."""
    out = []
    try:
        tokens = analyzer(text, chars=True, positions=True, removestops=False, mode="index")
        for t in tokens:  # whoosh reuses one Token object: copy the fields out now
            if t.text in terms and t.endchar > t.startchar:
                out.append((t.startchar, t.endchar, t.text))
    except Exception:  # a misbehaving analyzer must not break a search result
        return []
    return out


def spans_for(text: str, wanted: Iterable[tuple[Collection[str], Callable]]) -> list[tuple[int, int, str]]:
    """(start, end, term) for each token of ``text`` whose analysed form is one of the terms, for several
    (terms, analyzer) pairs at once (a query's text words and its phonetic name codes).

    Why together: searchkit's analyzers share one tokenizer (`searchkit.store.analysis.tokenizer`), so the
    text is tokenized once for all of them — its distinct words decided per analyzer, then the words any of
    them matched are marked where they occur (`_marked`). Tokenizing each passage and headline once per analyzer
    was a third of a one-word query's snippet time at 100k articles. Other analyzers go through their token
    stream. Same spans as one `match_spans` per pair (their order aside: `build_snippet` sorts them)."""
    out: list[tuple[int, int, str]] = []
    if not text:
        return out
    expr = tokenizer().expression
    shared = []
    for terms, analyzer in wanted:
        if not terms:
            continue
        if type(analyzer) in (NewsAnalyzer, NameAnalyzer) and analyzer.items[0].expression is expr:
            shared.append((terms, analyzer))
        else:
            out += _stream_spans(text, terms, analyzer)
    if shared:
        words = set(expr.findall(text))
        matching: dict[str, list[str]] = {}
        for terms, analyzer in shared:
            for word, got in _matching(words, terms, analyzer).items():
                matching.setdefault(word, []).extend(got)
        if matching:
            out += _marked(text, expr, matching)
    return out


def _marked(text: str, expr, matching: dict[str, list[str]]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every token of ``text`` that is one of ``matching``'s words, for each of its terms.

    Found with ``str.find`` per word (a handful), each occurrence checked to be a whole token: the text is
    tokenized again only from the space before it, which gives the tokens the whole text gives there (no token
    holds a space, so a space is never inside one). A pass over every token to mark a few cost more than the
    rest of the snippet."""
    out = []
    for word, terms in matching.items():
        n = len(word)
        i = text.find(word)
        while i >= 0:
            for m in expr.finditer(text, text.rfind(" ", 0, i) + 1):
                if m.start() >= i:
                    if m.start() == i and m.end() == i + n:
                        out.extend((i, i + n, t) for t in terms)
                    break
            i = text.find(word, i + 1)
    return out


def match_spans(text: str, terms: Collection[str], analyzer: Callable) -> list[tuple[int, int, str]]:
    """(start, end, term) for each token of ``text`` whose analysed form is one of ``terms``."""
    return spans_for(text, [(terms, analyzer)])


def _merge(spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for s, e, t in sorted(spans):
        if out and s < out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e, out[-1][2])
            continue
        out.append((s, e, t))
    return out


def _window(text: str, start: int, end: int, focus: int, max_chars: int) -> tuple[int, int]:
    """Cut [start, end) to at most ``max_chars`` around ``focus``, at word boundaries."""
    if end - start <= max_chars:
        return start, end
    lo = max(start, min(focus - max_chars // 4, end - max_chars))
    hi = min(end, lo + max_chars)
    if lo > start:
        sp = text.find(" ", lo, focus if focus > lo else hi)
        lo = sp + 1 if sp != -1 else lo
    if hi < end:
        sp = text.rfind(" ", lo, hi)
        hi = sp if sp > lo else hi
    return lo, hi


def build_snippet(text: str, spans: Iterable[tuple[int, int, str]], max_chars: int = MAX_CHARS) -> Snippet:
    """Pick the best sentences of ``text`` given matched ``spans`` (offsets into ``text``) and map the spans."""
    spans = _merge(spans)
    chosen = _best_sentences(text, spans, max_chars) if spans else None
    if chosen is None:  # nothing to show matched (a headline-only or date-only query): the opening sentences
        chosen = _opening(text, max_chars)
    if not chosen:
        return Snippet(text="", highlights=[])
    return _render(text, chosen, spans)


def _best_sentences(text: str, spans: list, max_chars: int) -> list[tuple[int, int]] | None:
    """The best matching sentence (cut to fit around its first match) and, if one fits beside it, the next
    best; None when no sentence holds a whole span."""
    sents = [_Sentence(s, e, [h for h in spans if h[0] >= s and h[1] <= e]) for s, e in sentences(text)]
    matched = sorted((s for s in sents if s.hits), key=lambda s: (s.score, -s.start), reverse=True)
    if not matched:
        return None
    best = matched[0]
    chosen = [_window(text, best.start, best.end, best.hits[0][0], max_chars)]
    room = max_chars - (chosen[0][1] - chosen[0][0])
    for s in matched[1:]:
        if s.end - s.start <= room:
            chosen.append((s.start, s.end))
            break
    return sorted(chosen)


def _opening(text: str, max_chars: int) -> list[tuple[int, int]]:
    """The opening sentences that fit in ``max_chars`` (the first one cut to fit), as one window; sentences
    are read only as far as needed ([] for a text without any)."""
    found = iter_sentences(text)
    first = next(found, None)
    if first is None:
        return []
    lo, hi = first
    for _, end in found:
        if end - lo > max_chars:
            break
        hi = end
    return [_window(text, lo, hi, lo, max_chars)]


def _render(text: str, chosen: list[tuple[int, int]], spans: list) -> Snippet:
    """The snippet of the ``chosen`` windows of ``text`` (sorted), joined with ``…`` where text is left out,
    with the ``spans`` inside them mapped to snippet offsets."""
    parts: list[str] = []
    highlights: list[tuple[int, int]] = []
    length, prev_end = 0, 0
    for i, (lo, hi) in enumerate(chosen):
        gap = text[prev_end:lo]
        sep = (" " if i else "") if not gap.strip() else (f" {ELLIPSIS} " if i else f"{ELLIPSIS} ")
        parts.append(sep)
        length += len(sep)
        for s, e, _ in spans:
            if s >= lo and e <= hi:
                highlights.append((length + s - lo, length + e - lo))
        parts.append(text[lo:hi])
        length += hi - lo
        prev_end = hi
    if text[prev_end:].strip():
        parts.append(f" {ELLIPSIS}")
    return Snippet(text="".join(parts), highlights=highlights)


def make_snippet(text: str, terms: Collection[str], analyzer: Callable, *,
                 name_terms: Collection[str] = (), name_analyzer: Callable | None = None,
                 max_chars: int = MAX_CHARS) -> Snippet:
    """Snippet of passage ``text`` for the query's indexed ``terms`` (analysed with ``analyzer``).

    ``name_terms``/``name_analyzer`` add the phonetic name-variant matches, so a query for ``Haneef``
    highlights ``Hanif``.
    """
    wanted = [(terms, analyzer)] + ([(name_terms, name_analyzer)] if name_analyzer is not None else [])
    return build_snippet(text, spans_for(text, wanted), max_chars)
