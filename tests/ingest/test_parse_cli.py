"""`searchkit parse`: readable view, one JSON object per input file per line, errors on their own line."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from searchkit.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SEEDS = sorted(str(p) for p in CORPUS.glob("*.txt"))
CONTRACT = {"path", "headline", "date", "source", "author", "url", "body", "paragraphs", "quotes", "passages"}


def test_json_one_object_per_file_in_input_order():
    files = [SEEDS[3], SEEDS[0], SEEDS[2]]
    result = CliRunner().invoke(main, ["parse", "--json", *files])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 3
    objs = [json.loads(line) for line in lines]
    assert [o["path"] for o in objs] == files
    for o in objs:
        assert CONTRACT <= set(o)
        assert o["body"] == "\n\n".join(o["paragraphs"])
        assert all({"text", "speaker"} <= set(q) for q in o["quotes"])
        assert all(o["body"][p["start"]:p["end"]] == p["text"] for p in o["passages"])
    assert objs[1]["date"] == "2017-03-19"


def test_unreadable_file_reports_error_line_and_exit_1(tmp_path):
    missing = str(tmp_path / "missing.txt")
    result = CliRunner().invoke(main, ["parse", "--json", SEEDS[0], missing, SEEDS[1]])
    assert result.exit_code == 1
    objs = [json.loads(line) for line in result.output.splitlines()]
    assert [o["path"] for o in objs] == [SEEDS[0], missing, SEEDS[1]]
    assert set(objs[1]) == {"path", "error"} and objs[1]["error"]
    assert "Traceback" not in result.output


def test_readable_view_shows_fields_quotes_passages_and_dropped():
    result = CliRunner().invoke(main, ["parse", SEEDS[2]], env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    out = result.output
    assert "Afghanistan Considers Russia Key Regional Ally: Atmar" in out
    assert "Hesamuddin Hesam" in out and "2017-03-18" in out
    assert "Sergey Lavrov: \u201cIt is very important" in out
    assert "Passages (" in out and "Dropped as boilerplate (" in out and "- Check Also" in out
    assert "\x1b[" not in out


def test_mostly_dropped_file_is_warned_about_in_text_and_json(tmp_path):
    page = tmp_path / "brief.txt"
    teasers = "\n\n".join(f"Teaser headline number {n} about the harbour\n\nMarch {n}, 2022" for n in range(1, 12))
    page.write_text("Harbour Reopens\n\nThe harbour reopened on Monday after repairs to the sea wall were "
                    f"finished two weeks ahead of schedule, the port authority said.\n\nRelated posts\n\n{teasers}\n",
                    encoding="utf-8")
    for args in (["parse", str(page)], ["parse", "--json", str(page)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0
        assert f"warning: {page}: " in result.stderr and "dropped as boilerplate" in result.stderr
    obj = json.loads(CliRunner().invoke(main, ["parse", "--json", str(page)]).stdout)
    assert obj["mostly_dropped"] is True and obj["dropped_share"] > 0.5
    index = tmp_path / "ix"
    result = CliRunner().invoke(main, ["index", "--index", str(index), str(page)])
    assert result.exit_code == 0, result.output
    assert f"warning: {page}: " in result.stderr and "1 article lost over half its words to boilerplate" in result.stdout
    again = CliRunner().invoke(main, ["index", "--index", str(index), "--json", "--rebuild", str(page)])
    assert json.loads(again.stdout)["mostly_dropped"][0]["path"] == str(page)
