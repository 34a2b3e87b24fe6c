"""One name per person: cluster the spelling variants of speaker and author names to one canonical form.

The same person reaches the index as "Mohammad Hanif Atmar", "Hanif Atmar" and "Mohammad Haneef Atmar":
a middle name dropped, a transliteration changed. Search already matches such variants (the name field
stores Double Metaphone codes); the facet and `speaker:` need them to be *one* value.

Two names can be the same person when their surnames are the same word (accents folded, doubled letters
collapsed: "Davis" and "Davies" are two people) and their other words sound alike (a Double Metaphone
code in common) and are spelled close enough ("Jane" and "John" share a code but not a person) and the words of the shorter name appear, in order and sounding alike, among the words of the
longer one ("Hanif Atmar" within "Mohammad Haneef Atmar"; an initial matches any word it begins:
"J. Okafor" ~ "John Okafor"). Clustering is greedy from the fullest forms down, so a short form joins a
cluster only when exactly one cluster can hold it: a bare "Atmar" with both "Mohammad Atmar" and "Ali
Atmar" in the index stays apart — merging two people would be worse than showing one twice.

The canonical form is the fullest form seen (most words, fewest initials; among the variants seen at
least half as often as the most frequent, so that a title the parser kept once does not win), then the
first in alphabetical order: deterministic for a given set of names, whatever order they arrive in, so an
incremental update that adds no new variant changes nothing, and one that adds a fuller form moves
every variant to it.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Iterable, Mapping

from whoosh.lang.dmetaphone import double_metaphone

_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_INITIAL = re.compile(r"^[^\W\d_]\.?$")
MIN_SPELLING_RATIO = 0.6
_DOUBLED = re.compile(r"(.)\1")
_DETERMINERS = frozenset("a an the one another his her their its our".split())
_PARTICLES = frozenset("bin ibn al el van von de da del der la le du di dos das y".split())


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip(".'’-")


@lru_cache(maxsize=65536)
def _codes(word: str) -> tuple[str, frozenset[str]]:
    """(folded word, its Double Metaphone codes); an initial keeps its letter only."""
    folded = _fold(word)
    if _INITIAL.match(word):
        return folded[:1], frozenset()
    primary, secondary = double_metaphone(folded)
    return folded, frozenset(c for c in (primary, secondary) if c) or frozenset({folded})


def _words(name: str) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple(_codes(w) for w in _WORD.findall(name))


def _alike(a: tuple[str, frozenset[str]], b: tuple[str, frozenset[str]]) -> bool:
    if not a[1] or not b[1]:  # an initial: the other word begins with it
        return a[0][:1] == b[0][:1]
    return a[0] == b[0] or bool(a[1] & b[1]) and _close(a[0], b[0])


@lru_cache(maxsize=65536)
def _close(a: str, b: str) -> bool:
    """Spelled alike as well as sounding alike: Double Metaphone drops vowels, so "Jane" and "John"
    share a code; transliterations differ in a vowel or two ("Hanif"/"Haneef" 0.73, "Jane"/"John" 0.5)."""
    return SequenceMatcher(None, a, b).ratio() >= MIN_SPELLING_RATIO


def looks_like_person(name: str) -> bool:
    """Two to five capitalised words (particles aside): a name to cluster, not a role or an organisation
    ("a BBC spokesman", "the alliance" are left as they are)."""
    words = name.split()
    return 1 <= len(words) <= 5 and words[0].lower() not in _DETERMINERS and all(
        w[:1].isupper() or w.lower() in _PARTICLES for w in words)


def _same_surname(a: tuple[str, frozenset[str]], b: tuple[str, frozenset[str]]) -> bool:
    """Surnames vary less than first names, and near spellings are often other people ("Davis" and
    "Davies", "Sanders" and "Saunders"): the same word, accents folded and doubled letters collapsed
    ("Waggoner"/"Wagoner")."""
    return a[0] == b[0] or _DOUBLED.sub(r"\1", a[0]) == _DOUBLED.sub(r"\1", b[0])


def same_person(short: str, long: str) -> bool:
    """Whether ``short`` can name the person ``long`` names (see the module docstring)."""
    s, w = _words(short), _words(long)
    if not s or not w or len(s) > len(w) or not s[-1][1] or not w[-1][1]:
        return False
    if not _same_surname(s[-1], w[-1]):
        return False
    k = 0
    for word in w[:-1]:  # the other words of ``short``, in order, among those of ``long``
        if k < len(s) - 1 and _alike(s[k], word):
            k += 1
    return k == len(s) - 1


def _fullness(name: str, count: int) -> tuple[int, int, int, str]:
    """Sort key: most words, fewest initials, most frequent, then alphabetical."""
    words = _words(name)
    return -len(words), sum(not w[1] for w in words), -count, name


def _canonical(variants: list[str], counts: Counter[str]) -> str:
    """The fullest form (most words, fewest initials, then alphabetical) among the variants seen at least
    half as often as the most frequent one: a stray longer form ("Backbencher Stephen Pound", once, beside
    "Stephen Pound" five times) is a title the parser kept, not a fuller name."""
    full = [v for v in variants if len(v.split()) > 1] or variants  # a bare surname is never the fullest
    top = max(counts[v] for v in full)
    common = [v for v in full if 2 * counts[v] >= top]
    return min(common, key=lambda n: _fullness(n, counts[n]))


def canonical_names(names: Mapping[str, int] | Iterable[str]) -> dict[str, str]:
    """Every name in ``names`` (a name -> count mapping, or names with repeats) -> its canonical form;
    roles and organisations map to themselves.

    Names are bucketed by the sound of their surname, so the cost follows the number of names that
    share one, not the square of all names.
    """
    counts = Counter(names) if not isinstance(names, Mapping) else Counter(dict(names))
    members: dict[str, list[str]] = {}
    by_surname: dict[str, list[str]] = {}  # surname code -> heads
    for name in sorted(counts, key=lambda n: _fullness(n, counts[n])):
        words = _words(name)
        if not words or not looks_like_person(name):
            members[name] = [name]
            continue
        keys = words[-1][1] or frozenset({words[-1][0]})
        candidates = dict.fromkeys(h for k in sorted(keys) for h in by_surname.get(k, ()))
        fits = [h for h in candidates if same_person(name, h)
                and all(same_person(name, m) or same_person(m, name) for m in members[h])]
        if len(fits) == 1:
            members[fits[0]].append(name)
            continue
        members[name] = [name]  # a new person, or a short form two people could own: kept apart
        for k in keys:
            by_surname.setdefault(k, []).append(name)
    out: dict[str, str] = {}
    for ms in members.values():
        canonical = _canonical(ms, counts)
        out.update((m, canonical) for m in ms)
    return out
