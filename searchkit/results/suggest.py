"""Did-you-mean: replace query words the index has never seen by the closest indexed term.

Only words that are *absent* from the index are corrected (a rare but real word is left alone), so a correct
query never gets a suggestion. The suggestion is an indexed term, i.e. the analysed form (lower case, folded,
possibly stemmed): ``Patrushef`` -> ``patrushev``.

What is never corrected (issue 11 item 7): the value of a field (``source:"Ariana News"``: it is matched as
typed, `searchkit.query.words.plain_words`); a word any searchable field holds, outlet and author names
included (``KNOWN_FIELDS``; checked through the analyzer, so case does not matter); and English function
words (``FUNCTION_WORDS``: "what", "did", "about"...), which a small archive may simply not contain — a
pasted question must not be "corrected" to ``war DID RUSSIA ...``. And a suggestion is only offered when it
finds something (`runnable_suggestion` runs it first).
"""
from __future__ import annotations

from typing import Callable, Sequence

from ..errors import QueryError
from ..query.words import plain_words
from ..store.schema import AUTHOR, BODY, HEADLINE, QUOTE, SOURCE, SPEAKER

FIELDS = (BODY, HEADLINE, QUOTE)  # where a correction is looked for
KNOWN_FIELDS = FIELDS + (SOURCE, AUTHOR, SPEAKER)  # a word in any of these is known: not corrected
# English closed-class words (pronouns, auxiliaries, question words, prepositions, conjunctions): real words
# whatever the archive holds (the analyzer's stop list is deliberately short, so most of these are searchable)
FUNCTION_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing done down during each either few for from further had has have having he
her here hers herself him himself his how i if in into is it its itself just me might more most must my myself
neither no nor not now of off on once only or other our ours ourselves out over own same shall she should so
some such than that the their theirs them themselves then there these they this those through to too under
until up upon us very was we were what when where whether which while who whom whose why will with within
without would yet you your yours yourself yourselves
""".split())
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
        if word.lower() in FUNCTION_WORDS or not tokens or len(tokens[0]) > MAX_WORD_CHARS or known(tokens):
            continue
        best = closest(tokens[0])
        if best and word.isupper() and len(word) > 1:
            best = best.upper()  # TALIBN -> TALIBAN: an all-caps query stays all caps (and so reads the same)
        if best and best.lower() != word.lower():
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

    known = [f for f in KNOWN_FIELDS if f in searcher.schema.names()]
    return correct(text, analyzer, lambda tokens: any((f, t) in reader for f in known for t in tokens), closest)


def runnable_suggestion(index, text: str, filters, settings) -> str | None:
    """``index.suggest(text)`` (any `searchkit.engine.Engine`) if that query matches at least one passage within
    ``filters`` (`searchkit.engine.Filters`) under ``settings``, else None: a suggestion that finds nothing would
    only mislead. Costs one `Engine.count` of the suggested query, and only when there is a suggestion."""
    suggestion = index.suggest(text)
    if not suggestion:
        return None
    try:
        parsed = index.parse(suggestion, settings)
    except QueryError:
        return None
    if parsed.is_empty or not index.count(parsed, filters, settings):
        return None
    return suggestion
