"""Saved searches and alerts (issue 14): each new matching article is reported once, the store survives
--rebuild and kill -9, the CLI's exit codes, and the page's list and CSRF-protected save."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import open_index
from searchkit.cli import main
from searchkit.saved import STORE_NAME, SavedSearchError, saved_searches
from searchkit.web import create_app
from story import STORY, write_story

ROOT = Path(__file__).resolve().parents[2]
LATER = [("2022-05-01", "Coast Wire"), ("2022-05-09", "Harbour Gazette")]


@pytest.fixture
def setup(tmp_path):
    data = tmp_path / "data"
    write_story(data, STORY[:3])
    index = open_index(tmp_path / "index")
    index.add([ROOT / "corpus", data])
    return index, data


def cli(index, *args):
    result = CliRunner().invoke(main, ["saved", *args, "--index", str(index.path)])
    assert "Traceback" not in result.output
    return result


def test_a_new_matching_article_is_reported_exactly_once(setup):
    index, data = setup
    store = saved_searches(index)
    store.add("strike", "dockworkers strike")
    store.add("coast", "dockworkers strike", source="Coast Wire")
    assert [r.new for r in store.run()] == [[], []], "what matched when saved is not new"
    write_story(data, LATER, name="later.jsonl")
    index.add([data])
    assert dict((s.name, n) for s, n in store.counts()) == {"strike": 2, "coast": 1}
    first = {r.search.name: [a.date for a in r.new] for r in store.run()}
    assert first == {"strike": ["2022-05-09", "2022-05-01"], "coast": ["2022-05-01"]}
    second = store.run()
    assert all(r.new == [] for r in second), "reported once"
    assert store.get("strike").last_run is not None


def test_cli_add_list_run_rm_and_exit_codes(setup):
    index, data = setup
    assert cli(index, "add", "strike", "dockworkers strike", "--since", "2019").exit_code == 0
    again = cli(index, "add", "strike", "x")
    assert again.exit_code == 1 and "already" in again.output
    assert cli(index, "run", "--fail-on-new").exit_code == 0
    write_story(data, LATER, name="later.jsonl")
    index.add([data])
    listed = [json.loads(x) for x in cli(index, "list", "--json").output.splitlines()]
    assert [(x["name"], x["since"], x["new_matches"]) for x in listed] == [("strike", "2019", 2)]
    run = cli(index, "run", "strike", "--json", "--fail-on-new")
    assert run.exit_code == 3
    got = json.loads(run.output)
    assert got["name"] == "strike" and sorted(a["date"] for a in got["new"]) == ["2022-05-01", "2022-05-09"]
    assert cli(index, "run", "--fail-on-new").exit_code == 0, "nothing new the second time"
    assert cli(index, "run").exit_code == 0
    assert cli(index, "rm", "nope").exit_code == 1
    assert cli(index, "rm", "strike").exit_code == 0
    assert "no saved searches" in cli(index, "list").output
    bad = cli(index, "add", "broken", "date:2017-13")
    assert bad.exit_code == 1 and "error" in bad.output


def test_kept_across_rebuild_without_reporting_everything_again(setup):
    index, data = setup
    saved_searches(index).add("strike", "dockworkers strike")
    index.add([ROOT / "corpus", data], rebuild=True)
    assert (index.path / STORE_NAME).exists()
    store = saved_searches(open_index(index.path))
    assert [s.name for s in store.list()] == ["strike"]
    assert [r.new for r in store.run()] == [[]]


def test_unknown_and_bad_names(setup):
    index, _ = setup
    store = saved_searches(index)
    with pytest.raises(SavedSearchError, match="no saved search"):
        store.run("nope")
    with pytest.raises(SavedSearchError, match="printable"):
        store.add("bad\nname", "x")


def test_kill_9_during_saved_run_never_loses_the_saved_searches(setup):
    index, data = setup
    store = saved_searches(index)
    names = [f"s{i}" for i in range(5)]
    for name in names:
        store.add(name, "dockworkers strike")
    loop = ("import sys, searchkit\nfrom searchkit.saved import saved_searches\n"
            "s = saved_searches(searchkit.open_index(sys.argv[1]))\nprint('ready', flush=True)\n"
            "while True:\n    s.run()\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for delay in (0.05, 0.2, 0.35, 0.5):
        p = subprocess.Popen([sys.executable, "-c", loop, str(index.path)], env=env, stdout=subprocess.PIPE)
        assert p.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stdout.close()
        stored = json.loads((index.path / STORE_NAME).read_text(encoding="utf-8"))
        assert [s["name"] for s in stored["searches"]] == names
    assert [s.name for s in saved_searches(index).list()] == names
    saved_searches(index).run()  # the next writer (it holds the lock) removes what a killed one left
    assert not list(index.path.glob(f".{STORE_NAME}.*")), "a killed writer's temporary file is cleaned up"


def test_page_lists_counts_and_saves_with_a_csrf_token(setup):
    index, data = setup
    client = create_app(index).test_client()
    page = client.get("/", query_string={"q": "dockworkers strike", "source": "Coast Wire"}).get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert re.search(r'<form class="save" method="post"', page)
    assert client.post("/saved", data={"q": "dockworkers strike", "name": "x"}).status_code == 403
    assert client.post("/saved", data={"q": "dockworkers strike", "name": "x", "csrf": "wrong"}).status_code == 403
    cross = client.post("/saved", data={"q": "dockworkers strike", "csrf": token},
                        headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    r = client.post("/saved", data={"q": "dockworkers strike", "source": "Coast Wire", "name": "coast", "csrf": token})
    assert r.status_code == 303 and r.headers["Location"].endswith("/saved?saved=coast")
    assert [s.filters() for s in saved_searches(index).list()] == [{"source": "Coast Wire"}]
    html = client.get("/saved").get_data(as_text=True)
    assert re.search(r'class="new-count" data-new="0"', html)
    write_story(data, LATER, name="later.jsonl")
    index.add([data])
    html = client.get("/saved").get_data(as_text=True)
    assert re.search(r'data-new="1">1 new<', html)
    dup = client.post("/saved", data={"q": "x", "name": "coast", "csrf": token})
    assert dup.status_code == 400 and "already" in dup.get_data(as_text=True)
