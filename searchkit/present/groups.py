"""Passages of one article shown together: the view both the terminal and the page render.

Passage mode ranks passages, so one article can hold several of a page's hits; printing its headline once
per passage reads as duplicates. ``group_hits`` keeps the ranking (groups come in the order of their best
hit, passages in rank order inside a group) and only changes the layout; the JSON keeps one result per
passage.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import ArticleRef, Hit


@dataclass
class HitGroup:
    """One article and its hits on this page, best first."""

    article: ArticleRef
    hits: list[Hit] = field(default_factory=list)


def group_hits(hits: list[Hit]) -> list[HitGroup]:
    """``hits`` grouped by article id, in the order each article first appears (its best rank)."""
    groups: dict[str, HitGroup] = {}
    for hit in hits:
        group = groups.get(hit.article.id)
        if group is None:
            group = groups[hit.article.id] = HitGroup(hit.article)
        group.hits.append(hit)
    return list(groups.values())
