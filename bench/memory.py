"""Peak memory of `searchkit index` on hostile file shapes, each just under the size limits that apply.

Shapes (each written fresh into a temporary folder, then indexed into a new index by a subprocess):

- ``token``: one run of a single letter, no spaces (one giant "word")
- ``lines``: two-letter lines, one after another (millions of tiny paragraphs)
- ``jsonl``: one JSONL record whose ``text`` is one huge field of prose
- ``html``: a page of deeply nested <div>s around paragraphs of prose
- ``prose``: plain prose, for comparison

    python bench/memory.py                        # 5, 20 and 50 MB of each shape
    python bench/memory.py --sizes 5 --shapes token,lines

Prints one line per run: shape, size, peak RSS of the indexer's process tree (summed, sampled every
50 ms), seconds, exit status; then the largest peak against the bound README states (BOUND_MB).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import TreeRSSSampler  # noqa: E402

MB = 1024 * 1024
BOUND_MB = 600  # the peak README promises for any one file under the 50 MB limit
SIZE_CAP = 50 * MB - 4096  # "50 MB" means just under the per-file limit
PROSE = ("The minister said on Tuesday that the talks in Kabul would resume next week, "
         "after officials from Moscow and Washington met to discuss the peace plan. ")


def _fill(f, unit: bytes, size: int) -> None:
    block = unit * max(1, (1 << 20) // len(unit))
    written = 0
    while written < size:
        chunk = block[: size - written]
        f.write(chunk)
        written += len(chunk)


def make(shape: str, size: int, folder: Path) -> Path:
    """Write one file of ``shape`` with about ``size`` bytes; return its path."""
    if shape == "token":
        path = folder / "token.txt"
        with open(path, "wb") as f:
            _fill(f, b"a", size)
    elif shape == "lines":
        path = folder / "lines.txt"
        with open(path, "wb") as f:
            _fill(f, b"ab\n", size)
    elif shape == "prose":
        path = folder / "prose.txt"
        with open(path, "wb") as f:
            _fill(f, PROSE.encode(), size)
    elif shape == "jsonl":
        path = folder / "big.jsonl"
        body = (PROSE * (size // len(PROSE)))[: size - 200]
        path.write_text(json.dumps({"id": "big", "headline": "A large record", "text": body}) + "\n")
    elif shape == "html":
        path = folder / "deep.html"
        depth = 200
        unit = ("<div>" * depth + "<p>" + PROSE + "</p>" + "</div>" * depth).encode()
        with open(path, "wb") as f:
            f.write(b"<!doctype html><html><head><title>Deep</title></head><body>")
            _fill(f, unit, size - 200)
            f.write(b"</body></html>")
    else:
        raise SystemExit(f"unknown shape {shape!r}")
    return path


def measure(path: Path, index: Path) -> tuple[int, float, int]:
    """(peak RSS in KB of the indexer's process tree, seconds, exit status)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "searchkit.cli", "index", str(path), "--index", str(index)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with TreeRSSSampler(proc.pid) as sampler:
        rc = proc.wait()
    return sampler.peak_kb, time.perf_counter() - t0, rc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="5,20,50", help="sizes in MB, comma-separated (50 = just under the limit)")
    ap.add_argument("--shapes", default="token,lines,jsonl,html,prose")
    args = ap.parse_args()
    worst = 0
    print(f"{'shape':<7} {'size':>6} {'peak RSS':>10} {'seconds':>8}  exit")
    for shape in args.shapes.split(","):
        for mb in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory(prefix="skmem") as tmp:
                folder = Path(tmp) / "in"
                folder.mkdir()
                path = make(shape, min(mb * MB, SIZE_CAP), folder)
                peak, secs, rc = measure(path, Path(tmp) / "index")
            worst = max(worst, peak)
            print(f"{shape:<7} {mb:>4} MB {peak / 1024:>7.0f} MB {secs:>8.1f}  {rc}", flush=True)
    verdict = "holds" if worst / 1024 <= BOUND_MB else "BROKEN"
    print(f"largest peak {worst / 1024:.0f} MB; bound {BOUND_MB} MB {verdict}")
    sys.exit(0 if verdict == "holds" else 1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
