"""Collapsing copies in a result set: the best-ranked member of each group stands for it.

Works on `searchkit.ranking.evaluator.Matches` before ranking, paging and facets, so all three see one member per group:
the total and the pages count a group once, and facet counts too. Which member stands for a group is decided
over every match (its best passage score; on a tie the earlier member, the original first), so paging never
shows a second member later.
"""
from __future__ import annotations

import numpy as np

from ..ranking.evaluator import Matches, SegmentMatches
from ..store.layout import article_of, article_starts, posting_ids, segment_cache, term_bytes
from .view import Groups


def _group_codes(reader, groups: Groups) -> tuple[np.ndarray, np.ndarray]:
    """(group number, place in the group: 0 = the original) of each article ordinal of one segment (-1: in no
    group), for this version of the groups."""
    def make():
        codes = np.full(len(article_starts(reader)), -1, np.int64)
        ranks = np.zeros(len(codes), np.int64)
        for g, ids in enumerate(groups.members):
            for rank, aid in enumerate(ids):
                btext = term_bytes(reader, "article_id", aid)
                if btext is not None:
                    at = article_of(reader, posting_ids(reader, "article_id", btext))
                    codes[at], ranks[at] = g, rank
        return codes, ranks

    return segment_cache(reader, ("dupe-groups", groups.version), make)


def collapse(matches: Matches, groups: Groups) -> Matches:
    """``matches`` with the passages of every group member but the best-scoring one removed."""
    if not groups.members or not matches.segments:
        return matches
    per_seg, ranks = [], []
    for k, seg in enumerate(matches.segments):
        arts = seg.articles()
        codes, places = _group_codes(seg.reader, groups)
        per_seg.append((arts, codes[arts]))
        ranks.append(places[arts])
    g = np.concatenate([c for _, c in per_seg])
    grouped = g >= 0
    if not grouped.any():
        return matches
    # a unique key per (segment, article): article ordinals are below 2^40 in any real segment
    art_key = np.concatenate([k * (1 << 40) + a for k, (a, _) in enumerate(per_seg)])
    docs, scores = matches.docnums(), matches.scores()
    sel = np.flatnonzero(grouped)
    place = np.concatenate(ranks)
    # best first; on equal scores the earlier member (the original before its copies: `grouping._order`), so
    # the choice depends on the groups alone, not on which segment a parallel run put a copy in
    order = sel[np.lexsort((docs[sel], place[sel], -np.round(scores[sel], 9)))]
    first_g, first_at = np.unique(g[order], return_index=True)
    winner = np.full(int(g.max()) + 1, -1, np.int64)
    winner[first_g] = art_key[order[first_at]]
    keep = ~grouped | (art_key == winner[np.maximum(g, 0)])
    out, start = Matches(), 0
    for seg, (arts, _) in zip(matches.segments, per_seg):
        mask = keep[start:start + len(arts)]
        start += len(arts)
        if mask.any():
            out.segments.append(SegmentMatches(seg.reader, seg.offset, seg.ids[mask], seg.scores[mask]))
    return out
