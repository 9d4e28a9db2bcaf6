"""MinHash signatures of shingle-hash sets, vectorised with numpy.

The math
--------
A MinHash signature has ``k = num_perm`` slots.  Slot ``j`` holds

    S_A[j] = min over x in A of g_j(x)

for a fixed random function ``g_j`` that gives every element an independent,
identically distributed value.  The smallest value over ``A ∪ B`` is then
equally likely to belong to any element of the union, so

    P(S_A[j] == S_B[j]) = |A ∩ B| / |A ∪ B| = J(A, B)

and the share of equal slots, :func:`estimate_jaccard`, is an unbiased
estimate of J with standard error at most ``sqrt(J (1 - J) / k)``
(:func:`standard_error`).

The family ``g_j`` (fast similarity sketching)
----------------------------------------------
Classic MinHash evaluates ``k`` hash functions per element, ``O(k |A|)``.  Here
``g_j`` follows the bucketed construction of Dahlgaard, Knudsen & Thorup,
"Fast Similarity Sketching" (FOCS 2017), which costs ``O(|A|)`` for
news-length documents:

1. every input hash is first mixed with a seeded bijection,
   ``z = fmix64(x XOR key)``;
2. in each of :data:`BUCKET_ROUNDS` rounds ``r``, ``w = z * m_r mod 2**64``
   (``m_r`` odd, seeded) sends the element to slot ``floor(hi32(w) * k / 2**32)``
   with rank ``r * 2**30 + (lo32(w) >> 2)``;
3. every slot also receives, from every element, the fallback rank
   ``R * 2**30 + (((a_j * lo32(z) + b_j) mod 2**32) >> 2)`` (``a_j`` odd:
   the universal affine family mod ``2**32`` of datasketch's ``affine32``
   scheme), ``R`` the number of bucket rounds.

``g_j(x)`` is the smallest rank ``x`` gives slot ``j``.  Because a rank's top
bits are its round, a slot that received any bucket-round value can never be
changed by a later round or by the fallback; so later rounds are computed only
for documents that still have empty slots, and the fallback only for the slots
still empty after the last round.  The result is identical to evaluating every
``g_j`` on every element.  A 550-shingle document fills all 128 slots after two
rounds in all but ~2 in 10,000 documents; a very short one falls back to the
classic ``O(k |A|)`` scheme.  Within a round the slots are filled by sampling
elements without replacement, which makes slot agreements slightly negatively
correlated: the variance is never above the classic ``J (1 - J) / k``.

Signatures are ``uint32`` arrays: 2 bits of round and 30 bits of rank.

Empty sets
----------
The empty set has the signature of all ``0xFFFFFFFF`` (:data:`EMPTY`), a value
no non-empty set produces in any slot.  Two empty signatures therefore
estimate J = 1 (as datasketch does); callers that must not match empty
documents (:func:`provenance.neardup.find_near_duplicates`) drop them first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from provenance.signatures.shingles import fmix64

__all__ = ["BUCKET_ROUNDS", "EMPTY", "MinHasher", "estimate_jaccard", "standard_error"]

EMPTY = np.uint32(0xFFFFFFFF)
BUCKET_ROUNDS = 2
_RANK_BITS = 30
_U64 = np.uint64


def standard_error(jaccard: float, num_perm: int) -> float:
    """Standard error of the MinHash estimate of ``jaccard`` with ``num_perm`` slots: ``sqrt(J(1-J)/k)``."""
    if num_perm < 1:
        raise ValueError("num_perm must be >= 1")
    j = min(max(float(jaccard), 0.0), 1.0)
    return math.sqrt(j * (1.0 - j) / num_perm)


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Share of equal slots of two signatures: an unbiased estimate of the Jaccard similarity."""
    a = np.asarray(sig_a)
    b = np.asarray(sig_b)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError(f"signatures must be 1-d arrays of the same non-zero length, got {a.shape} and {b.shape}")
    return float(np.count_nonzero(a == b)) / len(a)


class MinHasher:
    """Computes ``num_perm``-slot MinHash signatures of uint64 hash sets (see the module docstring).

    A hasher is immutable; signatures from hashers with equal ``num_perm`` and
    ``seed`` are comparable, across processes and runs.
    """

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        if isinstance(num_perm, bool) or not isinstance(num_perm, int) or not 1 <= num_perm <= 1 << 16:
            raise ValueError(f"num_perm must be an integer in 1..65536, not {num_perm!r}")
        self.num_perm = num_perm
        self.seed = int(seed)
        rng = np.random.default_rng(np.random.SeedSequence([0x4D494E48, self.seed & (2**63 - 1)]))
        self._key = _U64(rng.integers(0, 2**64, dtype=np.uint64, endpoint=False))
        self._round_mult = rng.integers(0, 2**63, size=BUCKET_ROUNDS, dtype=np.uint64) * _U64(2) + _U64(1)
        self._fallback_a = rng.integers(0, 2**31, size=num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        self._fallback_b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint32, endpoint=False)

    def __repr__(self) -> str:
        return f"MinHasher(num_perm={self.num_perm}, seed={self.seed})"

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """The signature (``uint32``, length ``num_perm``) of one set of uint64 hashes."""
        arr = np.asarray(hashes, dtype=np.uint64).ravel()
        return self.signatures_flat(arr, np.array([0, len(arr)], dtype=np.int64))[0]

    def signatures(self, hash_sets: Sequence[np.ndarray]) -> np.ndarray:
        """Signatures of many hash sets, shape ``(len(hash_sets), num_perm)``."""
        arrays = [np.asarray(h, dtype=np.uint64).ravel() for h in hash_sets]
        offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum([len(a) for a in arrays], out=offsets[1:])
        flat = np.concatenate(arrays) if arrays else np.empty(0, dtype=np.uint64)
        return self.signatures_flat(flat, offsets)

    def signatures_flat(self, hashes: np.ndarray, offsets: np.ndarray, chunk_elements: int = 1 << 17) -> np.ndarray:
        """Signatures of the sets ``hashes[offsets[d]:offsets[d + 1]]`` (duplicates allowed).

        Work is done in chunks of about ``chunk_elements`` hashes to stay in cache.
        """
        offsets = np.asarray(offsets, dtype=np.int64)
        docs = len(offsets) - 1
        out = np.empty((max(docs, 0), self.num_perm), dtype=np.uint32)
        start = 0
        while start < docs:
            # as many documents as fit in the chunk (at least one)
            stop = int(np.searchsorted(offsets, offsets[start] + chunk_elements, side="right")) - 1
            stop = min(max(stop, start + 1), docs)
            out[start:stop] = self._chunk(
                hashes[offsets[start] : offsets[stop]], offsets[start : stop + 1] - offsets[start]
            )
            start = stop
        return out

    def _chunk(self, hashes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        k = self.num_perm
        docs = len(offsets) - 1
        counts = np.diff(offsets)
        sig = np.full(docs * k, EMPTY, dtype=np.uint32)
        if len(hashes) == 0:
            return sig.reshape(docs, k)
        z = fmix64(hashes ^ self._key)
        doc = np.repeat(np.arange(docs, dtype=np.int64), counts)
        elems_z, elems_doc = z, doc
        for r in range(BUCKET_ROUNDS):
            with np.errstate(over="ignore"):
                w = elems_z * self._round_mult[r]
            slot = ((w >> _U64(32)) * _U64(k)) >> _U64(32)
            rank = ((w & _U64(0xFFFFFFFF)) >> _U64(2)).astype(np.uint32) | np.uint32(r << _RANK_BITS)
            np.minimum.at(sig, elems_doc * k + slot.astype(np.int64), rank)
            unfilled = (sig.reshape(docs, k) == EMPTY).any(axis=1) & (counts > 0)
            if not unfilled.any():
                return sig.reshape(docs, k)
            if r + 1 < BUCKET_ROUNDS:
                keep = unfilled[elems_doc]
                elems_z, elems_doc = elems_z[keep], elems_doc[keep]
        # fallback: slot j of document d takes min over its elements of the affine hash j
        grid = sig.reshape(docs, k)
        empty_doc, empty_slot = np.nonzero((grid == EMPTY) & (counts > 0)[:, None])
        lengths = counts[empty_doc]
        seg_starts = np.cumsum(lengths) - lengths
        elem = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(offsets[empty_doc] - seg_starts, lengths)
        slot_rep = np.repeat(empty_slot, lengths)
        z32 = z.astype(np.uint32)[elem]
        with np.errstate(over="ignore"):
            vals = self._fallback_a[slot_rep] * z32
            vals += self._fallback_b[slot_rep]
        vals >>= np.uint32(2)
        mins = np.minimum.reduceat(vals, seg_starts) | np.uint32(BUCKET_ROUNDS << _RANK_BITS)
        grid[empty_doc, empty_slot] = mins
        return grid
