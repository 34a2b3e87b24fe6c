"""Person mentions: who each sentence is about, so that "he said" goes to the right person.

A pronoun speaker ("…,” she said") refers to the person the narrative was last *about* — the subject of
a recent sentence — not to whoever spoke last and not to any name printed last: in "Mr Balls said he was
sure Mr Brown's Budget would …" the next "he" is Balls. So each narrative sentence (quotations masked
out) is read for a subject: a person name opening the sentence, possibly after connectives, an
adverbial set off by a comma ("Then, last week, Taylor Swift posted") or a title ("Wild coach Bruce
Boudreau"), and not a possessive ("Taylor Swift's albums were …" is about the albums). Two people joined
by "and" make the subject ambiguous, and a pronoun that reaches it resolves to nobody: a wrong name is
worse than none. Honorifics give a gender ("Ms Hewitt", "Sir Digby"), so "she" skips a known man.
"""
from __future__ import annotations

import re
from collections import Counter
from bisect import insort, insort_left
from dataclasses import dataclass, field

from .names import cap_runs, full_names, name_from_phrase, resolve_surname
from .sentences import sentence_spans

MALE = frozenset("mr mr. sir lord king prince father brother".split())
FEMALE = frozenset("ms ms. mrs mrs. miss lady dame baroness queen princess sister".split())
PRONOUN_GENDER = {"he": "m", "she": "f"}
# words that show the name is not the sentence's subject when they come before it ("according to X", "by X")
_NOT_SUBJECT = frozenset(
    """to with by of from for at about on into against than as that which who whom whose after before over under
    between among while when because if although though since until said says told tells asks like unlike
    including despite is are was were has have""".split()
)
_MAX_PREFIX_WORDS = 5
_AND_NEXT = re.compile(r"\s*(?:,[^,]{1,100},\s*)?and\s+(?=[A-Z])")
_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Miss|Sir|Lady|Dame|Lord|Baroness)\.?\s+(?:[A-Z][\w'’-]+\s+)?([A-Z][\w'’-]+)")
LOOKBACK_PARAGRAPHS = 3


@dataclass
class Mention:
    """``name`` is None when two people share the subject (a pronoun reaching it is undecided)."""

    paragraph: int
    pos: int
    name: str | None
    gender: str | None = None


def genders(paragraphs: list[str]) -> dict[str, str]:
    """Surname -> 'm' | 'f' from the honorifics the article prints ("Ms Hewitt", "Sir Digby Jones")."""
    seen: dict[str, Counter] = {}
    for text in paragraphs:
        for m in _HONORIFIC.finditer(text):
            g = "m" if m.group(1).lower() in MALE else "f"
            seen.setdefault(m.group(2), Counter())[g] += 1
    return {k: c.most_common(1)[0][0] for k, c in seen.items() if len(c) == 1}


def _prefix_ok(prefix: str) -> bool:
    """Only connectives, titles or an adverbial closed by a comma may come before a sentence's subject."""
    tail = prefix.rsplit(",", 1)[-1]
    words = [w.strip("_“”\"'‘’()").lower() for w in tail.split()]
    words = [w for w in words if w]
    return len(words) <= _MAX_PREFIX_WORDS and not any(w in _NOT_SUBJECT or w.endswith("ed") for w in words)


def sentence_subject(sentence: str, names: Counter[str]) -> Mention | None:
    """The person a sentence opens with as its subject (position relative to the sentence), or None."""
    for start, end, toks in cap_runs(sentence)[:4]:
        if start > 160 or not _prefix_ok(sentence[:start]):
            return None
        name = name_from_phrase(sentence[start:end], at_end=False)
        if not name:
            continue  # "Then", "On Monday", "NASA’s": not a person, read on
        if sentence[start:end].endswith(("'s", "’s", "'", "’")):
            return None  # "Taylor Swift's first six albums were …": about the albums
        full = resolve_surname(name, names)
        lowered = {t.lower() for t in toks}
        if len(full.split()) < 2 and not lowered & (MALE | FEMALE):  # "Ms Okafor" is a person, "Apple" may not be
            continue  # a lone word ("Wild defenseman Ryan Suter", "Apple"): too weak to be a referent, read on
        rest = ("," if sentence[start:end].endswith(",") else "") + sentence[end:]
        m = _AND_NEXT.match(rest)
        if m and name_from_phrase(rest[m.end():].split(",")[0], at_end=False):
            return Mention(-1, start, None)  # "Volker, …, and Tim Morrison, …, testified"
        gender = "m" if lowered & MALE else "f" if lowered & FEMALE else None
        return Mention(-1, start, full, gender)
    return None


def resolve_pronoun(mentions: list[Mention], paragraph: int, pos: int, pronoun: str, context: str,
                    known: dict[str, str]) -> str | None:
    """The latest subject before (paragraph, pos) that a ``pronoun`` can refer to, or None.

    A person named in the attribution itself is skipped ("he told Benioff" is not Benioff), so is one of
    the other gender; an ambiguous subject ends the search with "" (undecided), no subject in reach is None.
    """
    want = PRONOUN_GENDER.get(pronoun)
    for m in reversed(mentions):
        if (m.paragraph, m.pos) >= (paragraph, pos):
            continue
        if m.paragraph < paragraph - LOOKBACK_PARAGRAPHS:
            break
        if m.name is None:
            return ""  # two people share the subject: undecided
        surname = m.name.split()[-1]
        if re.search(rf"\b{re.escape(surname)}\b", context):
            continue
        gender = m.gender or known.get(surname) or known.get(m.name.split()[0])
        if want and gender and gender != want:
            continue
        return m.name
    return None


def _place(m: Mention) -> tuple[int, int]:
    return m.paragraph, m.pos


@dataclass
class SpeakerTracker:
    """What quote attribution remembers across quotes and paragraphs: full names, subjects, speakers."""

    paragraphs: list[str]
    mentions: list[Mention] = field(default_factory=list)  # sorted by (paragraph, pos)
    people: list[str] = field(default_factory=list)  # named speakers so far, when no subject is known
    tail_speaker: str | None = None  # speaker of a quote that ended the previous paragraph
    _names: Counter[str] | None = None
    _unread: list[tuple[int, str, list[tuple[int, int]]]] = field(default_factory=list)
    _genders: dict[str, str] | None = None

    @property
    def names(self) -> Counter[str]:
        if self._names is None:
            self._names = full_names(self.paragraphs)
        return self._names

    def read_subjects(self, pi: int, masked: str, sentences: list[tuple[int, int]] | None = None) -> None:
        """Paragraph ``pi``'s narrative (quotes masked) and its sentences, read for subjects when a pronoun
        first needs them (`_read_pending`): most articles attribute no quote to a pronoun, and reading every
        sentence's subject (with the article's full names) was 40 % of parsing on 10k Reuters stories.
        ``sentences`` None: found then (`sentence_spans`), for a paragraph that holds no quote."""
        self._unread.append((pi, masked, sentences))

    def _read_pending(self) -> None:
        """The subjects of the paragraphs remembered so far, in the order reading them at once would give:
        a subject goes before a speaker mention at the same place (it was there first)."""
        for pi, masked, sentences in self._unread:
            for s, e in (sentence_spans(masked) if sentences is None else sentences):
                m = sentence_subject(masked[s:e], self.names)
                if m:
                    m.paragraph, m.pos = pi, s + m.pos
                    insort_left(self.mentions, m, key=_place)
        self._unread = []

    def add_speaker(self, pi: int, pos: int, name: str) -> None:
        self.people.append(name)
        insort(self.mentions, Mention(pi, pos, name), key=_place)

    def speaker(self, found: tuple[str, str], pi: int, pos: int, context: str) -> str | None:
        kind, value = found
        if kind == "pronoun":
            if self._genders is None:
                self._genders = genders(self.paragraphs)
            self._read_pending()
            name = resolve_pronoun(self.mentions, pi, pos, value, context, self._genders)
            if name is None:  # no subject in reach: the last speaker not named in the attribution
                name = next((p for p in reversed(self.people) if p.split()[-1] not in context), None)
            return name or None  # "" : two people compete, the text does not decide
        if kind == "person":
            name = resolve_surname(value, self.names)
            self.add_speaker(pi, pos, name)
            return name
        return value
