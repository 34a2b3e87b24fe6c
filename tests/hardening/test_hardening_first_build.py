"""A never-built index whose first build fails on a full disk (issue 12, defect 15) is not told that "its
last committed version is still searchable": it has none."""
from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.filedb.filestore import FileStorage

from searchkit.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("method", ["create_file", "rename_file"])
def test_first_build_on_a_full_disk_claims_no_earlier_version(tmp_path: Path, monkeypatch, method):
    ix = tmp_path / "ix"
    with monkeypatch.context() as m:
        m.setattr(FileStorage, method, _full)
        result = CliRunner().invoke(main, ["index", str(ROOT / "corpus"), "--index", str(ix)])
    assert result.exit_code == 1, result.output
    lines = [x for x in result.output.splitlines() if x.startswith("error:")]
    assert len(lines) == 1 and "No space left on device" in lines[0], result.output
    assert "still searchable" not in lines[0] and "no earlier version" in lines[0], lines[0]
    again = CliRunner().invoke(main, ["index", str(ROOT / "corpus"), "--index", str(ix)])
    assert again.exit_code == 0 and "5 added" in again.output, again.output
    with monkeypatch.context() as m:  # now there is a version to keep, and the message says so
        (tmp_path / "more").mkdir()
        (tmp_path / "more" / "x.txt").write_text("Another story\n\nThe quokka minister said more on Friday.\n")
        m.setattr(FileStorage, method, _full)
        later = CliRunner().invoke(main, ["index", str(tmp_path / "more"), "--index", str(ix)])
    assert later.exit_code == 1 and "still searchable" in later.output, later.output
