"""The candidate stage's array record: orientation, repeats, order, and the pipeline stage built on it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from provenance.candidates.pairs import CandidatePairs, candidate_set, candidate_set_of_keys, pair_keys
from provenance.neardup import NearDupPair
from provenance.pipeline import PipelineConfig, candidate_pairs


def _as_dict_loop(rows: list[int], cols: list[int], cosines: list[float]) -> dict[tuple[int, int], float]:
    out: dict[tuple[int, int], float] = {}
    for i, j, c in zip(rows, cols, cosines, strict=True):
        out[(min(i, j), max(i, j))] = c
    return out


def test_candidate_set_orders_pairs_and_keeps_the_last_cosine_of_a_repeat() -> None:
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 40, 500)
    cols = (rows + rng.integers(1, 40, 500)) % 40  # never equal to rows
    cosines = rng.random(500)
    got = candidate_set(rows, cols, cosines)
    want = _as_dict_loop(rows.tolist(), cols.tolist(), cosines.tolist())
    assert got.as_dict() == want
    assert [(i, j) for i, j, _ in got.batch()] == sorted(want)
    assert np.all(got.pairs[:, 0] < got.pairs[:, 1])
    assert len(got) == len(want) < 500  # repeats were folded


@pytest.mark.parametrize("width", [40, 41, 1000])
def test_candidate_set_of_keys_is_candidate_set(width: int) -> None:
    """Pairs encoded as keys (any width above every row): the same pairs, and the last cosine of a repeat."""
    rng = np.random.default_rng(width)
    rows = rng.integers(0, 40, 500)
    cols = (rows + rng.integers(1, 40, 500)) % 40
    cosines = rng.random(500)
    want = candidate_set(rows, cols, cosines)
    got = candidate_set_of_keys(pair_keys(rows, cols, width), cosines, width)
    assert np.array_equal(got.pairs, want.pairs) and np.array_equal(got.cosines, want.cosines)
    assert len(candidate_set_of_keys(np.zeros(0), np.zeros(0), width)) == 0
    with pytest.raises(ValueError, match="same length"):
        candidate_set_of_keys(np.array([1, 2]), np.array([0.5]), width)


def test_candidate_set_batches_slices_and_refuses_bad_input() -> None:
    got = candidate_set(np.array([5, 1, 2]), np.array([0, 3, 1]), np.array([0.5, 0.25, 0.75]))
    assert got.batch() == [(0, 5, 0.5), (1, 2, 0.75), (1, 3, 0.25)]
    assert got.batch(1, 2) == [(1, 2, 0.75)]
    empty = candidate_set(np.zeros(0), np.zeros(0), np.zeros(0))
    assert len(empty) == 0 and empty.pairs.shape == (0, 2) and empty.batch() == []
    with pytest.raises(ValueError, match="itself"):
        candidate_set(np.array([1]), np.array([1]), np.array([0.5]))
    with pytest.raises(ValueError, match="same length"):
        candidate_set(np.array([1, 2]), np.array([0]), np.array([0.5]))


def _normalised(rng: np.random.Generator, n: int, width: int) -> sparse.csr_matrix:
    dense = rng.random((n, width)) * (rng.random((n, width)) < 0.2)
    dense[:, 0] += 0.05  # no empty row
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    return sparse.csr_matrix(dense)


@pytest.mark.parametrize("limit", [400, 10])  # every pair; nearest neighbours through the inverted index
def test_candidate_pairs_stage_gives_sorted_arrays_with_exact_cosines(limit: int) -> None:
    rng = np.random.default_rng(7)
    vectors = _normalised(rng, 60, 30)
    config = PipelineConfig(all_pairs_limit=limit, neighbors=5)
    near = [NearDupPair(1, 3, 0.9, 0.9, 0.9, 0.9)]
    got = candidate_pairs(vectors, near, config)
    assert isinstance(got, CandidatePairs)
    keys = [tuple(p) for p in got.pairs.tolist()]
    assert keys == sorted(set(keys)) and all(i < j for i, j in keys)
    dense = (vectors @ vectors.T).toarray()
    assert np.allclose(got.cosines, dense[got.pairs[:, 0], got.pairs[:, 1]])
    floor = config.relation.story_threshold / 2
    if limit == 400:  # every pair above the floor, and no other
        want = {(i, j) for i in range(60) for j in range(i + 1, 60) if dense[i, j] >= floor}
        assert set(keys) - {(1, 3)} == want - {(1, 3)}
    assert (1, 3) in keys  # a near-duplicate pair is a candidate whatever its cosine
