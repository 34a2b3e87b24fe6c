"""Grouping: which articles are copies of one story, which is the original, and where a passage first appeared.

Pure functions over sketches (`searchkit.dupes.sketch`), so that the same rules run at index time, in the
benchmark and in tests, and the result depends only on the set of articles (never on the order they were
indexed in): incremental updates and ``--rebuild`` give the same groups.

What counts as a copy: two articles whose clean bodies (boilerplate removed) are candidates in MinHash LSH and
whose estimated *containment* -- the share of the shorter body's 5-word shingles found in the longer one -- is
at least ``COPY_CONTAINMENT``. Containment, not Jaccard, because a syndicated copy is often trimmed: a copy
that keeps half of the story is still the story. Groups are the connected components of confirmed pairs.
A follow-up that reuses one paragraph of an earlier story shares a small part of its shingles and is not a
copy; its reused passage gets ``first_seen`` instead (see `provenance`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..arrays import distinct, id_ranges, range_indexes
from . import sketch
from .provenance import MAX_REUSE, PARAGRAPH_JACCARD, PARAGRAPH_ROWS, Provenance, agreement, first_seen

COPY_CONTAINMENT = 0.6  # see is_copy
COPY_ROWS = 2  # rows per LSH band of the article signature: 64 bands, a candidate from Jaccard ~0.15 up
LEDE_WORDS = 25
MIN_SHINGLES = 8  # a body shorter than this (a one-line brief) is never grouped: too little to tell
COPY_PARAGRAPH_JACCARD = 0.35  # a paragraph "found" in a copy may have lost a sentence or changed numbers
MIN_PARAGRAPH_WORDS = 12  # a reused passage must be more than a stock phrase ("he told reporters.")
_UNDATED = "9999-99-99"  # undated articles sort after every dated one: they can never be "earlier"
SIG_BITS = 16  # bits of each MinHash value that grouping compares and the index keeps (see `compact`)


@dataclass(slots=True)
class Record:
    """What grouping needs of one article (slots: the copy-group pass holds one per article, ~150 bytes
    less each than with a ``__dict__``)."""

    id: str
    path: str
    date: str | None
    size: int  # distinct shingles of the clean body
    sig: np.ndarray  # sketch.signature of those shingles (or its `compact` form)


@dataclass
class Piece:
    """A passage-sized unit of one article for provenance: one paragraph within one passage."""

    article: int  # row of the article in the records list
    paragraph: int  # index into Article.paragraphs
    before: int  # words of the body before that paragraph
    passage: int  # Passage.index
    sig: np.ndarray  # sketch.signature(..., PARAGRAPH_PERM)


@dataclass
class Pieces:
    """Every piece of a collection as arrays (no object per piece: there are ~10 per article), rows sorted by
    article; `of` gives one article's as `Piece` objects, for the few articles a rule looks at closely."""

    cols: np.ndarray  # (n, 4) int64: article row, paragraph, words before, passage index
    sigs: np.ndarray  # (n, sketch.PARAGRAPH_PERM) uint32, or uint16 (`compact`)

    def __len__(self) -> int:
        return len(self.cols)

    def of(self, article: int) -> list[Piece]:
        lo, hi = np.searchsorted(self.cols[:, 0], [article, article + 1])
        return [Piece(article=int(a), paragraph=int(q), before=int(w), passage=int(p), sig=self.sigs[lo + k])
                for k, (a, q, w, p) in enumerate(self.cols[lo:hi].tolist())]

    @classmethod
    def from_list(cls, pieces: list[Piece]) -> "Pieces":
        pieces = sorted(pieces, key=lambda p: p.article)
        cols = np.array([(p.article, p.paragraph, p.before, p.passage) for p in pieces], np.int64).reshape(-1, 4)
        sigs = np.stack([p.sig for p in pieces]) if pieces else np.zeros((0, sketch.PARAGRAPH_PERM), np.uint32)
        return cls(cols, sigs)


@dataclass
class Result:
    groups: list[list[int]] = field(default_factory=list)  # rows, original first, then earliest first
    first_seen: Provenance = field(default_factory=Provenance)


def _find(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = int(parent[i])
    return i


def _components(n: int, pairs: np.ndarray) -> list[list[int]]:
    parent = np.arange(n)
    for a, b in pairs.tolist():
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    comps: dict[int, list[int]] = {}
    for i in range(n):
        comps.setdefault(_find(parent, i), []).append(i)
    return [c for c in comps.values() if len(c) > 1]


def _shared_paragraphs(mine: list[Piece], theirs: list[Piece]) -> tuple[set[int], set[int]]:
    """(paragraphs of ``mine``, paragraphs of ``theirs``) that are nearly identical to a piece of the other."""
    if not mine or not theirs:
        return set(), set()
    other = np.stack([p.sig for p in theirs])
    mine_hit, theirs_hit = set(), set()
    for p in mine:
        same = (other == p.sig).mean(axis=1) >= COPY_PARAGRAPH_JACCARD
        if same.any():
            mine_hit.add(p.paragraph)
            theirs_hit.update(theirs[k].paragraph for k in np.flatnonzero(same).tolist())
    return mine_hit, theirs_hit


def is_copy(a: Record, b: Record, pieces_a: list[Piece], pieces_b: list[Piece]) -> bool:
    """The copy rule, on the shorter body S and the longer L (thresholds from bench/dupes.py's candidates):

    - S lies mostly in L: containment >= ``COPY_CONTAINMENT`` (copies 0.53-1.0, most above 0.8);
    - and S repeats the *story*, not one paragraph of it: two or more of S's paragraphs are found in L; or S
      has a single substantial paragraph and it is L's first substantial one, in the same place (at most
      ``LEDE_WORDS`` words more or fewer before it than S has: menu lines that boilerplate removal kept), i.e. a copy trimmed to its lede --
      news is cut from the bottom -- or a table with its note, not a story that quotes S's paragraph
      after material of its own; or S has no substantial paragraph at all (a table) and containment >= 0.9.

    The second condition is what keeps a follow-up apart: built around one long reused paragraph it can be
    0.9 "contained" in its source, but it shares exactly one paragraph, placed anywhere but first.
    """
    if sketch.containment(a.sig, a.size, b.sig, b.size) < COPY_CONTAINMENT:
        return False
    short, long_ = (pieces_a, pieces_b) if (a.size, a.id) <= (b.size, b.id) else (pieces_b, pieces_a)
    paragraphs = {p.paragraph for p in short}
    if not paragraphs:
        return sketch.containment(a.sig, a.size, b.sig, b.size) >= 0.9
    mine, theirs = _shared_paragraphs(short, long_)
    if len(mine) >= 2:
        return True
    if len(paragraphs) == 1 and mine:  # the one paragraph must open L's story, and sit where it sits in S
        first = min(p.paragraph for p in long_)
        other = np.stack([p.sig for p in long_])
        return any(long_[k].paragraph == first and abs(long_[k].before - p.before) <= LEDE_WORDS
                   for p in short for k in np.flatnonzero((other == p.sig).mean(axis=1) >= COPY_PARAGRAPH_JACCARD).tolist())
    return False


def copy_pairs(records: list[Record], pieces: Pieces | None = None, sigs: np.ndarray | None = None) -> np.ndarray:
    """(m, 2) rows of confirmed copy pairs (LSH candidates that pass `is_copy`, decided by `copies`).
    ``sigs``: the records' signatures as one array (row i is ``records[i].sig``) when the caller holds them
    so (the tracker does); otherwise they are stacked here, a copy of every signature (77 MB at 300k)."""
    sizes = np.array([r.size for r in records], np.int64)
    eligible = sizes >= MIN_SHINGLES
    if int(eligible.sum()) < 2:
        return np.zeros((0, 2), np.int64)
    pieces = pieces if pieces is not None else Pieces.from_list([])
    if sigs is None:
        sigs = np.stack([r.sig for r in records])
    found = sketch.candidate_pairs(sigs, COPY_ROWS, keep=None if eligible.all() else eligible)
    # the containment test for all candidates in array operations first: at 100k articles 482k LSH candidates,
    # of which 50k pass it, and the Python rule per candidate (its pieces gathered) was ~26 s single-threaded
    # a chunk of candidates at a time: the estimates' temporaries for all 5 M candidates of 300k articles at once
    # were ~110 MB of the copy-group pass's peak
    kept, estimates = [], []
    for lo in range(0, len(found), CANDIDATE_CHUNK):
        part = found[lo:lo + CANDIDATE_CHUNK]
        contained = sketch.containments(agreement(sigs, part), sizes[part[:, 0]], sizes[part[:, 1]])
        passed = contained >= COPY_CONTAINMENT
        kept.append(part[passed].astype(np.int64))
        estimates.append(contained[passed])
    del found
    cand = np.concatenate(kept) if kept else np.zeros((0, 2), np.int64)
    return cand[copies(records, pieces, cand, np.concatenate(estimates) if estimates else np.zeros(0))]


CANDIDATE_CHUNK = 1 << 19  # LSH candidate pairs of articles whose containment is estimated in one go


PIECE_PAIRS = 1 << 19  # piece pairs (shorter body's x longer body's) compared in one array operation


def copies(records: list[Record], pieces: Pieces, cand: np.ndarray, contained: np.ndarray) -> np.ndarray:
    """`is_copy` of each candidate pair of article rows ``cand`` (their ``contained`` estimates already at
    least ``COPY_CONTAINMENT``), as a boolean mask computed with array operations: every piece of the
    shorter body against every piece of the longer, `PIECE_PAIRS` at a time. Per pair in Python (pieces
    gathered, `_shared_paragraphs`) it was 27 s of the 300k bench articles' 380k candidates."""
    a, b = cand[:, 0].astype(np.int64), cand[:, 1].astype(np.int64)
    size = np.array([r.size for r in records], np.int64)
    a_short = size[a] < size[b]
    tie = np.flatnonzero(size[a] == size[b])  # then the smaller id is the "shorter", as in is_copy
    a_short[tie] = [records[i].id <= records[j].id for i, j in zip(a[tie].tolist(), b[tie].tolist())]
    short, long_ = np.where(a_short, a, b), np.where(a_short, b, a)
    owner, par, before = pieces.cols[:, 0], pieces.cols[:, 1], pieces.cols[:, 2]
    lo, count = id_ranges(owner, len(records))
    width = int(par.max()) + 1 if len(par) else 1
    paragraphs = np.bincount(distinct(owner * width + par) // width, minlength=len(records))
    first = np.full(len(records), width, np.int64)
    np.minimum.at(first, owner, par)
    out = np.zeros(len(cand), bool)
    none = count[short] == 0
    out[none] = contained[none] >= 0.9  # no substantial paragraph (a table): containment decides
    total = count[short] * count[long_]
    ends = np.searchsorted(np.cumsum(total), np.arange(PIECE_PAIRS, int(total.sum()) + PIECE_PAIRS, PIECE_PAIRS),
                           side="right")
    start = 0
    for end in np.append(ends, len(cand)).tolist():
        if end <= start:
            continue
        c = np.arange(start, end)
        start = end
        t = total[c]
        rep = np.repeat(np.arange(len(c)), t)
        k = range_indexes(np.zeros(len(c), np.int64), t)  # each pair's place in its candidate's cross product
        nl = count[long_[c]][rep]
        ps, pl = lo[short[c]][rep] + k // nl, lo[long_[c]][rep] + k % nl
        hit = agreement(pieces.sigs, np.stack([ps, pl], axis=1)) >= COPY_PARAGRAPH_JACCARD
        rep, ps, pl = rep[hit], ps[hit], pl[hit]
        found = np.bincount(distinct(rep * width + par[ps]) // width, minlength=len(c))  # S's paragraphs in L
        lede = (par[pl] == first[long_[c]][rep]) & (np.abs(before[pl] - before[ps]) <= LEDE_WORDS)
        opens = np.bincount(rep[lede], minlength=len(c)) > 0  # S's paragraph opens L's story, where it sits in S
        out[c] = np.where(none[c], out[c], (found >= 2) | ((paragraphs[short[c]] == 1) & (found >= 1) & opens))
    return out


def _order(records: list[Record], members: list[int]) -> list[int]:
    """Original first: the earliest date; on a tie, the body that contains the others most (then the larger
    body: an edited copy lost words); then path."""
    def contains_others(i: int) -> float:
        r = records[i]
        total = 0.0
        for j in members:
            o = records[j]
            if j != i and (o.date or _UNDATED) == (r.date or _UNDATED):
                inter = sketch.jaccard(r.sig, o.sig) * (r.size + o.size) / (1 + sketch.jaccard(r.sig, o.sig))
                total += inter / max(o.size, 1)
        return total

    # contains_others is an estimate (+-0.05): coarse steps, then the exact shingle count decides
    return sorted(members, key=lambda i: (records[i].date or _UNDATED, -round(contains_others(i) / max(len(members) - 1, 1), 1),
                                          -records[i].size, records[i].path, records[i].id))


def group(records: list[Record], pieces: Pieces | None = None, sigs: np.ndarray | None = None) -> list[list[int]]:
    """The groups of copies (two members or more), each ordered original first; groups by their original.
    ``sigs`` as `copy_pairs` takes it."""
    groups = [_order(records, c) for c in _components(len(records), copy_pairs(records, pieces, sigs))]
    return sorted(groups, key=lambda g: (records[g[0]].date or _UNDATED, records[g[0]].path, records[g[0]].id))


def provenance(records: list[Record], pieces: Pieces, groups: list[list[int]]) -> Provenance:
    """For each (article row, passage): the row of the earliest *other-story* article holding a nearly identical piece.

    "Other story": not the article itself and not a member of its group (a copy repeating its original is
    not provenance). Earliest: by date, a group's original before its copies, then path. Pieces found in more
    than ``MAX_REUSE`` stories are ignored (cookie notices, stock disclaimers that boilerplate removal left).
    """
    group_of = np.arange(len(records)) + len(records)  # ungrouped: its own story id
    rank = np.zeros(len(records), np.int64)
    for g, members in enumerate(groups):
        for k, i in enumerate(members):
            group_of[i], rank[i] = g, k
    # earliest: by date, a group's original before its copies, then path (ids are unique: a strict order)
    order = sorted(range(len(records)), key=lambda i: (records[i].date or _UNDATED, int(rank[i] > 0),
                                                       records[i].path, records[i].id))
    pos = np.empty(len(records), np.int64)
    pos[order] = np.arange(len(records))
    dated = np.array([r.date is not None for r in records], bool)
    return first_seen(pieces.sigs, pieces.cols[:, 0], pieces.cols[:, 3], group_of, pos, dated)


def compact(sigs: np.ndarray) -> np.ndarray:
    """The low `SIG_BITS` bits of each MinHash value (b-bit MinHash, Li & Koenig): what the rules compare and
    what the index stores -- random 32-bit values were the largest part of the index (0.9x the raw text at 10k).

    Why 16 bits and no estimator correction: two different values agree by chance in 2**-16 of cases, which
    raises a Jaccard estimate by at most 0.000015, far below the 1/128 step of a 128-value signature; an LSH
    band key (two values) still has 32 random bits, so chance candidates stay as rare as before. 8 bits would
    halve the size again but give every pair of pieces a 1/65536 chance per band of being a candidate:
    ~12 million spurious candidate pairs among the ~450k pieces of 100k articles.
    Old 32-bit values give the same result (the low bits are the same), so indexes keep their state file."""
    sigs = np.asarray(sigs)
    if sigs.dtype == np.uint16:
        return sigs
    return (sigs & np.uint32((1 << SIG_BITS) - 1)).astype(np.uint16)


def compute(records: list[Record], pieces: Pieces, sigs: np.ndarray | None = None) -> Result:
    """Groups and passage provenance of a whole collection, on `compact` signatures whatever the caller holds
    (the whoosh engine's state file, the OpenSearch engine's stored sketches), so both engines group alike.
    ``sigs``: the records' signatures as one array, when the caller holds them so (`copy_pairs`)."""
    records = [r if r.sig.dtype == np.uint16 else replace(r, sig=compact(r.sig)) for r in records]
    pieces = Pieces(pieces.cols, compact(pieces.sigs))
    groups = group(records, pieces, None if sigs is None else compact(sigs))
    return Result(groups=groups, first_seen=provenance(records, pieces, groups))
