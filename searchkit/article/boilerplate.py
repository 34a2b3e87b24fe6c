"""Boilerplate: the page furniture around an article, kept aside (``Article.dropped``) rather than indexed.

Two kinds of rule, both built from the shapes scraped news pages share rather than from any one site:
- a *cut marker* ("Related posts", "Check Also", "Leave a comment", "About the Author", ...) on a line of
  its own ends the article: it and everything after it are dropped (only once some body text was kept, so
  a navigation block at the top cannot swallow the article, and only where what follows looks like page
  furniture: a "Comments" sub-heading followed by prose paragraphs drops itself and nothing more);
- *line rules* drop one short line each (comment forms, cookie notices, follow/share/tips lines, photo
  credits, font-size widgets, bylines, date and metadata lines, markup scraps) or one notice of any
  length (syndication/republishing). Line rules look only at short lines, so prose that merely mentions
  "share" or "follow" stays.
Inline, a "(RELATED: ...)" teaser, a closing "According to <outlet>." credit and a glued photo file name
are cut out of a paragraph.
Every pattern is bounded or anchored: a megabyte-long line costs one linear scan.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import bylines
from .dates import is_date_line
from .paragraphs import word_count

SECTION_LABELS = frozenset(
    """breaking news|breaking|latest news|latest|news|home|world|world news|local news|politics|opinion|analysis|
    editorial|top stories|top story|featured|exclusive|live|update|updates|business|sports|sport|asia|europe|
    middle east|africa|americas|us news|national|international|headlines|trending|video|photos|menu|search|
    skip to content|advertisement|sponsored|press release|commentary|features|feature|op-ed|blog|
    excerpted|uncategorized|uncategorised|news analysis|interview|report|exclusive report""".replace("\n", "").split("|")
)
SHORT_LINE_WORDS = 14
EDGE_ONLY = frozenset({"repeated site line", "date line"})
NOTICE_WORDS = 60
TAIL_LOOKAHEAD = 3  # units read after a cut marker to tell page furniture from more article

_CUT = re.compile(
    r"^(?:related(?: posts?| articles?| stories| news| content| coverage| reading| items| links)?|check also|see also|"
    r"also read|read also|read more|read next|more (?:stories|news|articles)|more from [^.]{1,40}|"
    r"you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|recommended(?: for you| stories| articles)?|"
    r"most (?:popular|read|viewed)|popular (?:posts|stories)|trending(?: now| stories)?|what to read next|"
    r"leave a (?:comment|reply)|(?:\d+ )?comments?|post a comment|join the (?:discussion|conversation)|"
    r"add (?:a|your) comment|responses?|about the (?:author|writer|authors))\s*:?$",
    re.IGNORECASE,
)
_LINE_RULES: dict[str, re.Pattern] = {
    "comment form": re.compile(
        r"your email address will not be published|required fields are marked|notify me of (?:new|follow-up)|"
        r"save my name,? email|you can use these html tags|you must be logged in to|^post comment$|"
        r"^(?:name|email|website|comment)\s*\*?$",
        re.IGNORECASE,
    ),
    "cookie notice": re.compile(
        r"\bcookies?\b.{0,120}\b(?:accept|agree|consent|experience|opt[- ]out|policy|settings|browsing|continu)",
        re.IGNORECASE,
    ),
    "follow/share/tips": re.compile(
        r"^(?:follow|like|join|find) (?:us|\w+(?: \w+)?) on (?:twitter|x|facebook|instagram|linkedin|telegram|youtube|"
        r"tiktok|threads|mastodon|bluesky)\b|^(?:send|email) (?:us )?(?:your )?(?:news )?tips?\b|"
        r"^share (?:this|on|via|the article|article|story)\b|^share:?$|^click (?:here )?to (?:share|print|email|tweet)|"
        r"^(?:subscribe|sign up)(?: now)?(?: to| for)?(?: our| the)? (?:free )?(?:daily |weekly )?(?:newsletters?|email alerts|updates|alerts)\b|^(?:(?:share|tweet|email|print|pin|whatsapp|facebook|twitter|"
        r"linkedin|reddit|telegram|copy link)\b[\s|·•,/]*){1,8}$",
        re.IGNORECASE,
    ),
    "photo credit": re.compile(
        r"^(?:photo|image|picture|file photo|photograph|credit|source: (?:getty|reuters|ap|afp))s?(?: credit)?\s*[:/-]|"
        r"^[A-Z][A-Za-z]{1,15}/[A-Z][\w .'’-]{1,40}$|\b(?:getty images|afp photo|ap photo|shutterstock|via reuters)\b",
        re.IGNORECASE,
    ),
    "font-size widget": re.compile(
        r"^(?:font size|text size|font|a\+? ?a-?|a a a|increase font(?: size)?|decrease font(?: size)?|"
        r"print(?: this)?(?: article| page| story)?|reading time.*|\d+ min(?:ute)?s? read|listen to (?:this )?article)\s*:?$",
        re.IGNORECASE,
    ),
    "advertisement": re.compile(
        r"^(?:advertisement|advertising|sponsored(?: content)?|story continues below(?: advertisement)?|ad)\s*:?$",
        re.IGNORECASE,
    ),
    "metadata field": re.compile(
        r"^(?:time|category|categories|no|tags?|topics?|posted in|filed under|section|views?|comments?|word count|"
        r"source|updated|published)\s*:\s*.{0,80}$",
        re.IGNORECASE,
    ),
}
# Every line rule in one pattern, a pre-check: a short line matches none of them nearly always, and one search
# tells (seven searches per short line were the parser's most frequent regex call). IGNORECASE, so it matches
# wherever any rule does, whatever that rule's own flags: the rules themselves still decide.
_ANY_LINE_RULE = re.compile("|".join(f"(?:{rule.pattern})" for rule in _LINE_RULES.values()), re.IGNORECASE)
# What a line of more than SHORT_LINE_WORDS words must hold (folded: `_folded`) for these rules to match it: each
# unanchored alternative of the rule starts with one of these literals (its anchored alternatives match only a
# line of a few words). A substring test first: searching every long paragraph with the IGNORECASE alternation
# was a tenth of article parsing (9.6 us a paragraph, on 10k bench articles); tests/article check the literals.
_LONG_LINE_KEYS = {
    "comment form": ("your email address will not be published", "required fields are marked", "notify me of ",
                     "save my name", "you can use these html tags", "you must be logged in to"),
    "cookie notice": ("cookie",),
}
# The four non-ASCII letters IGNORECASE matches to ASCII ones (Python's re docs) that str.lower() does not map so
_IGNORECASE_EXTRA = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _folded(text: str) -> str:
    """``text`` lower-cased as IGNORECASE compares it, so a literal found by IGNORECASE is found in it."""
    return (text if text.isascii() else text.translate(_IGNORECASE_EXTRA)).lower()


_NOTICE = re.compile(  # syndication / republishing / copyright notices: dropped whatever their length
    r"^(?:all (?:content|articles?|stories) (?:created|produced|written|published) by|"
    r"all republished articles must|this (?:article|story|piece|post) (?:was|is|has been) (?:originally |first )?"
    r"(?:published|republished|syndicated|reproduced|reprinted|produced|written) (?:by|on|in|at|with|from|under)|"
    r"originally published (?:at|on|by|in)|republished (?:with|from|by|under)|reprinted (?:with|from|by)|"
    r"republication of (?:articles|this)|[\w ]{1,40} occasionally republishes|copyright ©?|©|\(c\) ?\d{4}|"
    r"this (?:article|story) (?:is|was) (?:part of|made possible|distributed))",
    re.IGNORECASE,
)
_MARKUP = re.compile(
    r"</?[a-z][a-z0-9]{0,10}(?:\s+[a-z-]+=[\"'][^\"'<>]{0,200}[\"'])*\s*/?>|/>|\{\{|\}\}|&[a-z]{2,6};|^[\W_]+$"
)
_TWEET_SIGNATURE = re.compile(r"\(@\w{1,30}\)")  # "— Name (@handle) October 9, 2018" closes an embedded tweet
_INLINE_RELATED = re.compile(
    r"\s*\((?:related|read more|see also|also read|read also|watch|listen|more)\s*:[^()]{0,400}\)", re.IGNORECASE
)
_GLUED_CAPTION = re.compile(  # "Jane Roe_Portrait_2019_(file)The ministry said": a photo file name glued on
    r"^(?:[A-Z][\w’'-]{0,30} ){0,5}[^\W_][^\s_]{0,60}(?:_[^\s_]{1,60}){2,6}(?=[A-Z][a-z])"
)
_WORDLIKE = re.compile(r"[^\W_]")


@dataclass
class Layout:
    """Units sorted into body and dropped; ``tail`` is the index where a cut marker ended the article."""

    body: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    tail: int = 0


def is_section_label(line: str) -> bool:
    return line.strip(" :|-").lower() in SECTION_LABELS


def is_cut_marker(line: str) -> bool:
    return bool(_CUT.match(line)) or bylines.about_heading_source(line) is not None


def drop_reason(line: str, repeated: set[str] = frozenset()) -> str | None:
    """Why a whole line is boilerplate, or None if it may be article text."""
    if not _WORDLIKE.search(line):
        return "markup"
    if _NOTICE.match(line[:200]):
        return "syndication notice"
    words = word_count(line, NOTICE_WORDS)
    if words > SHORT_LINE_WORDS:  # only the unmistakable notices, and never a long paragraph
        if words <= NOTICE_WORDS:
            head = _folded(line[:600])
            for name in ("comment form", "cookie notice"):
                if any(k in head for k in _LONG_LINE_KEYS[name]) and _LINE_RULES[name].search(line[:600]):
                    return name
        return None
    if _MARKUP.search(line):
        return "markup"
    if _ANY_LINE_RULE.search(line):
        for name, rule in _LINE_RULES.items():
            if rule.search(line):
                return name
    if is_date_line(line) and not _TWEET_SIGNATURE.search(line):
        return "date line"
    if bylines.byline_author(line) or bylines.logo_source(line) or bylines.tagline_source(line):
        return "byline"
    if bylines.about_body_source(line):
        return "about block"
    if line in repeated:
        return "repeated site line"
    return None


def strip_inline(paragraph: str) -> tuple[str, list[str]]:
    """Cut inline teasers, credits and glued photo file names out of a paragraph; return (text, removed)."""
    removed: list[str] = []

    def cut(m: re.Match) -> str:
        removed.append(m.group().strip())
        return ""

    if "(" in paragraph:  # both patterns need their literal: most paragraphs skip the scan
        paragraph = _INLINE_RELATED.sub(cut, paragraph)
    if "_" in paragraph:
        paragraph = _GLUED_CAPTION.sub(cut, paragraph, count=1)
    credit = bylines.credit_source(paragraph)
    if credit:
        start = paragraph.rfind(credit)
        start = paragraph.lower().rfind("according to", 0, start)
        removed.append(paragraph[start:].strip())
        paragraph = paragraph[:start]
    return paragraph.strip(), removed


def is_prose(line: str) -> bool:
    """A paragraph of running text: longer than a teaser line, ends a sentence, not a truncated excerpt."""
    end = line.rstrip()
    return (word_count(line, SHORT_LINE_WORDS) > SHORT_LINE_WORDS and end[-1:] in ".!?\"”’)"
            and not end.endswith(("...", "…", "…)", "[…]", "[...]")))


def furniture_follows(units: list[str], marker: int) -> bool:
    """Whether what follows the cut marker at ``marker`` looks like page furniture (nothing, a short
    teaser or form line, a line a boilerplate rule drops) rather than more of the article: a "Comments"
    sub-heading followed by prose paragraphs is a heading, not the end of the article."""
    following = [u for u in units[marker + 1: marker + 1 + TAIL_LOOKAHEAD] if u.strip()]
    if not following or not is_prose(following[0]):
        return True
    return any(drop_reason(u) for u in following)


def repeated_lines(units: list[str]) -> set[str]:
    """Short lines printed more than once on the page (site taglines in header and footer)."""
    seen: set[str] = set()
    twice: set[str] = set()
    for u in units:
        if word_count(u, SHORT_LINE_WORDS) <= SHORT_LINE_WORDS:
            (twice if u in seen else seen).add(u)
    return twice


def classify(units: list[str], skip: range = range(0)) -> Layout:
    """Sort ``units`` into body and dropped. ``skip`` is the headline's units (neither body nor dropped);
    short lines above the headline are page chrome and dropped. Date lines and repeated lines are only
    dropped at the edges of the body: between two body paragraphs they are content (a tweet's date line,
    a repeated sub-heading)."""
    out = Layout(tail=len(units))
    repeated = repeated_lines(units)
    reasons: dict[int, str | None] = {}
    has_body = False
    for i, line in enumerate(units):
        if i in skip:
            continue
        if has_body and is_cut_marker(line) and furniture_follows(units, i):
            out.tail = i
            break
        if skip and i < skip.start and word_count(line, SHORT_LINE_WORDS) <= SHORT_LINE_WORDS:
            reasons[i] = "above headline"
        elif is_section_label(line) and not has_body:
            reasons[i] = "section label"
        else:
            reasons[i] = drop_reason(line, repeated) or ("cut marker" if is_cut_marker(line) else None)
        has_body = has_body or reasons[i] is None
    kept = [i for i, r in reasons.items() if r is None]
    for i, reason in reasons.items():
        if reason in EDGE_ONLY and kept and kept[0] < i < kept[-1]:
            reason = None
        if reason:
            out.dropped.append(units[i])
            continue
        text, removed = strip_inline(units[i])
        out.dropped.extend(removed)
        if text:
            out.body.append(text)
    out.dropped.extend(units[out.tail:])
    return out
