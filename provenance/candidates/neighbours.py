"""TF-IDF nearest neighbours without comparing every pair of documents.

Every document of a small collection (up to ``all_pairs_limit``) is compared with
every other one: the candidates are all pairs whose cosine reaches ``floor``.
Above that, comparing all pairs costs ``O(n**2)`` (93 s at 30,000 documents, a
day at a million), so each document only *probes* the collection with its
most distinctive terms, through an inverted index:

1. the *probe terms* of a document are its ``probe_terms`` heaviest TF-IDF
   terms among those that at least one other document has and at most
   ``max_df(n) = 2 * sqrt(n)`` documents have (at least 50; a word in thousands
   of documents says nothing about which of them is a neighbour, and would make
   the index quadratic), taken by weight while the documents they list add up
   to at most ``postings`` (:data:`POSTINGS`; the heaviest is always taken);
2. the documents sharing probe terms with it are scored by the part of the
   cosine those terms carry (one sparse product of the probe rows with the
   inverted index of the rare columns, in blocks of rows);
3. its ``shortlist * k`` best by that partial score get their exact cosine
   over all terms, and the ``k`` best of those at or above ``floor`` are its
   candidates (the pipeline adds every near-duplicate pair besides).

A copy or a rewrite shares the rare names, numbers and words of its source,
which are exactly the probe terms, so it is found; what is lost is a neighbour
that shares only common words, which the cosine ranks low anyway.

The work per document is bounded by the postings its probe terms list.  With
``probe_terms * max_df(n)`` alone as the bound, the stage grows as
``n * sqrt(n)`` where the probe terms are moderately common (measured on the
synthetic benchmark corpus, whose vocabulary is fixed: 19 s at 100,000
documents, 15 minutes at a million); the budget of :data:`POSTINGS` makes it
linear.  It binds only for documents whose heaviest rare terms are each in
hundreds of documents; news text, whose names and numbers are rare, keeps its
``probe_terms``.  On that million-document corpus the stage took 4.5 minutes
instead of 15.5, and kept 0.9990 of the planted copies' candidate pairs
(0.9991 without the budget; rows sampled evenly), and the whole job found as
many of the planted reuse pairs (0.851).  A fixed cut of the document
frequency at its 100,000-document value (632) instead kept 0.0004 of those
candidates: there, a story's terms are in ~600 to 2,000 documents.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

from provenance.jit import jit, numpy_sum

PROBE_TERMS = 32
SHORTLIST = 3
POSTINGS = 8_192  # documents listed by one document's probe terms together, at most (module docstring)


def max_df(n: int) -> int:
    """The largest document frequency of a probe term among ``n`` documents: ``2 * sqrt(n)``, at least 50."""
    return max(50, int(2 * math.sqrt(n)))


ROW_BLOCK = 65_536  # rows of the matrix read at a time by the whole-matrix steps below


def document_frequencies(x: sparse.csr_matrix, block: int = ROW_BLOCK) -> np.ndarray:
    """The number of stored entries of each column of ``x`` (CSR, no duplicates): int64, one per column.

    Counted ``block`` rows at a time: ``np.bincount`` first widens the int32 column indices it
    is given to int64, which over the whole matrix is a copy of 8 bytes an entry (2.5 GB at a
    million news articles).
    """
    df = np.zeros(x.shape[1], dtype=np.int64)
    for start in range(0, x.shape[0], block):
        lo, hi = x.indptr[start], x.indptr[min(x.shape[0], start + block)]
        df += np.bincount(x.indices[lo:hi], minlength=x.shape[1])
    return df


def usable_columns(vectors: sparse.csr_matrix, block: int = ROW_BLOCK) -> np.ndarray:
    """The document frequency of each column that may be a probe term (in 2 to ``max_df(n)`` documents), else 0."""
    x = sparse.csr_matrix(vectors)
    df = document_frequencies(x, block)
    return np.where((df >= 2) & (df <= max_df(x.shape[0])), df, 0)


def probe_rows(
    vectors: sparse.csr_matrix,
    usable: np.ndarray,
    start: int,
    stop: int,
    probe_terms: int = PROBE_TERMS,
    postings: int = POSTINGS,
) -> sparse.csr_matrix:
    """The probe terms of rows ``start:stop`` (weights kept): each row's heaviest usable entries (module docstring).

    ``usable``: :func:`usable_columns`.  At most ``probe_terms`` of them, taken in order of
    weight while their document frequencies add up to at most ``postings`` (the first always).
    """
    x = sparse.csr_matrix(vectors[start:stop])
    n = x.shape[0]
    keep = usable[x.indices] > 0
    rows = np.repeat(np.arange(n), np.diff(x.indptr))[keep]
    cols = x.indices[keep]
    vals = x.data[keep]
    # per row, the heaviest usable entries first: sort by (row, -weight, column)
    order = np.lexsort((cols, -vals, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    starts = np.searchsorted(rows, np.arange(n))
    rank = np.arange(len(rows)) - starts[rows]
    top = rank < probe_terms
    rows, cols, vals, rank = rows[top], cols[top], vals[top], rank[top]
    spent = np.cumsum(usable[cols], dtype=np.int64)  # postings so far, over the rows one after the other
    earlier = np.concatenate([[0], spent])[np.searchsorted(rows, np.arange(n))][rows]  # those of the rows before
    top = (spent - earlier <= postings) | (rank == 0)
    probe = sparse.csr_matrix((vals[top], (rows[top], cols[top])), shape=x.shape)
    probe.sort_indices()
    return probe


def inverted_index(vectors: sparse.csr_matrix, usable: np.ndarray, block: int = ROW_BLOCK) -> sparse.csr_matrix:
    """The usable columns (``usable > 0``) transposed (column x row, weights kept): the documents of each probe term.

    The kept entries are gathered ``block`` rows at a time, so no mask or running count
    over every entry of the matrix is made.
    """
    x = sparse.csr_matrix(vectors)
    n = x.shape[0]
    data, indices = [np.zeros(0, dtype=x.data.dtype)], [np.zeros(0, dtype=x.indices.dtype)]
    ptr = np.zeros(n + 1, dtype=np.int64)
    for start in range(0, n, block):
        stop = min(n, start + block)
        lo, hi = x.indptr[start], x.indptr[stop]
        keep = usable[x.indices[lo:hi]] > 0
        data.append(x.data[lo:hi][keep])
        indices.append(x.indices[lo:hi][keep])
        before = np.zeros(hi - lo + 1, dtype=np.int64)  # kept entries of the block before each of its entries
        np.cumsum(keep, out=before[1:])
        ptr[start + 1 : stop + 1] = ptr[start] + before[x.indptr[start + 1 : stop + 1] - lo]
    kept = sparse.csr_matrix((np.concatenate(data), np.concatenate(indices), ptr), shape=x.shape)
    del data, indices
    # the transpose's conversion (scipy's, in C) lists each term's documents in row order: sorted, as wanted
    inverted = sparse.csr_matrix(kept.T)
    inverted.sort_indices()
    return inverted


def probe_index(
    vectors: sparse.csr_matrix, probe_terms: int = PROBE_TERMS
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """``(probe rows, inverted index)`` of every row (:func:`probe_rows`, :func:`inverted_index`)."""
    usable = usable_columns(vectors)
    return probe_rows(vectors, usable, 0, vectors.shape[0], probe_terms), inverted_index(vectors, usable)


@jit
def _pair_dot(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    pos: np.ndarray,
    lo: int,
    hi: int,
    b: int,
    ascending: bool,
    at: np.ndarray,
    products: np.ndarray,
) -> float:
    """Row ``a . x[b]``: ``a`` is stored at ``lo:hi``, ``pos[column]`` is where it stores ``column`` (else -1).

    :func:`_row_dots`'s order: the nonzero products in the reverse of ``a``'s storage order.
    ``at`` (zeros, kept so), ``products``: scratch, as long as the longest row.
    """
    n = 0
    if ascending:  # the shared columns come in a's storage order: listed, then reversed
        for q in range(indptr[b], indptr[b + 1]):
            p = pos[indices[q]]
            if p >= 0:
                v = data[q] * data[p]
                if v != 0:
                    products[n] = v
                    n += 1
        for t in range(n // 2):
            products[t], products[n - 1 - t] = products[n - 1 - t], products[t]
    else:  # placed at a's storage positions, read from the last
        for q in range(indptr[b], indptr[b + 1]):
            p = pos[indices[q]]
            if p >= 0:
                at[p - lo] = data[q] * data[p]
        for p in range(hi - 1, lo - 1, -1):
            v = at[p - lo]
            if v != 0:
                products[n] = v
                n += 1
            at[p - lo] = 0.0
    return numpy_sum(products, 0, n) if n else 0.0


@jit
def _longest_row(indptr: np.ndarray) -> int:
    longest = 0
    for r in range(len(indptr) - 1):
        longest = max(longest, indptr[r + 1] - indptr[r])
    return longest


@jit
def _dots_kernel(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    columns: int,
    si: np.ndarray,
    sj: np.ndarray,
    ascending: bool,
) -> np.ndarray:
    """:func:`_row_dots` of pairs ``(si[k], sj[k])`` grouped by ``si`` (each row's pairs one after the other)."""
    out = np.zeros(len(si))
    pos = np.full(columns, -1, np.int64)
    longest = _longest_row(indptr)
    at = np.zeros(longest)
    products = np.zeros(longest + 1)
    k = 0
    while k < len(si):
        a = si[k]
        lo, hi = indptr[a], indptr[a + 1]
        for p in range(lo, hi):
            pos[indices[p]] = p  # where each of a's columns is stored
        while k < len(si) and si[k] == a:
            out[k] = _pair_dot(indptr, indices, data, pos, lo, hi, sj[k], ascending, at, products)
            k += 1
        for p in range(lo, hi):
            pos[indices[p]] = -1
    return out


def _row_dots(x: sparse.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``x[i[k]] . x[j[k]]`` for every k (exact cosines of L2-normalised rows; ``x`` without duplicate entries).

    The nonzero products of the shared columns, in the order scipy's element-wise product
    ``x[i].multiply(x[j])`` lists them (the reverse of row ``i[k]``'s storage order), added
    as ``np.add.reduceat`` adds a segment (:func:`~provenance.jit.numpy_sum`; scipy's
    ``.sum(axis=1)`` adds one after the other, which differs in the last bits past 2 terms),
    without building the two row-indexed matrices.
    A compiled loop (:func:`_dots_kernel`): the pairs of one row ``a`` are done together, its
    columns marked in a dense position array and each partner's entries looked up in it.
    """
    if len(i) == 0:
        return np.zeros(0)
    order = np.argsort(i, kind="stable")
    si, sj = np.asarray(i, dtype=np.int64)[order], np.asarray(j, dtype=np.int64)[order]
    out = _dots_kernel(x.indptr, x.indices, x.data, x.shape[1], si, sj, bool(x.has_sorted_indices))
    result = np.empty_like(out)
    result[order] = out
    return result


@jit
def _worse(s1: float, d1: int, s2: float, d2: int) -> bool:
    """Whether document ``d1`` of score ``s1`` ranks below ``d2`` of ``s2`` (lower score; tied, the larger document)."""
    return s1 < s2 or (s1 == s2 and d1 > d2)


@jit
def _best(docs: np.ndarray, scores: np.ndarray, n: int, width: int, chosen: np.ndarray, heap_scores: np.ndarray) -> int:
    """The ``width`` best of ``docs[:n]`` by score (ties: the smaller document) into ``chosen``; how many.

    The choice of a selection (``np.partition``) with the ties sorted, made through a heap of
    the ``width`` best so far (its worst at the root): most documents meet the root only.
    """
    if n <= width:
        chosen[:n] = docs[:n]
        return n
    size = 0
    for t in range(n):
        s, d = scores[t], docs[t]
        if size < width:  # sift up
            c = size
            size += 1
            while c > 0:
                parent = (c - 1) // 2
                if not _worse(s, d, heap_scores[parent], chosen[parent]):
                    break
                heap_scores[c], chosen[c] = heap_scores[parent], chosen[parent]
                c = parent
            heap_scores[c], chosen[c] = s, d
        elif _worse(heap_scores[0], chosen[0], s, d):  # better than the worst kept: replaces it, sift down
            c = 0
            while True:
                child = 2 * c + 1
                if child >= size:
                    break
                if child + 1 < size and _worse(
                    heap_scores[child + 1], chosen[child + 1], heap_scores[child], chosen[child]
                ):
                    child += 1
                if not _worse(heap_scores[child], chosen[child], s, d):
                    break
                heap_scores[c], chosen[c] = heap_scores[child], chosen[child]
                c = child
            heap_scores[c], chosen[c] = s, d
    return width


@jit
def _shortlist_kernel(
    probe_ptr: np.ndarray,
    probe_cols: np.ndarray,
    probe_vals: np.ndarray,
    inv_ptr: np.ndarray,
    inv_rows: np.ndarray,
    inv_vals: np.ndarray,
    n: int,
    start: int,
    width: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`neighbour_block`'s shortlist: ``(i, j)``, each row's ``width`` best by partial score, rows ascending."""
    n_rows = len(probe_ptr) - 1
    partial = np.zeros(n)  # a row's partial score of every document (zero again after the row)
    seen = np.zeros(n, np.bool_)  # whether the row's product has met the document (as scipy's, by value or not)
    touched = np.empty(n, np.int64)  # the documents met, in order
    scores = np.empty(n)
    out_i = np.empty(n_rows * width, np.int64)
    out_j = np.empty(n_rows * width, np.int64)
    chosen = np.empty(width, np.int64)
    heap_scores = np.empty(width)
    m = 0
    for r in range(n_rows):
        a = start + r
        # the partial scores: scipy's product of the probe row with the inverted index (its sums, in its order)
        n_touched = 0
        for e in range(probe_ptr[r], probe_ptr[r + 1]):
            v = probe_vals[e]
            term = probe_cols[e]
            for f in range(inv_ptr[term], inv_ptr[term + 1]):
                d = inv_rows[f]
                if d != a:
                    if not seen[d]:
                        seen[d] = True
                        touched[n_touched] = d
                        n_touched += 1
                    partial[d] += v * inv_vals[f]
        # the documents with a nonzero sum (scipy's product keeps no zero), their scores; the slate wiped
        n_found = 0
        for t in range(n_touched):
            d = touched[t]
            if partial[d] != 0.0:
                touched[n_found] = d
                scores[n_found] = partial[d]
                n_found += 1
            partial[d] = 0.0
            seen[d] = False
        # the shortlist: the `width` best by partial score (ties: the smaller document)
        n_chosen = _best(touched, scores, n_found, width, chosen, heap_scores)
        out_i[m : m + n_chosen] = a
        out_j[m : m + n_chosen] = chosen[:n_chosen]
        m += n_chosen
    return out_i[:m], out_j[:m]


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
    """Candidates of rows ``start:stop`` (module docstring): arrays ``(i, j, cosine)``, ``i != j``.

    ``probe``: the :func:`probe_rows` of rows ``start:stop``.  A compiled loop over the rows
    (:func:`_shortlist_kernel`) sums a row's partial scores as scipy's product
    ``probe @ inverted`` sums them and keeps its ``shortlist * k`` best (ties: the smaller
    document); their exact cosines (:func:`_row_dots`) at or above ``floor`` then give the
    ``k`` best of each row.
    """
    x = vectors
    probe = sparse.csr_matrix(probe)
    i, j = _shortlist_kernel(
        probe.indptr,
        probe.indices,
        probe.data,
        inverted.indptr,
        inverted.indices,
        inverted.data,
        x.shape[0],
        start,
        shortlist * k,
    )
    cos = _row_dots(x, i, j)
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
