"""Terminal escape injection (issue 12, defect 10): no control sequence from a document (OSC window title,
OSC 8 hyperlink, OSC 52 clipboard write, CSI, C1 controls) reaches the terminal from search, parse or info."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

OSC_TITLE = "\x1b]0;pwned-title\x07"
OSC_LINK = "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
OSC_CLIP = "\x1b]52;c;ZXZpbA==\x07"
CSI = "\x1b[2J\x1b[31m"
C1 = "\x9d0;c1-title\x9c\x9b2J"
PAYLOAD = OSC_TITLE + OSC_LINK + OSC_CLIP + CSI + C1
BAD = ("\x1b", "\x07", "\x9b", "\x9d", "\x9c")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("esc")
    folder = tmp / "in"
    folder.mkdir()
    record = {"id": "rec" + OSC_TITLE, "headline": "Quokkafest headline " + PAYLOAD, "source": "Src" + OSC_CLIP,
              "author": "Ann Author" + OSC_LINK,
              "text": f"The quokkafest was loud {PAYLOAD} said the mayor. \u201cQuokkafest forever {OSC_TITLE}\u201d, "
                      "the mayor said. " + "More words about the quokkafest and the town. " * 5}
    (folder / "esc.jsonl").write_text(json.dumps(record) + "\n")
    try:
        (folder / f"name{OSC_TITLE}.txt").write_text("Quokkafest file name story.\n\nThe quokkafest was here.\n")
    except OSError:
        pass  # a file system that refuses control characters in names
    return folder, tmp / "ix"


def sk(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="", TERM="xterm")
    return subprocess.run([sys.executable, "-m", "searchkit.cli", *args], capture_output=True, env=env, timeout=120)


def _assert_clean(proc: subprocess.CompletedProcess) -> None:
    for stream in (proc.stdout, proc.stderr):
        text = stream.decode("utf-8", "replace")
        assert not any(c in text for c in BAD), text[:500]


def test_search_parse_and_info_print_no_control_sequences(hostile):
    folder, ix = hostile
    built = sk("index", str(folder), "--index", str(ix))
    assert built.returncode == 0, built.stderr
    _assert_clean(built)
    for args in (["search", "quokkafest", "--index", str(ix)], ["search", "quokkafest", "--index", str(ix), "--json"],
                 ["search", "quokkafest", "--articles", "--index", str(ix)],
                 ["info", "--index", str(ix)], ["info", "--index", str(ix), "--json"],
                 ["parse", str(folder)], ["parse", "--json", str(folder)]):
        proc = sk(*args)
        assert proc.returncode == 0, (args, proc.stderr)
        assert b"uokkafest" in proc.stdout or args[0] == "info", args
        _assert_clean(proc)
    hits = json.loads(sk("search", "quokkafest", "--index", str(ix), "--json").stdout)["results"]
    assert any(OSC_TITLE in (h["article"]["headline"] or "") for h in hits), "JSON keeps the text (escaped)"


def test_highlighted_snippets_stay_aligned_after_stripping():
    from searchkit.present.terminal import highlight, printable

    text = "ab\x1b]0;t\x07 quokka cd"
    start = text.index("quokka")
    out = highlight(text, [(start, start + 6)], color=True)
    assert "\x1b]" not in out and "\x07" not in out
    assert printable(text) == "ab quokka cd"
