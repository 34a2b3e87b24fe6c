"""Facets: how many distinct matching *articles* there are per source, year and speaker, for the whoosh engine.

Why under index/: the counting reads whoosh segment arrays and runs inside `searchkit.index.searching` (it is
part of what `Engine.run` returns); another engine counts with its own means (OpenSearch aggregations) under
the same names (`searchkit.engine.FACET_NAMES`).

Why array work: facets count over every match (tens of thousands of passages at 100k articles), so a Python
step per match costs more than the search itself. The layout makes it cheap: an article's passages are
consecutive documents of one segment, added in order (the writers never split an article; whoosh's merges copy
documents in order), so the documents where ``pindex`` is 0 mark where each article starts, and "which article
is document d" is a binary search. Per-article values (source, year) are read once per segment from the
facet fields' few terms; speakers, which differ per passage, are read only for matching passages that have
any (the ``speaker`` field's length says which), as (passage, speaker) pairs.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from ..article.variants import canonical_names, same_person
from ..arrays import best_of_runs, distinct, range_indexes
from ..ranking.evaluator import Matches
from ..store.layout import article_of, article_starts, field_lengths, posting_ids, segment_cache, segment_column
from ..store.schema import SOURCE_FACET, SPEAKER, SPEAKER_FACET, YEAR

FACETS = {"source": SOURCE_FACET, "year": YEAR, "speaker": SPEAKER_FACET}  # engine.FACET_NAMES -> the field counted
MAX_FACET_VALUES = 20


def _article_values(reader, fieldname: str) -> tuple[np.ndarray, list]:
    """(code of each article's value, -1 for none; the value of each code) for a per-article field."""
    def make():
        starts = article_starts(reader)
        codes = np.full(len(starts), -1, np.int64)
        values: list = []
        if fieldname in reader.schema.names():
            field = reader.schema[fieldname]
            for btext in field.sortable_terms(reader, fieldname):
                arts = np.searchsorted(starts, posting_ids(reader, fieldname, btext), side="right") - 1
                codes[arts] = len(values)
                values.append(field.from_bytes(btext))
        return codes, values

    return segment_cache(reader, ("article-values", fieldname), make)


def _speaker_pairs(reader) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(docnum, speaker code) for every speaker of every passage that has any, and the name of each code:
    read once per segment from the ``speaker_facet`` column, only where the ``speaker`` field has a length."""
    def make():
        docs_out: list[int] = []
        codes_out: list[int] = []
        names: dict[str, int] = {}
        lengths = field_lengths(reader, SPEAKER)
        if lengths is not None and SPEAKER_FACET in reader.schema.names():
            col = segment_column(reader, SPEAKER_FACET)
            for d in np.flatnonzero(lengths).tolist():
                value = col[d] or ""
                if isinstance(value, bytes):
                    value = value.decode("utf-8", "replace")
                for name in value.split(","):
                    name = name.strip()
                    if name:
                        docs_out.append(d)
                        codes_out.append(names.setdefault(name, len(names)))
        return np.array(docs_out, np.int64), np.array(codes_out, np.int64), list(names)

    return segment_cache(reader, ("speakers",), make)


def count(matches: Matches, canon: dict[str, str] | None = None) -> dict[str, dict[str, int]]:
    """Distinct matching articles per facet value, at most MAX_FACET_VALUES per facet, most frequent first.

    ``canon`` (`speaker_canon`) maps each speaker name to its person's canonical name: variants count as one.
    """
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    speakers, space = None, []  # with ``canon``: matching articles per canonical name, over every segment
    for seg in matches.segments:
        reader, ids = seg.reader, seg.ids
        matched = distinct(seg.articles())
        for name in ("source", "year"):
            codes, values = _article_values(reader, FACETS[name])
            if not values:
                continue
            found = codes[matched]
            _add(counts[name], values, np.bincount(found[found >= 0], minlength=len(values)), year=name == "year")
        sp_docs, sp_codes, sp_names = _speaker_pairs(reader)
        merged = _canonical_pairs(reader, canon) if sp_names and canon else None
        if merged:
            sp_codes, sp_names = merged
        if sp_names:
            sel = _pairs_of(sp_docs, ids, reader.doc_count_all())
            # one (article, speaker) pair per article that quotes the speaker in a matching passage
            pairs = distinct(article_of(reader, sp_docs[sel]) * len(sp_names) + sp_codes[sel])
            found = np.bincount(pairs % len(sp_names), minlength=len(sp_names))
            if merged:  # codes into the one alphabetical list of canonical names: summed as arrays
                speakers = found if speakers is None else speakers + found
                space = sp_names
            else:
                _add(counts["speaker"], sp_names, found)
    if speakers is not None:
        nz = np.flatnonzero(speakers)
        for i in nz[np.lexsort((nz, -speakers[nz]))][:MAX_FACET_VALUES].tolist():
            counts["speaker"][space[i]] = counts["speaker"].get(space[i], 0) + int(speakers[i])
    return {name: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_FACET_VALUES])
            for name, c in counts.items()}


FEW_MATCHES = 16  # matches under 1/16 of a segment's speaker pairs find their pairs by binary search


def _pairs_of(sp_docs: np.ndarray, ids: np.ndarray, n_docs: int) -> np.ndarray:
    """Indexes (or a mask) of the (passage, speaker) pairs whose passage is one of ``ids`` (sorted docnums of a
    segment of ``n_docs`` documents): a mask over every pair when the matches are many; for a few matches (a
    headline word, a rare name) the pairs' ranges, found by binary search in the sorted ``sp_docs``, instead
    of a pass over every pair of the segment (tens of thousands at 100k articles). Both select the same pairs."""
    if len(ids) * FEW_MATCHES >= len(sp_docs):
        hit = np.zeros(n_docs, bool)
        hit[ids] = True
        return hit[sp_docs]
    lo, hi = np.searchsorted(sp_docs, ids, side="left"), np.searchsorted(sp_docs, ids, side="right")
    return range_indexes(lo, hi - lo)


def _add(into: dict[str, int], values: list, counts: np.ndarray, year: bool = False) -> None:
    for code in np.flatnonzero(counts).tolist():
        value = values[code]
        if value in (None, "", b""):
            continue
        if year and not (isinstance(value, int) and 0 < value < 10000):
            continue  # articles without a date carry the column's out-of-range default
        key = _key(value)
        into[key] = into.get(key, 0) + int(counts[code])


def _key(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value)


def best_per_article(matches: Matches) -> tuple[int, np.ndarray, np.ndarray]:
    """(number of matching articles, index-wide docnum of each article's best passage, its score)."""
    docs, scores = [], []
    n = 0
    for seg in matches.segments:
        best = best_of_runs(seg.articles(), seg.scores)  # best first, then index order
        n += len(best)
        docs.append(seg.ids[best] + seg.offset)
        scores.append(seg.scores[best])
    if not docs:
        return 0, np.zeros(0, np.int64), np.zeros(0)
    return n, np.concatenate(docs), np.concatenate(scores)


# One name per person (issue 13): speaker variants are clustered over the whole index at query time, so
# the canonical form follows the index's content whatever the order files were added in.
_CANON_CACHE: dict[tuple, dict[str, str]] = {}


def _leaves(reader) -> list:
    return [reader] if reader.is_atomic() else [r for r, _ in reader.leaf_readers()]


def speaker_canon(reader) -> dict[str, str]:
    """Every speaker name in the index -> its canonical name (`searchkit.article.variants`), cached per
    set of segments (a new commit has new segments, so the cache never serves a stale clustering)."""
    leaves = _leaves(reader)
    key = tuple((id(r.segment()) if hasattr(r, "segment") else id(r), r.doc_count()) for r in leaves)
    if key not in _CANON_CACHE:
        counts: Counter[str] = Counter()
        for leaf in leaves:
            _, codes, names = _speaker_pairs(leaf)
            if names:
                counts.update(dict(zip(names, np.bincount(codes, minlength=len(names)).tolist())))
        if len(_CANON_CACHE) >= 4:
            _CANON_CACHE.clear()
        _CANON_CACHE[key] = canonical_names(counts)
    return _CANON_CACHE[key]


def speaker_variants(reader, name: str) -> list[str]:
    """The stored speaker names that name the person ``name`` names (case-insensitive; a shorter or
    variant form finds the canonical person: "haneef atmar" -> every Atmar variant); [name] if none."""
    return variants_in(speaker_canon(reader), name)


def variants_in(canon: dict[str, str], name: str) -> list[str]:
    """`speaker_variants` over ``canon`` ({stored name: canonical name}, `speaker_canon`): any engine's."""
    want = name.casefold()
    people = {c for n, c in canon.items() if want in (n.casefold(), c.casefold())}
    people = people or {c for n, c in canon.items() if same_person(name, n)}
    return sorted(n for n, c in canon.items() if c in people) or [name]


def _canonical_pairs(reader, canon: dict[str, str]) -> tuple[np.ndarray, list[str]] | None:
    """`_speaker_pairs`' codes with variants merged by ``canon``, as codes into `_canonical_space` (one list
    shared by every segment, so `count` adds segments' counts as arrays instead of a dict step per name), once
    per segment and clustering (``canon`` is `speaker_canon`'s cached dict: the same object until the index's
    segments change); mapping every pair again cost more than the rest of the facet counting. None when a
    name of the segment is not in ``canon`` (a clustering of other segments: never `count`'s own)."""
    memo = segment_cache(reader, ("speakers-canonical",), dict)
    got = memo.get(id(canon))
    if got is None or got[0] is not canon:
        _, codes, names = _speaker_pairs(reader)
        memo.clear()  # one clustering at a time: an older one is never asked for again
        space, where = _canonical_space(canon)
        if any(n not in canon for n in names):
            got = memo[id(canon)] = (canon, None)
        else:
            got = memo[id(canon)] = (canon, (np.array([where[canon[n]] for n in names], np.int64)[codes], space))
    return got[1]


_SPACES: dict[int, tuple] = {}  # id(canon) -> (canon, its canonical names in order, each one's position)


def _canonical_space(canon: dict[str, str]) -> tuple[list[str], dict[str, int]]:
    """The distinct canonical names of ``canon``, alphabetical (facet ties are broken by name, so a count
    array in this order ranks with one lexsort), and each name's position in that list."""
    got = _SPACES.get(id(canon))
    if got is None or got[0] is not canon:
        space = sorted(set(canon.values()))
        _SPACES.clear()
        got = _SPACES[id(canon)] = (canon, space, {n: i for i, n in enumerate(space)})
    return got[1], got[2]


def facet_values(reader, name: str) -> list[str]:
    """`searchkit.engine.Engine.facet_values` for the whoosh index: every value of facet ``name`` ("source":
    articles per outlet; "speaker": passages quoting each person, under their canonical name), most frequent
    first, ties alphabetical. ``reader``: the index's reader (per-segment arrays are cached, so this is cheap)."""
    counts: Counter[str] = Counter()
    if name not in ("source", "speaker"):
        raise ValueError(f"no facet {name!r} to list values of (choose source or speaker)")
    if reader.doc_count() == 0:
        return []  # an empty index's reader has no segment to read arrays from
    if name == "speaker":
        canon = speaker_canon(reader)
        for leaf in _leaves(reader):
            _, codes, names = _speaker_pairs(leaf)
            for n, c in zip(names, np.bincount(codes, minlength=len(names)).tolist()):
                counts[canon.get(n, n)] += c
    else:
        for leaf in _leaves(reader):
            codes, values = _article_values(leaf, SOURCE_FACET)
            found = codes[codes >= 0]
            for v, c in zip(values, np.bincount(found, minlength=len(values)).tolist()):
                if v not in (None, "", b"") and c:
                    counts[_key(v)] += c
    return [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
