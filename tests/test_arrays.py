"""`searchkit.arrays` against the ``np.unique`` / ``np.lexsort`` forms it replaces, on random and edge-case arrays."""
from __future__ import annotations

import numpy as np
import pytest

from searchkit.arrays import best_of_runs, distinct, distinct_first, distinct_first_counts, id_dtype, id_ranges, range_indexes, run_starts


def _cases():
    rng = np.random.default_rng(7)
    yield np.zeros(0, np.int64)
    yield np.array([5], np.int64)
    yield np.array([3, 3, 3], np.int64)
    for n in (2, 17, 1000):
        yield rng.integers(0, max(2, n // 3), n)  # unsorted, with repeats
        yield np.sort(rng.integers(0, max(2, n // 3), n))  # sorted, with repeats
        yield np.sort(rng.random(n))  # floats
    yield np.array([2**40 + 1, 2**40, 7, 2**40], np.int64)


@pytest.mark.parametrize("values", list(_cases()), ids=lambda v: f"n{len(v)}")
def test_distinct_forms_equal_np_unique(values):
    assert np.array_equal(distinct(values), np.unique(values))
    assert distinct(values).dtype == np.unique(values).dtype
    for got, want in zip(distinct_first(values), np.unique(values, return_index=True)):
        assert np.array_equal(got, want)
    for got, want in zip(distinct_first_counts(values), np.unique(values, return_index=True, return_counts=True)):
        assert np.array_equal(got, want)


def test_run_starts_marks_each_change():
    assert run_starts(np.array([1, 1, 2, 2, 2, 1])).tolist() == [0, 2, 5]
    assert run_starts(np.zeros(0)).tolist() == []


@pytest.mark.parametrize("seed", range(6))
def test_best_of_runs_is_the_lexsort_then_first_of_each_group(seed):
    """The best passage of each article: highest score, lowest docnum on ties (what the rankers used to get
    from ``np.lexsort((ids, -scores))`` and ``np.unique(..., return_index=True)``)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    groups = np.sort(rng.integers(0, max(1, n // 4), n))
    scores = rng.integers(0, 4, n).astype(float) / 3  # few distinct values: many ties
    ids = np.arange(n) * 3
    order = np.lexsort((ids, -scores))
    _, first = np.unique(groups[order], return_index=True)
    assert best_of_runs(groups, scores).tolist() == sorted(order[first].tolist())
    assert best_of_runs(np.zeros(0, np.int64), np.zeros(0)).tolist() == []


def test_range_indexes_concatenates_each_range():
    starts, lengths = np.array([5, 0, 9, 2]), np.array([2, 0, 3, 1])
    want = [i for s, n in zip(starts.tolist(), lengths.tolist()) for i in range(s, s + n)]
    assert range_indexes(starts, lengths).tolist() == want == [5, 6, 9, 10, 11, 2]
    assert range_indexes(np.zeros(0, np.int64), np.zeros(0, np.int64)).tolist() == []


def test_id_ranges_slice_each_ids_rows() -> None:
    ids = np.array([0, 0, 2, 2, 2, 5])
    start, length = id_ranges(ids, 7)
    for k in range(7):
        assert ids[start[k]:start[k] + length[k]].tolist() == [k] * ids.tolist().count(k)
    assert length.tolist() == [2, 0, 3, 0, 0, 1, 0]


def test_id_dtype_is_int32_exactly_while_ids_fit() -> None:
    top = np.iinfo(np.int32).max
    assert id_dtype(top + 1) is np.int32  # ids 0 .. top
    assert id_dtype(top + 2) is np.int64
    assert np.array([top], id_dtype(top + 1))[0] == top
