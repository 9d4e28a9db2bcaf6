"""The relation of a scored pair, from the similarities of the earlier stages.

Rules, first match wins:
1. ``near-duplicate``: exact shingle Jaccard >= the near-duplicate threshold
   (``--threshold``; nothing else makes a near-duplicate);
2. ``contained``: below that Jaccard, one document is contained in the other
   (containment >= ``containment`` of the shingles of a document of at least
   ``min_shingles_for_containment`` shingles): a verbatim excerpt or a short
   article embedded in a longer text.  It is reuse (reuse families, lineage),
   but it does not link near-duplicate clusters: a long text holding several
   short ones would otherwise chain them into one cluster;
3. ``rewrite``: an order-preserving passage alignment of at least
   ``min_passages`` passages that is significant (p <= ``significance``, see
   :mod:`provenance.scoring.align`);
4. ``same-story``: document TF-IDF cosine >= ``story_threshold``, or at least
   one aligned passage;
5. ``unrelated``.

Which pairs are aligned (:func:`needs_alignment`): a pair in one language whose
TF-IDF cosine is below ``story_threshold`` and whose shingles make it neither a
near-duplicate nor contained is not; it is unrelated.  Its passages could only
make it a rewrite or, through one aligned passage, same-story: on the
hand-written stories (``python -m benchmarks stories``, 26 stories in one
collection) aligning them added 517 same-story pairs, every one between two
different stories, and no reuse pair; they were 96 % of the candidate pairs of
the synthetic 10k collection.  Pairs across languages are always aligned: a
translation shares names and numbers, not stems, so its cosine is low.
``align_weak_pairs`` restores the alignment of every candidate.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.records import Relation
from provenance.scoring.align import AlignParams, PassageAlignment


@dataclass(frozen=True)
class RelationParams:
    near_duplicate_threshold: float = 0.5
    containment: float = 0.8
    min_shingles_for_containment: int = 20
    story_threshold: float = 0.1
    align: AlignParams = AlignParams()
    align_weak_pairs: bool = False  # also align same-language pairs below story_threshold (module docstring)


def needs_alignment(
    jaccard: float,
    containment_a_in_b: float,
    containment_b_in_a: float,
    smaller_shingle_count: int,
    tfidf_cosine: float,
    cross_language: bool,
    params: RelationParams,
) -> bool:
    """Whether a candidate pair's passages are aligned before :func:`classify_pair` (module docstring)."""
    if cross_language or params.align_weak_pairs or tfidf_cosine >= params.story_threshold:
        return True
    if jaccard >= params.near_duplicate_threshold:
        return True
    contained = max(containment_a_in_b, containment_b_in_a) >= params.containment
    return contained and smaller_shingle_count >= params.min_shingles_for_containment


def classify_pair(
    jaccard: float,
    containment_a_in_b: float,
    containment_b_in_a: float,
    smaller_shingle_count: int,
    tfidf_cosine: float,
    alignment: PassageAlignment,
    params: RelationParams,
) -> Relation:
    """Apply the rules of the module docstring."""
    if jaccard >= params.near_duplicate_threshold:
        return Relation.NEAR_DUPLICATE
    contained = max(containment_a_in_b, containment_b_in_a) >= params.containment
    if contained and smaller_shingle_count >= params.min_shingles_for_containment:
        return Relation.CONTAINED
    if alignment.chain_length >= params.align.min_passages and alignment.p_value <= params.align.significance:
        return Relation.REWRITE
    if tfidf_cosine >= params.story_threshold or alignment.matches:
        return Relation.SAME_STORY
    return Relation.UNRELATED
