"""Direction evidence for one reuse pair: did A's text go to B, or B's to A?

Each piece of evidence is an :class:`~provenance.records.Evidence` with a signed
weight (positive: A -> B).  The kinds, with their weights:

* ``published`` (+/-2.0): the earlier publication is the source; only when both
  times are known and differ.
* ``citation`` (+/-1.5): B credits A's outlet (or A credits B's).
* ``reference-source`` (+3.0): A was declared a known original (``--source``).
* ``coverage`` (up to +/-1.0): the copy is mostly made of the source's text, the
  source has more besides: ``coverage_b - coverage_a`` (for verbatim copies,
  near-duplicate or contained, ``containment_b_in_a - containment_a_in_b``: a
  text contained in a longer one is taken as its excerpt).
* ``lost-information`` (up to +/-1.0): specific details (numbers, names) that
  only one side's aligned passages hold.  A copy can lose the source's details
  but cannot invent the source's missing ones from it, so details only in A
  point to A -> B: ``(only_a - only_b) / (only_a + only_b + 2)``.

When both sides hold details the other lacks (``min(only_a, only_b) >=
common_ancestor_details``) and the external evidence (dates, credits, declared
originals) does not decide, neither can have taken the shared text from the
other: the pair is reported as sharing a common ancestor not in the collection.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, time

from provenance.lineage.detailscan import NUMBER, clear_codes, detail_spans
from provenance.records import VERBATIM_RELATIONS, Document, Evidence, PairScore

EXTERNAL_KINDS = frozenset({"published", "citation", "reference-source"})


@dataclass(frozen=True)
class DirectionParams:
    published_weight: float = 2.0
    citation_weight: float = 1.5
    reference_weight: float = 3.0
    coverage_weight: float = 1.0
    details_weight: float = 1.0
    undetermined_below: float = 0.3  # |total weight| under this: direction undetermined
    common_ancestor_details: int = 2


@dataclass(frozen=True)
class DirectionEvidence:
    """Evidence for A -> B (positive total) or B -> A (negative)."""

    evidence: tuple[Evidence, ...]
    only_a: tuple[str, ...]  # details only A's aligned passages hold
    only_b: tuple[str, ...]

    @property
    def total(self) -> float:
        return sum(e.weight for e in self.evidence)

    @property
    def external(self) -> float:
        """Evidence from outside the texts' content: dates, credits, declared originals."""
        return sum(e.weight for e in self.evidence if e.kind in EXTERNAL_KINDS)


def publication_order(a: datetime | None, b: datetime | None) -> int:
    """+1 if ``a`` was published first, -1 if ``b`` was, 0 if unknown or not distinguishable.

    A time of exactly midnight is read as "only the day is known" (the loader
    stores date-only values that way), so it is compared with the other by day.
    """
    if a is None or b is None:
        return 0
    if a.time() == time(0) or b.time() == time(0):
        da, db = a.date(), b.date()
        return (da < db) - (da > db)
    return (a < b) - (a > b)


def _number_key(token: str) -> str:
    """A number without its separators, so "4.949", "4,949" and "4949" are one detail."""
    return re.sub(r"[.,]", "", token)


def details(text: str) -> frozenset[str]:
    """Specific details of a passage: numbers and capitalised words not opening a sentence.

    A word after an opening quote, a dash or a colon opens a sentence; in a
    line written in Title Case (most words capitalised: a headline) only the
    numbers count.

    Numbers are keyed without separators (:func:`_number_key`), words casefolded.
    The rules, exactly, and how they are run: :mod:`provenance.lineage.detailscan`.
    """
    return span_details(text, 0, len(text))


@functools.lru_cache(maxsize=1 << 16)  # a passage recurs in every pair it is aligned in
def span_details(text: str, start: int, end: int) -> frozenset[str]:
    """:func:`details` of ``text[start:end]``."""
    spans = detail_spans(text, start, end)
    return frozenset(_number_key(text[a:b]) if kind == NUMBER else text[a:b].casefold() for a, b, kind in spans)


@functools.lru_cache(maxsize=2048)  # a document is in many pairs; build_lineage clears it when done
def _vocabulary(text: str) -> frozenset[str]:
    """Every casefolded word and every separator-free number of ``text``."""
    words = {w.casefold() for w in re.findall(r"\w+", text)}
    return frozenset(words | {_number_key(n) for n in re.findall(r"\d+(?:[.,]\d+)*", text)})


def clear_caches() -> None:
    """Drop the cached details and vocabularies (they hold references to the texts)."""
    span_details.cache_clear()
    _vocabulary.cache_clear()
    clear_codes()


def exclusive_details(
    pair: PairScore, text_a: str, text_b: str, ignore: frozenset[str] = frozenset()
) -> tuple[set[str], set[str]]:
    """Details in A's aligned passages absent from all of B, and vice versa.

    ``ignore`` holds casefolded words that are not content details, such as
    the names of credited outlets: a copy that adds "according to Reuters"
    has not added a fact of the story.
    """
    da: set[str] = set()
    db: set[str] = set()
    for al in pair.alignments:
        da |= span_details(text_a, al.a_start, al.a_end)
        db |= span_details(text_b, al.b_start, al.b_end)
    return da - _vocabulary(text_b) - ignore, db - _vocabulary(text_a) - ignore


def direction_evidence(
    pair: PairScore,
    doc_a: Document,
    doc_b: Document,
    cited_by_a: set[str],
    cited_by_b: set[str],
    outlet_a: str | None,
    outlet_b: str | None,
    reference_ids: set[str],
    params: DirectionParams | None = None,
    ignore_details: frozenset[str] = frozenset(),
) -> DirectionEvidence:
    """Collect the evidence listed in the module docstring for the pair ``(A, B)``."""
    params = params or DirectionParams()
    ev: list[Evidence] = []
    order = publication_order(doc_a.published, doc_b.published)
    if order:
        sign = float(order)
        first, second = (doc_a, doc_b) if sign > 0 else (doc_b, doc_a)
        ev.append(
            Evidence(
                "published",
                sign * params.published_weight,
                f"{first.id} published {first.published:%Y-%m-%d %H:%M}, before {second.id} "
                f"({second.published:%Y-%m-%d %H:%M})",
            )
        )
    if outlet_a and outlet_a in cited_by_b:
        ev.append(Evidence("citation", params.citation_weight, f"{doc_b.id} credits {outlet_a}"))
    if outlet_b and outlet_b in cited_by_a:
        ev.append(Evidence("citation", -params.citation_weight, f"{doc_a.id} credits {outlet_b}"))
    if doc_a.id in reference_ids and doc_b.id not in reference_ids:
        ev.append(Evidence("reference-source", params.reference_weight, f"{doc_a.id} is a declared original"))
    if doc_b.id in reference_ids and doc_a.id not in reference_ids:
        ev.append(Evidence("reference-source", -params.reference_weight, f"{doc_b.id} is a declared original"))

    if pair.relation in VERBATIM_RELATIONS:  # near-duplicate, or contained: the excerpt is the copy
        share_a, share_b, what = pair.containment_a_in_b, pair.containment_b_in_a, "of its shingles shared"
    else:
        share_a, share_b, what = pair.coverage_a, pair.coverage_b, "of its text aligned"
    diff = share_b - share_a
    if abs(diff) >= 0.02:
        ev.append(
            Evidence(
                "coverage",
                params.coverage_weight * max(-1.0, min(1.0, 2 * diff)),
                f"{doc_b.id} has {share_b:.0%} {what}, {doc_a.id} {share_a:.0%} (a copy is mostly made of its source)",
            )
        )
    only_a, only_b = exclusive_details(pair, doc_a.text, doc_b.text, ignore_details)
    if only_a or only_b:
        w = params.details_weight * (len(only_a) - len(only_b)) / (len(only_a) + len(only_b) + 2)
        ev.append(
            Evidence(
                "lost-information",
                w,
                f"details only in {doc_a.id}'s aligned passages: {', '.join(sorted(only_a)[:6]) or 'none'}; "
                f"only in {doc_b.id}'s: {', '.join(sorted(only_b)[:6]) or 'none'}",
            )
        )
    return DirectionEvidence(tuple(ev), tuple(sorted(only_a)), tuple(sorted(only_b)))
