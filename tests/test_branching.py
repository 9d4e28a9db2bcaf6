"""Maximum branching on arrays (provenance.lineage.branching) against networkx's Edmonds."""

from __future__ import annotations

import random
import tracemalloc

import networkx as nx
import pytest

from provenance.lineage.branching import maximum_branching


def _random_arcs(rng: random.Random, n: int, m: int) -> dict[tuple[str, str], float]:
    arcs: dict[tuple[str, str], float] = {}
    for _ in range(m):
        u, v = rng.sample(range(n), 2)
        arcs[(f"n{u}", f"n{v}")] = rng.choice([rng.random(), rng.random() * 5, -rng.random()])
    return arcs


@pytest.mark.parametrize("seed", range(40))
def test_same_branching_as_networkx_when_the_optimum_is_unique(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(2, 40)
    nodes = [f"n{i}" for i in range(n)]
    arcs = _random_arcs(rng, n, rng.randint(0, 6 * n))
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from((u, v, w) for (u, v), w in arcs.items())
    want = set(nx.maximum_branching(graph, attr="weight").edges())
    got = maximum_branching(nodes, [(u, v, w) for (u, v), w in arcs.items()])
    assert got == want  # continuous random weights: one optimum
    assert all(arcs[a] > 0 for a in got)


def test_mutual_best_parents_use_memory_linear_in_the_arcs() -> None:
    """Many 2-cycles (copies that are each other's best parent): no copy of the graph per contraction."""
    rng = random.Random(1)
    n = 2000
    nodes = list(range(n))
    arcs = []
    for k in range(0, n, 2):  # pairs of near-identical copies: the heaviest arcs go both ways
        w = 1.0 + rng.random()
        arcs += [(k, k + 1, w), (k + 1, k, w + 1e-3)]
    arcs += [(rng.randrange(n), rng.randrange(n), rng.random()) for _ in range(10 * n)]
    arcs = [a for a in arcs if a[0] != a[1]]
    tracemalloc.start()
    chosen = maximum_branching(nodes, arcs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len({v for _, v in chosen}) == len(chosen)  # one parent at most
    assert nx.is_directed_acyclic_graph(nx.DiGraph(list(chosen)))
    assert peak < 1_000 * len(arcs)  # bytes: a few arrays per arc, not a graph per contraction (~1,000 here)
