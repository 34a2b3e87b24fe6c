"""Peak RSS and time of the copy-group pass alone, on an existing index's saved sketches (issue 16's peak RSS).

    python bench/grouping_peak.py INDEX_FOLDER

The pass runs in the indexing process after the writers have finished (`searchkit.dupes.store.Tracker.save`):
at 100k articles it was the indexer's peak. This re-runs it on the sketches the index saved (no indexing), in
this process, sampling its RSS every 5 ms, and prints for each stage -- loading the sketches, copy pairs and
groups, passage provenance, the groups document written as the indexer writes it (gzip, in pieces) -- the RSS
after it, the peak so far, and the seconds it took.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from common import PeakSampler


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index")
    args = ap.parse_args(argv)
    from searchkit.dupes import document, grouping, store

    folder = Path(args.index)
    try:
        with np.load(folder / store.STATE_FILE) as z:
            stamp = json.loads(bytes(z["meta"]).decode("utf-8")).get("stamp")
    except (OSError, ValueError, KeyError) as e:
        print(f"error: no readable {store.STATE_FILE} in {folder}: {e}", file=sys.stderr)
        return 1
    rows = []
    with PeakSampler(_rss_kb, 0.005) as rss:
        def stage(name: str, t0: float) -> float:
            now = time.perf_counter()
            rows.append((name, rss.sample() / 1024, rss.peak_kb / 1024, now - t0))
            return now

        t = stage("start", time.perf_counter())
        tracker = store.Tracker.open(folder, stamp)
        records, pieces = tracker.records()
        t = stage(f"sketches loaded ({len(records):,} articles, {len(pieces):,} pieces)", t)
        groups = grouping.group(records, pieces, tracker.sigs.view())  # as the indexer runs it
        t = stage(f"copy pairs and groups ({len(groups):,} groups)", t)
        first_seen = grouping.provenance(records, pieces, groups)
        t = stage(f"provenance ({len(first_seen):,} passages)", t)
        with open(os.devnull, "wb") as out, gzip.GzipFile(fileobj=out, mode="wb", compresslevel=store.GZIP_LEVEL) as z:
            document.write_groups_document(z, tracker.meta, grouping.Result(groups, first_seen), stamp)
        stage("groups document written (gzip, streamed)", t)
    print("| stage | RSS after (MB) | peak so far (MB) | s |\n|---|---:|---:|---:|")
    for name, now, peak, secs in rows:
        print(f"| {name} | {now:.0f} | {peak:.0f} | {secs:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
