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


@pytest.fixture()
def half_corpus(tmp_path):
    """A copy of the bundled corpus with its second half of files removed: (folder, files, their texts), so a
    test can index the first half with an older layout, then write the texts back and index the rest."""
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    files = sorted(corpus.iterdir())
    texts = [f.read_text() for f in files]
    for f in files[len(files) // 2:]:
        f.unlink()
    return corpus, files, texts
