"""Stage 7: who copied whom — direction evidence, the most likely copying forest, absent sources."""

from __future__ import annotations

from collections.abc import Sequence

from provenance.lineage import forest
from provenance.lineage.direction import DirectionEvidence, DirectionParams, direction_evidence
from provenance.lineage.forest import LineageParams
from provenance.lineage.reconstruct import reconstruct_virtual_nodes
from provenance.load.store import fields_of
from provenance.records import AnalysisResult, Document

__all__ = [
    "DirectionEvidence",
    "DirectionParams",
    "LineageParams",
    "build_lineage",
    "direction_evidence",
    "reconstruct_virtual_nodes",
]


def build_lineage(
    result: AnalysisResult, documents: Sequence[Document], params: LineageParams | None = None
) -> AnalysisResult:
    """The lineage stage: :func:`provenance.lineage.forest.build_lineage`, then the absent sources.

    Also fills ``result.virtual_nodes`` (what each virtual parent must have said,
    :mod:`provenance.lineage.reconstruct`) and ``result.urls`` (each document's
    url, for the report) when the pipeline left it empty.
    """
    forest.build_lineage(result, documents, params)
    if not result.urls:
        result.urls = {d.id: d.url for d in fields_of(documents) if d.url}
    result.virtual_nodes = reconstruct_virtual_nodes(result)
    return result
