"""Shared fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory):
    """The bundled corpus (``corpus/``) indexed once per test session into a temporary folder."""
    import searchkit

    index = searchkit.open_index(tmp_path_factory.mktemp("corpus-index") / "index")
    report = index.add([REPO / "corpus"])
    assert report.articles >= 5 and not report.errors, report.summary()
    return index


@pytest.fixture(scope="session")
def story_index(tmp_path_factory):
    """corpus/ plus the dated port-strike story of ``tests/story.py`` (2019-2021), indexed once per session."""
    import searchkit
    from story import write_story

    tmp = tmp_path_factory.mktemp("story")
    write_story(tmp / "story")
    index = searchkit.open_index(tmp / "index")
    index.add([REPO / "corpus", tmp / "story"])
    return index
