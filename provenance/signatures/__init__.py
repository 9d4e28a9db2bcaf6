"""Document signatures: shingle sets and their MinHash sketches."""

from provenance.signatures.minhash import MinHasher, estimate_jaccard, standard_error
from provenance.signatures.shingles import ShingleSpec, shingle_hashes, shingle_hashes_batch, word_tokens

__all__ = [
    "MinHasher",
    "ShingleSpec",
    "estimate_jaccard",
    "shingle_hashes",
    "shingle_hashes_batch",
    "standard_error",
    "word_tokens",
]
