"""From reader text to paragraph units: one clean line of text per paragraph, Markdown residue removed.

Readers give Markdown-ish text with blank lines between paragraphs, but scraped pages also come with one
paragraph per line and no blank lines (seed 004), with hard-wrapped Markdown, or with header lists. A line
break inside a block therefore starts a new unit unless the line before clearly runs on (no closing
punctuation and either a long line or a lower-case continuation).
"""
from __future__ import annotations

import re

_BLANK = re.compile(r"\n[ \t]*\n")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_IMAGE = re.compile(r"!\[[^\[\]\n]{0,300}\]\([^()\s]{0,500}(?:\s+\"[^\"]{0,200}\")?\)")
_LINK = re.compile(r"\[([^\[\]\n]{0,300})\]\([^()\s]{0,500}(?:\s+\"[^\"]{0,200}\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+")
_LIST = re.compile(r"^[-*+•·▪►]\s+")  # bullets go; "1." numbering is content and stays
_BLOCKQUOTE = re.compile(r"^(?:>\s?)+")
_LIST_START = re.compile(r"^(?:[-*+•·▪►]|\d{1,3}[.)])\s")
_RUNS_ON_END = ".!?:;\"”’)]|"
# "says.Currently" / "sides.”The": scraping ate the space after a sentence end.
_GLUED_SENTENCE = re.compile(r"[.!?](?=[”\"“]?[A-Z][a-z])")


def _space_after_stop(m: re.Match) -> str:
    stop = m.group()
    before = m.string[max(0, m.start() - 2): m.start()]
    return stop + " " if len(before) == 2 and before.isalpha() and before.islower() else stop


def word_count(text: str, cap: int) -> int:
    """``len(text.split())`` up to ``cap``, ``cap + 1`` beyond it: enough for a limit test, and a long paragraph
    is split ``cap`` times instead of whole (the boilerplate and headline rules test every unit's length)."""
    return len(text.split(None, cap))


def clean_inline(line: str) -> str:
    """Remove Markdown syntax and odd spacing from one line, keeping its words."""
    if not line.isascii():
        line = _INVISIBLE.sub("", line)
        line = _SPACES.sub(" ", line).strip()
    elif "  " in line or "\t" in line:
        line = _SPACES.sub(" ", line).strip()
    else:  # ASCII with single spaces: the substitution would give it back unchanged (5% of the parsing process's time)
        line = line.strip()
    first = line[:1]
    if first == "#":
        line = _HEADING.sub("", line)
    if first == ">":
        line = _BLOCKQUOTE.sub("", line)
    if first in "-*+•·▪►":
        line = _LIST.sub("", line)
    if "](" in line:
        line = _LINK.sub(r"\1", _IMAGE.sub("", line))
    if "**" in line or "__" in line:
        line = line.replace("**", "").replace("__", "")
    line = _GLUED_SENTENCE.sub(_space_after_stop, line)
    return _SPACES.sub(" ", line).strip() if "  " in line or line[:1].isspace() or line[-1:].isspace() else line


def _runs_on(prev: str, nxt: str) -> bool:
    """Is ``nxt`` the hard-wrapped continuation of ``prev`` (same paragraph)?"""
    if not prev or prev[-1] in _RUNS_ON_END or _LIST_START.match(nxt) or nxt.startswith("#"):
        return False
    if _LIST_START.match(prev) and len(prev) < 60:
        return False
    return nxt[:1].islower() or len(prev) >= 60


def split_units(text: str) -> list[str]:
    """Paragraph units of ``text`` in order, each cleaned to one line; empty ones left out."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    units: list[str] = []
    for block in _BLANK.split(text):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        cur: list[str] = []
        for ln in lines:
            if cur and _runs_on(cur[-1], ln):
                cur.append(ln)
                continue
            if cur:
                units.append(" ".join(cur))
            cur = [ln]
        if cur:
            units.append(" ".join(cur))
    cleaned = (clean_inline(u) for u in units)
    return [u for u in cleaned if u]
