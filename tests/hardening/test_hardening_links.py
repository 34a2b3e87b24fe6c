"""Symbolic links (issue 12, defect 8): a link leading out of the folder given is not followed unless asked,
and deleting a followed link removes its article on the next run."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import open_index
from searchkit.cli import main
from searchkit.ingest import iter_files

SECRET = "Zanzibarian secret minutes of the committee, not for the index."
PUBLIC = "Public report: the minister said the talks in Kabul would resume next week."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    if not hasattr(os, "symlink"):
        pytest.skip("no symbolic links on this system")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n")
    (outside / "dir").mkdir()
    (outside / "dir" / "more.txt").write_text(SECRET + " More.\n")
    news = tmp_path / "news"
    news.mkdir()
    (news / "public.txt").write_text(PUBLIC + "\n")
    (news / "inside.txt").symlink_to(news / "public.txt")  # inside the folder: the same file, once
    (news / "link.txt").symlink_to(outside / "secret.txt")
    (news / "linkdir").symlink_to(outside / "dir", target_is_directory=True)
    return news


def test_links_out_of_the_folder_are_not_followed_by_default(folder: Path, tmp_path: Path):
    assert [p.name for p in iter_files([folder])] == ["inside.txt"]  # public.txt is the same file
    ix = open_index(tmp_path / "ix")
    report = ix.add([folder])
    assert report.articles == 1
    assert ix.search("Zanzibarian").total == 0
    assert ix.search("Kabul").total == 1


def test_follow_links_flag_indexes_them_and_a_removed_link_is_removed(folder: Path, tmp_path: Path):
    ix_dir = tmp_path / "ix"
    run = lambda *a: CliRunner().invoke(main, ["index", str(folder), "--index", str(ix_dir), *a])  # noqa: E731
    first = run("--follow-links")
    assert first.exit_code == 0, first.output
    assert open_index(ix_dir).search("Zanzibarian").total == 2
    (folder / "link.txt").unlink()
    second = run("--follow-links")
    assert second.exit_code == 0 and "1 removed" in second.output, second.output
    assert open_index(ix_dir).search("Zanzibarian").total == 1
    third = run()  # without the flag the remaining outside link is dropped too
    assert "1 removed" in third.output, third.output
    assert open_index(ix_dir).search("Zanzibarian").total == 0
    assert open_index(ix_dir).search("Kabul").total == 1
