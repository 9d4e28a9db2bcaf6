"""Near-duplicate engine end to end: copies, light edits, unrelated texts, empty and tiny inputs, clusters."""

from __future__ import annotations

import numpy as np
import pytest

from provenance.neardup import (
    NearDupPair,
    connected_components,
    exact_overlap,
    find_near_duplicates,
    find_near_duplicates_in_texts,
    signatures_for_texts,
)
from provenance.signatures.minhash import MinHasher
from provenance.signatures.shingles import ShingleSpec, shingle_hashes

WORD5 = ShingleSpec("word", 5)
_VOCAB = [f"{stem}{i}" for i, stem in enumerate(["mosca", "kyiv", "vertice", "accordo", "gas"] * 600)]


def _article(rng: np.random.Generator, words: int = 400) -> list[str]:
    return list(rng.choice(_VOCAB, size=words))


def _edit(rng: np.random.Generator, words: list[str], changes: int) -> list[str]:
    out = list(words)
    for pos in rng.choice(len(out), size=changes, replace=False):
        out[pos] = "modificato"
    return out


@pytest.fixture()
def corpus() -> list[str]:
    rng = np.random.default_rng(42)
    base = _article(rng)
    return [
        " ".join(base),  # 0: original
        " ".join(_article(rng)),  # 1: unrelated
        " ".join(base),  # 2: exact copy of 0
        " ".join(_edit(rng, base, 6)),  # 3: lightly edited copy of 0
        " ".join(_article(rng)),  # 4: unrelated
        " ".join(_edit(rng, base, 120)),  # 5: heavily edited (J well below 0.5)
    ]


def test_finds_copies_and_light_edits_not_unrelated(corpus: list[str]) -> None:
    sets = [shingle_hashes(t, WORD5) for t in corpus]
    pairs = find_near_duplicates(sets, threshold=0.5)
    assert [(p.i, p.j) for p in pairs] == [(0, 2), (0, 3), (2, 3)]
    by_pair = {(p.i, p.j): p for p in pairs}
    assert by_pair[(0, 2)].jaccard == 1.0 and by_pair[(0, 2)].estimated_jaccard == 1.0
    light = by_pair[(0, 3)]
    assert 0.75 < light.jaccard < 1.0
    assert abs(light.estimated_jaccard - light.jaccard) < 0.2
    assert light.containment_i_in_j == pytest.approx(light.containment_j_in_i, abs=0.02)
    for p in pairs:
        assert isinstance(p, NearDupPair) and p.i < p.j and p.jaccard >= 0.5
        a, b = sets[p.i], sets[p.j]
        assert p.jaccard == pytest.approx(len(np.intersect1d(a, b)) / len(np.union1d(a, b)))
    assert connected_components(len(corpus), pairs) == [[0, 2, 3]]


def test_threshold_one_keeps_exact_copies_only(corpus: list[str]) -> None:
    sets = [shingle_hashes(t, WORD5) for t in corpus]
    assert [(p.i, p.j) for p in find_near_duplicates(sets, threshold=1.0)] == [(0, 2)]


def test_containment_of_a_prefix() -> None:
    rng = np.random.default_rng(7)
    words = _article(rng, 400)
    short, long = shingle_hashes(" ".join(words[:300]), WORD5), shingle_hashes(" ".join(words), WORD5)
    jac, c_short, c_long = exact_overlap(short, long)
    assert c_short == 1.0 and c_long == pytest.approx(296 / 396)
    assert jac == pytest.approx(296 / 396)
    (pair,) = find_near_duplicates([long, short], threshold=0.5)
    assert (pair.i, pair.j) == (0, 1)
    assert pair.containment_j_in_i == 1.0 and pair.containment_i_in_j == pytest.approx(296 / 396)


def test_empty_and_single_inputs() -> None:
    assert find_near_duplicates([]) == []
    assert find_near_duplicates([shingle_hashes("one lonely article here", WORD5)]) == []
    empty = np.empty(0, dtype=np.uint64)
    assert find_near_duplicates([empty, empty, empty]) == []  # empty texts never pair
    assert connected_components(0, []) == []
    assert connected_components(3, []) == []
    assert find_near_duplicates_in_texts([]) == []


def test_short_documents_match_themselves() -> None:
    sets = [shingle_hashes(t, WORD5) for t in ["Breaking news", "breaking NEWS!", "other words", ""]]
    assert [(p.i, p.j, p.jaccard) for p in find_near_duplicates(sets)] == [(0, 1, 1.0)]


def test_boilerplate_repeated_many_times() -> None:
    """2,000 identical texts plus two originals: one cluster, linear number of pairs, warned."""
    rng = np.random.default_rng(3)
    boiler = shingle_hashes(" ".join(_article(rng, 100)), WORD5)
    sets = [boiler] * 2_000 + [shingle_hashes(" ".join(_article(rng)), WORD5) for _ in range(2)]
    with pytest.warns(UserWarning, match="chained"):
        pairs = find_near_duplicates(sets)
    assert len(pairs) == 1_999
    assert [len(c) for c in connected_components(len(sets), pairs)] == [2_000]


def test_texts_streaming_equals_hash_sets(corpus: list[str]) -> None:
    expected = find_near_duplicates([shingle_hashes(t, WORD5) for t in corpus])
    assert find_near_duplicates_in_texts(corpus, "word:5", chunk_size=2) == expected  # sets kept
    timings: dict[str, float] = {}
    two_pass = find_near_duplicates_in_texts(corpus, WORD5, chunk_size=2, memory_budget=0, timings=timings)
    assert two_pass == expected
    assert {"tokenise_shingle", "signatures", "lsh_candidates", "rehash_candidates", "verification"} <= set(timings)
    assert find_near_duplicates_in_texts(iter(corpus), WORD5, chunk_size=4, memory_budget=0) == expected  # one pass


def test_signatures_for_texts_matches_hasher(corpus: list[str]) -> None:
    hasher = MinHasher(64, seed=5)
    sigs, sizes, kept = signatures_for_texts(corpus, WORD5, hasher, chunk_size=4, keep_hash_sets=True)
    sets = [shingle_hashes(t, WORD5) for t in corpus]
    assert np.array_equal(sigs, hasher.signatures(sets))
    assert sizes.tolist() == [len(s) for s in sets]
    assert kept is not None and all(np.array_equal(a, b) for a, b in zip(kept, sets, strict=True))


def test_connected_components_inputs() -> None:
    assert connected_components(6, [(0, 1), (1, 2), (4, 5)]) == [[0, 1, 2], [4, 5]]
    assert connected_components(6, np.array([[5, 4], [3, 1]])) == [[1, 3], [4, 5]]
    with pytest.raises(ValueError):
        connected_components(2, [(0, 2)])


def test_validation() -> None:
    with pytest.raises(ValueError):
        find_near_duplicates([np.empty(0, np.uint64)] * 2, threshold=0.0)
    with pytest.raises(ValueError):
        find_near_duplicates([np.empty(0, np.uint64)] * 2, signatures=np.zeros((2, 64), np.uint32))


def _scipy_components(n: int, edges: np.ndarray) -> list[list[int]]:
    from scipy import sparse
    from scipy.sparse import csgraph

    graph = sparse.coo_matrix((np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, labels = csgraph.connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for node, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(node)
    return [g for g in groups.values() if len(g) >= 2]


@pytest.mark.parametrize("seed", range(6))
def test_connected_components_are_scipys(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """numpy hooking and pointer jumping group the nodes as scipy's graph search does (chains, stars, noise)."""
    from provenance import neardup

    rng = np.random.default_rng(seed)
    n = 3_000
    perm = rng.permutation(n)
    chain = np.stack([perm[:-1], perm[1:]], axis=1)[: rng.integers(10, n)]  # a long path in shuffled order
    star = np.stack([np.full(200, perm[-1]), rng.integers(0, n, 200)], axis=1)
    noise = rng.integers(0, n, size=(rng.integers(0, 2_000), 2))
    edges = np.concatenate([chain, star, noise])[rng.permutation(len(chain) + len(star) + len(noise))]
    expected = _scipy_components(n, edges)
    assert connected_components(n, edges) == expected
    monkeypatch.setattr(neardup, "_HOOKING_ROUNDS", 1)  # too few rounds: scipy takes over, same groups
    assert connected_components(n, edges) == expected


def test_connected_components_self_links_and_duplicates() -> None:
    assert connected_components(1, [(0, 0)]) == []
    assert connected_components(4, [(2, 2), (3, 1), (1, 3), (3, 3)]) == [[1, 3]]


def test_intersection_sizes_in_batches_equal_each_pair_alone() -> None:
    """Pairs counted together per first set give exact_overlap's intersections and floats (empty sets too)."""
    from provenance.neardup import exact_overlap, intersection_sizes, overlap_of

    rng = np.random.default_rng(7)
    sets = [np.unique(rng.integers(0, 400, int(n)).astype(np.uint64)) for n in rng.integers(0, 120, 60)]
    sets[5] = np.zeros(0, dtype=np.uint64)
    sets[9] = sets[4].copy()
    pairs = np.stack([rng.integers(0, 60, 700), rng.integers(0, 60, 700)], axis=1)
    pairs[:40, 0] = 4  # a run of pairs with the same first set, among them its copy and the empty set
    pairs[:10, 1] = [9, 5, 4, 3, 2, 1, 0, 6, 7, 8]
    inter = intersection_sizes(sets, pairs)
    for (i, j), n in zip(pairs.tolist(), inter.tolist(), strict=True):
        assert n == len(np.intersect1d(sets[i], sets[j]))
        assert overlap_of(n, len(sets[i]), len(sets[j])) == exact_overlap(sets[i], sets[j])
    assert inter[0] == len(sets[4]) > 0 and inter[1] == 0
    assert len(intersection_sizes(sets, np.zeros((0, 2), dtype=np.int64))) == 0


def test_intersections_of_hashes_signed_values_and_stored_sets() -> None:
    """Values alike in their low bits, signed int64 sets, and sets read back from a HashSetStore: exact counts."""
    from provenance.neardup import intersection_sizes
    from provenance.signatures.setstore import HashSetStore

    rng = np.random.default_rng(11)
    step = np.uint64(1 << 16)
    same_low = [np.unique(rng.integers(0, 50, int(n)).astype(np.uint64) * step + np.uint64(7)) for n in (30, 40, 1)]
    hashed = [np.unique(rng.integers(0, 2**63, 300, dtype=np.int64).astype(np.uint64)) for _ in range(5)]
    hashed[1] = np.unique(np.concatenate([hashed[1], hashed[0][:120]]))  # a pair that shares 120 elements
    hashed[2] = np.unique(np.concatenate([hashed[2], np.array([2**64 - 1, 2**63], dtype=np.uint64)]))  # top bit set
    hashed[3] = np.unique(np.concatenate([hashed[3], np.array([2**64 - 1, 2**63], dtype=np.uint64)]))
    signed = [np.unique(rng.integers(-(2**40), 2**40, 80)) for _ in range(2)]  # int64 elements too
    signed[1] = np.unique(np.concatenate([signed[1], signed[0][:9], signed[0][:9] + (1 << 16)]))
    for sets in (same_low + hashed, signed):
        pairs = np.array([(a, b) for a in range(len(sets)) for b in range(len(sets))])
        inter = intersection_sizes(sets, pairs)
        assert inter.tolist() == [len(np.intersect1d(sets[a], sets[b])) for a, b in pairs.tolist()]
    assert intersection_sizes(same_low + hashed, np.array([[4, 3]]))[0] == 120
    store = HashSetStore()
    try:
        listed = same_low + [np.zeros(0, dtype=np.uint64)] + hashed
        sizes = np.array([len(x) for x in listed])
        store.add_flat(np.concatenate(listed), np.concatenate([[0], np.cumsum(sizes)]))
        pairs = rng.integers(0, len(listed), (500, 2))
        assert np.array_equal(intersection_sizes(store, pairs), intersection_sizes(listed, pairs))
    finally:
        store.close()
