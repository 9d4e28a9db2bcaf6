"""Candidate generation: which pairs of documents are worth verifying."""

from provenance.candidates.lsh import HugeBucketWarning, LSHIndex, LSHStats, candidate_probability, optimal_params

__all__ = ["HugeBucketWarning", "LSHIndex", "LSHStats", "candidate_probability", "optimal_params"]
