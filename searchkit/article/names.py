"""Person names in running text: strip titles, find full forms of a surname.

Shared by bylines (author) and quotes (speaker). A name is a run of capitalised words; the titles and
offices written before it ("Russian Foreign Minister", "NSA", "President") are cut at the last title
word, so "Afghan National Security Adviser Mohammad Haneef Atmar" gives "Mohammad Haneef Atmar".
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

# Words that, inside a capitalised run, belong to a title or office rather than to the name.
TITLE_WORDS = frozenset(
    """minister foreign prime president vice secretary general adviser advisor security national council chief
    deputy special envoy ambassador spokesman spokeswoman spokesperson director commander defense defence state
    senator sen sen. rep rep. representative governor mayor king queen prince princess sheikh dr dr. mr mr. mrs mrs.
    ms ms. gen gen. col col. lt lt. capt capt. sgt sgt. maj maj. adm adm. presidential interior home affairs finance
    justice chairman chairwoman chair ceo head leader officer official premier chancellor judge justice attorney
    senior former acting assistant executive federal army navy military police commissioner lord sir pope
    cardinal bishop imam mullah professor prof prof. lawmaker congressman congresswoman speaker nurse doctor farmer
    teacher librarian lawyer coach captain pastor father reverend rev rev. sister brother councillor councilor
    alderman inspector detective sergeant constable superintendent economist analyst engineer activist dean
    negotiator envoy diplomat spokesman researcher scientist author novelist editor reporter correspondent
    union manager owner founder chairperson treasurer counsel colonel lieutenant major admiral marshal cmdr cmdr.
    economic economy fiscal policy trade industry energy health education culture transport environment agriculture
    labour labor welfare development communications information science technology tourism sports youth
    cpl cpl. pvt pvt. supt supt. insp insp. rev. fr fr. hon hon. chef artist singer actor actress designer architect
    pilot driver striker midfielder defender goalkeeper defenseman winger potter poet""".split()
)
# Nationality and country words that precede titles ("Russian Foreign Minister ...").
PLACE_WORDS = frozenset(
    """afghan afghanistan russian russia american america us u.s. u.s uk u.k. british britain chinese china iranian iran
    pakistani pakistan indian india french france german germany turkish turkey israeli israel syrian syria iraqi iraq
    ukrainian ukraine european eu nato un u.n. qatari qatar saudi egyptian egypt japanese japan korean korea
    taliban kremlin moscow kabul washington""".split()
)
PARTICLES = frozenset("bin ibn al al- el van von de da del der la le du di of".split())
PRONOUNS = frozenset("he she".split())
# Capitalised only because they start a sentence: never part of a name.
SENTENCE_WORDS = frozenset(
    "he she it they we i you the a an this that these those but and or so in on at as by for if when while "
    "meanwhile however also then there here his her their our its monday tuesday wednesday thursday friday "
    "saturday sunday january february march april may june july august september october november december "
    "today yesterday tomorrow earlier later last next".split()
)
CALENDAR_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december".split()
)
ORG_WORDS = frozenset(
    """house ministry office department council agency government party service news reuters press times post
    committee commission embassy administration organization organisation union foundation institute army
    parliament assembly congress senate court police bank company group university college school club team
    democrats republicans conservatives party league federation association corporation inc ltd plc board
    authority authorities ministry fund society movement alliance coalition forces olympics games championship
    cup echo herald tribune journal gazette telegraph guardian""".split()
)

_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")
_POSSESSIVE = re.compile(r"['’]s?$")
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_ABBREV_END = re.compile(r"(?:[A-Z]\.)+|[A-Z][a-z]{0,3}\.")
_CAP_TOKEN = re.compile(r"[A-Z]\S*")
_NAME_TOKEN = re.compile(r"[A-Z][\w.'’-]*")
_RUN_ENDS = (",", ";", ":", ")", "’s", "'s", "’", "'")


def _clean(token: str) -> str:
    return token if _INITIALS.fullmatch(token) else _POSSESSIVE.sub("", token.rstrip(",;:.)"))


def _is_title(token: str) -> bool:
    """Office words, and acronyms such as NSA or MPs (but not a country's: "UK Coal" keeps its "UK")."""
    t = token.lower()
    acronym = (token.isupper() and len(token.strip(".")) >= 2) or bool(_PLURAL_ACRONYM.fullmatch(token))
    return t in TITLE_WORDS or (acronym and t not in PLACE_WORDS)


def strip_titles(tokens: tuple[str, ...] | list[str]) -> list[str]:
    """Keep what follows the last title/office/place word of a capitalised run."""
    cut = 0
    for i, tok in enumerate(tokens):
        if _is_title(tok) or tok.lower() in SENTENCE_WORDS and not _calendar_surname(tokens, i):
            cut = i + 1
    rest = list(tokens[cut:])
    while len(rest) > 1 and rest[0].lower() in PLACE_WORDS:  # "Russian Vladimir Putin" but not "UK Coal"
        if rest[1][:1].isupper() and rest[1].lower() not in PLACE_WORDS and cut == 0:
            break
        rest = rest[1:]
    return rest


def _calendar_surname(tokens: tuple[str, ...] | list[str], i: int) -> bool:
    """'May' in "Theresa May", 'June' in "Carter June": a month or day after a name word is a surname."""
    if tokens[i].lower() not in CALENDAR_WORDS or i == 0:
        return False
    prev = tokens[i - 1]
    return not _is_title(prev) and prev.lower() not in SENTENCE_WORDS and prev[:1].isupper()


@lru_cache(maxsize=1024)
def cap_runs(text: str) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """Runs of capitalised words (particles allowed inside) as (start, end, tokens), in order.

    Only capitalised tokens are visited, so the cost follows the number of names, not of words.
    """
    runs: list[tuple[int, int, tuple[str, ...]]] = []
    cur: list[str] = []
    start = end = 0
    for m in _CAP_TOKEN.finditer(text):
        if m.start() and not text[m.start() - 1].isspace():
            continue  # a capital inside a token: "(Reuters)", "x-Ray"
        raw = m.group()
        tok = _clean(raw)
        if not _NAME_TOKEN.fullmatch(tok):
            if cur:
                runs.append((start, end, tuple(cur)))
                cur = []
            continue
        gap = text[end: m.start()].split() if cur else None
        if cur and not all(w.lower() in PARTICLES for w in gap):
            runs.append((start, end, tuple(cur)))
            cur = []
        if not cur:
            start = m.start()
        else:
            cur.extend(gap)
        cur.append(tok)
        end = m.end()
        ends_sentence = raw.endswith(".") and not _ABBREV_END.fullmatch(raw)
        if ends_sentence or raw.endswith(_RUN_ENDS):
            runs.append((start, end, tuple(cur)))
            cur = []
    if cur:
        runs.append((start, end, tuple(cur)))
    return tuple(runs)


def name_from_phrase(phrase: str, at_end: bool = True) -> str | None:
    """The person name a phrase ends with (``at_end``) or starts with, titles removed; None if there is none."""
    runs = cap_runs(phrase)
    if not runs:
        return None
    if at_end:
        s, e, toks = runs[-1]
        if phrase[e:].strip(" ,;:") != "":
            return None
    else:
        s, e, toks = runs[0]
        if phrase[:s].strip() != "":
            return None
    toks = strip_titles(toks)
    if not toks or any(t.lower() in ORG_WORDS for t in toks):
        return None
    if all(t.lower().rstrip("s") in PLACE_WORDS or t.lower() in PLACE_WORDS for t in toks):
        return None  # "Americans say ...", "the US": places are not people
    return " ".join(toks)


def is_org(name: str) -> bool:
    return any(t.lower() in ORG_WORDS or t.lower() in PLACE_WORDS for t in name.split())


def full_names(texts: list[str]) -> Counter[str]:
    """Every person-like multi-word name in ``texts`` with its count (first mention first on ties)."""
    seen: Counter[str] = Counter()
    for text in texts:
        for _, _, toks in cap_runs(text):
            toks = strip_titles(toks)
            if len(toks) >= 2 and not any(t.lower() in ORG_WORDS for t in toks):
                seen[" ".join(toks)] += 1
    return seen


def resolve_surname(name: str, names: Counter[str]) -> str:
    """'Atmar' -> the most frequent full name ending in 'Atmar' (first mentioned on ties); failing that,
    the one full name starting with it ("Sir Digby added" -> "Digby Jones"); else unchanged."""
    if " " in name:
        return name
    best = None
    for full, count in names.items():  # Counter keeps insertion order: first mention wins ties
        if full.split()[-1] == name and (best is None or count > names[best]):
            best = full
    if best is None:
        firsts = {full for full in names if full.split()[0] == name}
        best = firsts.pop() if len(firsts) == 1 else None
    return best or name
