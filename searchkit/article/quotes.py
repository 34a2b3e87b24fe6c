"""Quoted speech and who said it.

Finding quotes: one pass over the quote marks of a paragraph (straight, curly, guillemets). A mark opens a
quote when none is open and it either is an opening mark, is glued to the word after it, or is followed by
more marks — that last case repairs scraped text such as ``said NSA Atmar,” our cooperation…”``. A quote
left open at the end of a paragraph continues into the next paragraph when that one opens with a quote
mark (the journalistic convention), otherwise it ends with its paragraph.

Attribution: quotes are masked out and the sentence around each is read for a speech verb ("said",
"told", "added", ...): the words just before the verb are the speaker ("Atmar said", "a U.S. Department of
State spokesman said"), or just after it when inverted ("said NSA Atmar"). Failing that, "according to X".
Titles are stripped ("Russian Foreign Minister Sergey Lavrov" -> "Sergey Lavrov"), a bare surname becomes
the fullest form the article prints ("Atmar" -> "Mohammad Hanif Atmar"), he/she becomes the last named
*subject* of the narrative (``mentions``: "Mr Balls said he was sure Mr Brown's …" — "he" is Balls), or
nobody when two people share it. A quote without attribution in its sentence keeps the speaker of the
quote before it in the same paragraph; a paragraph that opens with an unattributed quote keeps the
speaker of the quote that ended the paragraph before; a quote opening its sentence after "She added
that …" goes to that reporting sentence's subject. A sentence after the closing mark attributes the
quote only when it is nothing but an attribution ("Trump tweeted on Monday."), not a new report. A role without a name ("a U.S. Department of State spokesman") is kept as
written: it is who spoke, and inventing a name would be a guess. Nothing found -> None.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ..model import Quote
from .mentions import SpeakerTracker
from .names import PRONOUNS, SENTENCE_WORDS, cap_runs, is_org, name_from_phrase
from .sentences import is_abbreviation, sentence_spans

OPENERS = "“«„"
CLOSERS = "”»"
_QUOTE_CHARS = "“”\"«»„"
_MARK = re.compile(f"[{_QUOTE_CHARS}]")
# a masked quotation (whatever marks opened and closed it, see _scan) or a stray mark: never part of a speaker
_QUOTATION = re.compile(f"[{_QUOTE_CHARS}_][{_QUOTE_CHARS}_.]*")
_TRAILING = " ,;:“”\"«»„"
MIN_QUOTE_WORDS = 2
MAX_SUBJECT_GAP_WORDS = 20
CONTEXT_CHARS = 600
_ATTRIBUTION_TAIL_WORDS = 8  # how far around a quote its attribution is looked for

SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|stated|states|noted|notes|explained|explains|described|describes|"
    "called|calls|urged|urges|warned|warns|insisted|insists|argued|argues|claimed|claims|asked|asks|announced|"
    "announces|declared|declares|wrote|writes|remarked|stressed|stresses|emphasized|emphasised|reiterated|"
    "continued|replied|replies|responded|acknowledged|admitted|confirmed|denied|commented|observed|suggested|"
    "predicted|pledged|vowed|promised|recalled|tweeted|posted|adding|quipped|joked|shouted|exclaimed|conceded|"
    "cautioned|countered|lamented|boasted|complained|demanded|recounted|testified|maintained|contended|recalls|"
    "reckons|admits|concedes|stresses|suggests|predicts|jokes|confirms|denies|comments|responds|continues|"
    "quips|adds|insisted|told|explained|wrote|writes|telling|saying|weighed in"
)
_VERB = re.compile(rf"\b(?:{SPEECH_VERBS})\b")
_ASIDE_VERBS = "|".join(v for v in SPEECH_VERBS.split("|") if not v.endswith("ing"))  # ", telling Cook," is no aside
_ASIDE = re.compile(rf",\s+(?:{_ASIDE_VERBS})\s+(?P<who>[^,_{_QUOTE_CHARS}]{{2,60}}),")
_ACCORDING = re.compile(r"\baccording to (?P<who>[^,.;:!?()]{2,80})", re.IGNORECASE)
_ADVERBS = re.compile(r"(?:\s+(?:[a-z]+ly|later|also|then|again|once|still|has|had|have|was|were|is|later on|would|will))+$")
# a line break or a full stop the sentence splitter let through ("said. \nhe said": lower case after it): a
# speaker is read from one sentence, so the phrase around a speech verb is cut there. Not at '!' or '?',
# which end names too ("Kerrang! editor Ashley Bird said")
_SENTENCE_BREAK = re.compile(r"\n|\.[\"'”’)\]]*(?=\s)")
_CLAUSE_BREAK = re.compile(rf",|{_QUOTATION.pattern}")  # commas and quotations split a subject phrase
_PROPER = re.compile(r"^(?:the )?[A-Z][\w.&'’-]*(?: [A-Z][\w.&'’-]*){0,4}$")
_ROLE_HEAD = re.compile(r"\s(?:for|of|at|from|with|in)\s")
_FINITE = frozenset("is are was were has have had be been will would can could".split())
_AGE = re.compile(r"\d+-year-old")
_ORG_SUBJECT = re.compile(r"^the (?:[A-Z][\w.&'’-]*\s?){1,5}$")
_POSSESSIVE_LEAD = re.compile(r"^[A-Z][\w.-]*['’]s? [a-z]")  # "Disney’s chairman of ..."
_HEAD_END = re.compile(r"\s(?:at|in|on|during|after|before|to|from|with|when|while|as|who|which|that|adding|in)\s")
_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|whose|which|whom)\s.*$", re.DOTALL)
_RELATIVE = re.compile(r"\s+(?:who|which|that|whose|whom)\s.*$")
_DETERMINER = re.compile(r"^(?:and |but |while )?(?P<role>(?:a|an|the|one|another|two|three|several) [^,;]{2,80})$", re.I)
_UNPUNCTUATED_ROLE = re.compile(r"(?: (?:[a-z][\w-]*|of|for|at|[A-Z][\w&.-]*)){1,6}")  # lower-case role after a name
_DOCUMENTS = frozenset("report statement study survey note release letter filing analysis memo".split())
_NAMING = re.compile(r"\b(?:the|as|called|dubbed|named|titled|entitled|nicknamed)\s*$", re.IGNORECASE)
_SMALL_WORDS = frozenset("a an the of and or in on at to for with from by vs de la le".split())
_WIRE_SUFFIX = re.compile(r"\s+(?:news service|news agency|agency|newspaper|news channel|television|tv)$", re.I)


@dataclass
class _Span:
    paragraph: int
    open: int  # index of the opening mark
    close: int  # index of the closing mark, or len(paragraph) when left open
    closed: bool


def _scan(text: str, para: int) -> list[_Span]:
    spans: list[_Span] = []
    marks = list(_MARK.finditer(text))
    open_at: int | None = None
    for k, m in enumerate(marks):
        i, ch = m.start(), m.group()
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        glued_right = not nxt.isspace() and nxt not in ".,;:!?)"
        if open_at is None:
            if ch in OPENERS or glued_right or k + 1 < len(marks):
                open_at = i
            continue  # else: a stray closing mark
        if (ch in OPENERS or ch == '"') and prev.isspace() and glued_right:
            spans.append(_Span(para, open_at, i, False))  # the quote before was never closed
            open_at = i
        elif ch in CLOSERS or ch == '"':
            spans.append(_Span(para, open_at, i, True))
            open_at = None
    if open_at is not None:
        spans.append(_Span(para, open_at, len(text), False))
    return spans


def _content(text: str, span: _Span) -> str:
    return text[span.open + 1: span.close].strip().rstrip(_TRAILING).strip()


def _mask(text: str, spans: list[_Span]) -> str:
    """The paragraph with every quotation replaced by underscores between its marks (and a '.' where the
    quotation ended a sentence), so that sentence ends and names are read from the narrative only."""
    out = list(text)
    for sp in spans:
        for j in range(sp.open + 1, sp.close):
            out[j] = "_"
        if _content(text, sp).endswith((".", "!", "?")) and sp.close - 1 > sp.open:
            out[sp.close - 1] = "."
    return "".join(out)


def _sentence_breaks(text: str) -> list[re.Match[str]]:
    """Line breaks, and full stops followed by a space that end a sentence (not "U.S.", "Gen."), in ``text``."""
    return [m for m in _SENTENCE_BREAK.finditer(text) if not is_abbreviation(text, m.start())]


def _last_sentence(seg: str) -> str:
    """What follows the last sentence end of ``seg``: the subject before a verb never reaches into the sentence before."""
    breaks = _sentence_breaks(seg)
    return seg[breaks[-1].end():] if breaks else seg


def _first_sentence(phrase: str) -> str:
    """``phrase`` up to its first sentence end: the subject after an inverted verb never runs into the next sentence."""
    breaks = _sentence_breaks(phrase)
    return phrase[: breaks[0].start()] if breaks else phrase


def _role(phrase: str) -> tuple[str, str] | None:
    """'a U.S. Department of State spokesman', 'one volunteer': a short noun phrase ending in a common noun."""
    m = _DETERMINER.match(phrase)
    if not m:
        return None
    role = _RELATIVE.sub("", m.group("role"))  # "a Syrian refugee who asked not to be named" -> "a Syrian refugee"
    words = role.split()
    head = _ROLE_HEAD.split(role, 1)[0].split()  # "A spokesman for the World Summit (WSIS)": head "spokesman"
    if len(words) > 12 or len(head) > 6 or not (words[-1].islower() or len(head) < len(words) and head[-1].islower()):
        return None
    if len(head) == len(words) > 8 or any(w in _FINITE or _VERB.fullmatch(w.strip(".,;:!?")) for w in words):
        return None  # a clause ("the seller said the year had begun well"), not a noun phrase
    rest = _ROLE_HEAD.split(role, 1)
    if head[-1].lower() in _DOCUMENTS and len(rest) == 2 and rest[1][:1].isupper():
        return "org", rest[1]  # "a report from Kotak Institutional Equities": the report speaks for its author
    if re.search(r"\d", _AGE.sub("", role)):  # "the 30-year-old" is a role, "70 percent of Americans" is not
        return None
    return "role", role


def _subject_before(seg: str) -> tuple[str, str] | None:
    """Speaker written just before a speech verb: ('person'|'pronoun'|'role', value).

    Adverbs between subject and verb are skipped ("Noem later tweeted"), and an appositive is looked
    through to the name it describes ("Robertson, the U.S. commander, said" -> Robertson).
    """
    seg = _RELATIVE_CLAUSE.sub("", _last_sentence(seg))  # "The actor, whose films include X, said" -> "The actor"
    seg = _ADVERBS.sub("", seg.rstrip(_TRAILING + "_").strip())
    if not seg:
        return None
    last = seg.split()[-1].lower()
    if last in PRONOUNS:
        return "pronoun", last
    role = None
    for k, part in enumerate(reversed(_CLAUSE_BREAK.split(seg)[-4:])):
        part = part.strip().lstrip("_ “”\"").strip()
        if k == 0 and _ORG_SUBJECT.match(part):  # "the Pentagon said", but "the Rt Rev Tom Wright said"
            name = name_from_phrase(part, at_end=True)
            return ("person", name) if name and name != part[4:] else ("org", part)
        if part[:1].islower() and not _ROLE_HEAD.search(part) and (name := name_from_phrase(part, at_end=True)):
            return "person", name  # "producer Gil Cates told reporters", "union leader Carla Mendes said"
        if _DETERMINER.match(part) or part[:1].islower():
            role = role or _role(part)  # an appositive ("analyst at Energy Merchant"): the name is further left
            continue
        name = name_from_phrase(part, at_end=True) if part else None
        if name:
            return "person", name
        lead = cap_runs(part)[0] if k == 0 and cap_runs(part) else None
        if lead and lead[0] == 0 and not part[: lead[1]].endswith(("'s", "’s", "'", "’")) \
                and _UNPUNCTUATED_ROLE.fullmatch(part[lead[1]:]):
            name = name_from_phrase(part[: lead[1]], at_end=True)  # "Dr Mike Watts head of exploration said"
            if name:
                return "person", name
        if not _POSSESSIVE_LEAD.match(part):  # "Disney’s chairman of streaming" is an appositive too
            return role
    return role


def _subject_after(phrase: str) -> tuple[str, str] | None:
    """Speaker written just after an inverted verb: 'said NSA Atmar', 'said London race director David
    Bedford', 'said he'. The subject ends at a comma, a preposition ("... at his opening remarks") or a
    quotation (masked text is not a word the article prints)."""
    phrase = _first_sentence(_QUOTATION.split(phrase, 1)[0]).strip()
    first = phrase.split()[0].lower().strip(_TRAILING + ".") if phrase else ""
    if first in PRONOUNS:
        return "pronoun", first
    segments = phrase.split(",")
    head = _HEAD_END.split(segments[0], 1)[0].rstrip(" .")
    if len(head.split()) > 8:
        return None
    document = _role(segments[0].rstrip(" ."))
    if document and document[0] == "org":  # "said a report from Kotak Institutional Equities"
        return document
    if _DETERMINER.match(head):  # "said the chairman of the committee, Labour MP Barry Sheerman"
        if len(segments) > 1:
            found = _subject_after(segments[1])
            if found and found[0] == "person":
                return found
        return _role(head)
    for start, _, _ in reversed(cap_runs(head)):
        name = name_from_phrase(head[start:], at_end=False)
        if name:
            return "person", name
    if _PROPER.match(head) and not any(t.lower() in SENTENCE_WORDS for t in head.split()[-1:]):  # "says BT"
        return "org", head
    return _role(head)


def _according(text: str) -> tuple[str, str] | None:
    m = _ACCORDING.search(text)
    if not m:
        return None
    who = _QUOTATION.split(m.group("who"), 1)[0].split("\n", 1)[0].strip()  # "according to the “______” report"
    if not who:
        return None
    name = name_from_phrase(who, at_end=False)
    if name and not is_org(name) and len(name.split()) >= 1 and who[:1].isupper():
        return "person", name
    stripped = _WIRE_SUFFIX.sub("", who)
    if stripped != who and stripped.lower().startswith("the "):
        stripped = stripped[4:]
    return "org", stripped


def _leading_attribution(masked: str, end: int, sentences: list[tuple[int, int]]) -> str:
    """The sentence after ``end`` when it is only an attribution: a short subject, a speech verb and a few
    words ("Trump tweeted on Monday."), not a new report ("She said new mothers were entitled to …")."""
    k = bisect_left(sentences, (end, -1))
    if k >= len(sentences):
        return ""
    nxt = sentences[k]
    sentence = masked[nxt[0]: nxt[1]]
    m = _VERB.search(sentence, 0, 120)
    if not m or not 1 <= len(sentence[: m.start()].split()) <= 6 or "_" in sentence[: m.start()]:
        return ""
    rest = sentence[m.end():].split()
    return sentence if len(rest) <= _ATTRIBUTION_TAIL_WORDS and rest[:1] != ["that"] else ""


def _attribute(before: str, after: str, trailing: str = "") -> tuple[str, str] | None:
    """Who speaks a quote, from the text before and after it in its sentence, else from ``trailing`` (a
    short attribution-only sentence that follows), else "according to"."""
    before = _last_sentence(before)  # a verb of the sentence before (unsplit: "said. \nhe ...") is not this quote's
    aside = _ASIDE.search(before) or _ASIDE.search(after)  # "The idea, says BT, is to ..."
    if aside:
        found = _subject_after(aside.group("who"))
        if found:
            return found
    m = _VERB.search(after)
    if m and len(after[: m.start()].split()) <= MAX_SUBJECT_GAP_WORDS:
        gap = after[: m.start()]
        found = _subject_after(after[m.end():]) if not gap.strip(_TRAILING + "_") else _subject_before(gap)
        if found:
            return found
    verbs = list(_VERB.finditer(before))
    for v in reversed(verbs):
        if v.group().endswith("ing"):  # "Blanchett paid tribute to Scorsese, telling him:": the clause's subject
            found = _sentence_subject(before[: v.start()].lstrip(_TRAILING + "_. "))
        else:
            found = _subject_before(before[: v.start()])
        if found:
            return found
    found = _attribute(trailing, "") if trailing else None
    found = found or _according(after) or _according(before)
    if found is None and before.rstrip().endswith(":"):  # "He also praised the director: “...”"
        found = _sentence_subject(before)
    return found


def _sentence_subject(sentence: str) -> tuple[str, str] | None:
    """The name or pronoun a sentence opens with, when a verb follows it."""
    words = sentence.split()
    if words and words[0].lower() in PRONOUNS:
        return "pronoun", words[0].lower()
    runs = cap_runs(sentence)
    if runs and runs[0][0] == 0:
        name = name_from_phrase(sentence[: runs[0][1]], at_end=True)
        if name and sentence[runs[0][1]:].lstrip()[:1].islower():
            return "person", name
    return None


def _is_title_of_work(text: str) -> bool:
    """Short and every word capitalised (small words aside): the name of a film, book or show."""
    words = text.rstrip(".,!?").split()
    return len(words) <= 6 and all(w[:1].isupper() or w.lower() in _SMALL_WORDS for w in words) and words[0][:1].isupper()


def _previous_report(masked: str, sentences: list[tuple[int, int]], k: int) -> tuple[str, str] | None:
    """A quote opening its sentence after "She added that …": the reported speaker of the sentence before."""
    if k <= 0:
        return None
    prev = masked[sentences[k - 1][0]: sentences[k - 1][1]]
    return None if "_" in prev else _attribute(prev, "")


def find_quotes(paragraphs: list[str]) -> list[Quote]:
    """Every quotation of two words or more in ``paragraphs``, with its speaker or None."""
    reader = SpeakerTracker(paragraphs)
    quotes: list[Quote] = []
    pending: tuple[Quote, _Span] | None = None  # a quote left open at the end of the previous paragraph
    for pi, text in enumerate(paragraphs):
        spans = _scan(text, pi)
        if not spans:  # no quote: its sentences are read only if a pronoun needs its subjects
            reader.read_subjects(pi, text)
            reader.tail_speaker = None
            pending = None
            continue
        masked = _mask(text, spans)
        sentences = list(sentence_spans(masked))
        starts = [st for st, _ in sentences]
        reader.read_subjects(pi, masked, sentences)
        prev_speaker: str | None = None
        tail, reader.tail_speaker = reader.tail_speaker, None
        for si, sp in enumerate(spans):
            body = _content(text, sp)
            # a quote left open continues when the next paragraph opens with a quote mark, or (paragraph
            # breaks lost in scraping) when a new opening mark follows inside the same paragraph
            continues = pending is not None and (si == 0 and sp.open == 0 or si > 0 and pending[1].close == sp.open)
            if not continues:
                pending = None
                if len(body.split()) < MIN_QUOTE_WORDS:
                    continue
            k = bisect_right(starts, sp.open) - 1
            s_start, s_end = sentences[k] if k >= 0 and sp.open < sentences[k][1] else (0, len(masked))
            s_start = max(s_start, sp.open - CONTEXT_CHARS)  # bounded: a megabyte-long sentence stays linear
            before = masked[s_start: sp.open]
            after = masked[min(sp.close + 1, len(masked)): min(max(s_end, sp.close + 1), sp.close + 1 + CONTEXT_CHARS)]
            trailing = ""
            if body.endswith((".", "!", "?")) and not after.strip(_TRAILING + "."):  # “...!” Trump tweeted.
                trailing = _leading_attribution(masked, s_end, sentences)
            found = _attribute(before, after, trailing)
            if found is None and not continues and not before.strip(_TRAILING):
                found = ("known", tail) if si == 0 and sp.open == 0 and tail else _previous_report(masked, sentences, k)
            named = found is None or _NAMING.search(before[-30:].rstrip(_TRAILING))
            if not continues and named and _is_title_of_work(body):
                continue  # “Star Wars”, “Mary Poppins”: a title, not speech
            speaker = reader.speaker(found, pi, sp.open, before + after + trailing) if found else None
            if continues:
                q = pending[0]
                q.text = f"{q.text} {body}".strip()
                q.speaker = q.speaker or speaker
            else:
                q = Quote(body, speaker if found else prev_speaker, pi)
                quotes.append(q)
            prev_speaker = q.speaker
            pending = (q, sp) if not sp.closed else None
            if sentences and sp.close >= sentences[-1][0]:
                reader.tail_speaker = q.speaker
        if not spans:
            pending = None
    return quotes
