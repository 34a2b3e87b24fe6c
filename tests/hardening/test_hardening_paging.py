"""Article-mode pages (issue 12, defect 7): pages partition one ranking — no article on two pages, none
skipped, the same order whatever the page size."""
from __future__ import annotations

from pathlib import Path

import pytest

from searchkit import open_index

ROOT = Path(__file__).resolve().parents[2]
BBC = ROOT / ".." / "shared" / "corpora" / "bbc"


def _synthetic(folder: Path, n: int = 450) -> Path:
    """Articles sharing words at varied densities, so that passage and whole-article scores disagree."""
    folder.mkdir()
    filler = "The committee met again on Tuesday and the minutes were read aloud to the members. "
    for i in range(n):
        body = "\n\n".join(
            (f"Talks on trade resumed in round {i}. " * (1 + i % 3)) + filler * (1 + (i * 7) % 5)
            if p % 2 == 0 else filler * (1 + (i + p) % 4) + ("The trade minister said talks went on. " * (p % 3))
            for p in range(1 + i % 6))
        (folder / f"a{i:04d}.txt").write_text(f"Story number {i}\n\n{body}\n")
    return folder


@pytest.fixture(scope="module")
def paged_index(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("paging")
    source = BBC if BBC.is_dir() else _synthetic(tmp / "docs")
    ix = open_index(tmp / "ix")
    ix.add([source])
    return ix


@pytest.mark.parametrize("query", ["trade talks", "minister said"])
def test_pages_partition_one_ranking(paged_index, query):
    first = paged_index.search(query, unit="article", limit=100)
    total = first.total
    assert total > 250, f"too few matches ({total}) for pages to matter"
    pages = (min(total, 1000) + 99) // 100
    ids = []
    for page in range(1, pages + 1):
        ids += [h.article.id for h in paged_index.search(query, unit="article", limit=100, page=page).hits]
    assert len(ids) == len(set(ids)), f"{len(ids) - len(set(ids))} articles on two pages"
    assert len(ids) == min(total, pages * 100)
    small = []  # the same ranking read in pages of 30 (crossing the block boundaries)
    for page in range(1, 12):
        small += [h.article.id for h in paged_index.search(query, unit="article", limit=30, page=page).hits]
    assert small == ids[: len(small)]
    ranks = [h.rank for h in paged_index.search(query, unit="article", limit=100, page=2).hits]
    assert ranks == list(range(101, 101 + len(ranks)))
