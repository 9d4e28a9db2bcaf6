"""Surface-word TF-IDF vectors: how alike two texts are worded.

The vectors are scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2),
sublinear_tf=True)`` by definition, computed by compiled loops over the
collection's code points instead of a per-token Python loop (on news text that
loop was most of what ``lineage`` added to ``cluster``):

* tokens: the runs of two or more word characters of the lower-cased text
  (``\\w\\w+``; under ``findall`` the same tokens as scikit-learn's
  ``\\b\\w\\w+\\b``); a code point's class is read from the table of
  :func:`~provenance.normalize.plainscan.code_classes` (``\\w`` is a letter, a
  digit or ``_``);
* features: every token and every pair of consecutive tokens of a document;
* weight of feature ``t`` in document ``d``: ``(1 + ln tf(t, d)) * idf(t)``, with
  ``idf(t) = ln((1 + n) / (1 + df(t))) + 1`` (smoothed), ``n`` the number of
  documents and ``df(t)`` how many contain ``t``;
* each row scaled to unit Euclidean length (a document without a token keeps
  a zero row).

A feature is known by a 64-bit hash (a token's as in
:mod:`~provenance.normalize.plainscan`, a pair's mixed from its two tokens'), so
two features are taken for one with probability about ``m**2 / 2**65`` among
``m`` features (3e-8 for a million).  The arithmetic is in float64, so the
cosines agree with scikit-learn's (float32 by default there) to float32
precision.  Only dot products of rows are meant to be read
(:meth:`SurfaceVectors.cosines`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from provenance.jit import jit
from provenance.normalize.plainscan import SEED, code_classes, code_points, fmix64, hash_code_points, is_word
from provenance.scoring.align import row_offsets

CHUNK_CODE_POINTS = 1 << 23  # code points encoded and scanned at a time (4 bytes each)


@dataclass(frozen=True)
class SurfaceVectors:
    """Row ``d``: the features ``hashes[offsets[d]:offsets[d + 1]]`` (ascending), L2-normalised ``weights``."""

    hashes: np.ndarray  # uint64
    weights: np.ndarray  # float64
    offsets: np.ndarray  # int64, one more than rows

    def cosines(self, left: Sequence[int], right: Sequence[int]) -> np.ndarray:
        """The dot product of rows ``left[i]`` and ``right[i]``: their cosine."""
        a = np.asarray(left, dtype=np.int64)
        b = np.asarray(right, dtype=np.int64)
        return np.asarray(_dots(self.hashes, self.weights, self.offsets, a, b))


def surface_tfidf(texts: Sequence[str]) -> SurfaceVectors | None:
    """The word 1-2-gram TF-IDF rows of ``texts`` (module rules); None when no text has a token."""
    n = len(texts)
    table = code_classes()
    hashes, counts, sizes = [], [], []
    start = 0
    while start < n:
        stop, chars = start, 0
        while stop < n and (stop == start or chars + len(texts[stop]) <= CHUNK_CODE_POINTS):
            chars += len(texts[stop])
            stop += 1
        lowered = [t.lower() for t in texts[start:stop]]
        bounds = row_offsets(np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered)))
        codes = code_points("".join(lowered))
        cell_hash, cell_count, cell_sizes = _cells(codes, bounds, table, np.uint64(SEED))
        hashes.append(cell_hash)
        counts.append(cell_count)
        sizes.append(cell_sizes)
        start = stop
    cell_hash = np.concatenate(hashes) if hashes else np.empty(0, dtype=np.uint64)
    if len(cell_hash) == 0:
        return None
    cell_count = np.concatenate(counts)
    per_row = np.concatenate(sizes)
    df = _document_frequencies(cell_hash)
    weights = (1.0 + np.log(cell_count)) * (np.log((n + 1) / (df + 1.0)) + 1.0)
    rows = np.repeat(np.arange(n, dtype=np.int64), per_row)
    norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=n))
    weights /= norms[rows]  # a row with a cell has a positive norm
    return SurfaceVectors(cell_hash, weights, row_offsets(per_row))


@jit
def _pair_hash(first: np.uint64, second: np.uint64) -> np.uint64:
    """A hash of two consecutive tokens (ordered: "a b" is not "b a"), MurmurHash3's fmix64 of a mix."""
    return fmix64(first * np.uint64(0x9E3779B97F4A7C15) + second + np.uint64(0x632BE59BD9B4E019))


@jit
def _cells(
    codes: np.ndarray, bounds: np.ndarray, table: np.ndarray, seed: np.uint64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each text ``codes[bounds[d]:bounds[d + 1]]``'s distinct features (ascending hashes) and their counts."""
    n = len(bounds) - 1
    # a token takes two code points and a separator: at most (length + 1) // 3 tokens, twice as many features
    out_hash = np.empty(2 * ((len(codes) + n) // 3 + 1), dtype=np.uint64)
    out_count = np.empty(len(out_hash), dtype=np.int64)
    sizes = np.zeros(n, dtype=np.int64)
    tokens = np.empty((len(codes) + 1) // 3 + 1, dtype=np.uint64)
    features = np.empty(2 * len(tokens), dtype=np.uint64)
    c = 0
    for d in range(n):
        m = 0
        i, end = bounds[d], bounds[d + 1]
        while i < end:
            if is_word(table, codes[i]):
                j = i + 1
                while j < end and is_word(table, codes[j]):
                    j += 1
                if j - i >= 2:
                    tokens[m] = hash_code_points(codes, i, j, seed)
                    m += 1
                i = j
            else:
                i += 1
        if m == 0:
            continue
        f = 0
        for t in range(m):
            features[f] = tokens[t]
            f += 1
        for t in range(m - 1):
            features[f] = _pair_hash(tokens[t], tokens[t + 1])
            f += 1
        ordered = np.sort(features[:f])
        first = c
        out_hash[c] = ordered[0]
        out_count[c] = 1
        for k in range(1, f):
            if ordered[k] == out_hash[c]:
                out_count[c] += 1
            else:
                c += 1
                out_hash[c] = ordered[k]
                out_count[c] = 1
        c += 1
        sizes[d] = c - first
    return out_hash[:c].copy(), out_count[:c].copy(), sizes


@jit
def _document_frequencies(cell_hash: np.ndarray) -> np.ndarray:
    """How many rows hold each cell's feature (a row holds a feature once), counted in an open-addressing
    table of (hash, count) slots kept at most half full (it doubles as distinct features come)."""
    slots = 1 << 16
    table = np.zeros(2 * slots, dtype=np.uint64)  # slot p: hash at 2p, count at 2p + 1 (0: empty)
    distinct = 0
    for k in range(len(cell_hash)):
        if 2 * (distinct + 1) > slots:  # rehash into twice the slots
            old = table
            slots *= 2
            table = np.zeros(2 * slots, dtype=np.uint64)
            last = np.uint64(slots - 1)
            for q in range(len(old) // 2):
                if old[2 * q + 1] != 0:
                    p = old[2 * q] & last
                    while table[2 * p + 1] != 0:
                        p = (p + np.uint64(1)) & last
                    table[2 * p] = old[2 * q]
                    table[2 * p + 1] = old[2 * q + 1]
        h = cell_hash[k]
        last = np.uint64(slots - 1)
        p = h & last
        while table[2 * p + 1] != 0 and table[2 * p] != h:
            p = (p + np.uint64(1)) & last
        if table[2 * p + 1] == 0:
            table[2 * p] = h
            distinct += 1
        table[2 * p + 1] += np.uint64(1)
    # the slots moved while the table grew: read each cell's count by its hash
    out = np.empty(len(cell_hash), dtype=np.float64)
    last = np.uint64(slots - 1)
    for k in range(len(cell_hash)):
        h = cell_hash[k]
        p = h & last
        while table[2 * p] != h:
            p = (p + np.uint64(1)) & last
        out[k] = table[2 * p + 1]
    return out


@jit
def _dots(
    hashes: np.ndarray, weights: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """Sum of ``weights`` products over the features two rows share (their ascending hashes merged)."""
    out = np.zeros(len(left), dtype=np.float64)
    for k in range(len(left)):
        i, i_end = offsets[left[k]], offsets[left[k] + 1]
        j, j_end = offsets[right[k]], offsets[right[k] + 1]
        s = 0.0
        while i < i_end and j < j_end:
            if hashes[i] == hashes[j]:
                s += weights[i] * weights[j]
                i += 1
                j += 1
            elif hashes[i] < hashes[j]:
                i += 1
            else:
                j += 1
        out[k] = s
    return out
