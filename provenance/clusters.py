"""Stage 6: clusters at three levels, as connected components of the pair graph.

* ``near-duplicate``: near-duplicate pairs (shingle Jaccard at or above the
  threshold) only.  A ``contained`` pair does not link them: single linkage
  through one long text that holds several short ones would put texts that
  share nothing into one near-duplicate cluster;
* ``rewrite`` (reuse families): near-duplicate, contained or rewrite pairs;
* ``story``: any pair that is not unrelated.
Only components of two or more documents are reported; every document belongs
to at most one cluster of each kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import networkx as nx

from provenance.records import REUSE_RELATIONS, Cluster, ClusterKind, PairScore, Relation

_LEVELS: dict[ClusterKind, frozenset[Relation]] = {
    ClusterKind.NEAR_DUPLICATE: frozenset({Relation.NEAR_DUPLICATE}),
    ClusterKind.REWRITE: REUSE_RELATIONS,
    ClusterKind.STORY: REUSE_RELATIONS | {Relation.SAME_STORY},
}


def components(ids: Sequence[str], links: Iterable[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Connected components (size >= 2) in the order of ``ids``."""
    g = nx.Graph()
    g.add_nodes_from(ids)
    g.add_edges_from(links)
    order = {d: i for i, d in enumerate(ids)}
    comps = [tuple(sorted(c, key=order.__getitem__)) for c in nx.connected_components(g) if len(c) > 1]
    return sorted(comps, key=lambda c: order[c[0]])


def build_clusters(ids: Sequence[str], pairs: Sequence[PairScore]) -> list[Cluster]:
    """Clusters of every kind (see module docstring)."""
    out: list[Cluster] = []
    for kind, relations in _LEVELS.items():
        links = [(p.a, p.b) for p in pairs if p.relation in relations]
        out.extend(Cluster(kind, members) for members in components(ids, links))
    return out
