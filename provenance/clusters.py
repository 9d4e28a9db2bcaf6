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

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from provenance.records import REUSE_RELATIONS, Cluster, ClusterKind, PairScore, Relation

_LEVELS: dict[ClusterKind, frozenset[Relation]] = {
    ClusterKind.NEAR_DUPLICATE: frozenset({Relation.NEAR_DUPLICATE}),
    ClusterKind.REWRITE: REUSE_RELATIONS,
    ClusterKind.STORY: REUSE_RELATIONS | {Relation.SAME_STORY},
}


def components(ids: Sequence[str], links: Iterable[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Connected components (size >= 2) in the order of ``ids``: members, and components by their first member.

    Labelled by scipy's ``connected_components`` over the links as a sparse graph (a
    link naming an id not in ``ids`` is a ``KeyError``).
    """
    order = {d: i for i, d in enumerate(ids)}
    pairs = np.array([(order[a], order[b]) for a, b in links], dtype=np.int64).reshape(-1, 2)
    n = len(ids)
    graph = sparse.coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    by_label = np.argsort(labels, kind="stable")  # each component's members in the order of ids
    bounds = np.flatnonzero(np.r_[True, labels[by_label][1:] != labels[by_label][:-1], True])
    comps = [by_label[lo:hi] for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True) if hi - lo > 1]
    comps.sort(key=lambda members: int(members[0]))
    return [tuple(ids[k] for k in members.tolist()) for members in comps]


def build_clusters(ids: Sequence[str], pairs: Sequence[PairScore]) -> list[Cluster]:
    """Clusters of every kind (see module docstring)."""
    out: list[Cluster] = []
    for kind, relations in _LEVELS.items():
        links = [(p.a, p.b) for p in pairs if p.relation in relations]
        out.extend(Cluster(kind, members) for members in components(ids, links))
    return out
