"""Per-document provenance maps: which passage of a text comes from where.

:func:`passage_sources` splits one document's text into consecutive spans, each
labelled with the document (or virtual cited source) it was aligned to, or
``None`` for text that is not aligned to anything ("original" in this
collection).  When several alignments cover the same characters, the most
trusted one wins, in this order:

1. ``parent`` -- alignments with the document's lineage parent (for a virtual
   parent ``cited:NAME``, which has no text, the alignments of reuse pairs with
   the other documents that derive from the same ``cited:NAME``);
2. ``lineage`` -- alignments with the source of another incoming lineage edge;
3. ``undetermined`` -- alignments along a lineage edge whose direction could not
   be decided (either end);
4. ``shared`` -- alignments of any other reuse pair (near-duplicate, contained or rewrite), unless the
   other document derives from this one (then the text is this document's own);
5. ``chance`` -- alignments of a pair the scoring stage rates as same story
   (aligned text within what independent texts of one story share by chance),
   unless a lineage edge joins the two documents: marked, never counted as
   derived text.

Ties inside one level go to the higher alignment score.  The ``parent`` spans
are the document's derived text: :func:`derived_share` is their share of it.

Shares count the characters inside the text's passages (sentence-like units,
:func:`provenance.normalize.segment.split_passages`), not the blank between
them: the scoring stage counts a pair's coverage the same way, so a document's
derived share from a document parent is exactly the coverage of that pair.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from provenance.lineage.reconstruct import is_virtual, virtual_kind
from provenance.normalize.segment import split_passages
from provenance.records import REUSE_RELATIONS, AnalysisResult, LineageEdge, PairScore
from provenance.scoring.align import MAX_PASSAGES

VIA_PARENT = "parent"
VIA_LINEAGE = "lineage"
VIA_UNDETERMINED = "undetermined"
VIA_SHARED = "shared"
VIA_CHANCE = "chance"
VIA_ORIGINAL = "original"

_RANK = {VIA_PARENT: 0, VIA_LINEAGE: 1, VIA_UNDETERMINED: 2, VIA_SHARED: 3, VIA_CHANCE: 4}
_REUSE = REUSE_RELATIONS


@dataclass(frozen=True)
class SourcedSpan:
    """A span ``text[start:end]`` of one document and where it comes from.

    ``source`` is a document id, a virtual id ``cited:NAME`` or ``None`` (original).
    ``pair`` is the ``(a, b)`` key of the :class:`PairScore` whose alignment
    number ``alignment`` covers the span; ``edge`` the ``(source, target)`` of the
    lineage edge that justified the attribution, when there is one.  ``via`` is
    one of ``parent``, ``lineage``, ``undetermined``, ``shared``, ``chance``,
    ``original``.  For ``chance`` spans ``source`` is the other document.
    """

    start: int
    end: int
    source: str | None
    score: float = 0.0
    pair: tuple[str, str] | None = None
    alignment: int | None = None
    edge: tuple[str, str] | None = None
    via: str = VIA_ORIGINAL

    @property
    def is_original(self) -> bool:
        return self.source is None


_NOTES = {"cited": "credited, not in the collection", "ancestor": "inferred, not in the collection"}


def virtual_note(node_id: str) -> str:
    """How a virtual node came about, for the reader ("" for a document)."""
    return _NOTES.get(virtual_kind(node_id), "")


class PairIndex:
    """Pairs and edges of a result indexed by document, built once per report."""

    def __init__(self, result: AnalysisResult) -> None:
        self.result = result
        self.pairs: dict[tuple[str, str], PairScore] = {}
        self.pairs_of: dict[str, list[PairScore]] = {}
        for p in result.pairs:
            self.pairs[(p.a, p.b)] = p
            self.pairs_of.setdefault(p.a, []).append(p)
            self.pairs_of.setdefault(p.b, []).append(p)
        self.incoming: dict[str, list[LineageEdge]] = {}
        self.outgoing: dict[str, list[LineageEdge]] = {}
        for e in result.edges:
            self.incoming.setdefault(e.target, []).append(e)
            self.outgoing.setdefault(e.source, []).append(e)
        self.parent: dict[str, str | None] = {d.id: d.parent for d in result.documents}

    def pair(self, x: str, y: str) -> PairScore | None:
        return self.pairs.get((x, y)) or self.pairs.get((y, x))

    def edge(self, source: str, target: str) -> LineageEdge | None:
        for e in self.outgoing.get(source, ()):
            if e.target == target:
                return e
        return None

    def ancestors(self, doc_id: str) -> set[str]:
        """Ids on the parent chain above ``doc_id`` (cycle-safe)."""
        seen: set[str] = set()
        cur = self.parent.get(doc_id)
        while cur is not None and cur not in seen:
            seen.add(cur)
            cur = self.parent.get(cur)
        return seen

    def descends_from(self, doc_id: str, ancestor: str) -> bool:
        """True when ``doc_id`` derives from ``ancestor`` (parent chain or a determined edge)."""
        if ancestor in self.ancestors(doc_id):
            return True
        return any(e.source == ancestor and e.direction != "undetermined" for e in self.incoming.get(doc_id, ()))


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    rank: int
    score: float
    source: str
    pair: tuple[str, str]
    alignment: int
    edge: tuple[str, str] | None
    via: str


def _spans_in(pair: PairScore, doc_id: str) -> Iterable[tuple[int, int, int, float]]:
    """(index, start, end, score) of the pair's alignments on ``doc_id``'s side."""
    for i, al in enumerate(pair.alignments):
        if pair.a == doc_id:
            yield i, al.a_start, al.a_end, al.score
        else:
            yield i, al.b_start, al.b_end, al.score


def _candidates(index: PairIndex, doc_id: str) -> list[_Candidate]:
    out: list[_Candidate] = []
    used_pairs: set[tuple[str, str]] = set()

    def add(other: str, source: str, via: str, edge: LineageEdge | None, linked: bool = True) -> None:
        """``linked``: a lineage edge joins ``doc_id`` and ``other`` themselves (any relation counts)."""
        pair = index.pair(doc_id, other)
        if pair is None or not pair.alignments:
            return
        key = (pair.a, pair.b)
        if key in used_pairs:
            return
        if not linked and pair.relation not in _REUSE:
            source, via, edge = other, VIA_CHANCE, None
        used_pairs.add(key)
        ekey = (edge.source, edge.target) if edge is not None else None
        for i, s, e, sc in _spans_in(pair, doc_id):
            out.append(_Candidate(s, e, _RANK[via], sc, source, key, i, ekey, via))

    def add_edge(edge: LineageEdge, via: str) -> None:
        src = edge.source if edge.target == doc_id else edge.target
        if is_virtual(src):
            # The cited source has no text: use the text shared with its other offspring.
            for sib in index.outgoing.get(src, ()):
                if sib.target != doc_id:
                    add(sib.target, src, via, edge, linked=False)
        else:
            add(src, src, via, edge)

    incoming = index.incoming.get(doc_id, [])
    parent = index.parent.get(doc_id)
    if parent is not None:
        pedge = index.edge(parent, doc_id)
        if pedge is not None:
            add_edge(pedge, VIA_PARENT)
        elif is_virtual(parent):
            for sib in index.outgoing.get(parent, ()):
                if sib.target != doc_id:
                    add(sib.target, parent, VIA_PARENT, None, linked=False)
        else:
            add(parent, parent, VIA_PARENT, None)
    for e in incoming:
        if e.source == parent:
            continue
        add_edge(e, VIA_UNDETERMINED if e.direction == "undetermined" else VIA_LINEAGE)
    for e in index.outgoing.get(doc_id, []):
        if e.direction == "undetermined":
            add_edge(e, VIA_UNDETERMINED)
    for p in index.pairs_of.get(doc_id, []):
        other = p.b if p.a == doc_id else p.a
        if p.relation in _REUSE and index.descends_from(other, doc_id):
            continue  # the other copied from this one: the text is this document's own
        add(other, other, VIA_SHARED, None, linked=False)
    return out


def passage_sources(result: AnalysisResult, doc_id: str, index: PairIndex | None = None) -> list[SourcedSpan]:
    """Split ``doc_id``'s text into spans labelled with where each comes from.

    The spans are sorted, do not overlap and cover the whole text (an empty text
    gives an empty list).  See the module docstring for the precedence rules.
    ``index`` may be passed to reuse a :class:`PairIndex` across documents.
    """
    text = result.texts.get(doc_id, "")
    n = len(text)
    if n == 0:
        return []
    idx = index if index is not None else PairIndex(result)
    cands = []
    for c in _candidates(idx, doc_id):
        s, e = max(0, min(c.start, n)), max(0, min(c.end, n))
        if e > s:
            cands.append(_Candidate(s, e, c.rank, c.score, c.source, c.pair, c.alignment, c.edge, c.via))
    cands.sort(key=lambda c: c.start)
    bounds = sorted({0, n, *(c.start for c in cands), *(c.end for c in cands)})
    heap: list[tuple[int, float, int]] = []
    spans: list[SourcedSpan] = []
    nxt = 0
    for p, q in zip(bounds, bounds[1:], strict=False):
        while nxt < len(cands) and cands[nxt].start <= p:
            c = cands[nxt]
            heapq.heappush(heap, (c.rank, -c.score, nxt))
            nxt += 1
        while heap and cands[heap[0][2]].end <= p:
            heapq.heappop(heap)
        if heap:
            c = cands[heap[0][2]]
            span = SourcedSpan(p, q, c.source, c.score, c.pair, c.alignment, c.edge, c.via)
        else:
            span = SourcedSpan(p, q, None)
        if spans and _same(spans[-1], span):
            spans[-1] = SourcedSpan(
                spans[-1].start,
                q,
                span.source,
                span.score,
                span.pair,
                span.alignment,
                span.edge,
                span.via,
            )
        else:
            spans.append(span)
    return spans


def _same(x: SourcedSpan, y: SourcedSpan) -> bool:
    return (x.source, x.pair, x.alignment, x.edge, x.via) == (y.source, y.pair, y.alignment, y.edge, y.via)


class PassageChars:
    """Counts the characters of a text that lie inside its passages (the unit of every share).

    Holds the passages' spans (sorted, disjoint) and the characters inside passages before
    each one; a count is two binary searches, whatever the text's length.
    """

    def __init__(self, text: str) -> None:
        spans = [(p.start, p.end) for p in split_passages(text)[:MAX_PASSAGES]]
        if not spans:  # no passage at all: every character counts
            spans = [(0, len(text))]
        self._length = len(text)
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]
        self._before = list(accumulate((e - s for s, e in spans), initial=0))

    @property
    def total(self) -> int:
        return self._before[-1]

    def _inside_before(self, offset: int) -> int:
        k = bisect_right(self._starts, offset) - 1
        if k < 0:
            return 0
        start = self._starts[k]
        return self._before[k] + min(offset, self._ends[k]) - start

    def count(self, start: int, end: int) -> int:
        n = self._length
        start, end = max(0, min(start, n)), max(0, min(end, n))
        return self._inside_before(end) - self._inside_before(start) if end > start else 0

    def share(self, spans: Iterable[SourcedSpan]) -> float:
        """Share of the counted characters that ``spans`` cover (spans must not overlap)."""
        return sum(self.count(s.start, s.end) for s in spans) / self.total if self.total else 0.0


def derived_share(spans: Iterable[SourcedSpan], chars: PassageChars) -> float:
    """Share of a text in its ``parent`` spans: what it took from its parent (see the module docstring)."""
    return chars.share(s for s in spans if s.via == VIA_PARENT)
