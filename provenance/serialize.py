"""The stable JSON form of an :class:`AnalysisResult` (documented in the README).

Top-level keys: ``documents``, ``pairs``, ``clusters``, ``edges``, ``skipped``,
``virtual_nodes``.  Offsets in ``alignments``, ``cited_sources`` and the
renderings of ``virtual_nodes`` are character offsets into each document's
original text.  Each document also carries its ``url`` (null when unknown).
"""

from __future__ import annotations

from typing import Any

from provenance.records import (
    Alignment,
    AnalysisResult,
    CitedSource,
    Cluster,
    DocumentInfo,
    Evidence,
    LineageEdge,
    PairScore,
    PassageGroup,
    VirtualNode,
)

SCHEMA_VERSION = 1


def _r(x: float) -> float:
    return round(float(x), 4)


def alignment_to_dict(al: Alignment) -> dict[str, Any]:
    return {
        "a_start": al.a_start,
        "a_end": al.a_end,
        "b_start": al.b_start,
        "b_end": al.b_end,
        "score": _r(al.score),
        "in_order": al.in_order,
    }


def pair_to_dict(p: PairScore) -> dict[str, Any]:
    return {
        "a": p.a,
        "b": p.b,
        "relation": p.relation.value,
        "jaccard": _r(p.jaccard),
        "tfidf_cosine": _r(p.tfidf_cosine),
        "containment_a_in_b": _r(p.containment_a_in_b),
        "containment_b_in_a": _r(p.containment_b_in_a),
        "coverage_a": _r(p.coverage_a),
        "coverage_b": _r(p.coverage_b),
        "p_value": float(f"{p.p_value:.3g}"),
        "cross_language": p.cross_language,
        "via": list(p.via),
        "alignments": [alignment_to_dict(a) for a in p.alignments],
    }


def cited_to_dict(c: CitedSource) -> dict[str, Any]:
    return {"name": c.name, "mention": c.mention, "start": c.start, "end": c.end, "cue": c.cue, "via": c.via}


def document_to_dict(d: DocumentInfo) -> dict[str, Any]:
    return {
        "id": d.id,
        "language": d.language,
        "outlet": d.outlet,
        "published": d.published.isoformat() if d.published else None,
        "title": d.title,
        "cited_sources": [cited_to_dict(c) for c in d.cited_sources],
        "parent": d.parent,
        "derived_share": _r(d.derived_share),
        "is_reference_source": d.is_reference_source,
    }


def cluster_to_dict(c: Cluster) -> dict[str, Any]:
    return {"kind": c.kind.value, "members": list(c.members)}


def evidence_to_dict(e: Evidence) -> dict[str, Any]:
    return {"kind": e.kind, "weight": _r(e.weight), "detail": e.detail}


def edge_to_dict(e: LineageEdge) -> dict[str, Any]:
    return {
        "source": e.source,
        "target": e.target,
        "confidence": _r(e.confidence),
        "direction": e.direction,
        "evidence": [evidence_to_dict(x) for x in e.evidence],
    }


def passage_group_to_dict(g: PassageGroup) -> dict[str, Any]:
    return {
        "significant": g.significant,
        "p_value": float(f"{g.p_value:.3g}"),
        "score": _r(g.score),
        "reuse_docs": list(g.reuse_docs),
        "renderings": [{"doc_id": r.doc_id, "start": r.start, "end": r.end, "text": r.text} for r in g.renderings],
    }


def virtual_node_to_dict(v: VirtualNode) -> dict[str, Any]:
    """An absent source (``cited:NAME``, ``ancestor:A+B``): its children and the passages they share."""
    return {
        "id": v.id,
        "name": v.name,
        "kind": v.kind,
        "children": list(v.children),
        "passages": [passage_group_to_dict(g) for g in v.passages],
    }


def result_to_dict(result: AnalysisResult) -> dict[str, Any]:
    """The JSON contract shared by `cluster`, `lineage` and `report --format json`."""
    return {
        "schema_version": SCHEMA_VERSION,
        "documents": [{**document_to_dict(d), "url": result.urls.get(d.id)} for d in result.documents],
        "pairs": [pair_to_dict(p) for p in result.pairs],
        "clusters": [cluster_to_dict(c) for c in result.clusters],
        "edges": [edge_to_dict(e) for e in result.edges],
        "skipped": [{"origin": s.origin, "reason": s.reason} for s in result.skipped],
        "virtual_nodes": [virtual_node_to_dict(v) for v in result.virtual_nodes],
    }
