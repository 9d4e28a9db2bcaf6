"""The copy tree of a family of near-identical copies (stemmatology by distance).

When copies differ by a few words each, every copy of the family is a
near-duplicate of every other, and what tells a copy's exemplar from a more
distant relative is only the number of words on which they differ: each
copying adds its own few changes, so a copy is closest to the text it was made
from (or to a copy made from it).  The tree that joins the family with the
smallest total distance, the minimum spanning tree, is the classic distance
stemma: its links are the candidate copying links, and the lineage orients
them with the direction evidence.

A family is a connected group of at least :data:`MIN_FAMILY` documents linked
by near-duplicate pairs; with two copies the tree is their one link.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx

MIN_FAMILY = 3


def families(pairs: Iterable[tuple[str, str]], min_size: int = MIN_FAMILY) -> list[set[str]]:
    """Connected groups of at least ``min_size`` documents linked by the near-duplicate ``pairs``."""
    g = nx.Graph()
    g.add_edges_from(pairs)
    return [set(c) for c in nx.connected_components(g) if len(c) >= min_size]


def copy_tree(distances: Mapping[tuple[str, str], float]) -> nx.Graph:
    """The minimum spanning forest of the pairs ``(a, b)`` weighted by a wording distance.

    ``distances`` holds the pairs of one or more families (0 for identical
    texts).  Ties are broken by the pairs' ids, so the tree does not depend on
    input order.
    """
    g = nx.Graph()
    for (a, b), d in sorted(distances.items()):
        g.add_edge(a, b, weight=d)
    return nx.minimum_spanning_tree(g, weight="weight")
