"""TF-IDF nearest neighbours without comparing every pair of documents.

Every document of a small collection (up to ``all_pairs_limit``) is compared with
every other one: the candidates are all pairs whose cosine reaches ``floor``.
Above that, comparing all pairs costs ``O(n**2)`` (93 s at 30,000 documents, a
day at a million), so each document only *probes* the collection with its
most distinctive terms, through an inverted index:

1. the *probe terms* of a document are its ``probe_terms`` heaviest TF-IDF
   terms among those that at least one other document has and at most
   ``max_df(n)`` documents have (a word in thousands of documents says nothing
   about which of them is a neighbour, and would make the index quadratic);
2. the documents sharing probe terms with it are scored by the part of the
   cosine those terms carry (one sparse product of the probe rows with the
   inverted index of the rare columns, in blocks of rows);
3. its ``shortlist * k`` best by that partial score get their exact cosine
   over all terms, and the ``k`` best of those at or above ``floor`` are its
   candidates (the pipeline adds every near-duplicate pair besides).

A copy or a rewrite shares the rare names, numbers and words of its source,
which are exactly the probe terms, so it is found; what is lost is a neighbour
that shares only common words, which the cosine ranks low anyway.  The cost
per document is bounded by ``probe_terms * max_df(n)`` postings, so the stage
grows as ``n * sqrt(n)`` at worst and about linearly on news text, whose rare
terms are rare.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

PROBE_TERMS = 32
SHORTLIST = 3


def max_df(n: int) -> int:
    """The largest document frequency of a probe term in a collection of ``n`` documents."""
    return max(50, int(2 * math.sqrt(n)))


def probe_index(
    vectors: sparse.csr_matrix, probe_terms: int = PROBE_TERMS
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """``(probe rows, inverted index)``: each row's probe terms (weights kept), and the rare columns transposed."""
    x = sparse.csr_matrix(vectors)
    n = x.shape[0]
    df = np.bincount(x.indices, minlength=x.shape[1])
    usable = (df >= 2) & (df <= max_df(n))
    keep = usable[x.indices]
    rows = np.repeat(np.arange(n), np.diff(x.indptr))[keep]
    cols = x.indices[keep]
    vals = x.data[keep]
    # per row, the probe_terms heaviest usable entries: sort by (row, -weight, column), keep the first of each row
    order = np.lexsort((cols, -vals, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    starts = np.searchsorted(rows, np.arange(n))
    rank = np.arange(len(rows)) - starts[rows]
    top = rank < probe_terms
    probe = sparse.csr_matrix((vals[top], (rows[top], cols[top])), shape=x.shape)
    probe.sort_indices()
    inverted = sparse.csr_matrix((vals, (cols, rows)), shape=(x.shape[1], n))
    inverted.sort_indices()
    return probe, inverted


def _row_dots(x: sparse.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``x[i[k]] . x[j[k]]`` for every k (exact cosines of L2-normalised rows)."""
    if len(i) == 0:
        return np.zeros(0)
    return np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel()


def neighbour_block(
    vectors: sparse.csr_matrix,
    probe: sparse.csr_matrix,
    inverted: sparse.csr_matrix,
    start: int,
    stop: int,
    k: int,
    floor: float,
    shortlist: int = SHORTLIST,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidates of rows ``start:stop`` (module docstring): arrays ``(i, j, cosine)``, ``i != j``."""
    partial = sparse.csr_matrix(probe[start:stop] @ inverted)
    partial.sort_indices()
    keep_i: list[np.ndarray] = []
    keep_j: list[np.ndarray] = []
    width = shortlist * k
    for r in range(stop - start):
        lo, hi = partial.indptr[r], partial.indptr[r + 1]
        cols = partial.indices[lo:hi]
        vals = partial.data[lo:hi]
        own = cols != start + r
        cols, vals = cols[own], vals[own]
        if len(cols) > width:
            best = np.argsort(-vals, kind="stable")[:width]
            cols = np.sort(cols[best])
        keep_i.append(np.full(len(cols), start + r, dtype=np.int64))
        keep_j.append(cols.astype(np.int64))
    if not keep_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    i = np.concatenate(keep_i)
    j = np.concatenate(keep_j)
    cos = _row_dots(vectors, i, j)
    ok = cos >= floor
    i, j, cos = i[ok], j[ok], cos[ok]
    # the k best of each row by exact cosine (ties: the smaller column)
    order = np.lexsort((j, -cos, i))
    i, j, cos = i[order], j[order], cos[order]
    firsts = np.searchsorted(i, i, side="left")
    top = (np.arange(len(i)) - firsts) < k
    return i[top], j[top], cos[top]


def exact_cosines(vectors: sparse.csr_matrix, pairs: np.ndarray) -> np.ndarray:
    """Cosines of the given ``(M, 2)`` row pairs, in blocks (memory stays bounded)."""
    out = np.zeros(len(pairs))
    for s in range(0, len(pairs), 65_536):
        block = pairs[s : s + 65_536]
        out[s : s + len(block)] = _row_dots(vectors, block[:, 0], block[:, 1])
    return out
