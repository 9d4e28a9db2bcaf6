"""Banded LSH: parameters vs datasketch, candidate pairs, recall/false-candidate simulation, huge buckets."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from provenance.candidates.lsh import HugeBucketWarning, LSHIndex, candidate_probability, optimal_params
from provenance.neardup import connected_components
from provenance.signatures.minhash import MinHasher


@pytest.mark.parametrize("num_perm", [32, 128, 256])
@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.5, 0.7, 0.85, 0.9])
def test_params_match_datasketch(threshold: float, num_perm: int) -> None:
    datasketch = pytest.importorskip("datasketch")
    lsh = datasketch.MinHashLSH(threshold=threshold, num_perm=num_perm)
    assert optimal_params(threshold, num_perm) == (lsh.b, lsh.r)
    index = LSHIndex(threshold, num_perm)
    assert (index.bands, index.rows) == (lsh.b, lsh.r)


@pytest.mark.parametrize("weights", [(0.2, 0.8), (0.9, 0.1)])
def test_weighted_params_match_datasketch(weights: tuple[float, float]) -> None:
    datasketch = pytest.importorskip("datasketch")
    lsh = datasketch.MinHashLSH(threshold=0.6, num_perm=128, weights=weights)
    assert optimal_params(0.6, 128, *weights) == (lsh.b, lsh.r)


def test_params_validation() -> None:
    for bad in (0.0, 1.0, -0.5):
        with pytest.raises(ValueError):
            optimal_params(bad, 128)
    with pytest.raises(ValueError):
        LSHIndex(0.5, 128, bands=20)
    with pytest.raises(ValueError):
        LSHIndex(0.5, 128, bands=20, rows=7)
    with pytest.raises(ValueError):
        LSHIndex(0.5, 128).candidate_pairs(np.zeros((3, 64), dtype=np.uint32))


def test_candidate_pairs_shape_order_dedup() -> None:
    rng = np.random.default_rng(0)
    sigs = rng.integers(0, 2**32, size=(6, 128), dtype=np.uint32, endpoint=False)
    sigs[4] = sigs[1]  # identical signatures collide in every band
    sigs[5, :64] = sigs[0, :64]  # half the slots: some bands collide
    pairs = LSHIndex(0.5, 128).candidate_pairs(sigs)
    assert pairs.dtype == np.int64 and pairs.shape[1] == 2
    assert [tuple(p) for p in pairs.tolist()] == [(0, 5), (1, 4)]
    assert LSHIndex(0.5, 128).candidate_pairs(sigs[:0]).shape == (0, 2)
    assert LSHIndex(0.5, 128).candidate_pairs(sigs[:1]).shape == (0, 2)


def test_all_pairs_in_a_small_bucket() -> None:
    sigs = np.zeros((5, 128), dtype=np.uint32)
    pairs = LSHIndex(0.5, 128).candidate_pairs(sigs)
    assert len(pairs) == 10
    assert np.all(pairs[:, 0] < pairs[:, 1])


def _pairs_with_jaccard(rng: np.random.Generator, jaccards: np.ndarray, size: int = 200) -> np.ndarray:
    """Signatures of pairs of sets with the given Jaccard: rows 2p and 2p + 1 are pair p."""
    sets = []
    for j in jaccards:
        inter = round(2 * size * j / (1 + j))
        pool = rng.integers(0, 2**64, size=2 * size, dtype=np.uint64, endpoint=False)
        sets += [pool[:size], np.concatenate([pool[:inter], pool[size : 2 * size - inter]])]
    return MinHasher(128, seed=3).signatures(sets)


def _collision_rate(index: LSHIndex, sigs: np.ndarray) -> float:
    pairs = index.candidate_pairs(sigs)
    mates = pairs[(pairs[:, 0] % 2 == 0) & (pairs[:, 1] == pairs[:, 0] + 1)]
    return len(mates) / (len(sigs) // 2)


@pytest.mark.parametrize("threshold", [0.5, 0.7])
def test_recall_and_false_candidates_by_simulation(threshold: float) -> None:
    rng = np.random.default_rng(int(threshold * 100))
    # the recall-leaning banding used by find_near_duplicates
    recall_index = LSHIndex(threshold, 128, fp_weight=0.2, fn_weight=0.8)
    above = _pairs_with_jaccard(rng, rng.uniform(threshold + 0.1, threshold + 0.15, 300))
    assert _collision_rate(recall_index, above) >= 0.95
    below = _pairs_with_jaccard(rng, rng.uniform(0.0, threshold - 0.3, 300))
    assert _collision_rate(recall_index, below) <= 0.07
    # datasketch's balanced banding: high recall over the whole range above t + 0.1
    balanced = LSHIndex(threshold, 128)
    assert _collision_rate(balanced, _pairs_with_jaccard(rng, rng.uniform(threshold + 0.1, 1.0, 300))) >= 0.95
    assert _collision_rate(balanced, below) <= 0.02


def test_measured_rate_follows_s_curve() -> None:
    rng = np.random.default_rng(9)
    index = LSHIndex(0.5, 128)
    for j in (0.4, 0.5, 0.6):
        rate = _collision_rate(index, _pairs_with_jaccard(rng, np.full(400, j)))
        expected = float(candidate_probability(j, index.bands, index.rows))
        assert abs(rate - expected) <= 4 * np.sqrt(expected * (1 - expected) / 400) + 0.02


def test_huge_bucket_is_chained_with_warning() -> None:
    """10,000 copies of one boilerplate text: 9,999 chained pairs (one component), not 50 million."""
    rng = np.random.default_rng(1)
    sigs = np.repeat(rng.integers(0, 2**32, size=(1, 128), dtype=np.uint32, endpoint=False), 10_000, axis=0)
    sigs = np.concatenate([sigs, rng.integers(0, 2**32, size=(3, 128), dtype=np.uint32, endpoint=False)])
    index = LSHIndex(0.5, 128)
    with pytest.warns(HugeBucketWarning, match="chained"):
        pairs = index.candidate_pairs(sigs)
    assert len(pairs) == 9_999
    assert np.array_equal(pairs[:, 1] - pairs[:, 0], np.ones(9_999))
    clusters = connected_components(len(sigs), pairs)
    assert [len(c) for c in clusters] == [10_000]
    assert index.last_stats is not None and index.last_stats.largest_bucket == 10_000


def test_max_bucket_boundary() -> None:
    sigs = np.zeros((5, 128), dtype=np.uint32)
    with pytest.warns(HugeBucketWarning):
        assert len(LSHIndex(0.5, 128, max_bucket=4).candidate_pairs(sigs)) == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(LSHIndex(0.5, 128, max_bucket=5).candidate_pairs(sigs)) == 10
