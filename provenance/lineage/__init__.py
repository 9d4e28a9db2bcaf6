"""Stage 7: who copied whom — direction evidence and the most likely copying forest."""

from provenance.lineage.direction import DirectionEvidence, DirectionParams, direction_evidence
from provenance.lineage.forest import LineageParams, build_lineage

__all__ = ["DirectionEvidence", "DirectionParams", "LineageParams", "build_lineage", "direction_evidence"]
