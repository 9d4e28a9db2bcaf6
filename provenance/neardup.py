"""Near-duplicate detection: signatures -> LSH candidates -> exact verification.

1. every document's shingle-hash set gets a MinHash signature
   (:class:`~provenance.signatures.minhash.MinHasher`);
2. banded LSH (:class:`~provenance.candidates.lsh.LSHIndex`), tuned to the
   threshold, proposes candidate pairs;
3. each candidate is verified on the exact sets: ``J = |A ∩ B| / |A ∪ B|``
   (and both containments ``|A ∩ B| / |A|``, ``|A ∩ B| / |B|``); pairs with
   ``J >= threshold`` are kept.

So every reported pair is a true near-duplicate at the threshold (no false
positives); a pair above the threshold is missed only if LSH does not propose
it.  Because verification removes every false candidate exactly, the banding is
tuned for recall: bands/rows minimise ``0.2 * false positive + 0.8 * false
negative`` area (:data:`FP_WEIGHT`, :data:`FN_WEIGHT`) instead of datasketch's
balanced 0.5/0.5.  At threshold 0.5 with 128 slots that gives 30 bands of 4
rows: a pair is proposed with probability 0.86 at J = 0.5, 0.98 at J = 0.6 and
0.05 at J = 0.2 (0.55, 0.87 and 0.008 with the balanced 25 x 5).
Empty sets (texts without any token) never pair.

For very large collections, :func:`signatures_for_texts` tokenises, hashes and
signs in bounded-memory chunks, and :func:`find_near_duplicates_in_texts` runs
the whole engine over texts in two passes, keeping only the signatures and the
hash sets of documents that are candidates.
"""

from __future__ import annotations

import sys
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np

from provenance.candidates.lsh import LSHIndex
from provenance.jit import jit
from provenance.signatures.minhash import MinHasher
from provenance.signatures.setstore import HashSetStore, gather_sets, set_sizes
from provenance.signatures.shingles import ShingleSpec, shingle_hashes_flat

__all__ = [
    "FN_WEIGHT",
    "FP_WEIGHT",
    "NearDupPair",
    "connected_components",
    "exact_overlap",
    "intersection_sizes",
    "overlap_of",
    "find_near_duplicates",
    "find_near_duplicates_in_texts",
    "found_in",
    "signatures_for_texts",
    "verify_pairs",
]


FP_WEIGHT = 0.2
FN_WEIGHT = 0.8


@dataclass(frozen=True)
class NearDupPair:
    """A verified near-duplicate pair of documents ``i < j`` (indices into the input)."""

    i: int
    j: int
    jaccard: float  # exact Jaccard of the shingle-hash sets
    estimated_jaccard: float  # MinHash estimate that made it a candidate
    containment_i_in_j: float  # share of i's shingles found in j
    containment_j_in_i: float


def exact_overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """``(jaccard, containment of a in b, containment of b in a)`` of two sorted unique uint64 arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0, 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return overlap_of(int(np.count_nonzero(found_in(large, small))), len(a), len(b))


def found_in(sorted_set: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which of ``values`` occur in ``sorted_set`` (a sorted unique array, not empty): one binary search each."""
    pos = np.searchsorted(sorted_set, values)
    pos[pos == len(sorted_set)] = 0
    return np.asarray(sorted_set[pos] == values)


def overlap_of(inter: int, size_a: int, size_b: int) -> tuple[float, float, float]:
    """:func:`exact_overlap` of two sets of ``size_a`` and ``size_b`` elements with ``inter`` in common."""
    if size_a == 0 or size_b == 0:
        return 0.0, 0.0, 0.0
    return inter / (size_a + size_b - inter), inter / size_a, inter / size_b


MARK_BITS = 16  # low bits of an element that index the bitmap of a set (:func:`_intersections`)


@jit
def _intersections(
    values: np.ndarray, bits: np.ndarray, offsets: np.ndarray, pairs: np.ndarray, order: np.ndarray
) -> np.ndarray:
    """``|set[i] & set[j]|`` of each row ``(i, j)`` of ``pairs``; set ``k`` is ``values[offsets[k]:offsets[k + 1]]``
    (sorted, unique), ``bits`` the same memory as int64 and ``order`` the pairs by their first set (stable).

    The pairs that share their first set are counted together: its elements mark a bitmap
    by their low :data:`MARK_BITS` bits, and each element of a second set is looked for
    (binary search) only where its mark is set.  With well-mixed hashes, 500 elements mark
    under 1 % of the bitmap, so nearly all of an unrelated set is passed over at the cost
    of one read.  Exact: a value that passes is still searched.
    """
    out = np.zeros(len(pairs), np.int64)
    mask = (1 << MARK_BITS) - 1
    marks = np.zeros(1 << MARK_BITS, np.bool_)
    k = 0
    while k < len(order):
        a = pairs[order[k], 0]
        a0, a1 = offsets[a], offsets[a + 1]
        for p in range(a0, a1):
            marks[bits[p] & mask] = True
        while k < len(order) and pairs[order[k], 0] == a:
            b = pairs[order[k], 1]
            shared = 0
            for q in range(offsets[b], offsets[b + 1]):
                if marks[bits[q] & mask]:
                    v = values[q]
                    lo, hi = a0, a1
                    while lo < hi:
                        mid = (lo + hi) >> 1
                        if values[mid] < v:
                            lo = mid + 1
                        else:
                            hi = mid
                    if lo < a1 and values[lo] == v:
                        shared += 1
            out[order[k]] = shared
            k += 1
        for p in range(a0, a1):
            marks[bits[p] & mask] = False
    return out


def intersection_sizes(sets: Sequence[np.ndarray], pairs: np.ndarray) -> np.ndarray:
    """``|sets[i] & sets[j]|`` of each row ``(i, j)`` of ``pairs`` (sorted unique arrays of 8-byte integers, one dtype).

    A compiled loop (:func:`_intersections`) over the sets where they lie: a
    :class:`~provenance.signatures.setstore.HashSetStore`'s file mapped into memory for the
    call (no copy, no read per set), or the sets of a list gathered into one array.
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(pairs) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(pairs[:, 0], kind="stable")
    if isinstance(sets, HashSetStore):
        return sets.apply_mapped(
            lambda values, offsets: np.asarray(_intersections(values, values.view(np.int64), offsets, pairs, order))
        )
    docs, where = np.unique(pairs.ravel(), return_inverse=True)
    values, offsets = gather_sets(sets, docs)
    if values.dtype.itemsize != 8:
        raise ValueError(f"sets of 8-byte integers expected, not {values.dtype}")
    local = where.reshape(-1, 2)
    return np.asarray(_intersections(values, values.view(np.int64), offsets, local, order))


def _progress(items: Iterable[Any], enabled: bool, desc: str, total: int | None = None) -> Iterator[Any]:
    if not enabled:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=desc, total=total, file=sys.stderr, leave=False, unit_scale=True)


def verify_pairs(
    hash_sets: Sequence[np.ndarray] | Callable[[int], np.ndarray],
    candidates: np.ndarray,
    signatures: np.ndarray,
    threshold: float,
    progress: bool = False,
) -> list[NearDupPair]:
    """Keep the candidates ``(i, j)`` whose exact Jaccard is ``>= threshold``.

    ``hash_sets`` is the sets (sorted unique uint64), or a function from an
    index to its set.
    """
    get = hash_sets.__getitem__ if isinstance(hash_sets, Sequence) else hash_sets
    out: list[NearDupPair] = []
    num_perm = signatures.shape[1] if signatures.ndim == 2 else 1
    rows = _progress(candidates.tolist(), progress, "verifying pairs", total=len(candidates))
    for i, j in rows:
        jac, c_ij, c_ji = exact_overlap(get(i), get(j))
        if jac >= threshold:
            est = float(np.count_nonzero(signatures[i] == signatures[j])) / num_perm
            out.append(NearDupPair(i, j, jac, est, c_ij, c_ji))
    return out


def _lsh_candidates(
    signatures: np.ndarray,
    nonempty: np.ndarray,
    threshold: float,
    num_perm: int,
    fp_weight: float = FP_WEIGHT,
    fn_weight: float = FN_WEIGHT,
) -> np.ndarray:
    """Candidate pairs among the non-empty documents, in original indices."""
    keep = np.flatnonzero(nonempty)
    if len(keep) < 2:
        return np.empty((0, 2), dtype=np.int64)
    if threshold >= 1.0:
        threshold = 1.0 - 1e-9  # identical sets: one band of all slots is the natural index
    index = LSHIndex(threshold=threshold, num_perm=num_perm, fp_weight=fp_weight, fn_weight=fn_weight)
    local = index.candidate_pairs(signatures[keep] if len(keep) < len(signatures) else signatures)
    return keep[local]


def find_near_duplicates(
    hash_sets: Sequence[np.ndarray],
    threshold: float = 0.5,
    num_perm: int = 128,
    seed: int = 1,
    progress: bool = False,
    *,
    signatures: np.ndarray | None = None,
    fp_weight: float = FP_WEIGHT,
    fn_weight: float = FN_WEIGHT,
) -> list[NearDupPair]:
    """All pairs of sets with exact Jaccard ``>= threshold`` that LSH proposes, sorted by ``(i, j)``.

    ``hash_sets[d]`` is document ``d``'s sorted unique uint64 shingle hashes
    (:func:`~provenance.signatures.shingles.shingle_hashes`).  ``signatures``
    may be given if already computed with ``MinHasher(num_perm, seed)``;
    ``fp_weight``/``fn_weight`` set the LSH banding (module docstring).
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold!r}")
    n = len(hash_sets)
    if n < 2:
        return []
    if signatures is None:
        signatures = MinHasher(num_perm, seed).signatures(hash_sets)
    elif signatures.shape != (n, num_perm):
        raise ValueError(f"signatures must have shape ({n}, {num_perm}), got {signatures.shape}")
    nonempty = set_sizes(hash_sets) > 0
    candidates = _lsh_candidates(signatures, nonempty, threshold, num_perm, fp_weight, fn_weight)
    return verify_pairs(hash_sets, candidates, signatures, threshold, progress)


def connected_components(
    n: int, pairs: Iterable[NearDupPair] | Iterable[tuple[int, int]] | np.ndarray
) -> list[list[int]]:
    """Clusters of ``n`` documents linked by ``pairs``: components of size >= 2, each sorted, by first member."""
    if isinstance(pairs, np.ndarray):
        edges = pairs.reshape(-1, 2).astype(np.int64)
    else:
        rows = [(p.i, p.j) if isinstance(p, NearDupPair) else (int(p[0]), int(p[1])) for p in pairs]
        edges = np.array(rows, dtype=np.int64).reshape(-1, 2)
    if n == 0 or len(edges) == 0:
        return []
    if edges.min() < 0 or edges.max() >= n:
        raise ValueError(f"pair index out of range for n={n}")
    labels = _component_roots(n, edges)  # numbered in the order of their smallest node
    linked = np.flatnonzero(np.bincount(labels, minlength=n)[labels] >= 2)  # singletons are no clusters
    if len(linked) == 0:
        return []
    order = linked[np.argsort(labels[linked], kind="stable")].tolist()
    cuts = [0, *(np.flatnonzero(np.diff(labels[order])) + 1).tolist(), len(order)]
    return [order[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


_HOOKING_ROUNDS = 64


def _component_roots(n: int, edges: np.ndarray) -> np.ndarray:
    """For each of ``n`` nodes, the smallest node of its connected component under ``edges`` (``(m, 2)``).

    Rounds of hooking (every root takes the smallest root it has an edge to:
    pointers only go down, so they form trees) and pointer jumping until no
    edge joins two trees.  A component that is a long chain of ever smaller
    local minima could need many rounds; after :data:`_HOOKING_ROUNDS` scipy's
    graph search labels the nodes instead (its labels number the components by
    their smallest node, so the grouping is the same).  numpy only: importing
    scipy.sparse costs a noticeable share of a short command.
    """
    parent = np.arange(n, dtype=np.int64)
    u, v = edges[:, 0], edges[:, 1]
    for _ in range(_HOOKING_ROUNDS):
        ru, rv = parent[u], parent[v]
        cross = ru != rv
        if not cross.any():
            return parent
        u, v, ru, rv = u[cross], v[cross], ru[cross], rv[cross]  # edges inside one tree stay inside it
        np.minimum.at(parent, np.maximum(ru, rv), np.minimum(ru, rv))
        while True:  # pointer jumping: every node points to its root
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up
    from scipy import sparse
    from scipy.sparse import csgraph

    graph = sparse.coo_matrix((np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, labels = csgraph.connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


# --------------------------------------------------------------------------- streaming over texts


def _chunks(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(texts)
    while chunk := list(islice(it, size)):
        yield chunk


class _Timer:
    """Accumulates wall time per stage into ``into`` (if given)."""

    def __init__(self, into: dict[str, float] | None) -> None:
        self.into = into
        self.t = time.perf_counter()

    def lap(self, stage: str) -> None:
        if self.into is not None:
            now = time.perf_counter()
            self.into[stage] = self.into.get(stage, 0.0) + now - self.t
            self.t = now


class _ChunkedSets:
    """Hash sets kept as the per-chunk flat arrays of :func:`shingle_hashes_flat` (no per-set objects)."""

    def __init__(self) -> None:
        self.flats: list[np.ndarray] = []
        self.offsets: list[np.ndarray] = []
        self.starts: list[int] = [0]
        self.nbytes = 0

    def add(self, flat: np.ndarray, offsets: np.ndarray) -> None:
        self.flats.append(flat)
        self.offsets.append(offsets)
        self.starts.append(self.starts[-1] + len(offsets) - 1)
        self.nbytes += flat.nbytes + offsets.nbytes

    def __len__(self) -> int:
        return self.starts[-1]

    def get(self, d: int) -> np.ndarray:
        c = bisect_right(self.starts, d) - 1
        off = self.offsets[c]
        local = d - self.starts[c]
        return self.flats[c][off[local] : off[local + 1]]

    def as_list(self) -> list[np.ndarray]:
        return [self.get(d) for d in range(len(self))]


def signatures_for_texts(
    texts: Iterable[str],
    spec: ShingleSpec,
    hasher: MinHasher,
    progress: bool = False,
    *,
    chunk_size: int = 1024,
    keep_hash_sets: bool = False,
    total: int | None = None,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray] | None]:
    """Tokenise, hash and sign ``texts`` chunk by chunk (memory: the signatures, plus sets if kept).

    Returns ``(signatures (N, num_perm) uint32, set sizes (N,), hash sets or None)``.
    """
    sigs, sizes, kept = _pass_one(texts, spec, hasher, progress, chunk_size, keep_hash_sets, None, total, None)
    return sigs, sizes, (kept.as_list() if kept is not None else None)


def _pass_one(
    texts: Iterable[str],
    spec: ShingleSpec,
    hasher: MinHasher,
    progress: bool,
    chunk_size: int,
    keep: bool,
    budget: int | None,
    total: int | None,
    timings: dict[str, float] | None,
) -> tuple[np.ndarray, np.ndarray, _ChunkedSets | None]:
    """Signatures and set sizes of all texts; the hash sets too while they fit in ``budget`` bytes."""
    sigs: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    kept: _ChunkedSets | None = _ChunkedSets() if keep else None
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, desc="signatures", unit="doc", file=sys.stderr, leave=False, unit_scale=True)
    timer = _Timer(timings)
    for chunk in _chunks(texts, chunk_size):
        timer.lap("read")
        flat, offsets = shingle_hashes_flat(chunk, spec)
        timer.lap("tokenise_shingle")
        sigs.append(hasher.signatures_flat(flat, offsets))
        sizes.append(np.diff(offsets))
        timer.lap("signatures")
        if kept is not None:
            kept.add(flat, offsets)
            if budget is not None and kept.nbytes > budget:
                kept = None  # too big: the caller re-reads the candidates instead
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    if not sigs:
        return np.empty((0, hasher.num_perm), dtype=np.uint32), np.empty(0, dtype=np.int64), kept
    return np.concatenate(sigs), np.concatenate(sizes), kept


def find_near_duplicates_in_texts(
    texts: Iterable[str],
    spec: ShingleSpec | str = "word:5",
    threshold: float = 0.5,
    num_perm: int = 128,
    seed: int = 1,
    progress: bool = False,
    *,
    chunk_size: int = 1024,
    memory_budget: int = 1 << 30,
    fp_weight: float = FP_WEIGHT,
    fn_weight: float = FN_WEIGHT,
    timings: dict[str, float] | None = None,
) -> list[NearDupPair]:
    """:func:`find_near_duplicates` on texts, with memory bounded for millions of documents.

    The hash sets are kept from the first pass while they fit in
    ``memory_budget`` bytes (8 bytes per shingle: ~4.4 KB for a 550-word
    article).  Beyond that, if ``texts`` can be iterated again (a list, or an
    object whose ``__iter__`` restarts, such as a file reader), only the
    signatures (``4 * num_perm`` bytes per document) are kept and a second pass
    recomputes the sets of candidate documents only.  A one-shot iterator is
    read once and all its sets are kept, whatever the budget.  Stage wall times
    are added to ``timings`` if given.
    """
    if isinstance(spec, str):
        spec = ShingleSpec.parse(spec)
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold!r}")
    hasher = MinHasher(num_perm, seed)
    reiterable = iter(texts) is not texts
    total = len(texts) if isinstance(texts, Sequence) else None
    budget = memory_budget if reiterable else None
    signatures, sizes, kept = _pass_one(texts, spec, hasher, progress, chunk_size, True, budget, total, timings)
    timer = _Timer(timings)
    candidates = _lsh_candidates(signatures, sizes > 0, threshold, num_perm, fp_weight, fn_weight)
    timer.lap("lsh_candidates")
    if kept is not None:
        pairs = verify_pairs(kept.get, candidates, signatures, threshold, progress)
        timer.lap("verification")
        return pairs
    needed = np.zeros(len(signatures), dtype=bool)
    needed[candidates.ravel()] = True
    sets: dict[int, np.ndarray] = {}
    base = 0
    for chunk in _chunks(texts, chunk_size):
        timer.lap("reread")
        want = [d for d in range(len(chunk)) if needed[base + d]]
        if want:
            flat, offsets = shingle_hashes_flat([chunk[d] for d in want], spec)
            for slot, d in enumerate(want):
                sets[base + d] = flat[offsets[slot] : offsets[slot + 1]].copy()
        base += len(chunk)
        timer.lap("rehash_candidates")
    pairs = verify_pairs(sets.__getitem__, candidates, signatures, threshold, progress)
    timer.lap("verification")
    return pairs
