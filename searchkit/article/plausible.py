"""Metadata must look like what it is: the last check on a source, author or speaker before it is stored.

The readers and the line rules find candidates by shape ("X : text" is a dateline, "By X" a byline, a
capitalised phrase before "said" a speaker). On text that is not news — manual pages, READMEs, API
references — those shapes catch sentence openings ("Upon first use", "Similarly"), command-line flags
("Providing -q"), code ("DEP0163: `channel.subscribe(onMessage)`") and common words ("Now", "your
needs", "S"). A wrong value is worse than none: the facets and `source:`/`speaker:` repeat it. So each
candidate is rejected (None) when it holds code or a flag, when it opens with a common English word
that no name opens with, or when it is too short to name anyone. Roles ("a company spokeswoman") stay
valid speakers: they open with an article and end in a noun.
"""
from __future__ import annotations

import re

# Words a name, outlet or role never opens with (sentence openers, adverbs, pronouns, prepositions,
# frequent verbs of instructions). Lower case; compared with the candidate's first word lower-cased.
# Not "will", "may", "mark", "grant": first names too.
COMMON_OPENERS = frozenset(
    """a about above according across after afterwards again against all almost alternatively also although
    always among an and another any anyway are as at because before below besides between both but by can
    comment comments consequently could currently default do does each either else enable enabling even
    every example first for from further furthermore generally given hence here how however if in including
    indeed instead into is it its just later like likewise many meanwhile might more moreover most much
    must my never next no nonetheless not note now of often on once only or other otherwise our over please
    previously providing rather regardless see set similarly since so some sometimes still such that the then
    there therefore these they this those though thus to today too under unless unlike until upon usage use
    used using usually very via was we were what when whenever where whether which while who why with
    within without would yes yet you your""".split()
)
# code, markup and command lines: backticks, brackets, operators, paths, a flag ("-q", "--json"),
# an identifier with digits ("DEP0163"; "G20" and "F1" stay names), snake_case
_CODE = re.compile(
    r"[`(){}\[\]<>=\\|$#*~^;]|/\w|(?:^|\s)--?\w|\b[A-Za-z]{1,6}\d{3,}\b|\w_\w|::"
)
_DETERMINER = frozenset("a an the one another two three several some".split())
_LETTERS = re.compile(r"[^\W\d_]")


def looks_like_code(text: str) -> bool:
    return bool(_CODE.search(text))


def _first_word(text: str) -> str:
    return text.split()[0].lower().strip(",.:;!?\"'“”") if text.split() else ""


def _plausible(text: str | None, max_words: int) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    words = text.split()
    if not words or len(words) > max_words or looks_like_code(text) or text.endswith(":"):
        return None
    if len(_LETTERS.findall(text)) < 2:
        return None  # "S", "7"
    return text


def plausible_source(name: str | None) -> str | None:
    """An outlet name: short, no code, not a sentence opening ("Upon first use", "Similarly")."""
    name = _plausible(name, 8)
    if name is None or _first_word(name) in COMMON_OPENERS - {"the"}:
        return None
    return name


def plausible_author(name: str | None) -> str | None:
    """A person (or a list of people): every part opens with a capital and none with a common word."""
    name = _plausible(name, 12)
    if name is None:
        return None
    for part in re.split(r",|\s+and\s+|\s+&\s+", name):
        words = part.split()
        if len(words) < 2 or _first_word(part) in COMMON_OPENERS or not words[0][:1].isupper():
            return None  # a byline names a person in full: "Authenticity", "S" are headings read as names
        if any(w.lower() in COMMON_OPENERS for w in words[1:]) and len(words) <= 2:
            return None  # "S The"
    return name


def plausible_speaker(name: str | None) -> str | None:
    """A name ("Kurt Volker", "Kotak Institutional Equities") or a role ("a company spokeswoman")."""
    name = _plausible(name, 14)
    if name is None:
        return None
    first = _first_word(name)
    if first in _DETERMINER:
        return name if len(name.split()) >= 2 else None
    if first in COMMON_OPENERS or not name[:1].isupper():
        return None  # "Now", "your needs", "this definition"
    return name
