"""Distinct values and best-of-group on arrays: what ``np.unique`` gives, without its slow paths.

Why a module: numpy 2.x's ``np.unique(a)`` finds distinct values with a hash table and sorts them after; on
this machine that took 0.6 ms for 6,000 integers, where a sort and a comparison of neighbours take 0.05 ms
(0.015 ms when the values arrive sorted, as the article ordinals of sorted docnums do). With ``return_index``
it sorts stably (a merge sort, 0.3 ms at 6,000). A query asked for distinct values a dozen times — article
ordinals of matches, (article, speaker) pairs, the best passage of each article — so those steps cost a
millisecond or more of a one-word query at 100k articles. Each function returns exactly what the ``np.unique``
form it names returns (``tests/test_arrays.py`` compares them), for 1-D integer or float arrays without NaN.
"""
from __future__ import annotations

import numpy as np


def run_starts(values: np.ndarray) -> np.ndarray:
    """Index of the first element of each run of equal neighbours in ``values``."""
    if not len(values):
        return np.zeros(0, np.int64)
    mask = np.empty(len(values), bool)
    mask[0] = True
    np.not_equal(values[1:], values[:-1], out=mask[1:])
    return np.flatnonzero(mask)


def is_sorted(values: np.ndarray) -> bool:
    """True when ``values`` never decreases."""
    return len(values) < 2 or bool((values[1:] >= values[:-1]).all())


def distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)``: the sorted distinct values (no sort when they arrive sorted)."""
    values = np.asarray(values).ravel()
    if not is_sorted(values):
        values = np.sort(values)
    return values[run_starts(values)]


def distinct_first(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_index=True)``: the sorted distinct values and where each first occurs.
    Sorted input needs no sort at all; other input takes numpy's own (stable) path."""
    values = np.asarray(values).ravel()
    if not is_sorted(values):
        return np.unique(values, return_index=True)
    first = run_starts(values)
    return values[first], first


def distinct_first_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(values, return_index=True, return_counts=True)``."""
    values = np.asarray(values).ravel()
    if not is_sorted(values):
        return np.unique(values, return_index=True, return_counts=True)
    first = run_starts(values)
    return values[first], first, np.diff(np.append(first, len(values)))


def best_of_runs(groups: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Index of the highest of ``scores`` in each run of equal ``groups`` (sorted), the first on ties: for
    matches in docnum order and their article ordinals, each article's best passage, the lowest docnum of
    equal ones. The same indexes as ordering by (-score, position) and taking each group's first
    (``np.lexsort`` then ``np.unique(..., return_index=True)``), without sorting."""
    starts = run_starts(groups)
    if not len(starts):
        return starts
    best = np.maximum.reduceat(scores, starts)
    sizes = np.diff(np.append(starts, len(groups)))
    at_best = np.flatnonzero(scores == np.repeat(best, sizes))
    run_of = np.searchsorted(starts, at_best, side="right") - 1
    return at_best[run_starts(run_of)]


def range_indexes(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indexes ``starts[i], starts[i] + 1, ..., starts[i] + lengths[i] - 1`` of every range, concatenated in
    order, without a Python step per range (for gathering many slices of one array in one take)."""
    lengths = np.asarray(lengths, np.int64)
    total = int(lengths.sum())
    return np.repeat(np.asarray(starts, np.int64) - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)


def id_ranges(ids: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(start, length) of each id ``0 .. m-1``'s run in ``ids`` (sorted ascending; length 0 for an absent id),
    so the rows of id ``k`` are ``ids[start[k]:start[k] + length[k]]``."""
    start = np.searchsorted(ids, np.arange(m))
    return start, np.diff(np.append(start, len(ids)))


def id_dtype(limit: int):
    """The integer type for ids (row numbers) below ``limit``: int32 when they fit, half the memory of int64
    for the arrays of millions of pieces and pairs the copy-group pass holds."""
    return np.int32 if limit <= np.iinfo(np.int32).max + 1 else np.int64
