"""Maximum-weight branching (Chu-Liu/Edmonds) in memory linear in the number of arcs.

networkx's ``maximum_branching`` keeps a copy of the whole graph for every
cycle it contracts, so its memory grows as (contractions x arcs): on 2,000
short overlapping texts (30,000 near-duplicate pairs, most of them mutual best
parents, hence one 2-cycle each) it reached 4.3 GB and 46 s.  This version
works on arrays and contracts every cycle of a round at once:

1. a virtual root gets an arc of weight 0 to every node, and only arcs of
   positive weight are kept (a branching never gains from the others), so a
   maximum branching is a maximum spanning arborescence from the root without
   the root's arcs;
2. each node takes its heaviest incoming arc (ties: the arc given first);
3. without a cycle, those arcs are the answer; otherwise every cycle becomes
   one node, an arc entering a cycle at ``v`` is reweighted to
   ``w - w(best arc into v)``, arcs inside a cycle are dropped, and the
   contracted graph is solved the same way;
4. expanding a cycle keeps all of its arcs but the one into the node where the
   chosen entering arc arrives.

A round keeps only node-sized arrays for the expansion, so memory is the arcs
plus the nodes times the number of rounds (all cycles of a round are
contracted together).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np


def maximum_branching(nodes: Sequence[Hashable], arcs: Sequence[tuple[Hashable, Hashable, float]]) -> set[tuple]:
    """Arcs ``(u, v)`` of a maximum-weight branching of the graph ``arcs`` (``(u, v, weight)``, u != v)."""
    index = {node: k for k, node in enumerate(nodes)}
    n = len(nodes)
    positive = [(index[u], index[v], float(w), k) for k, (u, v, w) in enumerate(arcs) if w > 0 and u != v]
    src = np.array([a[0] for a in positive] + [n] * n, dtype=np.int64)
    dst = np.array([a[1] for a in positive] + list(range(n)), dtype=np.int64)
    weight = np.array([a[2] for a in positive] + [0.0] * n, dtype=np.float64)
    chosen = _arborescence(n + 1, n, src, dst, weight)
    return {(arcs[positive[e][3]][0], arcs[positive[e][3]][1]) for e in chosen if e < len(positive)}


def _best_incoming(size: int, root: int, dst: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per node, the index of its heaviest incoming arc (the first one given on ties); -1 for the root."""
    order = np.lexsort((np.arange(len(dst)), -weight, dst))  # by node, heaviest first, then as given
    first = np.ones(len(order), dtype=bool)
    first[1:] = dst[order][1:] != dst[order][:-1]
    best = np.full(size, -1, dtype=np.int64)
    best[dst[order][first]] = order[first]
    best[root] = -1
    return best


def _cycles(size: int, root: int, parent: np.ndarray) -> np.ndarray:
    """Cycle id of each node of the parent-pointer graph (-1 outside any cycle)."""
    cycle = np.full(size, -1, dtype=np.int64)
    state = np.zeros(size, dtype=np.int8)  # 0 new, 1 on the current walk, 2 done
    n_cycles = 0
    for start in range(size):
        walk = []
        v = start
        while v != root and state[v] == 0:
            state[v] = 1
            walk.append(v)
            v = int(parent[v])
        if v != root and state[v] == 1:  # the walk closed a cycle at v
            k = walk.index(v)
            cycle[walk[k:]] = n_cycles
            n_cycles += 1
        state[walk] = 2
    return cycle


def _arborescence(size: int, root: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray) -> list[int]:
    """Indices of the arcs of a maximum spanning arborescence from ``root`` (every node reachable from it).

    A round keeps, for the expansion, only node-sized arrays: where each original node is,
    each node's best arc (as an original arc index) and its cycle.
    """
    original_dst = dst
    orig = np.arange(len(src))  # original index of each current arc
    node_of = np.arange(size)  # current node of each original node
    rounds: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # node_of, best arc (original), cycle
    while True:
        best = _best_incoming(size, root, dst, weight)
        parent = np.where(best >= 0, src[np.maximum(best, 0)], root)
        cycle = _cycles(size, root, parent)
        if not (cycle >= 0).any():
            chosen = [int(orig[e]) for e in best if e >= 0]
            break
        n_cycles = int(cycle.max()) + 1
        # new node ids: one per cycle, then every node outside the cycles (the root among them)
        outside = np.flatnonzero(cycle < 0)
        new_id = np.empty(size, dtype=np.int64)
        new_id[cycle >= 0] = cycle[cycle >= 0]
        new_id[outside] = n_cycles + np.arange(len(outside))
        s, d = new_id[src], new_id[dst]
        kept = np.flatnonzero(s != d)
        into_cycle = cycle[dst[kept]] >= 0
        w = weight[kept] - np.where(into_cycle, weight[best[dst[kept]]], 0.0)
        rounds.append((node_of, np.where(best >= 0, orig[np.maximum(best, 0)], -1), cycle))
        node_of = new_id[node_of]
        root = int(new_id[root])
        size = n_cycles + len(outside)
        src, dst, weight, orig = s[kept], d[kept], w, orig[kept]
    for level_node_of, best_arc, cycle in reversed(rounds):
        targets = level_node_of[original_dst[chosen]] if chosen else np.zeros(0, dtype=np.int64)
        entered = {int(cycle[t]): int(t) for t in targets.tolist() if cycle[t] >= 0}
        in_cycles = np.flatnonzero(cycle >= 0).tolist()
        chosen = chosen + [int(best_arc[v]) for v in in_cycles if entered.get(int(cycle[v])) != v]
    return chosen
