"""Relation rules and the three cluster levels."""

from __future__ import annotations

import random
from dataclasses import replace

from provenance.clusters import build_clusters, components
from provenance.pipeline import PipelineConfig, analyze
from provenance.records import ClusterKind, Document, PairScore, Relation
from provenance.scoring.align import PassageAlignment
from provenance.scoring.relation import RelationParams, classify_pair, needs_alignment

NO_ALIGN = PassageAlignment([], [], 0, 1.0, 0.0, 0.0)


def _alignment(length: int, p: float) -> PassageAlignment:
    return PassageAlignment([], [(k, k, 0.5) for k in range(length)], length, p, 0.5, 0.5)


def test_relation_rules() -> None:
    params = RelationParams()
    assert classify_pair(0.7, 0.8, 0.8, 100, 0.9, NO_ALIGN, params) is Relation.NEAR_DUPLICATE
    # a verbatim copy embedded in a longer article: low Jaccard, high containment: contained, not near-duplicate
    assert classify_pair(0.2, 0.95, 0.2, 100, 0.5, NO_ALIGN, params) is Relation.CONTAINED
    assert classify_pair(0.2, 0.2, 0.95, 100, 0.5, _alignment(4, 1e-5), params) is Relation.CONTAINED
    # the threshold alone makes a near-duplicate, whatever the containment
    assert classify_pair(0.5, 0.5, 0.5, 100, 0.5, NO_ALIGN, params) is Relation.NEAR_DUPLICATE
    assert classify_pair(0.49, 0.79, 0.6, 100, 0.5, NO_ALIGN, params) is Relation.SAME_STORY
    # ... but not when the contained text is a handful of shingles
    assert classify_pair(0.2, 0.95, 0.2, 5, 0.05, NO_ALIGN, params) is Relation.UNRELATED
    assert classify_pair(0.0, 0.0, 0.0, 100, 0.3, _alignment(4, 1e-5), params) is Relation.REWRITE
    # an alignment that chance explains is not a rewrite
    assert classify_pair(0.0, 0.0, 0.0, 100, 0.3, _alignment(2, 0.3), params) is Relation.SAME_STORY
    assert classify_pair(0.0, 0.0, 0.0, 100, 0.3, NO_ALIGN, params) is Relation.SAME_STORY
    assert classify_pair(0.0, 0.0, 0.0, 100, 0.01, NO_ALIGN, params) is Relation.UNRELATED


def test_which_pairs_are_aligned() -> None:
    params = RelationParams()
    # args: jaccard, containments, smaller shingle count, TF-IDF cosine, across languages
    assert needs_alignment(0.0, 0.0, 0.0, 100, 0.1, False, params)  # at the story threshold
    assert not needs_alignment(0.0, 0.0, 0.0, 100, 0.09, False, params)  # below it, one language, no shingles
    assert needs_alignment(0.0, 0.0, 0.0, 100, 0.01, True, params)  # a translation's cosine is low
    assert needs_alignment(0.5, 0.6, 0.6, 100, 0.01, False, params)  # a near-duplicate (its passages are shown)
    assert needs_alignment(0.2, 0.0, 0.85, 100, 0.01, False, params)  # contained
    assert not needs_alignment(0.2, 0.0, 0.85, 5, 0.01, False, params)  # ... not in a handful of shingles
    assert needs_alignment(0.0, 0.0, 0.0, 100, 0.01, False, replace(params, align_weak_pairs=True))


def test_a_pair_in_one_language_below_the_story_threshold_is_not_aligned() -> None:
    """Two articles on other subjects that share one sentence: same-story only when weak pairs are aligned."""
    rng = random.Random(3)
    topics = [
        "harbour ferry captain dock crane cargo container tide vessel pilot anchor berth quay freight lighthouse",
        "orchard apple harvest farmer tractor cider blossom pruning ladder basket grove frost crate market",
        "violin concerto orchestra conductor rehearsal soloist symphony score audience encore tempo cello choir",
    ]

    def body(topic: str, n: int) -> list[str]:
        out = []
        for _ in range(n):
            w = rng.sample(topic.split(), 6)
            out.append(f"The {w[0]} and the {w[1]} met the {w[2]} near the {w[3]}, said the {w[4]} of the {w[5]}.")
        return out

    shared = "Minister Halvorsen announced on Tuesday that the regional budget for 2027 will fund 340 new teachers."
    docs = [
        Document("a", " ".join([*body(topics[0], 30), shared]), language="en"),
        Document("b", " ".join([shared, *body(topics[1], 30)]), language="en"),
        *(Document(f"x{k}", " ".join(body(t, 10)), language="en") for k, t in enumerate([*topics, topics[2]])),
    ]
    found = {}
    for weak in (False, True):
        config = PipelineConfig(lineage=False, relation=replace(RelationParams(), align_weak_pairs=weak))
        found[weak] = [p for p in analyze(docs, config=config).pairs if (p.a, p.b) == ("a", "b")]
    assert not found[False]
    (pair,) = found[True]
    assert pair.tfidf_cosine < RelationParams().story_threshold  # the premise: a weak pair
    assert pair.relation is Relation.SAME_STORY and len(pair.alignments) == 1


def _pair(a: str, b: str, rel: Relation) -> PairScore:
    return PairScore(a, b, rel, 0.0, 0.0, 0.0, 0.0)


def test_cluster_levels_nest() -> None:
    ids = ["a", "b", "c", "d", "e", "f"]
    pairs = [
        _pair("a", "b", Relation.NEAR_DUPLICATE),
        _pair("b", "c", Relation.REWRITE),
        _pair("c", "d", Relation.SAME_STORY),
        _pair("e", "f", Relation.UNRELATED),
    ]
    clusters = build_clusters(ids, pairs)
    by_kind = {k: [c.members for c in clusters if c.kind is k] for k in ClusterKind}
    assert by_kind[ClusterKind.NEAR_DUPLICATE] == [("a", "b")]
    assert by_kind[ClusterKind.REWRITE] == [("a", "b", "c")]
    assert by_kind[ClusterKind.STORY] == [("a", "b", "c", "d")]


def test_containment_does_not_chain_near_duplicate_clusters() -> None:
    # one long digest holds two short articles that share nothing with each other; c and d are near-duplicates
    ids = ["digest", "short1", "short2", "c", "d"]
    pairs = [
        _pair("digest", "short1", Relation.CONTAINED),
        _pair("digest", "short2", Relation.CONTAINED),
        _pair("c", "d", Relation.NEAR_DUPLICATE),
    ]
    by_kind = {k: [c.members for c in build_clusters(ids, pairs) if c.kind is k] for k in ClusterKind}
    assert by_kind[ClusterKind.NEAR_DUPLICATE] == [("c", "d")]
    # containment is reuse: the digest and its excerpts form a reuse family
    assert by_kind[ClusterKind.REWRITE] == [("digest", "short1", "short2"), ("c", "d")]
    assert by_kind[ClusterKind.STORY] == by_kind[ClusterKind.REWRITE]


def test_components_singletons_dropped_and_ordered() -> None:
    assert components(["x", "y", "z"], [("z", "x")]) == [("x", "z")]
    assert components(["x"], []) == []


def test_components_are_networkx_s_connected_components_in_the_order_of_the_ids() -> None:
    import networkx as nx

    rng = random.Random(7)
    for _ in range(200):
        ids = list(dict.fromkeys(f"d{rng.randint(0, 999)}" for _ in range(rng.randint(0, 40))))
        links = [(rng.choice(ids), rng.choice(ids)) for _ in range(rng.randint(0, 2 * len(ids)))] if ids else []
        graph = nx.Graph()
        graph.add_nodes_from(ids)
        graph.add_edges_from(links)
        order = {d: k for k, d in enumerate(ids)}
        expected = sorted(
            (tuple(sorted(c, key=order.__getitem__)) for c in nx.connected_components(graph) if len(c) > 1),
            key=lambda c: order[c[0]],
        )
        assert components(ids, links) == expected
