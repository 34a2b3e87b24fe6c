"""Words of a query as a person typed them: operators, the plain words a suggestion may replace, and
verbose queries whose upper-case AND/OR/NOT are words, not operators.

Why a verbose rule (issue 11 item 5): a query pasted from a title, a form or a question list is often all in
upper case ("WHAT DID RUSSIA AND THE TALIBAN SAY"), or is a long question; there ``AND``, ``OR`` and ``NOT``
are words of the sentence, and reading them as operators silently turns "RUSSIA AND THE TALIBAN" into a
required conjunction, or "NOT" into an exclusion of the next word. A short mixed-case query keeps them as
operators (``kabul OR moscow``, ``taliban NOT russia``): that is where a person types them on purpose.
"""
from __future__ import annotations

import re

OPERATORS = frozenset({"AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE"})
VERBOSE_WORDS = 4  # words a query needs before upper case or a question makes it "verbose"
QUESTION_WORDS = frozenset({"what", "who", "whom", "whose", "which", "when", "where", "why", "how", "did", "does",
                            "do", "is", "are", "was", "were", "can", "could", "should", "would", "will", "has",
                            "have", "had"})
_WORD = re.compile(r"[^\W\d_][\w'\u2019]*", re.UNICODE)
_BOOLEAN = re.compile(r"(?<![^\s(])(AND|OR|NOT)(?![^\s)])")  # as whoosh reads them: whole words
_SYNTAX = re.compile(r'["():\[\]{}*~]|(?<![^\s(])-(?=\S)')


def is_verbose(text: str) -> bool:
    """Whether ``text`` reads as a pasted sentence rather than a typed query: at least ``VERBOSE_WORDS``
    words and either no lower-case letter at all, or a question (ends with ``?`` or starts with a question
    word such as "what", "did", "how") with no other query syntax (quotes, fields, parentheses, ``-``, ``*``, ``~``).

    ``text``: the query as typed.
    """
    words = _WORD.findall(text)
    if len(words) < VERBOSE_WORDS:
        return False
    if not any(ch.islower() for ch in text):
        return True
    question = text.rstrip().endswith("?") or words[0].lower() in QUESTION_WORDS
    return question and not _SYNTAX.search(text)


def operators_as_words(text: str) -> str:
    """``text`` with upper-case AND/OR/NOT lower-cased when the query `is_verbose` (the parser reads lower-case
    ones as words: stop words, so they drop out), otherwise unchanged.

    ``text``: the query as typed (already cleaned of unbalanced quotes and parentheses).
    """
    return _BOOLEAN.sub(lambda m: m.group(1).lower(), text) if is_verbose(text) else text


PLAIN_WORD = re.compile(r"(?<![\w:~*\-+])([^\W\d_][\w'\u2019]*)(?![\w:~*])", re.UNICODE)
# what a suggestion never rewrites: ranges, and the value of a field (``source:"Ariana News"``, ``source:x``)
_MASKED = re.compile(r'\b\w+:\s*(?:"[^"]*"?|\[[^\]]*\]?|\{[^}]*\}?|\S*)|\[[^\]]*\]?|\{[^}]*\}?')


def plain_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the plain words in a query: the ones a spelling suggestion may replace.

    Skips operators, field names and their values (quoted or not), fuzzy/prefix terms, excluded words and the
    inside of ranges. ``text``: the query as typed.
    """
    masked = _MASKED.sub(lambda m: " " * len(m.group()), text)
    return [(m.start(1), m.end(1), m.group(1)) for m in PLAIN_WORD.finditer(masked) if m.group(1) not in OPERATORS]
