"""Sketching many articles at once (`article_sketches`, what the parser processes call) gives each article the
values it gets alone, and the faster normalisation patterns give the text the word-boundary patterns gave."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from searchkit.dupes import keysets, sketch
from searchkit.model import Passage
from searchkit.parse import parse_file

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _same(a, b) -> bool:
    return (a[0] == b[0] and a[1].dtype == b[1].dtype and np.array_equal(a[1], b[1]) and len(a[2]) == len(b[2])
            and all(p[:3] == q[:3] and np.array_equal(p[3], q[3]) for p, q in zip(a[2], b[2])))


def test_batch_equals_one_at_a_time():
    """The bundled corpus's articles, plus bodies that take the other branches (empty, under one shingle,
    all short lines, a short menu line beside prose, a paragraph split over two passages), in one batch."""
    bodies = [(a.paragraphs, a.passages) for f in sorted(CORPUS.iterdir()) for a in parse_file(f, CORPUS)]
    prose = "The central bank raised its key rate by 0.50 pct to 5.250 pct, the first rise in 1,500 days."
    split = prose + " " + prose
    bodies += [([], []), (["Oil up"], []), (["Home", "News", "Sport"], []),
               (["Subscribe now", prose, prose], [Passage(0, prose, 0, len(prose))]),
               ([split], [Passage(0, split[:40], 0, 40), Passage(1, split[40:], 40, len(split))])]
    batch = sketch.article_sketches(bodies)
    assert len(batch) == len(bodies)
    for body, got in zip(bodies, batch):
        alone = sketch.article_sketches([body])[0]
        assert _same(got, alone)
    assert sum(len(p) for _, _, p in batch) > 5  # pieces were signed, not only whole articles
    assert batch[-5][0] == 0 and (batch[-5][1] == 0xFFFFFFFF).all()  # the empty body: all-max signature


def test_normalisation_matches_the_boundary_patterns():
    """`_expand` and the trailing-zero pre-check against the patterns they stand for, on the edge cases."""
    boundary = re.compile(r"\b(?:pct|pc|mln|bln|dlrs|dlr)\b")
    texts = ["5 pct", "5pct", "xpct pct", "pct", "pcts", "_pct", "é pct.", "mln-dlrs", "1.50.0", "2.000 mln",
             "up 0.10 pct from 12.0", "dlr's", "a.50.0 bln", "pc pct pcx", "10.05 dlrs."]
    for text in texts:
        assert sketch._expand(text) == boundary.sub(lambda m: sketch._EXPANDED[m.group(0)], text), text
        zeros = sketch._TRAILING_ZEROS.sub(lambda m: m.group(1) or m.group(2), text)
        assert zeros == text or sketch._MAY_TRAIL.search(text), text


def test_signatures_in_small_chunks_equal_each_set_signed_alone(monkeypatch):
    """`signatures` hashes a bounded number of shingles per array operation; with a chunk of 7 shingles most
    sets straddle chunks (and long ones span many), and every signature is still `signature` of its set."""
    bodies = [(a.paragraphs, a.passages) for f in sorted(CORPUS.iterdir()) for a in parse_file(f, CORPUS)]
    sets = [s for s in (sketch.shingles(sketch.words(" ".join(p))) for p, _ in bodies) if len(s)]
    sets += [np.array([5], np.uint64), np.arange(20, dtype=np.uint64)]
    whole = sketch.signatures(sets, sketch.NUM_PERM)
    monkeypatch.setattr(sketch, "SIGNATURE_CHUNK", 7)
    for perm in (sketch.NUM_PERM, sketch.PARAGRAPH_PERM):
        small = sketch.signatures(sets, perm)
        assert small.dtype == np.uint32 and small.shape == (len(sets), perm)
        assert all(np.array_equal(row, sketch.signature(s, perm)) for row, s in zip(small, sets))
    assert np.array_equal(whole, sketch.signatures(sets, sketch.NUM_PERM))
    assert sketch.signatures([], sketch.NUM_PERM).shape == (0, sketch.NUM_PERM)


def test_distinct_keys_equal_numpy_unique_of_everything_added():
    """`DistinctKeys` merges sorted runs instead of re-sorting: against ``np.unique`` of all that was added,
    over adds of every size (empty, duplicates within one add and across adds, keys below and above all kept
    ones, enough adds to merge many times) and read part-way through."""
    rng = np.random.default_rng(7)
    keys, added = keysets.DistinctKeys(), []
    for step in range(400):
        size = int(rng.integers(0, 3000)) if step % 50 else 0
        high = 1 << (10 + step % 40)  # small ranges repeat keys, large ones land outside what is kept
        batch = rng.integers(-high, high, size)
        keys.add(batch)
        added.append(batch)
        if step in (0, 37, 250):
            assert np.array_equal(keys.array(), np.unique(np.concatenate(added)))
    assert np.array_equal(keys.array(), np.unique(np.concatenate(added)))
    assert len(keys) == len(np.unique(np.concatenate(added)))
    # candidate_pairs keeps its pairs in one: every pair sharing a whole band, against a brute-force count
    sigs = rng.integers(0, 6, (300, 8)).astype(np.uint16)  # few values: many shared bands, small buckets
    expected = sorted({(i, j) for i in range(300) for j in range(i + 1, 300)
                       if any((sigs[i, b:b + 2] == sigs[j, b:b + 2]).all() for b in range(0, 8, 2))})
    assert sketch.candidate_pairs(sigs, 2, max_bucket=300).tolist() == [list(p) for p in expected]


def test_candidate_pairs_with_keep_are_the_selected_rows_pairs() -> None:
    """``keep`` (the copy-group pass's rows with enough shingles, without copying their signatures) gives the
    pairs of ``sigs[keep]`` numbered in ``sigs``, also where the bucket cap makes the order of rows matter."""
    rng = np.random.default_rng(11)
    sigs = rng.integers(0, 3, (400, 8)).astype(np.uint16)  # 3 values: large buckets, the cap of 5 cuts them
    keep = rng.random(400) < 0.7
    rows = np.flatnonzero(keep)
    alone = sketch.candidate_pairs(sigs[keep], 2, max_bucket=5)
    assert len(alone) and np.array_equal(sketch.candidate_pairs(sigs, 2, max_bucket=5, keep=keep), rows[alone])
    assert len(sketch.candidate_pairs(sigs, 2, max_bucket=5)) > len(alone)  # the dropped rows had pairs too
