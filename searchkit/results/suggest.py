"""Did-you-mean: replace query words the index has never seen by the closest indexed term.

Only words that are *absent* from the text fields are corrected (a rare but real word is left alone), so a
correct query never gets a suggestion. The suggestion is an indexed term, i.e. the analysed form (lower case,
folded, possibly stemmed): ``Patrushef`` -> ``patrushev``.
"""
from __future__ import annotations

from typing import Callable, Sequence

from ..query.parser import plain_words
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


def suggest(searcher, text: str, analyzer: Callable, fields: Sequence[str] = FIELDS) -> str | None:
    """The query ``text`` with unknown words replaced by their closest indexed term, or None.

    ``searcher`` is a whoosh Searcher; ``analyzer`` is the one the text fields were indexed with.
    """
    fields = [f for f in fields if f in searcher.schema.names()]
    if not fields:
        return None
    reader = searcher.reader()
    out, last, changed = [], 0, False
    for start, end, word in plain_words(text)[:MAX_WORDS]:
        tokens = _analysed(word, analyzer)
        if not tokens or len(tokens[0]) > MAX_WORD_CHARS or any((f, t) in reader for f in fields for t in tokens):
            continue
        best = None
        for f in fields:
            try:
                cands = searcher.corrector(f).suggest(tokens[0], limit=1, maxdist=MAX_EDITS, prefix=1)
            except Exception:
                cands = []
            if cands:
                freq = reader.doc_frequency(f, cands[0])
                if best is None or freq > best[0]:
                    best = (freq, cands[0])
        if best and best[1] != word.lower():
            out.append(text[last:start] + best[1])
            last, changed = end, True
    if not changed:
        return None
    out.append(text[last:])
    return "".join(out)
