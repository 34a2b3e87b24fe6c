"""Searching an index loads none of indexing's modules (`searchkit search` start-up, issue 16): the article
parser, the HTML extractor, the parser pool and the segment writers are imported only when something is
indexed. Checked in a fresh interpreter, on an index of the bundled corpus."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import searchkit

ROOT = Path(__file__).resolve().parents[2]
INDEXING_ONLY = ("searchkit.article.build", "searchkit.article.quotes", "searchkit.article.boilerplate",
                 "searchkit.parse", "searchkit.index.pipeline", "searchkit.index.writers", "searchkit.index.bulk",
                 "trafilatura", "concurrent.futures.process")
PROBE = """
import json, sys
import searchkit
from searchkit.cli import main
try:
    main(["search", "--index", sys.argv[1], "--json", "taliban"], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def test_a_search_imports_no_indexing_module(tmp_path) -> None:
    index = tmp_path / "index"
    searchkit.open_index(index).add([ROOT / "corpus"])
    out = subprocess.run([sys.executable, "-c", PROBE, str(index)], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path, check=True).stdout
    lines = out.strip().splitlines()
    assert json.loads("\n".join(lines[:-1]))["total"] > 0  # the search ran and printed its hits
    loaded = set(json.loads(lines[-1]))
    assert "searchkit.results.search" in loaded and "searchkit.index.facade" in loaded
    assert not loaded & set(INDEXING_ONLY), sorted(loaded & set(INDEXING_ONLY))


def test_indexing_still_finds_its_modules(tmp_path) -> None:
    """The lazy imports resolve: `build_article` from the package, and a run that indexes loads the parser."""
    from searchkit.article import build_article
    from searchkit.article.build import build_article as built

    assert build_article is built
    report = searchkit.open_index(tmp_path / "index").add([ROOT / "corpus"])
    assert report.added == 5 and "searchkit.index.writers" in sys.modules
