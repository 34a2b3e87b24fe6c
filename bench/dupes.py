#!/usr/bin/env python3
"""Planted-duplicates benchmark (issue 15): are syndicated copies grouped, follow-ups kept apart, results
collapsed, and reused passages traced to where they first appeared?

    python bench/dupes.py                     # ~1,000 stories -> bench/out/dupes/{corpus,index}
    python bench/dupes.py --stories 300 --json bench/out/dupes.json

The corpus is planted reproducibly (``random.Random(seed)``) from real stories (Reuters-21578 and BBC, via
make_corpus.py's readers), written as Markdown files with front matter (title, date, source) and each
outlet's own furniture around the body: menus, cookie notices, share lines, "Related posts" tails.

- originals are republished 1-3 times by other outlets: reworded headline, a dateline, trimmed tail or a
  dropped paragraph, number formats changed ("1,500" -> "1500", "pct" -> "percent"), a sentence removed,
  dated the same day or up to three days later;
- hard negatives: other stories on the same topic (the most similar by vocabulary among a sample);
- follow-ups: one paragraph of an earlier story, the rest from a story not otherwise in the corpus.

Scored through searchkit's public API: pairwise precision and recall of the groups, follow-ups grouped,
collapse (a query for a planted story shows one member, the others in ``copies``) and provenance (the
follow-up's passage with the reused paragraph names the right ``first_seen``).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from common import OUT_DIR, REPO_ROOT, SHARED, STOP_WORDS
from make_corpus import bbc, reuters

sys.path.insert(0, str(REPO_ROOT))
TARGETS = {"precision": 0.98, "recall": 0.95, "collapse": 0.95, "provenance": 0.95}
OUTLETS = ["Northfield Courier", "Harbour Gazette", "Eastern Ledger", "Valley Tribune", "Metro Dispatch",
           "Coastal Herald", "Capital Observer", "Midland Post"]
HEADERS = [
    ["Home | World | Business | Sport | Opinion | Contact", "Subscribe"],
    ["Skip to content", "Menu", "Search"],
    ["Breaking News", "Latest | Politics | Economy | Tech"],
    ["Sign in | Register", "Today's paper"],
]
FOOTERS = [
    ["Share this: Facebook Twitter Email", "Related posts"],
    ["This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish.",
     "Accept"],
    ["Leave a Reply", "Your email address will not be published. Required fields are marked *"],
    ["About the Author", "Follow us on Twitter", "All rights reserved."],
]
PREFIXES = ["UPDATE 1-", "WRAPUP - ", "Exclusive: ", "", "REFILE-"]


def stories(seed: int) -> list[dict]:
    """Real stories with 3+ paragraphs of 60+ words in all, dated (BBC gets a date in 2004-2005), shuffled."""
    out, seen = [], set()
    for rec in list(reuters(SHARED)) + list(bbc(SHARED)):
        paras = rec["text"].split("\n\n")
        # Reuters-21578 itself holds the same story twice now and then: keep one, or the truth would be wrong
        keys = {" ".join(rec.get("title", "").lower().split()), " ".join(rec["text"].lower().split()[:12])}
        if len(paras) >= 3 and len(rec["text"].split()) >= 60 and rec.get("title") and not keys & seen:
            out.append(rec)
            seen |= keys
    rng = random.Random(seed)
    for rec in out:
        if not rec.get("date"):
            rec["date"] = (date(2004, 1, 1) + timedelta(days=rng.randrange(700))).isoformat()
    rng.shuffle(out)
    return out


def vocab(rec: dict) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", rec["text"].lower()) if w not in STOP_WORDS and len(w) > 3}


def reword(title: str, rng: random.Random) -> str:
    words = title.split()
    if len(words) > 3 and rng.random() < 0.5:
        words = words[:-1]
    t = " ".join(words)
    t = t.title() if t.isupper() or rng.random() < 0.5 else t
    return rng.choice(PREFIXES) + t


def renumber(text: str, rng: random.Random) -> str:
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text) if rng.random() < 0.7 else text
    return re.sub(r"\bpct\b", "percent", text) if rng.random() < 0.7 else re.sub(r"\bmln\b", "million", text)


def copy_of(rec: dict, rng: random.Random) -> tuple[str, list[str]]:
    """A republished version's headline and paragraphs."""
    paras = rec["text"].split("\n\n")
    if len(paras) > 3 and rng.random() < 0.6:  # trim the tail, keeping at least half
        paras = paras[: max((len(paras) + 1) // 2, len(paras) - rng.randint(1, 3))]
    if len(paras) > 4 and rng.random() < 0.4:
        del paras[rng.randrange(1, len(paras) - 1)]
    if rng.random() < 0.5 or len(paras) == len(rec["text"].split("\n\n")):  # a sentence removed (always
        i = rng.randrange(len(paras))  # some edit: a copy identical to its original is not the hard case)
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", paras[i])
        if len(sentences) > 1:
            del sentences[rng.randrange(len(sentences))]
            paras[i] = " ".join(sentences)
        elif len(paras) > 1:
            del paras[-1]
    paras = [renumber(p, rng) for p in paras]
    if rng.random() < 0.6:
        d = date.fromisoformat(rec["date"])
        paras[0] = f"{rng.choice(['LONDON', 'NEW YORK', 'TOKYO', 'PARIS'])}, {d:%B} {d.day} - {paras[0]}"
    return reword(rec["title"], rng), paras


def page(headline: str, paras: list[str], day: str, outlet: int, related: list[str], rng: random.Random) -> str:
    """One Markdown file: front matter, the outlet's header lines, the story, its footer and related links."""
    head = HEADERS[outlet % len(HEADERS)]
    foot = FOOTERS[outlet % len(FOOTERS)]
    lines = ["---", f"title: {json.dumps(headline)}", f"date: {day}", f"source: {OUTLETS[outlet]}", "---", ""]
    lines += [*head, "", *paras[:1], "", *("\n\n".join(paras[1:]),), ""]
    lines += [*foot, ""]
    if rng.random() < 0.5:
        lines += ["Related posts", *related, ""]
    return "\n".join(lines)


def plant(out: Path, n: int, seed: int) -> dict:
    """Write the corpus; return the truth: {"groups": [[path, ...]], "followups": [{path, para, first_seen}]}."""
    rng = random.Random(seed)
    pool = stories(seed)
    n_orig, n_follow = n // 4, n // 8
    originals, fresh, rest = pool[:n_orig], pool[n_orig:n_orig + n_follow], pool[n_orig + n_follow:]
    sample = rest[:3000]
    vocabs = [vocab(r) for r in sample]
    negatives: list[dict] = []
    used: set[int] = set()
    for rec in originals[: n // 4]:  # the most similar other story: same topic, different story
        v = vocab(rec)
        best = max((i for i in range(len(sample)) if i not in used),
                   key=lambda i: len(v & vocabs[i]) / (len(v | vocabs[i]) or 1))
        used.add(best)
        negatives.append(sample[best])
    singles = negatives + [r for i, r in enumerate(rest[:n]) if i not in used][: max(0, n - n_orig * 3 - len(negatives))]
    files: list[tuple[str, str]] = []  # (relative path, text)
    truth: dict = {"groups": [], "followups": []}
    titles = [r["title"] for r in pool[:200]]

    def emit(headline, paras, day, outlet):
        name = f"{OUTLETS[outlet].split()[0].lower()}/{rng.getrandbits(48):012x}.md"
        files.append((name, page(headline, paras, day, outlet, rng.sample(titles, 3), rng)))
        return name

    for rec in originals:
        outlets = rng.sample(range(len(OUTLETS)), 4)
        members = [emit(rec["title"], rec["text"].split("\n\n"), rec["date"], outlets[0])]
        for k in range(rng.randint(1, 3)):
            headline, paras = copy_of(rec, rng)
            day = (date.fromisoformat(rec["date"]) + timedelta(days=rng.randint(0, 3))).isoformat()
            members.append(emit(headline, paras, day, outlets[k + 1]))
        truth["groups"].append(members)
    for rec in singles:
        emit(rec["title"], rec["text"].split("\n\n"), rec["date"], rng.randrange(len(OUTLETS)))
    for rec, src in zip(fresh, rng.sample(range(len(originals)), len(fresh))):
        orig = originals[src]
        reusable = [p for p in orig["text"].split("\n\n") if len(p.split()) >= 20]
        if not reusable:
            continue
        reused = rng.choice(reusable)
        paras = rec["text"].split("\n\n")
        paras.insert(rng.randint(1, len(paras)), reused)
        day = (date.fromisoformat(orig["date"]) + timedelta(days=rng.randint(4, 30))).isoformat()
        name = emit(rec["title"], paras, day, rng.randrange(len(OUTLETS)))
        truth["followups"].append({"path": name, "paragraph": reused, "first_seen": truth["groups"][src][0]})
    if out.exists():
        shutil.rmtree(out)
    for name, text in files:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    return truth


def pairs(groups) -> set[tuple[str, str]]:
    return {(a, b) for g in groups for a in g for b in g if a < b}


def score(index, truth: dict) -> dict:
    from searchkit.dupes import load_groups

    groups = load_groups(index.path)
    found, planted = pairs(groups.members), pairs(truth["groups"])
    follow = {f["path"] for f in truth["followups"]}
    fig = {
        "planted_groups": len(truth["groups"]), "found_groups": len(groups.members),
        "precision": len(found & planted) / len(found) if found else 1.0,
        "recall": len(found & planted) / len(planted) if planted else 1.0,
        "followups_grouped": sum(1 for f in follow if f in groups.group_of),
    }
    fig["collapse"] = collapse_rate(index, truth, groups)
    fig["provenance"] = provenance_rate(index, truth, groups)
    return fig


def _query(index, path: str) -> str:
    art = index.article(path)
    text = " ".join(p for p in art.paragraphs if len(p.split()) >= 20)  # story text, not a menu line
    words = [w for w in re.findall(r"[A-Za-z]{5,}", text) if w.lower() not in STOP_WORDS]
    if not words:  # a story of short paragraphs only (a table, a brief): its whole body and headline
        text = " ".join([art.headline or "", *art.paragraphs])
        words = [w for w in re.findall(r"[A-Za-z]{3,}", text) if w.lower() not in STOP_WORDS]
    return " ".join(words[:6])


def collapse_rate(index, truth: dict, groups) -> float:
    """Share of planted groups whose query shows exactly one member, with all the others in its copies."""
    ok = 0
    for members in truth["groups"]:
        res = index.search(_query(index, members[0]), unit="article", limit=20)
        shown = [h for h in res.hits if h.article.id in members]
        if len(shown) == 1 and {c["id"] for c in shown[0].copies} == set(members) - {shown[0].article.id}:
            ok += 1
    return ok / len(truth["groups"]) if truth["groups"] else 1.0


def provenance_rate(index, truth: dict, groups) -> float:
    """Share of follow-ups whose passage holding the reused paragraph names the planted original."""
    ok = 0
    for f in truth["followups"]:
        art = index.article(f["path"])
        start = art.body.find(f["paragraph"][:60])
        passage = next((p for p in art.passages if p.start <= start < p.end), None) if start >= 0 else None
        seen = groups.first_seen_of(f["path"], passage.index) if passage else None
        ok += bool(seen and seen["id"] == f["first_seen"])
    return ok / len(truth["followups"]) if truth["followups"] else 1.0


def cost(corpus: Path, work: Path, queries: int = 200) -> dict:
    """What grouping costs on a real corpus: CPU seconds of indexing (this process and its workers) with
    grouping off and on, peak RSS, and search p95 with collapsing on and off (interleaved, so load on a shared
    machine hits both alike). CPU, not wall time: the machine this runs on is rarely idle."""
    import resource

    import searchkit
    import searchkit.dupes as dupes

    fig: dict = {}
    for enabled in (False, True):
        dupes.ENABLED = enabled
        folder = work / f"cost-{'on' if enabled else 'off'}"
        shutil.rmtree(folder, ignore_errors=True)
        before = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        report = searchkit.open_index(folder).add([corpus], jobs=2)
        after = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
        fig[f"index_cpu_s_{'on' if enabled else 'off'}"] = round(cpu, 1)
        fig[f"articles_{'on' if enabled else 'off'}"] = report.articles
    fig["index_cpu_increase"] = round(fig["index_cpu_s_on"] / fig["index_cpu_s_off"] - 1, 3)
    fig["peak_rss_mb_parent"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    index = searchkit.open_index(work / "cost-on")
    rng = random.Random(1)
    groups = dupes.load_groups(index.path)
    text = " ".join(index.article(g[0]).body for g in groups.members[:200])  # words that reach copies
    vocab_words = sorted({w for w in re.findall(r"[a-z]{5,}", text.lower()) if w not in STOP_WORDS}) or ["market"]
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(queries):
        q = " ".join(rng.sample(vocab_words, 2))
        for collapse in rng.sample([True, False], 2):  # both ways, in random order
            t = time.perf_counter()
            index.search(q, collapse=collapse)
            times[collapse].append(time.perf_counter() - t)
    for collapse, ts in times.items():
        ts.sort()
        fig[f"search_p95_ms_{'collapse' if collapse else 'all'}"] = round(ts[int(0.95 * (len(ts) - 1))] * 1000, 2)
    fig["groups"] = len(groups.members)
    return fig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stories", type=int, default=1000, help="articles to plant, roughly (default 1000)")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--work", type=Path, default=OUT_DIR / "dupes")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--cost", type=Path, metavar="CORPUS",
                    help="instead: indexing CPU and search p95 with grouping off/on over CORPUS (e.g. bench/out/corpus-10k)")
    args = ap.parse_args()
    if args.cost:
        for k, v in cost(args.cost, args.work).items():
            print(f"{k:>24}: {v}")
        return
    if not (SHARED / "corpora").is_dir():
        sys.exit(f"no corpora at {SHARED / 'corpora'}: this benchmark needs ../shared")
    import searchkit

    corpus, index_dir = args.work / "corpus", args.work / "index"
    truth = plant(corpus, args.stories, args.seed)
    shutil.rmtree(index_dir, ignore_errors=True)
    t0 = time.perf_counter()
    index = searchkit.open_index(index_dir)
    report = index.add([corpus])
    fig = {"articles": report.articles, "index_seconds": round(time.perf_counter() - t0, 2), **score(index, truth)}
    for k, v in fig.items():
        target = TARGETS.get(k)
        mark = "" if target is None else ("  ok" if v >= target else f"  BELOW {target}")
        print(f"{k:>20}: {round(v, 4) if isinstance(v, float) else v}{mark}")
    print(f"{'followups':>20}: {len(truth['followups'])} planted, {fig['followups_grouped']} grouped"
          + ("  ok" if not fig["followups_grouped"] else "  FAIL"))
    if args.json:
        args.json.write_text(json.dumps(fig, indent=2) + "\n")


if __name__ == "__main__":
    main()
