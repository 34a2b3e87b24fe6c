"""Did-you-mean: replace query words the index has never seen by the closest indexed term.

Only words that are *absent* from the text fields are corrected (a rare but real word is left alone), so a
correct query never gets a suggestion. The suggestion is an indexed term, i.e. the analysed form (lower case,
folded, possibly stemmed): ``Patrushef`` -> ``patrushev``.
"""
from __future__ import annotations

from typing import Callable, Sequence

from ..query.words import plain_words
from ..store.schema import BODY, HEADLINE, QUOTE

FIELDS = (BODY, HEADLINE, QUOTE)
MAX_WORDS = 8  # words looked up per query: bounds the cost of a long pasted query
MAX_EDITS = 2
MAX_WORD_CHARS = 30  # longer tokens (pasted URLs, junk) are not corrected: the edit automaton's cost grows with length


def _analysed(word: str, analyzer: Callable) -> list[str]:
    try:
        return [t.text for t in analyzer(word, mode="query")]
    except Exception:
        return []


def correct(text: str, analyzer: Callable, known: Callable[[list[str]], bool],
            closest: Callable[[str], str | None]) -> str | None:
    """``text`` with each plain word whose terms are not ``known`` replaced by ``closest(term)``, or None when
    nothing changed: the loop every engine's did-you-mean shares (only the term look-ups differ)."""
    out, last, changed = [], 0, False
    for start, end, word in plain_words(text)[:MAX_WORDS]:
        tokens = _analysed(word, analyzer)
        if not tokens or len(tokens[0]) > MAX_WORD_CHARS or known(tokens):
            continue
        best = closest(tokens[0])
        if best and best != word.lower():
            out.append(text[last:start] + best)
            last, changed = end, True
    if not changed:
        return None
    out.append(text[last:])
    return "".join(out)


def suggest(searcher, text: str, analyzer: Callable, fields: Sequence[str] = FIELDS) -> str | None:
    """The query ``text`` with unknown words replaced by their closest indexed term, or None.

    ``searcher`` is a whoosh Searcher; ``analyzer`` is the one the text fields were indexed with.
    """
    fields = [f for f in fields if f in searcher.schema.names()]
    if not fields:
        return None
    reader = searcher.reader()

    def closest(token: str) -> str | None:
        best = None
        for f in fields:
            try:
                cands = searcher.corrector(f).suggest(token, limit=1, maxdist=MAX_EDITS, prefix=1)
            except Exception:
                cands = []
            if cands:
                freq = reader.doc_frequency(f, cands[0])
                if best is None or freq > best[0]:
                    best = (freq, cands[0])
        return best[1] if best else None

    return correct(text, analyzer, lambda tokens: any((f, t) in reader for f in fields for t in tokens), closest)
