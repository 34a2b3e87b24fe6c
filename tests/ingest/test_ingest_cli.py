"""`searchkit parse --json` over the ingest fixtures: every format through the CLI, bad files on their own line."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from searchkit.cli import main

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def run_parse(*paths) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["parse", "--json", *map(str, paths)])
    assert "Traceback" not in result.output
    return result.exit_code, [json.loads(line) for line in result.output.splitlines()]


def test_parse_fixture_folder_with_bad_files(tmp_path):
    folder = tmp_path / "inbox"
    shutil.copytree(FIX, folder)
    (folder / "a-empty.txt").write_bytes(b"")
    (folder / "b-image.html").write_bytes(b"GIF89a\x00\x00\x01\x00" * 50)
    code, objs = run_parse(folder)
    assert code == 1
    errors = [o for o in objs if "error" in o]
    assert [(Path(o["path"]).name, o["error"]) for o in errors[:2]] == [("a-empty.txt", "empty file"),
                                                                        ("b-image.html", "binary file")]
    assert all(set(o) == {"path", "error"} for o in errors)
    articles = [o for o in objs if "error" not in o]
    headlines = {o["headline"] for o in articles}
    # one article from each single-article fixture and the good JSON/JSONL records all came through
    assert {"Council approves budget with 3% tax rise", "Port strike ends after pay deal",
            "Bus route 7 to be extended"} <= headlines
    bridge = next(o for o in articles if o["path"].endswith("harbour-bridge.html"))
    assert bridge["author"] == "Maria Okafor" and bridge["date"] == "2024-03-11"
    assert "What the engineers found" in bridge["body"] and "Share on Facebook" not in bridge["body"]
    jsonl_errors = [o["error"] for o in errors if o["path"].endswith("wire.jsonl")]
    assert [e.split(":")[0] for e in jsonl_errors] == ["line 5", "line 6", "line 7"]


def test_parse_keeps_going_after_a_bad_file(tmp_path):
    bad = tmp_path / "broken.txt.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    code, objs = run_parse(bad, FIX / "saved-page.txt")
    assert code == 1
    assert objs[0]["path"] == str(bad) and objs[0]["error"].startswith(("truncated gzip", "corrupt gzip"))
    assert objs[1]["headline"] == "Library extends weekend opening hours"


def test_parse_good_files_exit_0():
    code, objs = run_parse(FIX / "council-budget.md", FIX / "field-notes.md")
    assert code == 0 and [o["headline"] for o in objs] == ["Council approves budget with 3% tax rise",
                                                           "Volunteers count 412 seals on the sandbank"]
