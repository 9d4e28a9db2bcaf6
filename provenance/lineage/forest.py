"""The most likely copying forest: a maximum-weight branching over the evidence graph.

Nodes are the documents plus virtual nodes for sources that are not in the
collection: ``cited:NAME`` for an outlet some document credits and no document
of the collection comes from, and ``ancestor:A+B`` for a common ancestor of two
documents that share text neither can have taken from the other.

Arcs and their weights:

* a reuse pair (near-duplicate or rewrite) gives both arcs ``A -> B`` and
  ``B -> A`` with weight ``strength * sigmoid(2 * total)`` and
  ``strength * sigmoid(-2 * total)``, where ``total`` is the signed direction
  evidence (:mod:`provenance.lineage.direction`) and ``strength`` is 1 for a
  near-duplicate and ``1 - p_value`` for a rewrite;
* ``cited:NAME -> D`` with weight ``citation_weight`` (0.3, or 0.2 for a bare
  mention without attribution cue): always lighter than a reuse arc, so a
  document with aligned text in the collection hangs under that text;
* a declared original (``--source``) gets no incoming arcs.

Chu-Liu/Edmonds (networkx ``maximum_branching``) picks, for every document,
at most one parent so that the total weight is maximal and there is no cycle.
Each chosen arc becomes a :class:`~provenance.records.LineageEdge` whose
confidence is its weight, with direction ``undetermined`` when the evidence is
balanced.  A document is never put under another document without aligned
evidence: only reuse pairs create document-to-document arcs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx

from provenance.lineage.direction import DirectionEvidence, DirectionParams, direction_evidence
from provenance.records import (
    AnalysisResult,
    CitedSource,
    Document,
    Evidence,
    LineageEdge,
    PairScore,
    Relation,
)

VIRTUAL_CITED = "cited:"
VIRTUAL_ANCESTOR = "ancestor:"
NON_OUTLET_KINDS = frozenset({"institution", "person", "government"})


@dataclass(frozen=True)
class LineageParams:
    citation_weight: float = 0.3
    mention_weight: float = 0.2
    direction: DirectionParams = field(default_factory=DirectionParams)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _strength(pair: PairScore) -> float:
    if pair.relation is Relation.NEAR_DUPLICATE:
        return 1.0
    return max(0.0, 1.0 - pair.p_value)


@dataclass
class _Arc:
    weight: float
    evidence: list[Evidence]
    direction: str
    pair: PairScore | None = None


def _cited_outlets(mentions: Sequence[CitedSource], kind_of: dict[str, str | None]) -> dict[str, float]:
    """Credited outlets of one document with a citation score (cued mentions count more)."""
    score: dict[str, float] = {}
    for m in mentions:
        if kind_of.get(m.name) in NON_OUTLET_KINDS:
            continue
        score[m.name] = score.get(m.name, 0.0) + (1.0 if m.cue and m.cue != "mention" else 0.5)
    return score


def build_lineage(
    result: AnalysisResult, documents: Sequence[Document], params: LineageParams | None = None
) -> AnalysisResult:
    """Fill ``result.edges`` and each document's cited sources, parent and derived share."""
    from provenance.sources import OutletCatalog, extract_cited_sources

    params = params or LineageParams()
    catalog = OutletCatalog.load()
    by_id = {d.id: d for d in documents}
    infos = {d.id: d for d in result.documents}
    reference_ids = {d.id for d in result.documents if d.is_reference_source}

    mentions = {d.id: extract_cited_sources(d, catalog) for d in documents}
    kind_of = {m.name: catalog.kind(m.name) for ms in mentions.values() for m in ms}
    cited = {doc_id: _cited_outlets(ms, kind_of) for doc_id, ms in mentions.items()}
    outlet = {d.id: (catalog.canonical(d.outlet) or d.outlet) if d.outlet else None for d in documents}
    for doc_id, ms in mentions.items():
        infos[doc_id].cited_sources = list(ms)
    present_outlets = {o for o in outlet.values() if o}

    arcs: dict[tuple[str, str], _Arc] = {}
    ancestors: dict[str, tuple[str, str, DirectionEvidence, PairScore]] = {}
    for pair in result.pairs:
        if pair.relation not in (Relation.NEAR_DUPLICATE, Relation.REWRITE):
            continue
        a, b = by_id[pair.a], by_id[pair.b]
        de = direction_evidence(
            pair, a, b, set(cited[a.id]), set(cited[b.id]), outlet[a.id], outlet[b.id], reference_ids, params.direction
        )
        total = de.total
        balanced = abs(total) < params.direction.undetermined_below
        n_details = params.direction.common_ancestor_details
        undecided = abs(de.external) < params.direction.undetermined_below
        if undecided and min(len(de.only_a), len(de.only_b)) >= n_details:
            ancestors[f"{VIRTUAL_ANCESTOR}{a.id}+{b.id}"] = (a.id, b.id, de, pair)
            continue
        strength = _strength(pair)
        direction = "undetermined" if balanced else "determined"
        flipped = [Evidence(e.kind, -e.weight, e.detail) for e in de.evidence]
        arcs[(a.id, b.id)] = _Arc(strength * _sigmoid(2 * total), list(de.evidence), direction, pair)
        arcs[(b.id, a.id)] = _Arc(strength * _sigmoid(-2 * total), flipped, direction, pair)

    for node, (a_id, b_id, de, pair) in ancestors.items():
        note = Evidence(
            "common-ancestor",
            0.0,
            f"{a_id} and {b_id} share aligned text, and each keeps details the other lacks "
            f"({', '.join(de.only_a[:3])} / {', '.join(de.only_b[:3])}): neither copied the other",
        )
        shared_cited = sorted(set(cited[a_id]) & set(cited[b_id]) - present_outlets)
        parent = f"{VIRTUAL_CITED}{shared_cited[0]}" if shared_cited else node
        for target in (a_id, b_id):
            key = (parent, target)
            weight = max(_strength(pair) * 0.5, arcs[key].weight if key in arcs else 0.0)
            arcs[key] = _Arc(weight, [note], "common-ancestor", pair)

    for doc_id, outlets in cited.items():
        for name, score in outlets.items():
            if name in present_outlets or name == outlet[doc_id]:
                continue  # the outlet is in the collection: its documents carry the evidence
            key = (f"{VIRTUAL_CITED}{name}", doc_id)
            weight = params.citation_weight if score >= 1.0 else params.mention_weight
            weight *= min(1.5, 1.0 + 0.1 * (score - 1))  # repeated credit: slightly stronger
            ev = Evidence("citation", weight, f"{doc_id} credits {name} ({score:g} attribution(s))")
            if key in arcs:
                arcs[key].evidence.append(ev)
                arcs[key].weight = max(arcs[key].weight, weight)
            else:
                arcs[key] = _Arc(weight, [ev], "determined")

    graph = nx.DiGraph()
    graph.add_nodes_from(infos)
    for (s, t), arc in arcs.items():
        if t in reference_ids or s == t:
            continue
        graph.add_edge(s, t, weight=arc.weight)
    branching = nx.maximum_branching(graph, attr="weight")

    edges: list[LineageEdge] = []
    for s, t in sorted(branching.edges()):
        arc = arcs[(s, t)]
        edges.append(LineageEdge(s, t, round(arc.weight, 4), arc.evidence, arc.direction))
        info = infos[t]
        info.parent = s
        if arc.pair is not None:  # a document parent, or the common ancestor of a pair
            info.derived_share = arc.pair.coverage_b if arc.pair.b == t else arc.pair.coverage_a
            if arc.pair.relation is Relation.NEAR_DUPLICATE:
                info.derived_share = arc.pair.containment_b_in_a if arc.pair.b == t else arc.pair.containment_a_in_b
    result.edges = edges
    return result
