"""Passage families: two documents that render the same passage of a third are rewrites of one another.

Stage *families*, after the pair scoring.  A reuse pair aligns passage ``x``
of A with passage ``m`` of M; another aligns ``m`` with passage ``y`` of B.
Then ``x`` and ``y`` render the same text, ``m``, even when A and B, compared
on their own, share too little to pass the significance test (two loose
rewrites of one source, or a translation and a farm paraphrase of its
source).  This is the transitive step of passage families: A and B are
rewrites of one another *through* M.

Rules:

* only in-order alignments of reuse pairs (near-duplicate, contained,
  rewrite) scoring at least ``min_score`` are links (weaker ones are not
  carried a second step);
* A and B become a pair when at least ``min_passages`` distinct passages of
  each are linked through common intermediate passages (of one or several
  intermediate documents), one step only (no longer chains, which would let
  errors compound);
* the inferred pair is wrong only if one of its two links is, so its p-value
  is bounded by the union bound ``p(A, M) + p(M, B)``, minimised over the
  intermediates M, and kept only when it is at most ``significance`` (the
  threshold of a direct rewrite);
* its relation is ``rewrite``, ``via`` lists the intermediates, and each
  inferred alignment scores the weaker of its two links.  An existing
  same-story pair of A and B is upgraded (its own alignments kept); a reuse
  pair is left as it is.

Inferred pairs join the reuse families and the report; lineage draws arcs from
direct pairs only (an inferred pair says "common source", not "copied from").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from provenance.neardup import exact_overlap
from provenance.records import REUSE_RELATIONS, Alignment, PairScore, Relation

Span = tuple[int, int]
Node = tuple[str, Span]  # (document, passage span)


@dataclass(frozen=True)
class FamilyParams:
    min_score: float = 0.4  # passage score of a link carried through a third document
    min_passages: int = 2  # distinct linked passages needed on each side (as for a direct rewrite)
    significance: float = 0.01  # union-bound p-value of an inferred pair (as for a direct rewrite)


def _links(pairs: Sequence[PairScore], min_score: float) -> dict[Node, dict[Node, tuple[float, float]]]:
    """Passage graph: node -> {neighbour: (score, p-value of the pair)} from strong in-order alignments."""
    graph: dict[Node, dict[Node, tuple[float, float]]] = defaultdict(dict)
    for p in pairs:
        if p.relation not in REUSE_RELATIONS or p.via:
            continue
        for al in p.alignments:
            if not al.in_order or al.score < min_score:
                continue
            x, y = (p.a, (al.a_start, al.a_end)), (p.b, (al.b_start, al.b_end))
            for u, v in ((x, y), (y, x)):
                old = graph[u].get(v)
                if old is None or al.score > old[0]:
                    graph[u][v] = (al.score, p.p_value)
    return graph


@dataclass(frozen=True)
class Inferred:
    """What the stage infers for one pair of documents ``(a, b)``, ``a < b``: alignments, p-value, intermediates."""

    alignments: tuple[Alignment, ...]  # each linked span pair at the weaker of its two link scores, by span
    p_value: float  # union bound, minimised over the intermediates
    via: tuple[str, ...]  # the intermediates whose links are significant on their own, sorted


def family_links(pairs: Iterable[PairScore], params: FamilyParams | None = None) -> dict[tuple[str, str], Inferred]:
    """Every pair of documents linked through a third (module rules), keyed ``(a, b)`` with ``a < b``.

    ``pairs`` must hold every reuse pair of the collection (other pairs are
    ignored), so the result is the same on one machine and on a cluster, where
    only the reuse pairs are collected.  A pair that is already a reuse pair
    is not in the result.
    """
    params = params or FamilyParams()
    pairs = [p for p in pairs if p.relation in REUSE_RELATIONS]
    graph = _links(pairs, params.min_score)
    # (a, b) -> {(span of a, span of b): weaker link score} and -> {intermediate: union-bound p}
    cells: dict[tuple[str, str], dict[tuple[Span, Span], float]] = defaultdict(dict)
    through: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for mid, neighbours in graph.items():
        items = sorted(neighbours.items())
        for k, ((da, sa), (score_a, p_a)) in enumerate(items):
            for (db, sb), (score_b, p_b) in items[k + 1 :]:
                if da == db or mid[0] in (da, db):
                    continue
                key, spans = ((da, db), (sa, sb)) if da < db else ((db, da), (sb, sa))
                score = min(score_a, score_b)
                if score > cells[key].get(spans, 0.0):
                    cells[key][spans] = score
                p = min(1.0, p_a + p_b)
                if p < through[key].get(mid[0], 2.0):
                    through[key][mid[0]] = p
    reuse = {(p.a, p.b) for p in pairs}
    out: dict[tuple[str, str], Inferred] = {}
    for key, found in cells.items():
        if key in reuse:
            continue
        if min(len({s for s, _ in found}), len({s for _, s in found})) < params.min_passages:
            continue
        p_value = min(through[key].values())
        if p_value > params.significance:
            continue
        alignments = tuple(
            Alignment(sa[0], sa[1], sb[0], sb[1], score, in_order=False) for (sa, sb), score in sorted(found.items())
        )
        via = tuple(sorted(m for m, p in through[key].items() if p <= params.significance))
        out[key] = Inferred(alignments, p_value, via)
    return out


def upgraded(existing: PairScore, found: Inferred) -> PairScore:
    """A same-story pair of A and B made a rewrite through a third document; its own alignments kept."""
    have = {(al.a_start, al.a_end, al.b_start, al.b_end) for al in existing.alignments}
    extra = [al for al in found.alignments if (al.a_start, al.a_end, al.b_start, al.b_end) not in have]
    return replace(
        existing,
        relation=Relation.REWRITE,
        alignments=sorted([*existing.alignments, *extra], key=lambda al: (al.a_start, al.b_start)),
        p_value=min(existing.p_value, found.p_value),
        via=found.via,
    )


def new_pair(key: tuple[str, str], found: Inferred) -> PairScore:
    """A pair found only through a third document (overlaps, cosine and coverage 0 until :func:`measured`)."""
    return PairScore(
        key[0],
        key[1],
        Relation.REWRITE,
        0.0,
        0.0,
        0.0,
        0.0,
        list(found.alignments),
        p_value=found.p_value,
        via=found.via,
    )


def covered_share(spans: Iterable[tuple[int, int]], total: int) -> float:
    """Share of ``total`` characters covered by the union of ``spans``."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return min(1.0, sum(e - s for s, e in merged) / total) if total > 0 else 0.0


def measured(
    pair: PairScore,
    hashes: tuple[np.ndarray, np.ndarray],
    cosine: float,
    text_lengths: tuple[int, int],
    cross_language: bool,
) -> PairScore:
    """An inferred pair with its overlaps (shingle sets), TF-IDF ``cosine``, coverage and languages filled in.

    ``text_lengths``: the characters inside the passages of A and B (``PassageProfile.text_length``).
    """
    jaccard, a_in_b, b_in_a = exact_overlap(*hashes)
    return replace(
        pair,
        jaccard=jaccard,
        tfidf_cosine=cosine,
        containment_a_in_b=a_in_b,
        containment_b_in_a=b_in_a,
        coverage_a=covered_share(((al.a_start, al.a_end) for al in pair.alignments), text_lengths[0]),
        coverage_b=covered_share(((al.b_start, al.b_end) for al in pair.alignments), text_lengths[1]),
        cross_language=cross_language,
    )


def infer_family_pairs(
    pairs: Sequence[PairScore],
    params: FamilyParams | None = None,
    complete: Callable[[PairScore], PairScore] | None = None,
) -> list[PairScore]:
    """``pairs`` with the pairs inferred through a third document added or upgraded (module docstring).

    A pair that was not in ``pairs`` gets its overlaps, cosine and coverage from
    ``complete`` (they are left 0 without it; see :func:`measured`).  Returns a
    new list sorted by ``(a, b)``; the input is not modified.
    """
    out = {(p.a, p.b): p for p in pairs}
    for key, found in family_links(pairs, params).items():
        existing = out.get(key)
        if existing is not None:
            out[key] = upgraded(existing, found)
        else:
            out[key] = complete(new_pair(key, found)) if complete is not None else new_pair(key, found)
    return [out[k] for k in sorted(out)]
