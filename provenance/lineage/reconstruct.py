"""What an absent source must have said, from the texts that derive from it.

A virtual lineage node (``cited:NAME``, an outlet the documents credit that is
not in the collection, or ``ancestor:A+B``, an inferred common source) has no
text.  Its children, however, render it: the passages they share with one
another, and that neither took from the other, are the absent text as each of
them tells it.  :func:`reconstruct_virtual_nodes` collects, for every virtual
node, those passages as :class:`~provenance.records.PassageGroup` records, one
per passage of the absent text, each with the span every child renders it in.

Grouping.  Every aligned passage pair between two children of the node is a
link between two spans.  Links are merged transitively into groups (union-find),
with two guards so that a chain of partial matches cannot pull everything into
one group:

* inside one group, the spans of one document must all overlap each other by at
  least ``MIN_OVERLAP`` of the shorter one (a document renders a passage once);
  a link that would break this is not followed;
* links are followed strongest first: spans of one document that overlap
  (the same sentence aligned in two pairs) first, then alignments of reuse
  pairs (near-duplicate, rewrite), then the others, each by alignment score.

Passages from pairs the scoring stage rates as reuse are ``significant``; the
others come from same-story pairs whose aligned text is within what
independently written texts of one story share by chance: they may be the
absent source's facts or common knowledge, and are marked so.  Inside a
significant group, ``reuse_docs`` names the renderings a reuse pair aligns; the
others joined the group through chance-level matches only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from provenance.lineage.forest import VIRTUAL_ANCESTOR, VIRTUAL_CITED
from provenance.records import REUSE_RELATIONS, AnalysisResult, PairScore, PassageGroup, Rendering, VirtualNode

CITED_PREFIX = VIRTUAL_CITED  # "cited:NAME": an outlet the documents credit, not in the collection
ANCESTOR_PREFIX = VIRTUAL_ANCESTOR  # "ancestor:A+B": an inferred common source of two documents
MIN_OVERLAP = 0.5  # spans of one document in one group overlap by at least half of the shorter
REUSE = REUSE_RELATIONS


def is_virtual(node_id: str) -> bool:
    """True for virtual lineage nodes (``cited:NAME``, ``ancestor:A+B``): sources without text."""
    return node_id.startswith((CITED_PREFIX, ANCESTOR_PREFIX))


def virtual_kind(node_id: str) -> str:
    """``cited`` (credited by its children), ``ancestor`` (inferred), or "" for a document."""
    if node_id.startswith(CITED_PREFIX):
        return "cited"
    if node_id.startswith(ANCESTOR_PREFIX):
        return "ancestor"
    return ""


def virtual_name(node_id: str) -> str:
    """A readable name for a virtual node (the id itself for a document)."""
    if node_id.startswith(CITED_PREFIX):
        return node_id[len(CITED_PREFIX) :]
    if node_id.startswith(ANCESTOR_PREFIX):
        members = node_id[len(ANCESTOR_PREFIX) :].replace("+", " and ", 1)
        return f"common source of {members}"
    return node_id


def virtual_children(result: AnalysisResult) -> dict[str, list[str]]:
    """Each virtual node's children: documents whose parent it is, or that an edge from it reaches.

    A relay between absent outlets (``cited:Y -> cited:X``: X credited Y)
    passes X's documents on to Y too: they render Y's text through X.
    """
    kids: dict[str, list[str]] = {}
    relays: dict[str, list[str]] = {}
    for d in result.documents:
        if d.parent is not None and is_virtual(d.parent):
            kids.setdefault(d.parent, []).append(d.id)
    for e in result.edges:
        if is_virtual(e.source) and not is_virtual(e.target):
            members = kids.setdefault(e.source, [])
            if e.target not in members:
                members.append(e.target)
        elif is_virtual(e.source):
            relays.setdefault(e.source, []).append(e.target)
    for node in list(relays):
        seen, stack = {node}, list(relays[node])
        while stack:
            via = stack.pop()
            if via in seen:
                continue
            seen.add(via)
            stack += relays.get(via, [])
            members = kids.setdefault(node, [])
            members += [k for k in kids.get(via, []) if k not in members]
    return kids


Span = tuple[str, int, int]  # (doc_id, start, end)


@dataclass(frozen=True)
class _Link:
    x: Span
    y: Span
    priority: int  # 0: same document, overlapping; 1: reuse pair; 2: other pair
    score: float
    p_value: float


def _compatible(s: Span, t: Span) -> bool:
    overlap = min(s[2], t[2]) - max(s[1], t[1])
    return overlap > 0 and overlap >= MIN_OVERLAP * min(s[2] - s[1], t[2] - t[1])


class _Groups:
    """Union-find over spans that refuses merges putting two distant spans of one document together."""

    def __init__(self) -> None:
        self.root: dict[Span, Span] = {}
        self.members: dict[Span, list[Span]] = {}
        self.score: dict[Span, float] = {}
        self.p_value: dict[Span, float] = {}
        self.significant: dict[Span, bool] = {}
        self.reuse_spans: set[Span] = set()  # ends of a reuse-pair alignment followed into a group

    def add(self, s: Span) -> None:
        if s not in self.root:
            self.root[s] = s
            self.members[s] = [s]
            self.score[s], self.p_value[s], self.significant[s] = 0.0, 1.0, False

    def find(self, s: Span) -> Span:
        while self.root[s] != s:
            self.root[s] = self.root[self.root[s]]
            s = self.root[s]
        return s

    def link(self, link: _Link) -> None:
        rx, ry = self.find(link.x), self.find(link.y)
        if rx != ry:
            mx, my = self.members[rx], self.members[ry]
            if not all(_compatible(s, t) for s in mx for t in my if s[0] == t[0]):
                return
            if len(mx) < len(my):
                rx, ry, mx, my = ry, rx, my, mx
            self.root[ry] = rx
            mx.extend(my)
            del self.members[ry]
            self.score[rx] = max(self.score[rx], self.score.pop(ry))
            self.p_value[rx] = min(self.p_value[rx], self.p_value.pop(ry))
            self.significant[rx] = self.significant[rx] or self.significant.pop(ry)
        if link.priority > 0:  # an alignment (not a same-document overlap) gives the group its strength
            self.score[rx] = max(self.score[rx], link.score)
            self.p_value[rx] = min(self.p_value[rx], link.p_value)
            self.significant[rx] = self.significant[rx] or link.priority == 1
            if link.priority == 1:
                self.reuse_spans.update((link.x, link.y))


def _alignment_links(pairs: Iterable[PairScore], lengths: dict[str, int]) -> list[_Link]:
    links = []
    for p in pairs:
        priority = 1 if p.relation in REUSE else 2
        for al in p.alignments:
            x = (p.a, max(0, al.a_start), min(al.a_end, lengths[p.a]))
            y = (p.b, max(0, al.b_start), min(al.b_end, lengths[p.b]))
            if x[2] > x[1] and y[2] > y[1]:
                links.append(_Link(x, y, priority, al.score, p.p_value))
    return links


def _overlap_links(spans: Iterable[Span]) -> list[_Link]:
    by_doc: dict[str, list[Span]] = {}
    for s in set(spans):
        by_doc.setdefault(s[0], []).append(s)
    links = []
    for doc_spans in by_doc.values():
        doc_spans.sort()
        for i, s in enumerate(doc_spans):
            for t in doc_spans[i + 1 :]:
                if t[1] >= s[2]:
                    break
                if _compatible(s, t):
                    links.append(_Link(s, t, 0, 1.0, 1.0))
    return links


def group_passages(result: AnalysisResult, children: Sequence[str]) -> list[PassageGroup]:
    """The passages ``children`` share with one another, grouped across documents (module docstring).

    Each group has one rendering per document (the hull of its spans in the
    group), in the order of ``children``; groups are ordered by their mean
    relative position in the texts that render them (an estimate of their order
    in the absent text).
    """
    kids = set(children)
    lengths = {k: len(result.texts.get(k, "")) for k in kids}
    pairs = [p for p in result.pairs if p.a in kids and p.b in kids and p.a != p.b and not p.via]
    links = _alignment_links(pairs, lengths)
    links += _overlap_links([s for lk in links for s in (lk.x, lk.y)])
    links.sort(key=lambda lk: (lk.priority, -lk.score, lk.x, lk.y))
    groups = _Groups()
    for lk in links:
        groups.add(lk.x)
        groups.add(lk.y)
        groups.link(lk)

    order = {k: i for i, k in enumerate(children)}
    out: list[tuple[float, PassageGroup]] = []
    for root, members in groups.members.items():
        hull: dict[str, tuple[int, int]] = {}
        for doc_id, s, e in members:
            lo, hi = hull.get(doc_id, (s, e))
            hull[doc_id] = (min(lo, s), max(hi, e))
        if len(hull) < 2:
            continue
        renderings = [
            Rendering(doc_id, s, e, result.texts[doc_id][s:e])
            for doc_id, (s, e) in sorted(hull.items(), key=lambda kv: (order[kv[0]], kv[1]))
        ]
        position = sum(r.start / max(1, lengths[r.doc_id]) for r in renderings) / len(renderings)
        reuse = {s[0] for s in members if s in groups.reuse_spans}
        group = PassageGroup(
            renderings,
            groups.score[root],
            groups.p_value[root],
            groups.significant[root],
            [r.doc_id for r in renderings if r.doc_id in reuse],
        )
        out.append((position, group))
    out.sort(key=lambda pg: (pg[0], order[pg[1].renderings[0].doc_id], pg[1].renderings[0].start))
    return [g for _, g in out]


def reconstruct_virtual_nodes(result: AnalysisResult) -> list[VirtualNode]:
    """Every virtual node of ``result`` with its children and the passages they share (module docstring)."""
    return [
        VirtualNode(node, virtual_name(node), virtual_kind(node), kids, group_passages(result, kids))
        for node, kids in sorted(virtual_children(result).items())
    ]
