"""Stored-field frame size and zlib level against size and decompression time (issue 16's size target).

    python bench/stored_frames.py INDEX_FOLDER [--docs 40000]

Takes the stored values of the first ``--docs`` documents of the index's first segment, pickled as whoosh's
writer pickles them, and compresses them as `searchkit.store.stored` does (frames of whole documents against a
32 KB preset dictionary) for several frame sizes and levels; prints each one's compressed size, ratio to the
pickled bytes, compression CPU time and mean decompression time per frame (what a cold hit pays).
"""
from __future__ import annotations

import argparse
import pickle
import sys
import time
import zlib

import searchkit
from searchkit.store.stored import DICT_BYTES


def frames(values: list[bytes], zdict: bytes, block: int, level: int) -> list[bytes]:
    out, held, size = [], [], 0
    for v in values:
        held.append(v)
        size += len(v)
        if size >= block:
            c = zlib.compressobj(level, zdict=zdict)
            out.append(c.compress(b"".join(held)) + c.flush())
            held, size = [], 0
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index")
    ap.add_argument("--docs", type=int, default=40000)
    args = ap.parse_args(argv)
    with searchkit.open_index(args.index).searcher() as s:
        sub = s.reader().leaf_readers()[0][0]
        n = min(args.docs, sub.doc_count_all())
        values = [pickle.dumps(sub.stored_fields(d), 2) for d in range(n)]
    raw = b"".join(values)
    zdict = raw[:DICT_BYTES]
    print(f"{n} documents, {len(raw) / 1e6:.2f} MB pickled")
    for block in (8 << 10, 16 << 10, 32 << 10):
        for level in (6, 9):
            t = time.process_time()
            out = frames(values, zdict, block, level)
            compress_s = time.process_time() - t
            sample = out[:2000]
            t = time.process_time()
            for f in sample:
                zlib.decompressobj(zdict=zdict).decompress(f)
            per_frame_us = (time.process_time() - t) / max(1, len(sample)) * 1e6
            total = sum(map(len, out))
            print(f"frame {block >> 10:2d} KB level {level}: {total / 1e6:7.2f} MB  ratio {total / len(raw):.4f}  "
                  f"compress {compress_s:.1f} s  decompress {per_frame_us:.0f} us/frame")
    return 0


if __name__ == "__main__":
    sys.exit(main())
