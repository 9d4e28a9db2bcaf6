"""TF-IDF neighbours through an inverted index of rare terms (provenance.candidates.neighbours)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from provenance.candidates.neighbours import (
    document_frequencies,
    exact_cosines,
    inverted_index,
    max_df,
    neighbour_block,
    probe_index,
    probe_rows,
    usable_columns,
)


def _vectors(n: int, seed: int = 0) -> tuple[sparse.csr_matrix, dict[int, int]]:
    """``n`` bags of Zipfian words; every fifth is a copy of an earlier one with a tenth of its words replaced."""
    rng = np.random.default_rng(seed)
    vocab = 20_000
    p = 1.0 / np.arange(1, vocab + 1)
    p /= p.sum()
    bags: list[list[str]] = []
    source: dict[int, int] = {}
    for i in range(n):
        if i % 5 == 4:
            src = int(rng.integers(0, i))
            bag = list(bags[src])
            for k in rng.choice(len(bag), len(bag) // 10, replace=False):
                bag[k] = f"w{rng.choice(vocab, p=p)}"
            source[i] = src
        else:
            bag = [f"w{w}" for w in rng.choice(vocab, 200, p=p)]
        bags.append(bag)
    x = TfidfVectorizer(analyzer=lambda b: b, sublinear_tf=True).fit_transform(bags)
    return sparse.csr_matrix(x), source


def test_copies_are_found_and_cosines_are_exact() -> None:
    x, source = _vectors(1500)
    probe, inverted = probe_index(x)
    i, j, cos = neighbour_block(x, probe, inverted, 0, x.shape[0], k=15, floor=0.05)
    usable = usable_columns(x)  # the probe rows of a block of rows are those rows of the whole probe
    for lo, hi in ((0, 700), (700, 1100), (1100, x.shape[0])):
        block = probe_rows(x, usable, lo, hi)
        assert (block != probe[lo:hi]).nnz == 0 and np.array_equal(block.indices, probe[lo:hi].indices)
    found = set(zip(i.tolist(), j.tolist(), strict=True))
    assert all((c, s) in found for c, s in source.items())  # every copy lists its source among its neighbours
    assert np.all(np.bincount(i, minlength=x.shape[0]) <= 15)  # at most k per document
    assert np.all(i != j)
    dense = (x @ x.T).toarray()
    assert np.allclose(cos, dense[i, j], atol=1e-12)
    assert np.allclose(exact_cosines(x, np.stack([i, j], axis=1)), cos, atol=1e-12)


def test_probe_rows_use_only_rare_shared_terms() -> None:
    x, _ = _vectors(800)
    probe, inverted = probe_index(x, probe_terms=8)
    df = np.bincount(x.indices, minlength=x.shape[1])
    assert np.all(np.diff(probe.indptr) <= 8)
    assert np.all((df[probe.indices] >= 2) & (df[probe.indices] <= max_df(x.shape[0])))
    # the inverted index holds only the rare columns: its size, not n**2, bounds a row's work
    assert inverted.nnz <= int(np.sum(df[df <= max_df(x.shape[0])]))
    # a budget of postings: the heaviest terms while their documents add up to it, and always the first
    usable = usable_columns(x)
    free = probe_rows(x, usable, 0, x.shape[0], probe_terms=8, postings=10**9)
    assert (free != probe).nnz == 0
    tight = probe_rows(x, usable, 0, x.shape[0], probe_terms=8, postings=60)
    for r in range(x.shape[0]):
        kept, every = tight[r], free[r]
        assert set(kept.indices) <= set(every.indices)
        assert kept.nnz >= min(1, every.nnz)
        assert kept.nnz == 1 or df[kept.indices].sum() <= 60
        heaviest = every.indices[np.lexsort((every.indices, -every.data))][: kept.nnz]
        assert set(kept.indices) == set(heaviest)  # a prefix of the terms by weight
    assert 0 < tight.nnz < free.nnz


def test_row_dots_and_shortlist_are_scipys_floats_and_a_stable_sort() -> None:
    """Exact cosines: scipy's row products, summed in reverse storage order as ``np.add.reduceat`` sums; ties: smaller column."""
    from provenance.candidates.neighbours import _row_dots

    rng = np.random.default_rng(3)
    x = sparse.random(300, 400, density=0.05, random_state=4, format="csr")
    x.data = rng.random(len(x.data)) + 0.01
    perm = [rng.permutation(np.arange(x.indptr[r], x.indptr[r + 1])) for r in range(x.shape[0])]
    order = np.concatenate(perm)
    x = sparse.csr_matrix((x.data[order], x.indices[order], x.indptr), shape=x.shape)  # columns not sorted
    i, j = rng.integers(0, 300, 5000), rng.integers(0, 300, 5000)
    assert np.array_equal(_row_dots(x, i, j), np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel())
    x = x.sorted_indices()  # the usual case (products reversed as a whole instead of sorted): the same rule
    assert x.has_sorted_indices

    def reverse_storage_sum(a: int, b: int) -> float:
        row_a = dict(zip(x.indices[x.indptr[a] : x.indptr[a + 1]], x.data[x.indptr[a] : x.indptr[a + 1]], strict=True))
        row_b = dict(zip(x.indices[x.indptr[b] : x.indptr[b + 1]], x.data[x.indptr[b] : x.indptr[b + 1]], strict=True))
        products = [row_b[c] * v for c, v in reversed(row_a.items()) if c in row_b]
        return float(np.add.reduceat(np.array(products), [0])[0]) if products else 0.0

    assert np.array_equal(_row_dots(x, i, j), [reverse_storage_sum(a, b) for a, b in zip(i, j, strict=True)])
    # dense rows: hundreds of shared columns a pair, past numpy's 8-wide and 128-long summation blocks
    dense = sparse.random(60, 900, density=0.7, random_state=5, format="csr")
    dense.data = rng.random(len(dense.data)) * 10.0 ** rng.uniform(-6, 0, len(dense.data))
    a, b = rng.integers(0, 60, 400), rng.integers(0, 60, 400)
    x = dense
    assert np.array_equal(_row_dots(x, a, b), [reverse_storage_sum(p, q) for p, q in zip(a, b, strict=True)])
    assert np.allclose(_row_dots(x, a, b), np.asarray(x[a].multiply(x[b]).sum(axis=1)).ravel(), rtol=1e-12, atol=0)


def test_inverted_index_is_the_usable_columns_transposed() -> None:
    rng = np.random.default_rng(4)
    for trial in range(20):
        n, m = int(rng.integers(1, 200)), int(rng.integers(1, 150))
        x = sparse.random(n, m, density=float(rng.uniform(0, 0.2)), format="csr", random_state=rng)
        if trial % 2:  # columns unsorted within rows, as a product may leave them
            for r in range(n):
                lo, hi = x.indptr[r], x.indptr[r + 1]
                order = rng.permutation(hi - lo)
                x.indices[lo:hi], x.data[lo:hi] = x.indices[lo:hi][order], x.data[lo:hi][order]
            x.has_sorted_indices = False
        usable = rng.random(m) < 0.6
        inverted = inverted_index(x, usable, block=int(rng.integers(1, 2 * n + 1)))  # a few rows at a time
        assert inverted.shape == (m, n)
        assert np.array_equal(inverted.toarray(), (x.toarray() * usable).T)
        assert all(
            np.all(np.diff(inverted.indices[a:b]) > 0)
            for a, b in zip(inverted.indptr[:-1], inverted.indptr[1:], strict=True)
        )
        assert inverted.nnz == int(usable[x.indices].sum())


@pytest.mark.parametrize("block", [1, 3, 65_536])
def test_document_frequencies_counted_by_blocks_of_rows_are_numpys_bincount(block: int) -> None:
    rng = np.random.default_rng(block)
    dense = sparse.random(41, 23, density=0.3, random_state=rng).toarray()
    dense[5] = 0.0  # an empty row
    x = sparse.csr_matrix(dense)
    want = np.bincount(x.indices, minlength=23)
    assert np.array_equal(document_frequencies(x, block), want)
    assert document_frequencies(x, block).dtype == np.int64
    usable = usable_columns(x, block)
    assert np.array_equal(usable, np.where((want >= 2) & (want <= max_df(41)), want, 0))


def _top(cols: np.ndarray, vals: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` columns of the largest values (ties: the smaller columns): a selection, then the ties sorted."""
    cut = np.partition(vals, len(vals) - width)[len(vals) - width]
    above = vals > cut
    return np.concatenate([cols[above], np.sort(cols[vals == cut])[: width - int(above.sum())]])


def _reference_block(
    x: sparse.csr_matrix, probe: sparse.csr_matrix, inverted: sparse.csr_matrix, start: int, k: int, floor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """neighbour_block's rule in scipy and numpy: the product, each row's 3k best partial scores, the k best cosines."""
    from provenance.candidates.neighbours import _row_dots

    partial = sparse.csr_matrix(probe @ inverted)
    keep_i, keep_j = [], []
    for r in range(partial.shape[0]):
        cols = partial.indices[partial.indptr[r] : partial.indptr[r + 1]]
        vals = partial.data[partial.indptr[r] : partial.indptr[r + 1]]
        cols, vals = cols[cols != start + r], vals[cols != start + r]
        if len(cols) > 3 * k:
            cols = _top(cols, vals, 3 * k)
        keep_i.append(np.full(len(cols), start + r))
        keep_j.append(cols.astype(np.int64))
    i, j = np.concatenate(keep_i), np.concatenate(keep_j)
    cos = _row_dots(x, i, j)
    i, j, cos = i[cos >= floor], j[cos >= floor], cos[cos >= floor]
    order = np.lexsort((j, -cos, i))
    i, j, cos = i[order], j[order], cos[order]
    top = (np.arange(len(i)) - np.searchsorted(i, i, side="left")) < k
    return i[top], j[top], cos[top]


@pytest.mark.parametrize("ties", [False, True])
def test_neighbour_block_is_the_product_the_shortlist_and_the_best_cosines(ties: bool) -> None:
    """The compiled block: the same pairs and floats as scipy's product, a selection with sorted ties, exact cosines."""
    x, _ = _vectors(900)
    if ties:  # weights on a coarse grid: many equal partial scores and cosines, decided by the smaller document
        x.data = np.round(x.data * 4) / 4 + 0.25
    probe, inverted = probe_index(x)
    for start, stop, k in ((0, 900, 15), (100, 400, 3), (850, 900, 1)):
        block = probe[start:stop]
        got = neighbour_block(x, block, inverted, start, stop, k=k, floor=0.05)
        want = _reference_block(x, block, inverted, start, k, 0.05)
        for g, w in zip(got, want, strict=True):
            assert np.array_equal(g, w)
        assert len(got[0]) > (stop - start) // 2
