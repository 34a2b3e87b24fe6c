"""Quote -> speaker benchmark: searchkit's attribution against speakers labelled by reading the articles.

The labels (``bench/data/quotes.jsonl``, one JSON object a line) were written by a person reading each
page, never by running the parser: ``page`` (path under ../shared), ``quote`` (a distinctive fragment of
the quotation), ``speaker`` (who said it, or null when nobody is named), ``form`` (the attribution form,
for the per-form breakdown). Each label is scored as:
- right:     the parser found the quote and its speaker is the labelled person (same surname, and every
             word of the shorter form is in the longer one: "Digby Jones" = "Sir Digby Jones"), or the
             label is null and the parser gives none (or did not take the text for a quote);
- wrong:     the parser gives a different name (a speaker puts words in someone's mouth: the worst case);
- null:      the parser found no speaker (or did not find the quote) where the text names one.
A role given for a named person ("the Ealing North MP") counts as wrong: the facet would show it.

    python bench/quotes.py [--labels FILE] [--show wrong|null|all]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SHARED = ROOT / ".." / "shared"
sys.path.insert(0, str(ROOT))

from searchkit.parse import parse_file  # noqa: E402  (after the path set-up, as a script)

_HONORIFICS = frozenset("mr mrs ms dr sir lady lord baroness miss".split())


def normalise(text: str) -> str:
    """Straight apostrophes, single spaces: labels and page text are compared on this form (case kept:
    "Three Amigos" the nickname is not "three amigos" the term someone used)."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


def _words(name: str) -> list[str]:
    return [w for w in re.findall(r"[\w'-]+", normalise(name).lower()) if w not in _HONORIFICS]


def same_person(label: str, found: str) -> bool:
    """Same surname, and every word of the shorter name is in the longer one."""
    a, b = _words(label), _words(found)
    if not a or not b or a[-1] != b[-1]:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return set(short) <= set(long_)


def load_labels(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def page_quotes(page: str) -> list[tuple[str, str | None]]:
    """(normalised quote text, speaker) of every quote the parser finds on ``page``."""
    out: list[tuple[str, str | None]] = []
    for art in parse_file(SHARED / page):
        for q in getattr(art, "quotes", []) or []:
            out.append((normalise(q.text), q.speaker))
    return out


def score(labels: list[dict]) -> list[tuple[dict, str, str | None]]:
    """Each label with its verdict ('right' | 'wrong' | 'null') and the speaker the parser gave."""
    cache: dict[str, list[tuple[str, str | None]]] = {}
    out = []
    for lab in labels:
        quotes = cache.setdefault(lab["page"], page_quotes(lab["page"]))
        frag = normalise(lab["quote"])
        hit = next((q for q in quotes if frag in q[0]), None)
        found = hit[1] if hit else None
        if lab["speaker"] is None:
            verdict = "right" if found is None else "wrong"
        elif found is None:
            verdict = "null"
        else:
            verdict = "right" if same_person(lab["speaker"], found) else "wrong"
        out.append((lab, verdict, found if hit else "(quote not found)"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", type=Path, default=BENCH / "data" / "quotes.jsonl")
    ap.add_argument("--show", choices=("wrong", "null", "all"), help="list the labels with this verdict")
    args = ap.parse_args()
    if not SHARED.is_dir():
        print(f"benchmark data not found at {SHARED.resolve()} (it sits beside the checkout in CI)", file=sys.stderr)
        return 1
    results = score(load_labels(args.labels))
    totals = Counter(v for _, v, _ in results)
    by_source: dict[str, Counter] = defaultdict(Counter)
    for lab, verdict, _ in results:
        by_source[lab["page"].split("/")[0] + "/" + lab["page"].split("/")[1]][verdict] += 1
    n = len(results)
    print(f"Quote -> speaker on {n} labelled quotes ({len({lab['page'] for lab, _, _ in results})} pages)\n")
    print(f"{'set':<24}{'quotes':>7}{'right':>8}{'wrong':>8}{'null':>8}")
    for name, c in sorted(by_source.items()) + [("overall", totals)]:
        m = sum(c.values())
        print(f"{name:<24}{m:>7}" + "".join(f"{c[v] / m:>8.1%}" for v in ("right", "wrong", "null")))
    print(f"\nright {totals['right']}  wrong name {totals['wrong']}  null {totals['null']}")
    for lab, verdict, found in results:
        if args.show and (args.show == "all" or args.show == verdict):
            print(f"  {verdict:<6} {lab['page'].split('/')[-1][:14]:<15} {lab['quote'][:40]!r:<44} "
                  f"label={lab['speaker']!r} found={found!r}  [{lab['form']}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
