"""provenance: find near-duplicate and rewritten news articles and reconstruct who copied whom."""

__version__ = "0.1.0"
