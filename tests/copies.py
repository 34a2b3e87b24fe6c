"""Planted copies for the copy-group tests (`searchkit.dupes`), made from the bundled corpus: real stories
republished with other sites' furniture, and a follow-up that reuses one paragraph (both engines' tests)."""
from __future__ import annotations

import json
from pathlib import Path

import searchkit

REPO = Path(__file__).resolve().parents[1]


def story(name: str):
    return next(iter(searchkit.parse_file(REPO / "corpus" / name)))


def page(path: Path, title: str, day: str, source: str, paragraphs: list[str], head: list[str], foot: list[str]):
    path.parent.mkdir(parents=True, exist_ok=True)
    front = f"---\ntitle: {json.dumps(title)}\ndate: {day}\nsource: {source}\n---\n\n"
    path.write_text(front + "\n\n".join(head + paragraphs + foot) + "\n", encoding="utf-8")


def plant(root: Path):
    """In ``root``: the original (001, 2017-11-24), a trimmed copy with other furniture (11-25), a follow-up of
    another story (002) that reuses one paragraph of 001 (12-01). Returns (root, story, reused paragraph)."""
    story_, other = story("001_233c0a0495289e8e.txt"), story("002_6c642faf50f227e3.txt")
    page(root / "a" / "original.md", story_.headline, "2017-11-24", "Outlet A", story_.paragraphs,
         ["Home | World | Business | Sport | Contact", "Subscribe"], ["Share this: Facebook Twitter Email"])
    page(root / "b" / "copy.md", "Afghan adviser: Russia should use Taliban contacts", "2017-11-25", "Outlet B",
         ["KABUL, Nov 25 - " + story_.paragraphs[0]] + story_.paragraphs[1:-3], ["Skip to content", "Menu"],
         ["This website uses cookies to improve your experience. We'll assume you're ok with this.", "Accept"])
    reused = max(story_.paragraphs[2:6], key=len)
    paras = list(other.paragraphs)
    paras.insert(2, reused)
    page(root / "c" / "followup.md", other.headline, "2017-12-01", "Outlet C", paras, ["Breaking News"], ["Related posts"])
    return root, story_, reused
