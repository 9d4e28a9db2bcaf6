"""Banded locality-sensitive hashing of MinHash signatures: candidate pairs above a Jaccard threshold.

The math
--------
A signature of ``k`` slots is cut into ``b`` bands of ``r`` slots (``b * r <= k``).
Two documents become a candidate pair when all ``r`` slots of at least one
band agree.  A slot agrees with probability ``s``, the Jaccard similarity, so

    P(candidate | s) = 1 - (1 - s**r)**b,

an S-curve that rises around ``(1 / b)**(1 / r)``.  For a threshold ``t``,
:func:`optimal_params` chooses ``(b, r)`` minimising

    fp_weight * ∫_0^t P(candidate | s) ds  +  fn_weight * ∫_t^1 (1 - P(candidate | s)) ds,

the weighted areas of false positives (pairs below ``t`` that collide) and of
false negatives (pairs above ``t`` that do not), over every ``b >= 1``,
``r >= 1`` with ``b * r <= k`` — the criterion of datasketch's ``MinHashLSH``
(ties go to the smallest ``b``, then the smallest ``r``).  The integrands are
polynomials of degree ``b * r <= k`` in ``s``, so a Gauss-Legendre rule with
``ceil((k + 1) / 2)`` nodes integrates them exactly.

Buckets
-------
Each band's ``r`` slots are hashed to one 64-bit key; equal keys (found by
sorting) form a bucket, and every pair in a bucket is a candidate.  A bucket
larger than ``max_bucket`` (e.g. one boilerplate text repeated 10,000 times)
would produce ``O(size**2)`` pairs; such a bucket is *chained* instead: only
its consecutive members (by document index) are paired.  A chain connects the
same documents as the complete set of pairs, so connected components (clusters)
are preserved, but not every pair of the bucket is reported.  A
:class:`HugeBucketWarning` says when that happened.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from provenance.arrays import unique_sorted

__all__ = ["HugeBucketWarning", "LSHIndex", "LSHStats", "candidate_probability", "optimal_params"]

_U64 = np.uint64


class HugeBucketWarning(UserWarning):
    """A bucket had more than ``max_bucket`` members and was chained instead of fully paired."""


def candidate_probability(similarity: float | np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``1 - (1 - s**rows)**bands``: chance that two sets of Jaccard ``s`` share a band."""
    s = np.asarray(similarity, dtype=np.float64)
    return np.asarray(1.0 - (1.0 - s**rows) ** bands)


@lru_cache(maxsize=256)
def optimal_params(threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5) -> tuple[int, int]:
    """``(bands, rows)`` minimising the weighted false positive + false negative areas (module docstring)."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), not {threshold!r}")
    if num_perm < 1:
        raise ValueError("num_perm must be >= 1")
    if fp_weight < 0 or fn_weight < 0 or fp_weight + fn_weight <= 0:
        raise ValueError("fp_weight and fn_weight must be >= 0 and not both 0")
    pairs = np.array([(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)], dtype=np.float64)
    b = pairs[:, 0:1]
    r = pairs[:, 1:2]
    nodes, weights = np.polynomial.legendre.leggauss(math.ceil((num_perm + 1) / 2) + 1)

    def on(lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
        return (hi - lo) / 2 * nodes + (hi + lo) / 2, (hi - lo) / 2 * weights

    s_lo, w_lo = on(0.0, threshold)
    s_hi, w_hi = on(threshold, 1.0)
    false_pos = (1.0 - (1.0 - s_lo**r) ** b) @ w_lo
    false_neg = ((1.0 - s_hi**r) ** b) @ w_hi
    error = fp_weight * false_pos + fn_weight * false_neg
    best = int(np.argmin(error))
    return int(pairs[best, 0]), int(pairs[best, 1])


@dataclass(frozen=True)
class LSHStats:
    """What the last :meth:`LSHIndex.candidate_pairs` call did."""

    documents: int
    candidates: int
    buckets_chained: int
    largest_bucket: int


def _band_keys(block: np.ndarray) -> np.ndarray:
    """One 64-bit key per row of a ``(N, r)`` uint32 block (equal rows -> equal keys)."""
    key = np.zeros(len(block), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in range(block.shape[1]):
            key ^= block[:, col].astype(np.uint64)
            key *= _U64(0x9E3779B97F4A7C15)
            key ^= key >> _U64(29)
    return key


class LSHIndex:
    """Banded LSH over MinHash signatures for a Jaccard ``threshold`` (see the module docstring).

    ``bands``/``rows`` default to :func:`optimal_params`; ``max_bucket`` is the
    largest bucket that is fully paired (larger ones are chained).
    """

    def __init__(
        self,
        threshold: float = 0.5,
        num_perm: int = 128,
        fp_weight: float = 0.5,
        fn_weight: float = 0.5,
        bands: int | None = None,
        rows: int | None = None,
        max_bucket: int = 200,
    ) -> None:
        if (bands is None) != (rows is None):
            raise ValueError("give both bands and rows, or neither")
        if bands is None or rows is None:
            bands, rows = optimal_params(threshold, num_perm, fp_weight, fn_weight)
        if bands < 1 or rows < 1 or bands * rows > num_perm:
            raise ValueError(f"need bands >= 1, rows >= 1 and bands * rows <= num_perm ({num_perm})")
        if max_bucket < 2:
            raise ValueError("max_bucket must be >= 2")
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands = bands
        self.rows = rows
        self.max_bucket = max_bucket
        self.last_stats: LSHStats | None = None

    def __repr__(self) -> str:
        return (
            f"LSHIndex(threshold={self.threshold}, num_perm={self.num_perm}, "
            f"bands={self.bands}, rows={self.rows}, max_bucket={self.max_bucket})"
        )

    def candidate_pairs(self, signatures: np.ndarray) -> np.ndarray:
        """Candidate pairs ``(i, j)``, ``i < j``, deduplicated and sorted: shape ``(M, 2)``, int64."""
        sigs = np.asarray(signatures)
        if sigs.ndim != 2 or sigs.shape[1] != self.num_perm:
            raise ValueError(f"signatures must have shape (N, {self.num_perm}), got {sigs.shape}")
        return self.pairs_from_codes(len(sigs), [self.band_codes(sigs, range(self.bands))])

    def band_codes(self, signatures: np.ndarray, bands: range) -> tuple[np.ndarray, int, int]:
        """The candidates of some of the bands, as codes ``i * N + j`` (sorted, unique), with bucket statistics.

        Returns ``(codes, chained buckets, largest bucket)``; :meth:`pairs_from_codes`
        turns the parts of all bands into :meth:`candidate_pairs`'s result (bands
        may be done apart, e.g. in several processes).
        """
        n = len(signatures)
        found: list[np.ndarray] = []
        chained = 0
        largest = 0
        for band in bands:
            keys = _band_keys(signatures[:, band * self.rows : (band + 1) * self.rows])
            pairs, band_chained, band_largest = _bucket_pairs(keys, self.max_bucket)
            chained += band_chained
            largest = max(largest, band_largest)
            if len(pairs):
                # encode each pair as one int64, deduplicate per band to bound memory
                found.append(unique_sorted(pairs[:, 0] * n + pairs[:, 1]))
        codes = unique_sorted(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
        return codes, chained, largest

    def pairs_from_codes(self, n: int, parts: list[tuple[np.ndarray, int, int]]) -> np.ndarray:
        """:meth:`candidate_pairs`'s result (and warning) from the :meth:`band_codes` of all bands."""
        if len(parts) == 1:
            codes = parts[0][0]
        else:
            codes = unique_sorted(np.concatenate([c for c, _, _ in parts])) if parts else np.empty(0, dtype=np.int64)
        chained = sum(c for _, c, _ in parts)
        largest = max((size for _, _, size in parts), default=0)
        result = np.stack([codes // max(n, 1), codes % max(n, 1)], axis=1).astype(np.int64)
        self.last_stats = LSHStats(documents=n, candidates=len(result), buckets_chained=chained, largest_bucket=largest)
        if chained:
            warnings.warn(
                f"{chained} LSH bucket(s) had more than {self.max_bucket} documents (largest: {largest}); "
                "they were chained (consecutive members paired) instead of fully paired: clusters are "
                "preserved but not every pair inside them is reported",
                HugeBucketWarning,
                stacklevel=2,
            )
        return result


def _bucket_pairs(keys: np.ndarray, max_bucket: int) -> tuple[np.ndarray, int, int]:
    """All pairs of row indices with equal keys (chained for buckets above ``max_bucket``).

    Returns ``(pairs (M, 2) with i < j, number of chained buckets, largest bucket size)``.
    """
    order = np.argsort(keys, kind="stable")  # stable: members of a bucket in index order
    sorted_keys = keys[order]
    if len(keys) < 2:
        return np.empty((0, 2), dtype=np.int64), 0, len(keys)
    change = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    bounds = np.concatenate(([0], change, [len(keys)]))
    sizes = np.diff(bounds)
    largest = int(sizes.max())
    if largest < 2:
        return np.empty((0, 2), dtype=np.int64), 0, largest
    group_end = np.repeat(bounds[1:], sizes)  # for each sorted position, the end of its bucket
    group_size = np.repeat(sizes, sizes)
    out: list[np.ndarray] = []
    huge = group_size > max_bucket
    chained = int(np.count_nonzero(sizes > max_bucket))
    if chained:
        pos = np.flatnonzero(huge)
        pos = pos[pos + 1 < group_end[pos]]
        out.append(np.stack([order[pos], order[pos + 1]], axis=1))
    pos = np.flatnonzero((group_size >= 2) & ~huge)
    end = group_end[pos]
    step = 1
    while len(pos):
        inside = pos + step < end
        pos, end = pos[inside], end[inside]
        if len(pos):
            out.append(np.stack([order[pos], order[pos + step]], axis=1))
        step += 1
    pairs = np.concatenate(out).astype(np.int64)
    pairs.sort(axis=1)
    return pairs, chained, largest
