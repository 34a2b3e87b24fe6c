"""`searchkit.dupes.provenance.first_seen` (classes of identical signatures) against a brute-force reading of
the rule: every pair of pieces compared, no LSH, no classes."""
from __future__ import annotations

import numpy as np
import pytest

from searchkit.dupes import provenance
from searchkit.dupes.provenance import MAX_REUSE, PARAGRAPH_JACCARD, PARAGRAPH_ROWS, first_seen, signature_classes


def _reference(sigs, owners, passages, story, pos, dated) -> dict[tuple[int, int], int]:
    """The rule as stated: pieces of different stories sharing a whole band and agreeing on
    PARAGRAPH_JACCARD of their values are related; a piece related to more than MAX_REUSE stories (its own
    counted) is out; each (article, passage) takes the earliest dated article holding a related piece."""
    n = len(sigs)
    same = sigs[:, None, :] == sigs[None, :, :]
    bands = same.reshape(n, n, -1, PARAGRAPH_ROWS).all(axis=3).any(axis=2)
    ps = story[owners]
    related = bands & (same.mean(axis=2) >= PARAGRAPH_JACCARD) & (ps[:, None] != ps[None, :])
    reuse = np.array([len(set(ps[related[p]].tolist())) + 1 if related[p].any() else 0 for p in range(n)])
    ok = reuse <= MAX_REUSE
    found: dict[tuple[int, int], int] = {}
    for a, b in zip(*np.nonzero(np.triu(related))):
        if not (ok[a] and ok[b]):
            continue
        if pos[owners[b]] < pos[owners[a]]:
            a, b = b, a  # a: the earlier article's piece
        if not dated[owners[a]]:
            continue
        key = (int(owners[b]), int(passages[b]))
        if key not in found or pos[found[key]] > pos[owners[a]]:
            found[key] = int(owners[a])
    return found


def _collection(seed: int):
    """Pieces copied verbatim -- one paragraph in 70 copies across 20 stories, copies of one story among them
    (more than the 64 neighbours a band bucket pairs), one in exactly MAX_REUSE stories, one in one story
    more (furniture) -- near copies that do and do not agree enough, and noise. Articles 0-74 are 25 groups
    of three (one story each), the others stories of their own."""
    rng = np.random.default_rng(seed)
    articles = 200
    story = np.arange(articles)
    story[:75] = np.arange(75) // 3
    base = rng.integers(0, 1 << 16, (13, 16), dtype=np.uint16)
    sigs, owners = [], []

    def add(sig, owner):
        sigs.append(sig)
        owners.append(int(owner))
    for owner in rng.choice(np.r_[0:30, 75:85], 70):  # may repeat an article: copies within one story too
        add(base[0], owner)
    for owner in range(85, 85 + MAX_REUSE):
        add(base[1], owner)
    for owner in range(110, 110 + MAX_REUSE + 1):
        add(base[2], owner)
    others = np.r_[0:85, 110 + MAX_REUSE + 1:articles]  # the two counted paragraphs' articles hold only them
    for k in range(3, 13):
        for owner in rng.choice(others, int(rng.integers(2, 8)), replace=False):
            sig = base[k].copy()
            changed = rng.choice(16, int(rng.choice([0, 2, 4, 7])), replace=False)
            sig[changed] = rng.integers(0, 1 << 16, len(changed))
            add(sig, owner)
    for owner in rng.choice(others, 60):
        add(rng.integers(0, 1 << 16, 16, dtype=np.uint16), owner)
    order = rng.permutation(len(sigs))
    sigs, owners = np.array(sigs)[order], np.array(owners, np.int64)[order]
    passages = rng.integers(0, 4, len(sigs))
    pos = rng.permutation(articles)
    dated = rng.random(articles) < 0.8
    return sigs, owners, passages, story, pos, dated


@pytest.mark.parametrize("seed", range(6))
def test_first_seen_equals_brute_force(seed: int) -> None:
    args = _collection(seed)
    expected = _reference(*args)
    got = first_seen(*args)
    assert len(expected) >= 40
    furniture = set(range(110, 110 + MAX_REUSE + 1))
    assert any(k[0] in range(85, 85 + MAX_REUSE) for k in expected)  # reused in MAX_REUSE stories: kept
    assert not any(k[0] in furniture or v in furniture for k, v in expected.items())
    assert got.as_dict() == expected
    keys = list(zip(got.rows.tolist(), got.passages.tolist()))
    assert keys == sorted(keys)  # sorted by (row, passage), as the groups document is written


def test_signature_classes_partition_rows_by_value() -> None:
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 4, (500, 16), dtype=np.uint16)
    sigs[::7] = sigs[0]
    uniq, cls = signature_classes(sigs)
    assert (uniq[cls] == sigs).all()
    assert len(uniq) == len({r.tobytes() for r in sigs})
    assert len(uniq) == len({r.tobytes() for r in uniq})
    # order-free: the classes of the shuffled rows are the same signatures
    perm = rng.permutation(len(sigs))
    uniq2, cls2 = signature_classes(sigs[perm])
    assert (uniq2 == uniq).all() and (cls2 == cls[perm]).all()


def test_agreement_is_chunked_without_changing_it(monkeypatch) -> None:
    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 3, (50, 16), dtype=np.uint16)
    pairs = rng.integers(0, 50, (999, 2))
    whole = (sigs[pairs[:, 0]] == sigs[pairs[:, 1]]).mean(axis=1)
    monkeypatch.setattr(provenance, "PAIR_CHUNK", 7)
    assert np.array_equal(provenance.agreement(sigs, pairs), whole)
