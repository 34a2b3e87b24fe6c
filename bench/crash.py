"""Crash safety: `kill -9` of `searchkit index` at random moments during an update, N trials.

Each trial starts from the same committed index ("before"), runs `searchkit index` on the updated
folder (new, changed and removed files) as a subprocess, and kills it with SIGKILL after a random
delay. Then it checks, with no clean-up of any kind:

- the index opens and a fixed set of queries answers *exactly* as the reference index before the
  update or exactly as the reference after it (result pids and totals; anything else is "corrupt");
- the next `searchkit index` run exits 0 (stale locks recovered), leaves the "after" answers, and leaves no
  file or folder that the committed version does not use (a killed rebuild's ``G<ns>.tmp/`` spill folder,
  its generation files, TOCs never renamed, whoosh locks of other generations).

By default trials alternate in pairs between killing an update and killing `searchkit index --rebuild`.

    python bench/crash.py                      # 20 trials, prints a table and a summary line
    python bench/crash.py --trials 5 --rebuild # kill only `searchkit index --rebuild` runs
    python bench/crash.py --updates-only       # kill only plain updates

Articles come from ../shared/corpora/bbc beside the checkout when present, else are synthesised from
the paragraphs of corpus/. tests/hardening/test_hardening_crash.py runs a few trials of the same code.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
BBC = SHARED / "corpora" / "bbc"
CORPUS = ROOT / "corpus"

UPDATE_WORD = "crashtestmarker"  # appended to changed files, so before/after answers differ
QUERIES = ["Atmar Patrushev", "Taliban", '"peace talks"', "election", "oil prices", "economy growth",
           "film award", "mobile phone", "football", "minister said", UPDATE_WORD, f"{UPDATE_WORD} OR election"]
ANSWER_LIMIT = 20
ENV = dict(os.environ)  # for the indexer subprocesses (PYTHONPATH set by --searchkit-rev)


def _articles(n: int, seed: int) -> list[tuple[str, str]]:
    """(file name, text) for ``n`` articles: real BBC stories when available, else synthesised."""
    if BBC.is_dir():
        files = sorted(BBC.glob("*/*.txt"))
        random.Random(seed).shuffle(files)
        return [(f"bbc-{f.parent.name}-{f.name}", f.read_text(encoding="utf-8", errors="replace")) for f in files[:n]]
    from searchkit.parse import parse_file  # no shared corpus: recombine the seed articles' paragraphs

    paragraphs = [p for f in sorted(CORPUS.iterdir()) for a in parse_file(f) for p in a.paragraphs if len(p) > 80]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        body = rng.sample(paragraphs, min(4, len(paragraphs)))
        out.append((f"synth-{i:04d}.txt", f"Synthetic story number {i}\n\n" + "\n\n".join(body) + "\n"))
    return out


@dataclass
class Setup:
    """A docs folder in its *updated* state, the index of its previous state, and reference answers."""

    work: Path
    docs: Path
    before_ix: Path
    before: dict
    after: dict
    update_seconds: float  # wall time of an uninterrupted update run (process start to exit)
    write_seconds: float  # of which the writing phase: from the first new file in the index folder to exit
    rebuild: bool = False  # the update is `searchkit index --rebuild` (its answers differ: no deleted documents)


def index_cmd(docs: Path, ix: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "searchkit.cli", "index", str(docs), "--index", str(ix), *extra]


def answers(ix: Path) -> dict:
    """{query: (total, [(score, pid)...])} from a fresh Index object (no cached searcher).

    Only hits scoring above the last one fetched count, in score-then-pid order: the order of equal scores
    and which of several tied hits make the cut depend on document numbers, which parallel writers assign
    in arrival order, so comparing them would report differences where the index content is identical.
    """
    from searchkit import open_index

    index = open_index(ix, create=False)
    out = {}
    for q in QUERIES:
        r = index.search(q, limit=ANSWER_LIMIT)
        cut = r.hits[-1].score if len(r.hits) == ANSWER_LIMIT else float("-inf")
        out[q] = (r.total, sorted((round(h.score, 4), f"{h.article.id}#{h.passage_index}") for h in r.hits
                                  if h.score > cut + 1e-6))
    return out


def prepare(work: Path, articles: int = 300, added: int = 100, changed: int = 30, removed: int = 20,
            seed: int = 0, rebuild: bool = False) -> Setup:
    """Build the "before" index, apply an update to the docs, and record both reference answers."""
    if work.exists():
        shutil.rmtree(work)
    docs = work / "docs"
    docs.mkdir(parents=True)
    for f in CORPUS.iterdir():
        shutil.copy(f, docs / f.name)
    pool = _articles(articles + added, seed)
    for name, text in pool[:articles]:
        (docs / name).write_text(text, encoding="utf-8")
    before_ix = work / "before-ix"
    subprocess.run(index_cmd(docs, before_ix), check=True, capture_output=True, cwd=work, env=ENV)
    before = answers(before_ix)

    rng = random.Random(seed)
    names = sorted(p.name for p in docs.iterdir())
    for name in rng.sample(names, changed):
        with open(docs / name, "a", encoding="utf-8") as f:
            f.write(f"\n\nA late correction mentions the {UPDATE_WORD} in this story, which was updated on Monday "
                    "after readers wrote in with questions about the figures quoted above.\n")
    for name in rng.sample(sorted(set(names)), removed):
        if (docs / name).exists():
            (docs / name).unlink()
    for name, text in pool[articles:]:
        (docs / name).write_text(text, encoding="utf-8")

    setup = Setup(work, docs, before_ix, before, {}, 0.0, 0.0)
    setup = _with_reference(setup, rebuild)
    if setup.after == before:
        raise RuntimeError("the update does not change the answers; the trials would prove nothing")
    return setup


def as_rebuild(setup: Setup) -> Setup:
    """The same update run as `searchkit index --rebuild`, with its own "after" reference (a rebuilt index has
    no deleted documents, so its scores differ from an incrementally updated one's)."""
    return _with_reference(setup, rebuild=True)


def _with_reference(setup: Setup, rebuild: bool) -> Setup:
    """Run the update uninterrupted on a copy of the "before" index: its answers and timings."""
    ref = setup.work / ("after-rebuild-ix" if rebuild else "after-ix")
    shutil.rmtree(ref, ignore_errors=True)
    shutil.copytree(setup.before_ix, ref)
    t0 = time.perf_counter()
    proc = subprocess.Popen(index_cmd(setup.docs, ref, *(["--rebuild"] if rebuild else [])), cwd=setup.work,
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t_write = _wait_first_write(proc, ref)
    if proc.wait() != 0:
        raise RuntimeError("the reference update failed")
    t_end = time.perf_counter()
    return replace(setup, after=answers(ref), update_seconds=t_end - t0, write_seconds=t_end - t_write,
                   rebuild=rebuild)


def _wait_first_write(proc: subprocess.Popen, ix: Path) -> float:
    """Poll until a new file appears in the index folder (the run started writing) or the run ends;
    the perf_counter time of that moment."""
    known = set(os.listdir(ix))
    while proc.poll() is None and not set(os.listdir(ix)) - known:
        time.sleep(0.005)
    return time.perf_counter()


@dataclass
class Trial:
    n: int
    kill_after: float  # seconds after the process started
    exited_first: bool  # the run finished before the kill landed
    outcome: str  # "before" | "after" | "corrupt: ..."
    recovery: str  # "ok" | what went wrong
    orphans: bool = False  # processes of the killed run (parser or writer workers) still alive after recovery
    rebuild: bool = False  # the killed run was `searchkit index --rebuild`


def leftovers(ix: Path) -> list[str]:
    """Entries of the index folder that the committed version does not use (after a successful run: none).

    Used are the pointer file, the writer lock files of the live generation, its newest TOC and the files of
    the segments that TOC names.
    """
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    live = (ix / "CURRENT").read_text().strip() if (ix / "CURRENT").exists() else "MAIN"
    toc = TOC.read(FileStorage(str(ix)), live)
    used = {"CURRENT", "searchkit_WRITELOCK", f"{live}_WRITELOCK", f"_{live}_{toc.generation}.toc"}
    segments = {s.segment_id() for s in toc.segments}
    return sorted(n for n in os.listdir(ix) if n not in used and n.split(".")[0] not in segments)


def run_trial(setup: Setup, n: int, kill_after: float, from_first_write: bool = False) -> Trial:
    """Kill one update run ``kill_after`` seconds after it started (or after its first new file in the index
    folder) and check the index, then recover by running the same command again."""
    ix = setup.work / f"trial-{n}"
    if ix.exists():
        shutil.rmtree(ix)
    shutil.copytree(setup.before_ix, ix)
    cmd = index_cmd(setup.docs, ix, *(["--rebuild"] if setup.rebuild else []))
    proc = subprocess.Popen(cmd, cwd=setup.work, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    t0 = time.perf_counter()
    if from_first_write:
        kill_after += _wait_first_write(proc, ix) - t0
    try:
        proc.wait(timeout=max(0.0, kill_after - (time.perf_counter() - t0)))
        exited_first = True
    except subprocess.TimeoutExpired:
        exited_first = False
        os.kill(proc.pid, signal.SIGKILL)  # the indexer only: its parser workers must notice on their own
        proc.wait()
    killed_at = time.perf_counter()
    try:
        got = answers(ix)
        outcome = "before" if got == setup.before else "after" if got == setup.after else "corrupt: answers differ"
    except Exception as e:  # noqa: BLE001 - any failure to open or search is the finding
        outcome = f"corrupt: {type(e).__name__}: {e}"
    time.sleep(ORPHAN_GRACE)  # the killed run's workers exit before the re-run (they would hold files open)
    rerun = subprocess.run(cmd, capture_output=True, text=True, cwd=setup.work, timeout=300, env=ENV)
    if rerun.returncode != 0:
        recovery = f"exit {rerun.returncode}: {rerun.stderr.strip().splitlines()[-1:]}"
    else:
        try:
            recovery = "ok" if answers(ix) == setup.after else "answers differ from the reference after the update"
            left = leftovers(ix)
            if left and recovery == "ok":
                recovery = f"{len(left)} leftovers: {', '.join(left[:4])}"
        except Exception as e:  # noqa: BLE001
            recovery = f"{type(e).__name__}: {e}"
    orphans = _reap(proc.pid, killed_at)
    shutil.rmtree(ix, ignore_errors=True)
    return Trial(n, kill_after, exited_first, outcome, recovery, orphans, setup.rebuild)


ORPHAN_GRACE = 3.0  # seconds the killed run's workers get to notice and exit (they poll once a second)


def _reap(pgid: int, since: float) -> bool:
    """Kill whatever is left of the killed run's process group ``ORPHAN_GRACE`` seconds after the kill
    (``since``, a perf_counter time); True if anything was. Workers are meant to notice their parent's
    death within a second or two and exit on their own; checking at once (a fast re-run makes "at once"
    well under a second) would count workers that are still on their way out."""
    while True:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        if time.perf_counter() - since >= ORPHAN_GRACE:
            break
        time.sleep(0.1)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--articles", type=int, default=300, help="articles in the index before the update")
    ap.add_argument("--added", type=int, default=100, help="articles the update adds")
    ap.add_argument("--changed", type=int, default=30, help="files the update changes")
    ap.add_argument("--removed", type=int, default=20, help="files the update removes")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--rebuild", action="store_true", help="kill only `searchkit index --rebuild` runs")
    mode.add_argument("--updates-only", action="store_true", help="kill only plain update runs")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "crash")
    ap.add_argument("--searchkit-rev", metavar="REV", help="test searchkit/ as of this git revision (default: the "
                    "working tree, which others may be editing mid-run)")
    args = ap.parse_args(argv)
    if args.searchkit_rev:
        from search import export_searchkit  # bench/search.py

        args.work.mkdir(parents=True, exist_ok=True)
        src, sha = export_searchkit(args.searchkit_rev, args.work.parent)
        sys.path.insert(0, str(src))  # this process's own searches too
        ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), ENV.get("PYTHONPATH")]))
        print(f"searchkit/ of {sha[:12]}", file=sys.stderr)

    print(f"preparing {args.articles} articles + update (+{args.added} ~{args.changed} -{args.removed}) in {args.work}",
          file=sys.stderr)
    setup = prepare(args.work, args.articles, args.added, args.changed, args.removed, args.seed, args.rebuild)
    setups = {setup.rebuild: setup}
    if not args.rebuild and not args.updates_only:
        setups[True] = as_rebuild(setup)
    for s in setups.values():
        d, w = s.update_seconds, s.write_seconds
        print(f"uninterrupted {'rebuild' if s.rebuild else 'update'}: {d:.2f} s, writing the index the last "
              f"{w:.2f} s of it; kill times: odd trials uniform in [0.1, {d:.2f}] s after the start, even ones "
              f"uniform in [0, {w:.2f}] s after the run's first new file in the index folder", file=sys.stderr)
    rng = random.Random(args.seed)
    trials = []
    print(f"{'trial':>5}  {'run':<7}  {'kill at (s)':>11}  {'outcome':<8}  recovery")
    for n in range(1, args.trials + 1):
        s = setup if len(setups) == 1 else setups[((n - 1) // 2) % 2 == 1]  # pairs: 2 updates, 2 rebuilds, ...
        d, w = s.update_seconds, s.write_seconds
        t = run_trial(s, n, rng.uniform(0.1, d)) if n % 2 else run_trial(s, n, rng.uniform(0, w), True)
        trials.append(t)
        note = (" (run had finished)" if t.exited_first else "") + (" (orphan workers left)" if t.orphans else "")
        run = "rebuild" if t.rebuild else "update"
        print(f"{t.n:>5}  {run:<7}  {t.kill_after:>11.2f}  {t.outcome:<8}  {t.recovery}{note}", flush=True)
    counts = {k: sum(t.outcome == k for t in trials) for k in ("before", "after")}
    corrupt = sum(t.outcome.startswith("corrupt") for t in trials)
    failed = sum(t.recovery != "ok" for t in trials)
    print(f"{len(trials)} trials: {counts['before']} before, {counts['after']} after, {corrupt} corrupt; "
          f"recovery failed {failed} (leftovers included); orphans left {sum(t.orphans for t in trials)}; "
          f"{sum(t.rebuild for t in trials)} of them killed --rebuild runs; "
          f"{sum(t.exited_first for t in trials)} runs finished before the kill")
    return 1 if corrupt or failed else 0


if __name__ == "__main__":
    sys.exit(main())
