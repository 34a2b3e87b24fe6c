"""Text analysis: how article text and queries become index terms.

The index and every query (and the snippet builder) must tokenize *identically*, or phrases and
highlights drift; so the analyzers live here, built once and shared by name:

- ``news_analyzer()`` for headline, body, quotes, speakers, source, author: Unicode folding
  (NFKC, accents, curly quotes and apostrophes), possessives (``Russia’s`` -> ``russia``),
  acronyms (``U.S.`` -> ``us``), lowercase, stop words, English (Porter2) stemming.
  Stop words are dropped *and positions are renumbered*, in the index and in queries alike, so
  a phrase containing a stop word (``"adviser of Russia"``) still matches.
- ``name_analyzer()`` for the name-variant field: capitalised words only (every word at query
  time), folded, then Double Metaphone codes, so transliteration variants share a term
  (``Haneef`` ~ ``Hanif``, ``Mahammad`` ~ ``Mohammad``).

Chosen by measurement (SciFact train judgments, nDCG@10, BM25F over title + text, one document
per article): this analyzer 0.670; without stop words 0.664 (and a larger, slower index); with
whoosh's stop list instead of Lucene's 0.670 (Lucene's keeps "us", "can", "may" searchable);
whoosh's StemmingAnalyzer 0.669.

The filter classes are pickled into whoosh's table of contents with the schema: renaming them or
changing their behaviour means existing indexes must be rebuilt (``searchkit index --rebuild``).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import chain
from typing import Iterator

from whoosh.analysis import CompositeAnalyzer, Filter, RegexTokenizer
from whoosh.lang.dmetaphone import double_metaphone
from whoosh.lang.porter2 import stem as _porter2

# Words: letters/digits (not "_", so "Atmar_Afghanistan_2016" splits) plus combining marks (text
# that arrives decomposed), joined by inner apostrophes (straight or curly: "Russia’s", "O'Brien").
# Acronyms with dots ("U.S.", "U.N") come first so they stay one token.
TOKEN_PATTERN = (
    r"[^\W\d_](?:\.[^\W\d_])+\.?"
    r"|(?:[^\W_]|[\u0300-\u036f])+(?:['\u2019\u2018\u02bc](?:[^\W_]|[\u0300-\u036f])+)*"
)

# Lucene's classic English stop list: short enough that "us", "may", "can", "will" stay searchable.
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split()
)

# Capitalised words that are not names (sentence starters, titles, months, days): kept out of the
# name-variant field so that it scores names, not grammar.
NAME_STOP_WORDS = STOP_WORDS | frozenset(
    "he she we you i his her our its your my me him them us who what when where which why how "
    "after before also although because while during since until about over under from than "
    "all any both each few more most other some one two three new said says mr mrs ms dr "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
# Letters that NFKD does not decompose into base + accent.
_SPECIAL = str.maketrans({
    "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
    "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i",
})

_CACHE_LIMIT = 200_000  # distinct token texts per filter instance; cleared (not evicted) when full

# The Porter2 stem of a folded word, once per folded word: the filters cache per *raw* token text, and
# "Oil", "OIL" and "oil" are three of those (46.4k raw to 33.2k folded words at 10k Reuters stories);
# porter2 is pure Python and was the largest single cost of the index writers.
_stem = lru_cache(maxsize=1 << 17)(_porter2)


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """One token's text -> its folded form: lowercase, no accents, straight apostrophe, no
    possessive ``'s``, no acronym dots. Used by both analyzers (and usable by callers that need
    to compare words the way the index does)."""
    w = word.translate(_APOSTROPHES)
    if not w.isascii():
        w = unicodedata.normalize("NFKD", w.translate(_SPECIAL))
        w = "".join(c for c in w if not unicodedata.combining(c))
        w = unicodedata.normalize("NFKC", w)
    w = w.lower()
    if w.endswith("'s"):
        w = w[:-2]
    if "." in w:
        w = w.replace(".", "")
    return w


class _CachedFilter(Filter):
    """A filter whose work per distinct token text is done once and cached.

    Only the stop list is pickled (into the index's schema) and compared; the cache is rebuilt.
    """

    def __init__(self, stoplist: frozenset[str]):
        self.stops = frozenset(stoplist)
        self._cache: dict = {}

    def __getstate__(self) -> dict:
        return {"stops": self.stops}

    def __setstate__(self, state: dict) -> None:
        self.stops = state["stops"]
        self._cache = {}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.stops == other.stops

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.stops))

    def _compute(self, word: str):
        raise NotImplementedError

    def clear_cache(self) -> None:
        """Forget the cached results (they are recomputed on demand)."""
        self._cache = {}

    def lookup_all(self, words: list[str]) -> list:
        """``lookup`` of every word, with the per-word Python work done only for words not seen before
        (the rest is C-level set and map calls): the indexing fast path."""
        cache = self._cache
        missing = set(words).difference(cache)
        if missing:
            if len(cache) + len(missing) > _CACHE_LIMIT:
                cache.clear()
                missing = set(words)
            compute = self._compute
            for w in missing:
                cache[w] = compute(w)
        return list(map(cache.__getitem__, words))

    def lookup(self, word: str):
        """The (cached) result of ``_compute`` for one raw token text."""
        cache = self._cache
        try:
            return cache[word]
        except KeyError:
            pass
        result = self._compute(word)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[word] = result
        return result


class NewsFilter(_CachedFilter):
    """Fold, drop stop words (renumbering positions), and stem, in one cached step per token.

    One filter instead of whoosh's Lowercase | Stop | Stem chain because analysis is the hot path
    of indexing: a single dict lookup per token instead of three filter generators.
    """

    def __init__(self, stoplist: frozenset[str] = STOP_WORDS):
        super().__init__(stoplist)

    def _compute(self, word: str) -> str | None:
        """The index term for one raw token text, or None for a stop word."""
        folded = fold(word)
        return None if (not folded or folded in self.stops) else _stem(folded)

    def __call__(self, tokens: Iterator) -> Iterator:
        term = self.lookup
        pos = None
        for t in tokens:
            text = term(t.text)
            if text is None:
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            if t.positions:
                # Renumber so that positions count kept words only, in documents and queries alike.
                pos = t.pos if pos is None else pos + 1
                t.pos = pos
            t.text = text
            t.stopped = False
            yield t


class NameFilter(_CachedFilter):
    """Capitalised words (all words in query mode) -> Double Metaphone codes (one or two per word)."""

    def __init__(self, stoplist: frozenset[str] = NAME_STOP_WORDS):
        super().__init__(stoplist)

    def _compute(self, word: str) -> tuple[str, ...]:
        """The phonetic codes of one word (empty for stop words, numbers and one-letter words)."""
        folded = fold(word).replace("'", "")
        if len(folded) < 2 or folded in self.stops or folded.isdigit():
            return ()
        primary, secondary = double_metaphone(folded)
        return tuple(c for c in (primary, secondary if secondary != primary else None) if c)

    def __call__(self, tokens: Iterator) -> Iterator:
        codes = self.lookup
        for t in tokens:
            word = t.text
            if t.mode != "query" and not word[:1].isupper():
                continue
            for code in codes(word):
                t.text = code
                yield t


_RECENT: list[tuple[str, list[str]]] = []  # the last texts `index_tokens` tokenized whole, and their tokens
_RECENT_KEPT = 2


def index_tokens(expression, text: str) -> list[str]:
    """``expression.findall(text)``, reusing the tokens of a recent text tokenized here where that text sits
    inside this one between spaces (or at an end): the ``names`` field of a passage is its headline, body and
    speakers joined by spaces (`searchkit.store.layout`), and tokenizing the body twice was a quarter of the
    writer's analysis time. Two texts are kept, longest tried first: the writer analyses a passage's body,
    then (on an article's first passage) its headline, then the names; keeping only the last text re-tokenized
    the body of every first passage. Exact: no token holds a space, so the pieces tokenize apart as they do
    together."""
    recent = _RECENT if len(_RECENT) < 2 or len(_RECENT[0][0]) >= len(_RECENT[1][0]) else _RECENT[::-1]
    for last, tokens in recent:
        if len(last) < len(text):
            i = text.find(last)
            end = i + len(last)
            if i >= 0 and (i == 0 or text[i - 1] == " ") and (end == len(text) or text[end] == " "):
                return expression.findall(text, 0, i) + tokens + expression.findall(text, end)
    tokens = expression.findall(text)
    if text:
        _RECENT.append((text, tokens))
        if len(_RECENT) > _RECENT_KEPT:
            del _RECENT[0]
    return tokens


@lru_cache(maxsize=None)
def tokenizer() -> RegexTokenizer:
    """The word tokenizer shared by both analyzers (its tokens carry char offsets into the text)."""
    return RegexTokenizer(TOKEN_PATTERN)


class NewsAnalyzer(CompositeAnalyzer):
    """``tokenizer() | NewsFilter()`` (whoosh's token stream, for queries and snippets), plus
    ``index_terms``: the same terms and positions computed without a Token object per word, which
    the index's formats (`searchkit.store.schema`) use — per-token generator overhead was the largest
    single cost of indexing."""

    def index_terms(self, text: str) -> tuple[int, list[str]]:
        """(position of the first kept term, the kept terms in order): term ``k`` sits at position
        ``first + k``, exactly as the token stream numbers them (stop words renumbered away)."""
        terms = self.items[1].lookup_all(index_tokens(self.items[0].expression, text))
        first = 0
        for first, t in enumerate(terms):
            if t is not None:
                break
        return first, [t for t in terms if t is not None]


OWN_NAMES_MARK = "\x1f"  # leads a ``names`` value: the article's later passages hold only their own codes
OWN_NAMES_CODE = "~own"  # the term that mark becomes (no phonetic code holds "~", no query word makes it)


class NameAnalyzer(CompositeAnalyzer):
    """``tokenizer() | NameFilter()``, plus ``index_terms`` (see `NewsAnalyzer`)."""

    def index_terms(self, text: str) -> tuple[int, list[str]]:
        """(0, phonetic codes of the capitalised words, in order): each distinct token's codes (none for a
        word that is not capitalised) looked up in a cache of its own, so no Python code runs per token;
        the filter's own cache stays the query side's (it codes every word there).

        A text that starts with `OWN_NAMES_MARK` (an article's lead, `searchkit.store.layout`) gives
        `OWN_NAMES_CODE` first: the per-article sign, kept through merges like any posting, that the
        article's later passages were indexed without the headline's codes (`searchkit.query.nodes.HeadlineFree`
        reads no stored headline for it). The mark is not a word character: the token stream (queries,
        snippets) never holds it."""
        marked = text.startswith(OWN_NAMES_MARK)
        words = index_tokens(self.items[0].expression, text[1:] if marked else text)
        cache = self.__dict__.setdefault("_index_codes", {})
        missing = set(words).difference(cache)
        if missing:
            if len(cache) + len(missing) > _CACHE_LIMIT:
                cache.clear()
                missing = set(words)
            lookup = self.items[1].lookup
            for w in missing:
                cache[w] = lookup(w) if w[:1].isupper() else ()
        codes = list(chain.from_iterable(map(cache.__getitem__, words)))
        return 0, [OWN_NAMES_CODE, *codes] if marked else codes


def clear_caches(analyzers) -> None:
    """Empty the per-word caches of ``analyzers`` (those of this module; others are skipped) and the
    module's stem and fold caches. For a writer process about to build its segment from the postings it
    holds: at 100k articles the caches were ~40 MB of each writer's ~190 MB, and the build's own arrays come
    on top of them (`searchkit.index.bulk`)."""
    for analyzer in analyzers:
        for part in getattr(analyzer, "items", ()):
            if isinstance(part, _CachedFilter):
                part.clear_cache()
        if isinstance(analyzer, NameAnalyzer):
            analyzer.__dict__.pop("_index_codes", None)
    _stem.cache_clear()
    fold.cache_clear()
    _RECENT.clear()


@lru_cache(maxsize=None)
def news_analyzer() -> NewsAnalyzer:
    """Analyzer for all prose fields; one cached instance (thread-safe: per-call state only)."""
    return NewsAnalyzer(tokenizer(), NewsFilter())


@lru_cache(maxsize=None)
def name_analyzer() -> NameAnalyzer:
    """Analyzer for the ``names`` field: phonetic codes of capitalised words."""
    return NameAnalyzer(tokenizer(), NameFilter())


ANALYZERS = {"news": news_analyzer, "names": name_analyzer}


def analyze(text: str, analyzer: str = "news", *, mode: str = "index") -> list[str]:
    """The terms ``text`` becomes (for tests, debugging and query building)."""
    return [t.text for t in ANALYZERS[analyzer]()(text, mode=mode)]
