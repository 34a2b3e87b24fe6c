#!/usr/bin/env python3
"""Build a large, reproducible benchmark corpus from real news text.

Real articles come first (Reuters-21578, BBC, TIME, SciFact, CISI, Cranfield from ../shared, about 29.7k);
beyond them, synthetic articles are assembled from the real paragraphs with ``random.Random(seed)``, so term
statistics (vocabulary, document frequencies, paragraph lengths) stay those of real text. The same size, seed and
options always give byte-identical files; the SHA-256 printed at the end proves it.

    python bench/make_corpus.py --size 10k --out bench/out/corpus-10k
    python bench/make_corpus.py --size 100k --out /tmp/c100k --format files

Output (jsonl): ``articles-00000.jsonl`` … shards, one JSON object a line with ``id, title, text, date, source``
(title/date absent when the source has none), plus a hidden ``.manifest.json`` written last (so a corpus folder with a
manifest is complete). Output (files): ``NNN/<id>.txt``, headline on the first line, blank line, body — the BBC
layout; date and source are not kept in that form.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import random
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable, Iterator

from common import MANIFEST, SHARED, parse_size, raw_bytes, read_manifest

GENERATOR_VERSION = 1  # bump when the output for the same options changes
SYNTHETIC_SOURCES = (  # invented outlet names: synthetic text must never pass for a real outlet's
    "Northfield Courier", "Harbour Gazette", "Eastern Ledger", "Valley Tribune",
    "Metro Dispatch", "Coastal Herald", "Capital Observer", "Midland Post",
)
MIN_POOL_WORDS = 8  # shorter "paragraphs" are mostly sign-offs and table debris
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def split_long(paragraph: str, max_words: int = 160, target: int = 100) -> list[str]:
    """Cut an abstract-like block into paragraphs of about ``target`` words at sentence ends."""
    if len(paragraph.split()) <= max_words:
        return [paragraph]
    out: list[str] = []
    current: list[str] = []
    n = 0
    for sentence in SENTENCE_END.split(paragraph):
        current.append(sentence)
        n += len(sentence.split())
        if n >= target:
            out.append(" ".join(current))
            current, n = [], 0
    if current:
        out.append(" ".join(current))
    return out


def unwrap(block: str) -> str:
    """Join hard-wrapped lines into one line of text."""
    return " ".join(line.strip() for line in block.splitlines() if line.strip())


def article(id_: str, title: str | None, paragraphs: list[str], date: str | None, source: str) -> dict | None:
    paragraphs = [p for p in (unwrap(p) for p in paragraphs) if p]
    if not paragraphs:
        return None
    rec: dict = {"id": id_}
    if title and title.strip():
        rec["title"] = unwrap(title)
    rec["text"] = "\n\n".join(paragraphs)
    if date:
        rec["date"] = date
    rec["source"] = source
    return rec


def read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # bbc/sport/199.txt carries one Latin-1 byte
        return data.decode("latin-1")


# --- real sources -----------------------------------------------------------------------------------------

REUTERS_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})")
REUTERS_SIGNOFF = re.compile(r"\s*\breuter\b[\s\x03]*$", re.IGNORECASE)


def iso_date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def reuters(shared: Path) -> Iterator[dict]:
    months = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
    for f in sorted((shared / "corpora" / "reuters21578").glob("reut2-*.xml.gz")):
        # reut2-017 holds one 0xFC byte: Latin-1 decodes every file losslessly.
        root = ET.fromstring(gzip.decompress(f.read_bytes()).decode("latin-1"))
        for story in root.iter("REUTERS"):
            body = story.findtext("TEXT/BODY")
            if not body or not body.strip():
                continue
            m = REUTERS_DATE.search(story.findtext("DATE") or "")
            date = iso_date(int(m.group(3)), months.get(m.group(2).upper(), 0), int(m.group(1))) if m else None
            body = REUTERS_SIGNOFF.sub("", body.replace("\x03", ""))
            # Wire copy starts each paragraph on an indented line.
            paragraphs = re.split(r"\n\s*\n|\n(?=[ \t]+\S)", body)
            rec = article(f"reuters-{story.get('NEWID')}", story.findtext("TEXT/TITLE"), paragraphs, date, "Reuters")
            if rec:
                yield rec


def bbc(shared: Path) -> Iterator[dict]:
    root = shared / "corpora" / "bbc"
    for cat in sorted(p for p in root.iterdir() if p.is_dir()):
        for f in sorted(cat.glob("*.txt")):
            title, _, body = read_text(f).strip().partition("\n")
            rec = article(f"bbc-{cat.name}-{f.stem}", title, re.split(r"\n\s*\n", body), None, "BBC News")
            if rec:
                yield rec


def time_magazine(shared: Path) -> Iterator[dict]:
    text = (shared / "eval" / "time" / "TIME.ALL").read_text(encoding="latin-1")
    for chunk in re.split(r"^(?=\*TEXT)", text, flags=re.MULTILINE):
        header, _, body = chunk.partition("\n")
        m = re.match(r"\*TEXT\s+(\d+)\s+(\d{2})/(\d{2})[/ ](\d{2})", header)
        if not m:
            continue
        date = iso_date(1900 + int(m.group(4)), int(m.group(2)), int(m.group(3)))
        # One text line per line pair and no paragraph marks: rebuild paragraphs from sentences.
        rec = article(f"time-{int(m.group(1))}", None, split_long(unwrap(body)), date, "TIME")
        if rec:
            yield rec


def scifact(shared: Path) -> Iterator[dict]:
    with (shared / "eval" / "scifact" / "corpus.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            rec = article(f"scifact-{d['_id']}", d.get("title"), split_long(d.get("text") or ""), None, "SciFact")
            if rec:
                yield rec


def smart(path: Path, prefix: str, source: str) -> Iterator[dict]:
    """SMART-format collections (.I id, .T title, .W text, other fields ignored)."""
    for chunk in re.split(r"^(?=\.I\s)", path.read_text(encoding="latin-1"), flags=re.MULTILINE):
        fields: dict[str, list[str]] = {}
        key = None
        doc_id = None
        for line in chunk.splitlines():
            m = re.match(r"^\.([A-Z])\b\s*(.*)$", line)
            if m:
                key = m.group(1)
                if key == "I":
                    doc_id = m.group(2).strip()
                elif m.group(2).strip():
                    fields.setdefault(key, []).append(m.group(2))
                continue
            if key:
                fields.setdefault(key, []).append(line)
        if doc_id is None:
            continue
        # Cranfield marks paragraphs with an indented first line; CISI has none.
        body = re.split(r"\n(?=  \S)", "\n".join(fields.get("W", [])))
        paragraphs = [q for p in body for q in split_long(unwrap(p))]
        rec = article(f"{prefix}-{doc_id}", "\n".join(fields.get("T", [])), paragraphs, None, source)
        if rec:
            yield rec


REAL_SOURCES: list[tuple[str, Callable[[Path], Iterator[dict]]]] = [
    ("reuters", reuters),
    ("bbc", bbc),
    ("time", time_magazine),
    ("scifact", scifact),
    ("cisi", lambda s: smart(s / "eval" / "cisi" / "CISI.ALL", "cisi", "CISI")),
    ("cranfield", lambda s: smart(s / "eval" / "cranfield" / "cran.all.1400", "cran", "Cranfield")),
]


# --- the generator ----------------------------------------------------------------------------------------


def generate(size: int, seed: int, shared: Path = SHARED, max_real: int | None = None) -> Iterator[dict]:
    """Yield ``size`` articles: real ones (at most ``max_real``) in a fixed order, then synthetic ones."""
    headlines: list[str] = []
    paragraphs: list[str] = []
    count = 0
    limit = size if max_real is None else min(size, max_real)
    for _name, source in REAL_SOURCES:
        if count >= limit:
            break
        for rec in source(shared):
            if count >= limit:
                break
            if len(rec.get("title", "").split()) >= 2:
                headlines.append(rec["title"])
            paragraphs.extend(p for p in rec["text"].split("\n\n") if len(p.split()) >= MIN_POOL_WORDS)
            count += 1
            yield rec
    if count >= size:
        return
    if not headlines or not paragraphs:
        raise SystemExit("error: no real text to build synthetic articles from")
    rng = random.Random(seed)
    first_day, days = dt.date(1985, 1, 1), (dt.date(2025, 12, 31) - dt.date(1985, 1, 1)).days
    for n in range(size - count):
        yield {
            "id": f"syn-{n:07d}",
            "title": rng.choice(headlines),
            "text": "\n\n".join(rng.choice(paragraphs) for _ in range(rng.randint(3, 12))),
            "date": (first_day + dt.timedelta(days=rng.randrange(days))).isoformat(),
            "source": rng.choice(SYNTHETIC_SOURCES),
        }


def prepare_out(out: Path) -> None:
    """Create ``out``; replace it only if it is a corpus this script made (never someone's folder)."""
    if out.exists():
        if not out.is_dir():
            raise SystemExit(f"error: {out} exists and is not a folder")
        if any(out.iterdir()):
            if read_manifest(out) is None:
                raise SystemExit(f"error: {out} is not empty and has no {MANIFEST}; refusing to overwrite it")
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def write_corpus(out: Path, size: int, seed: int, fmt: str = "jsonl", shard_size: int = 10_000,
                 max_real: int | None = None, shared: Path = SHARED, progress: bool = True) -> dict:
    """Write the corpus and its manifest; return the manifest (counts, raw bytes, sha256)."""
    if not (shared / "corpora").is_dir():
        raise SystemExit(f"error: shared data not found at {shared.resolve()} (it must sit beside the checkout)")
    prepare_out(out)
    digest = hashlib.sha256()
    stats = {"articles": 0, "real": 0, "synthetic": 0, "raw_bytes": 0, "by_source": {}}
    shard = None
    try:
        for i, rec in enumerate(generate(size, seed, shared, max_real)):
            if fmt == "jsonl":
                if i % shard_size == 0:
                    if shard:
                        shard.close()
                    shard = (out / f"articles-{i // shard_size:05d}.jsonl").open("wb")
                data = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")
                shard.write(data)
            else:
                name = f"{i // 1000:03d}/{rec['id']}.txt"
                data = (f"{rec.get('title', '')}\n\n{rec['text']}\n").encode("utf-8")
                (out / name).parent.mkdir(exist_ok=True)
                (out / name).write_bytes(data)
                digest.update(name.encode("utf-8") + b"\0")
            digest.update(data)
            stats["articles"] += 1
            stats["synthetic" if rec["id"].startswith("syn-") else "real"] += 1
            stats["by_source"][rec["source"]] = stats["by_source"].get(rec["source"], 0) + 1
            stats["raw_bytes"] += raw_bytes(rec)
            if progress and (i + 1) % shard_size == 0:
                print(f"  {i + 1:,} articles", file=sys.stderr, flush=True)
    finally:
        if shard:
            shard.close()
    manifest = {"generator_version": GENERATOR_VERSION, "size": size, "seed": seed, "format": fmt,
                "shard_size": shard_size, "max_real": max_real, **stats, "sha256": digest.hexdigest()}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", required=True, help="number of articles: 10k, 100k, 300k or a number")
    ap.add_argument("--out", required=True, type=Path, help="output folder (created; replaced only if made by this script)")
    ap.add_argument("--format", choices=("jsonl", "files"), default="jsonl")
    ap.add_argument("--seed", type=int, default=5, help="seed of the synthetic part (default 5)")
    ap.add_argument("--shard-size", type=int, default=10_000, help="articles per JSONL shard")
    ap.add_argument("--max-real", type=int, default=None, help="use at most this many real articles (tests)")
    ap.add_argument("--shared", type=Path, default=SHARED, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    try:
        size = parse_size(args.size)
    except ValueError as e:
        ap.error(str(e))
    if args.shard_size < 1 or (args.max_real is not None and args.max_real < 0):
        ap.error("--shard-size must be positive and --max-real not negative")
    m = write_corpus(args.out, size, args.seed, args.format, args.shard_size, args.max_real, args.shared)
    print(f"wrote {m['articles']:,} articles ({m['real']:,} real, {m['synthetic']:,} synthetic), "
          f"{m['raw_bytes'] / 1e6:.1f} MB of text to {args.out}")
    print(f"sha256 {m['sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
