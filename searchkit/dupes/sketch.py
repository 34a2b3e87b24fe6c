"""Sketches of text: word shingles, MinHash signatures and LSH band keys, all as numpy arrays.

Why numpy and not datasketch: datasketch's ``MinHash`` hashes every shingle through a Python callable and its
``MinHashLSH`` keeps one Python ``bytes`` key per (article, band) in dicts; measured on 2,000 Reuters stories
(bench/dupes.py's corpus), signing with datasketch took ~6x longer than `signature` here, and the LSH tables
grow by a few hundred bytes per article in Python objects. The MinHash itself is the same (universal hashing
``(a*x + b) mod p`` over 32-bit shingle hashes, the minimum per permutation), and band keys are sorted in
arrays, so candidate search over 100k articles is a handful of ``np.unique`` calls and memory is the
signature matrix (``NUM_PERM`` x 4 bytes per article) and nothing else.

Words are normalised so that what syndication changes does not change the sketch: case, punctuation, quote
styles, thousands separators ("1,500" = "1500"), the spellings of percent ("pct", "%", "per cent") and
the wire abbreviations "mln", "bln", "dlrs". Paragraphs under ``MIN_BODY_WORDS`` words without a figure are left
out of an article's shingles: they are menus, buttons and sign-offs that boilerplate removal kept (a short
line with figures is a table row, and stays);
so is a wire dateline ("LONDON, March 3 (Reuters) - ") that a republisher puts before the first one.
"""
from __future__ import annotations

import re

import numpy as np

from ..arrays import distinct
from .keysets import PairSet

SHINGLE = 5  # words per shingle: long enough that unrelated news prose shares almost none
NUM_PERM = 128  # permutations of an article signature
PARAGRAPH_PERM = 16  # a paragraph's signature is smaller: it only needs to tell near-identical from not
_MAX32 = np.uint64(0xFFFFFFFF)
# Letters first: the branches start with disjoint characters (letters, digits), so their order decides nothing
# but how often the engine tries a branch that fails (most words are letters: ~20% faster this way round).
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d[\d,.]*\d|\d")
_PERCENT = {"pct", "percent", "%", "pc"}
_SPELLED = {"mln": "million", "bln": "billion", "dlrs": "dollars", "dlr": "dollar", "pct": "percent"}
# A wire dateline a republisher puts before the first paragraph: "LONDON, March 3 (Reuters) - "
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]{1,40},(?:\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([^)]{1,40}\))?\s*[-\u2013\u2014]+\s+")
MIN_BODY_WORDS = 8  # shorter paragraphs (menus, "Subscribe", sign-offs) stay out of an article's shingles


_SEPARATOR = re.compile(r"(\d),(?=\d)")
_TRAILING_ZEROS = re.compile(r"(\d\.\d*?[1-9])0+\b|(\d)\.0+\b")
# Every match of _TRAILING_ZEROS holds one of these (from its dot on); this one starts with a literal, so
# the regex engine skips to the dots, and 86% of 10k Reuters stories have none: their costly pass is skipped.
_MAY_TRAIL = re.compile(r"\.\d*0\b")
# The wire abbreviations without the leading \b: a pattern that starts with letters is searched for them
# (twice as fast as one starting with a word boundary); `_expand` then keeps a match that follows a word
# character as it is, which is what the \b refused (a refused match spans no other boundary to start from).
_ABBREVIATION = re.compile(r"(?:pct|pc|mln|bln|dlrs|dlr)\b")
_WORD_CHAR = re.compile(r"\w")
_EXPANDED = {"pc": "percent", **_SPELLED}


def _expand(text: str) -> str:
    """``text`` with each wire abbreviation that stands as a word of its own spelled out."""
    def spelled(m: re.Match) -> str:
        i = m.start()
        return m.group(0) if i and _WORD_CHAR.match(text, i - 1) else _EXPANDED[m.group(0)]
    return _ABBREVIATION.sub(spelled, text)


def _normalise(text: str) -> str:
    """Lower case, one apostrophe, no thousands separators or trailing decimal zeros, one spelling of percent
    and of the wire abbreviations. Patterns that start with a digit or a word boundary, each one pass (measured
    15% faster than one pattern with every alternative behind look-behinds)."""
    text = text.lower().replace("\u2019", "'").replace("per cent", " percent ").replace("%", " percent ")
    text = _SEPARATOR.sub(r"\1", text)
    if "." in text and _MAY_TRAIL.search(text):
        text = _TRAILING_ZEROS.sub(lambda m: m.group(1) or m.group(2), text)
    return _expand(text)


def words(text: str) -> list[str]:
    """Normalised words of ``text`` (see the module docstring): substitutions over the whole text, then one
    regex pass, so that no Python code runs per word."""
    return _WORD.findall(_normalise(text))


_P = 0x100000001B3  # odd, so it has an inverse modulo 2^64
_P_INV = pow(_P, -1, 1 << 64)
_POWERS: dict[int, np.ndarray] = {}


def _powers(base: int, n: int) -> np.ndarray:
    """base^0 .. base^(n-1) modulo 2^64 (kept, and grown when a longer text comes)."""
    have = _POWERS.get(base)
    if have is None or len(have) < n:
        size = max(n, 1 << 14, 2 * len(have) if have is not None else 0)
        out = np.full(size, base, np.uint64)
        out[0] = 1
        have = _POWERS[base] = np.cumprod(out, dtype=np.uint64)  # wraps modulo 2^64, as intended
    return have[:n]


def token_hashes(tokens: list[str]) -> np.ndarray:
    """A 64-bit hash of each token, stable across processes (Python's hash() is salted per run), computed for
    all tokens at once: a polynomial over the bytes of the joined text, one prefix sum, cut at the spaces."""
    if not tokens:
        return np.zeros(0, np.uint64)
    data = np.frombuffer(" ".join(tokens).encode("utf-8"), np.uint8).astype(np.uint64) + np.uint64(1)
    n = len(data)
    with np.errstate(over="ignore"):
        prefix = np.concatenate([np.zeros(1, np.uint64), np.cumsum(data * _powers(_P, n), dtype=np.uint64)])
        spaces = np.flatnonzero(data == np.uint64(ord(" ") + 1))
        starts = np.concatenate([np.zeros(1, np.int64), spaces + 1])
        ends = np.concatenate([spaces, np.array([n], np.int64)])
        h = (prefix[ends] - prefix[starts]) * _powers(_P_INV, n + 1)[starts]
        h ^= h >> np.uint64(31)
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
    return h


def _windows(h: np.ndarray, k: int) -> np.ndarray:
    """The (not de-duplicated) 32-bit hash of every run of ``k`` consecutive word hashes (none when ``h``
    holds fewer than ``k``: a paragraph's last few words that a passage boundary cut off)."""
    if len(h) < k:
        return np.zeros(0, np.uint64)
    acc = np.zeros(len(h) - k + 1, np.uint64)
    with np.errstate(over="ignore"):
        for i in range(k):  # polynomial combination of the k word hashes, wrapping in 64 bits
            acc = acc * np.uint64(1000003) + h[i:len(h) - k + 1 + i]
        acc ^= acc >> np.uint64(29)
    return acc & _MAX32


def shingles(tokens, k: int = SHINGLE) -> np.ndarray:
    """Distinct 32-bit hashes of the ``k``-word shingles of ``tokens`` (words, or their `token_hashes`; one
    shingle if there are fewer than ``k``)."""
    h = tokens if isinstance(tokens, np.ndarray) else token_hashes(tokens)
    if not len(h):
        return np.zeros(0, np.uint64)
    return distinct(_windows(h, min(k, len(h))))


def _permutations(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    a = rng.randint(0, 1 << 62, n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd multipliers
    b = rng.randint(0, 1 << 62, n, dtype=np.uint64)
    return a, b


_PERMS = {NUM_PERM: _permutations(NUM_PERM, 1), PARAGRAPH_PERM: _permutations(PARAGRAPH_PERM, 2)}


def signature(hashes: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signature (uint32, ``num_perm`` values) of a set of shingle hashes; all-max for an empty set.

    Each permutation is multiply-shift hashing, ``(a*x + b) mod 2^64 >> 32`` with odd ``a`` (Dietzfelbinger's
    universal family): one multiply per value, about 3x faster than the ``mod p`` family datasketch uses."""
    if not len(hashes):
        return np.full(num_perm, 0xFFFFFFFF, np.uint32)
    a, b = _PERMS[num_perm]
    v = hashes.astype(np.uint64)[None, :] * a[:, None] + b[:, None]
    return (v >> np.uint64(32)).min(axis=1).astype(np.uint32)


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two sets whose signatures these are."""
    return float(np.mean(sig_a == sig_b))


def containment(sig_a: np.ndarray, size_a: int, sig_b: np.ndarray, size_b: int) -> float:
    """Estimated share of the smaller set that lies in the larger: |A n B| / min(|A|, |B|), from the
    Jaccard estimate J and the exact sizes (|A n B| = J (|A| + |B|) / (1 + J)). A trimmed copy is
    contained in its original, so this is near 1 for it whatever was cut."""
    if not size_a or not size_b:
        return 0.0
    return float(containments(np.array([jaccard(sig_a, sig_b)]), np.array([size_a]), np.array([size_b]))[0])


def containments(j: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    """`containment` of many pairs at once, from their Jaccard estimates and (non-zero) set sizes."""
    size_a, size_b = size_a.astype(np.float64), size_b.astype(np.float64)
    return np.minimum(1.0, j * (size_a + size_b) / (1.0 + j) / np.minimum(size_a, size_b))


def band_keys(sigs: np.ndarray, rows: int, band: int) -> np.ndarray:
    """One uint64 key per signature for band number ``band`` (its ``rows`` values, band number mixed in)."""
    s = sigs[:, band * rows:(band + 1) * rows].astype(np.uint64)
    key = np.full(len(sigs), (band * 0xC2B2AE3D27D4EB4F) & 0xFFFFFFFFFFFFFFFF, np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            key = key * np.uint64(0x9E3779B97F4A7C15) + s[:, r]
    return key


def candidate_pairs(sigs: np.ndarray, rows: int, max_bucket: int = 64, keep: np.ndarray | None = None) -> np.ndarray:
    """(m, 2) distinct pairs of row numbers whose signatures agree on at least one whole band, sorted; with
    ``keep`` (a boolean per row) only rows it selects take part, and the pairs are exactly those of
    ``sigs[keep]`` with their rows numbered in ``sigs`` (no copy of the selected signatures is made).

    Bands are sorted one at a time, so the extra memory is a few arrays of one key per row, whatever the
    number of bands. A bucket larger than ``max_bucket`` (the same text many times over) pairs each member
    with the next ``max_bucket`` members only: enough to connect them all, without a quadratic blow-up.
    Pairs are kept as one int64 each (``low * n + high``) and de-duplicated as they come (`PairSet`): the
    pieces of 100k articles, synthetic ones reusing real paragraphs, gave tens of millions of pairs over the
    bands, all held (as rows of two) until one ``np.unique(axis=0)`` at the end."""
    n = len(sigs)
    if n < 2:
        return np.zeros((0, 2), np.int64)
    found = PairSet(n)
    for band in range(sigs.shape[1] // rows):
        keys = band_keys(sigs, rows, band)
        order = np.argsort(keys, kind="stable")
        if keep is not None:  # a stable sort of all rows, filtered, orders the kept rows as sorting them alone
            order = order[keep[order]]
        keys = keys[order]
        same = keys[1:] == keys[:-1]
        if not same.any():
            continue
        shared = np.r_[same, False] | np.r_[False, same]  # only keys held by two rows or more
        keys, rows_of = keys[shared], order[shared]
        for lag in range(1, max_bucket + 1):
            # pair every element with the one `lag` places after it, when both are in the same bucket
            i = np.flatnonzero(keys[:-lag] == keys[lag:]) if lag < len(keys) else np.zeros(0, np.int64)
            if not len(i):
                break
            found.add(rows_of[i], rows_of[i + lag])
    return found.pairs()


SIGNATURE_CHUNK = 1 << 13  # shingles hashed per array operation in `signatures`: NUM_PERM x 8 bytes each


def signatures(sets: list[np.ndarray], num_perm: int) -> np.ndarray:
    """`signature` of each of several (non-empty) sets in a few array operations: (len(sets), num_perm).

    The shingles are hashed `SIGNATURE_CHUNK` at a time (a set that straddles two chunks takes the minimum of
    both): the (num_perm, shingles) matrix of one operation over a parser task's batch was 52 MB for 64 BBC
    stories, the parser processes' peak grew with the longest articles, and the minimum is the same in parts."""
    out = np.full((len(sets), num_perm), 0xFFFFFFFF, np.uint64)
    if not sets:
        return out.astype(np.uint32)
    a, b = _PERMS[num_perm]
    x = np.concatenate(sets)
    starts = np.cumsum([0] + [len(h) for h in sets])
    for lo in range(0, len(x), SIGNATURE_CHUNK):
        hi = min(lo + SIGNATURE_CHUNK, len(x))
        first = int(np.searchsorted(starts, lo, "right")) - 1  # the set holding shingle ``lo``
        last = int(np.searchsorted(starts, hi, "left"))  # one past the last set starting before ``hi``
        v = np.multiply.outer(a, x[lo:hi])  # (num_perm, n), wrapping modulo 2^64; then in place: one array
        v += b[:, None]
        v >>= np.uint64(32)
        part = np.minimum.reduceat(v, np.maximum(starts[first:last] - lo, 0), axis=1).T
        np.minimum(out[first:last], part, out=out[first:last])
    return out.astype(np.uint32)


def article_sketch(paragraphs: list[str], passages: list) -> tuple[int, np.ndarray, list[tuple[int, int, int, np.ndarray]]]:
    """(distinct shingles, signature, [(paragraph, words before it, passage index, piece signature), ...]) of
    one clean body (`article_sketches` of one article).

    Pieces are the paragraphs cut at passage boundaries (a paragraph split over two passages gives two), so a
    reused paragraph is attributed to exactly the passages that show it; pieces under 12 words are skipped.
    """
    return article_sketches([(paragraphs, passages)])[0]


def _paragraph_words(paragraphs: list[str]) -> list[list[str]]:
    """Each paragraph's normalised words, the first paragraph's wire dateline left out; normalised in one go
    (paragraphs hold no blank line), then split again."""
    if not paragraphs:
        return []
    text = _normalise("\n\n".join([_DATELINE.sub("", paragraphs[0], count=1), *paragraphs[1:]]))
    return [_WORD.findall(part) for part in text.split("\n\n")]


def _unique_per_group(values: np.ndarray, starts: np.ndarray) -> list[np.ndarray]:
    """``np.unique`` of each slice ``values[starts[i]:starts[i + 1]]`` (32-bit values) in one sort: the slice
    number goes in the high half of a 64-bit key."""
    groups = np.repeat(np.arange(len(starts) - 1, dtype=np.uint64), np.diff(starts))
    keys = distinct((groups << np.uint64(32)) | values)
    cuts = np.searchsorted(keys, np.arange(len(starts), dtype=np.uint64) << np.uint64(32))
    low = keys & _MAX32
    return [low[cuts[i]:cuts[i + 1]] for i in range(len(starts) - 1)]


def article_sketches(bodies: list[tuple[list[str], list]]) -> list[tuple[int, np.ndarray, list]]:
    """`article_sketch` of each (paragraphs, passages) of ``bodies``, the same values, with the array work done
    for all of them at once: the words of every article hashed in one operation, their shingle windows, their
    distinct shingles and every signature and piece signature computed in one operation each. One article at
    a time, numpy's per-call overhead on a few hundred words was as much as the hashing itself (the parser
    processes sketch a batch of articles, `searchkit.dupes.hooks.prepare`)."""
    words_of = [_paragraph_words(paragraphs) for paragraphs, _ in bodies]
    counts = [np.array([len(t) for t in toks], np.int64) for toks in words_of]
    sizes = [int(c.sum()) for c in counts]
    offsets = np.concatenate([np.zeros(1, np.int64), np.cumsum(sizes, dtype=np.int64)])
    h_all = token_hashes([w for toks in words_of for t in toks for w in t])
    every_all = _windows(h_all, SHINGLE)  # window i: words i .. i+4, across article ends too (sliced off below)
    whole, whole_rows, shingle_sets = [], [], [None] * len(bodies)
    heads, sets, owners = [], [], []
    for row, ((paragraphs, passages), toks, count) in enumerate(zip(bodies, words_of, counts)):
        a, n = int(offsets[row]), sizes[row]
        h = h_all[a:a + n]
        every = every_all[a:a + n - SHINGLE + 1] if n >= SHINGLE else h[:0]
        first = np.concatenate([np.zeros(1, np.int64), np.cumsum(count)])
        kept = [i for i, t in enumerate(toks) if len(t) >= MIN_BODY_WORDS or any(w[0].isdigit() for w in t)]
        if sum(len(toks[i]) for i in kept) < 3 * MIN_BODY_WORDS:  # all short lines without figures: the story
            kept = list(range(len(toks)))
        if len(kept) == len(toks) and n >= SHINGLE:
            whole.append(every)
            whole_rows.append(row)
        elif len(kept) == len(toks):
            shingle_sets[row] = shingles(h)
        else:
            shingle_sets[row] = shingles(np.concatenate([h[first[i]:first[i + 1]] for i in kept]) if kept else h[:0])
        bounds, pos = [], 0
        for para in paragraphs:
            bounds.append((pos, pos + len(para)))
            pos += len(para) + 2  # Article.body joins paragraphs with a blank line
        spans = [(p.index, p.start, p.end) for p in passages]
        for number, (start, end) in enumerate(bounds):
            if count[number] < 12:
                continue
            inside = [(index, max(start, ps), min(end, pe)) for index, ps, pe in spans if max(start, ps) < min(end, pe)]
            for index, lo, hi in inside:
                if len(inside) == 1:  # the whole paragraph: its windows are a slice of the article's
                    part = every[first[number]:first[number + 1] - SHINGLE + 1]
                else:
                    part = _windows(token_hashes(words(paragraphs[number][lo - start: hi - start])), SHINGLE)
                if len(part) >= 12 - SHINGLE + 1:
                    heads.append((number, int(first[number]), index))
                    sets.append(part)
                    owners.append(row)
    if whole:
        starts = np.concatenate([np.zeros(1, np.int64), np.cumsum([len(w) for w in whole])])
        for row, sh in zip(whole_rows, _unique_per_group(np.concatenate(whole), starts)):
            shingle_sets[row] = sh
    filled = [row for row, sh in enumerate(shingle_sets) if len(sh)]
    sigs = np.full((len(bodies), NUM_PERM), 0xFFFFFFFF, np.uint32)  # all-max: an empty set's signature
    if filled:
        sigs[filled] = signatures([shingle_sets[row] for row in filled], NUM_PERM)
    piece_sigs = signatures(sets, PARAGRAPH_PERM)
    pieces: list[list] = [[] for _ in bodies]
    for row, head, sig in zip(owners, heads, piece_sigs):
        pieces[row].append((*head, sig))
    return [(len(sh), sigs[row].copy(), pieces[row]) for row, sh in enumerate(shingle_sets)]
