"""The report's content, computed once from an :class:`AnalysisResult`.

The HTML and Markdown renderers both format this model, so they always say the
same thing.  Conventions:

* a document is named by its headline (its title, else the first line of its
  text); its id comes second, in small type;
* a document's **derived share** is the share of its characters that its map
  attributes to its parent (:func:`provenance.report.provenance_map.derived_share`);
  the table, the map and the summary all show this one figure.  When the parent
  is a source without text and no passage of the document is shared with the
  other texts deriving from it, the share is unknown ("n/a");
* in a map, passages are coloured by the document they match (the same colour
  for a document throughout the report when the collection has at most
  ``N_COLOURS`` documents); passages of pairs the scoring stage rates as the
  same story at chance level are marked, not coloured, and never counted;
* every side-by-side view describes its own pair.

Size rules (so a 1,000-document report stays usable):

* the lineage picture is capped at ``MAX_GRAPH_NODES`` nodes (see ``graph.py``);
* every document gets a table row (the table scrolls inside its box when long);
* every document gets a provenance map when the collection has at most
  ``MAX_MAPS`` documents; above that, the ``MAX_MAPS`` documents with the most
  reused text get one, with a note;
* a side-by-side view shows at most ``MAX_ALIGNED_ROWS`` aligned passages, each
  cut at ``MAX_PASSAGE_CHARS`` characters, and a map at most ``MAX_VIEWS_PER_DOC``
  side-by-side views (the texts covering the most of it);
* a reconstructed absent source lists at most ``MAX_ABSENT_PASSAGES`` passages;
* document sections start open only for collections of at most
  ``OPEN_SECTIONS_UP_TO`` documents; side-by-side views always start collapsed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from provenance.lineage.reconstruct import ANCESTOR_PREFIX, is_virtual, reconstruct_virtual_nodes, virtual_name
from provenance.records import (
    REUSE_RELATIONS,
    AnalysisResult,
    DocumentInfo,
    LineageEdge,
    PairScore,
    PassageGroup,
    Relation,
)
from provenance.report.graph import (
    EDGE_STYLES,
    MAX_GRAPH_NODES,
    ROLE_ORIGINAL,
    ROLE_STANDALONE,
    ROLE_VIRTUAL,
    ROLE_WORDS,
    LineageGraph,
    RenderedGraph,
    build_graph,
    node_roles,
    render_graph,
)
from provenance.report.names import headline, pct, safe_url
from provenance.report.provenance_map import (
    VIA_CHANCE,
    VIA_LINEAGE,
    VIA_PARENT,
    VIA_SHARED,
    VIA_UNDETERMINED,
    PairIndex,
    PassageChars,
    SourcedSpan,
    derived_share,
    passage_sources,
    virtual_note,
)

MAX_MAPS = 1500
MAX_ALIGNED_ROWS = 60
MAX_PASSAGE_CHARS = 1200
MAX_VIEWS_PER_DOC = 25
MAX_ABSENT_PASSAGES = 60
OPEN_SECTIONS_UP_TO = 8
N_COLOURS = 10
REUSE = REUSE_RELATIONS

RELATION_WORDS = {
    Relation.NEAR_DUPLICATE.value: "near-duplicate",
    Relation.CONTAINED.value: "contained",
    Relation.REWRITE.value: "rewrite",
    Relation.SAME_STORY.value: "same story",
    Relation.UNRELATED.value: "unrelated",
}

VIA_WORDS = {
    VIA_PARENT: "taken from its parent",
    VIA_LINEAGE: "taken from another text it derives from",
    VIA_UNDETERMINED: "shared text, which came first is undetermined",
    VIA_SHARED: "shared text, no lineage link",
    VIA_CHANCE: "same story, matching at chance level (not counted)",
}


@dataclass(frozen=True)
class Ref:
    """A document or virtual source as shown to the reader."""

    id: str
    label: str  # a document's headline, a virtual source's name
    anchor: str | None = None
    virtual: bool = False
    outlet: str | None = None
    url: str | None = None  # http(s) only
    colour: int | None = None  # the document's colour throughout the report (small collections)

    @property
    def note(self) -> str:
        """For a virtual source: "credited, not in the collection" or "inferred, not in the collection"."""
        return virtual_note(self.id) if self.virtual else ""

    @property
    def short_note(self) -> str:
        return self.note.split(",")[0]

    @property
    def long_label(self) -> str:
        """The name for a sentence: “Headline” (Outlet), or a virtual source's name."""
        if self.virtual:
            return self.label
        quoted = f"“{self.label}”"
        return f"{quoted} ({self.outlet})" if self.outlet else quoted


@dataclass(frozen=True)
class CountItem:
    label: str
    count: int


@dataclass(frozen=True)
class SharedLink:
    """A reuse pair (near-duplicate, contained or rewrite) between two documents of the collection."""

    a: Ref
    b: Ref
    relation: str
    n_passages: int
    p_value: float
    lineage: str  # how lineage joins them, in words
    href: str | None  # the side-by-side view of the pair


@dataclass(frozen=True)
class Summary:
    n_documents: int
    n_skipped: int
    languages: list[CountItem]
    clusters: list[CountItem]
    relations: list[CountItem]
    cited: list[CountItem]
    originals: list[Ref]  # documents at the root of a lineage tree with offspring
    virtual_roots: list[Ref]  # sources outside the collection that documents hang under
    n_derived: int  # documents with a parent (any kind)
    n_from_collection: int  # parent is a document of the collection
    n_from_credited: int  # parent is a credited source that is not in the collection
    n_from_inferred: int  # parent is an inferred common source
    n_standalone: int
    n_edges: int
    n_undetermined: int
    shared: list[SharedLink]
    relays: list[tuple[Ref, Ref]] = field(default_factory=list)  # (cited:Y, cited:X): absent X relays absent Y


@dataclass(frozen=True)
class DocRow:
    index: int
    ref: Ref
    outlet: str | None
    language: str | None
    published: str | None
    title: str | None
    parent: Ref | None
    parent_confidence: float | None
    parent_direction: str | None
    derived_share: float | None  # None: unknown (its parent has no text, nothing shared with its siblings)
    cited: list[str]
    relations: list[CountItem]
    role: str
    n_children: int
    is_reference_source: bool

    @property
    def derived_text(self) -> str:
        """The derived share as shown everywhere ("59 %" or "n/a")."""
        return "n/a" if self.derived_share is None else pct(self.derived_share)


@dataclass(frozen=True)
class EvidenceRow:
    kind: str
    weight: float
    detail: str

    @property
    def supports(self) -> bool:
        return self.weight >= 0


@dataclass(frozen=True)
class AlignedRow:
    anchor: str
    this_text: str
    other_text: str
    score: float
    in_order: bool
    this_start: int
    other_start: int


@dataclass(frozen=True)
class SideBySide:
    anchor: str
    colour: int | None  # None: a chance-level match
    source: Ref  # what the passages are attributed to (may be virtual)
    other: Ref  # the document whose text is on the right
    via: str
    heading: str
    relation: str
    jaccard: float
    tfidf_cosine: float
    containment_this_in_other: float
    containment_other_in_this: float
    coverage_this: float
    coverage_other: float
    p_value: float
    pair_text: str  # what the two texts share, and how significant that is
    edge_text: str | None  # how lineage relates the two texts
    edge_confidence: float | None
    edge_direction: str | None
    evidence: list[EvidenceRow]
    rows: list[AlignedRow]
    n_hidden_rows: int

    @property
    def chance(self) -> bool:
        return self.via == VIA_CHANCE


@dataclass(frozen=True)
class CiteMark:
    start: int  # relative to the segment
    end: int
    name: str
    cue: str


@dataclass(frozen=True)
class Segment:
    text: str
    source: Ref | None  # the matching document (None: text found nowhere else)
    colour: int | None  # None for original text and chance-level matches
    href: str | None
    title: str
    via: str
    cites: list[CiteMark] = field(default_factory=list)

    @property
    def chance(self) -> bool:
        return self.via == VIA_CHANCE


@dataclass(frozen=True)
class LegendItem:
    source: Ref  # the matching document
    colour: int | None
    share: float
    via: str
    href: str | None
    words: str  # how it relates to this document


@dataclass(frozen=True)
class DocSection:
    row: DocRow
    anchor: str
    has_text: bool
    n_chars: int
    original_share: float
    chance_share: float
    derived_words: str  # what the derived share is made of, e.g. "taken from its parent “X”"
    segments: list[Segment]
    legend: list[LegendItem]
    views: list[SideBySide]
    n_hidden_views: int
    open: bool


@dataclass(frozen=True)
class ClusterView:
    kind: str
    members: list[Ref]


@dataclass(frozen=True)
class AbsentRendering:
    ref: Ref
    colour: int | None
    text: str
    start: int
    chance: bool = False  # in a significant passage, but aligned to it only at chance level


@dataclass(frozen=True)
class AbsentPassage:
    index: int
    significant: bool
    p_value: float
    renderings: list[AbsentRendering]


@dataclass(frozen=True)
class AbsentSource:
    """A virtual node and what its children say of it (see :mod:`provenance.lineage.reconstruct`)."""

    ref: Ref
    anchor: str
    children: list[Ref]
    passages: list[AbsentPassage]  # shared by a reuse pair: what it must have said
    chance: list[AbsentPassage]  # shared only at chance level: it may have said
    n_hidden: int


@dataclass
class ReportModel:
    title: str
    generated: str
    summary: Summary
    rows: list[DocRow]
    sections: list[DocSection]
    clusters: list[ClusterView]
    graph: LineageGraph
    rendered: RenderedGraph
    skipped: list[tuple[str, str]]
    notes: list[str]
    undetermined: list[tuple[Ref, Ref, float]]
    absent: list[AbsentSource] = field(default_factory=list)
    edge_kinds: list[str] = field(default_factory=list)  # link kinds drawn, in EDGE_STYLES order
    node_roles: list[str] = field(default_factory=list)  # node roles drawn, in ROLE_WORDS order


def _fmt_date(d: datetime | None) -> str | None:
    if d is None:
        return None
    if d.hour == d.minute == d.second == 0 and d.tzinfo is None:
        return d.strftime("%Y-%m-%d")
    return d.strftime("%Y-%m-%d %H:%M")


def _cut(s: str, n: int = MAX_PASSAGE_CHARS) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


class _Refs:
    """Refs of documents and virtual sources, built once per report."""

    def __init__(self, result: AnalysisResult, virtual_ids: list[str]) -> None:
        self.docs: dict[str, DocumentInfo] = {d.id: d for d in result.documents}
        self.anchors = {d.id: f"doc-{i}" for i, d in enumerate(result.documents)}
        self.anchors.update({v: f"absent-{i}" for i, v in enumerate(virtual_ids)})
        self.global_colours = len(result.documents) <= N_COLOURS
        self.refs: dict[str, Ref] = {}
        for i, d in enumerate(result.documents):
            head = headline(d.title, result.texts.get(d.id, ""), d.id)
            colour = i % N_COLOURS if self.global_colours else None
            url = safe_url(result.urls.get(d.id))
            self.refs[d.id] = Ref(d.id, head, self.anchors[d.id], False, d.outlet, url, colour)

    def __call__(self, node_id: str) -> Ref:
        r = self.refs.get(node_id)
        if r is not None:
            return r
        if is_virtual(node_id):
            return Ref(node_id, virtual_name(node_id), self.anchors.get(node_id), True)
        return Ref(node_id, node_id, self.anchors.get(node_id))


class _Palette:
    """Colours of the documents matched in one map: the report-wide colour, else assigned in order."""

    def __init__(self, ref: _Refs) -> None:
        self.ref = ref
        self.local: dict[str, int] = {}

    def __call__(self, doc_id: str) -> int:
        r = self.ref(doc_id)
        if r.colour is not None:
            return r.colour
        return self.local.setdefault(doc_id, len(self.local) % N_COLOURS)


def _edge_text(edge: LineageEdge, ref: _Refs) -> str:
    s, t = ref(edge.source), ref(edge.target)
    if edge.direction == "undetermined":
        return (
            f"{s.long_label} and {t.long_label} share text, but which one came first could not be decided "
            f"(confidence {edge.confidence:.2f})."
        )
    if s.virtual and s.id.startswith(ANCESTOR_PREFIX):
        return (
            f"{t.long_label} and another text share passages that neither took from the other: both most "
            f"likely derive from a source that is not in the collection (confidence {edge.confidence:.2f})."
        )
    if s.virtual:
        return (
            f"{t.long_label} most likely derives from {s.long_label}, a source credited in the text "
            f"that is not in the collection (confidence {edge.confidence:.2f})."
        )
    if edge.direction == "common-ancestor":
        return (
            f"{t.long_label} and {s.long_label} most likely derive from a common source "
            f"(confidence {edge.confidence:.2f})."
        )
    return f"{t.long_label} most likely derives from {s.long_label} (confidence {edge.confidence:.2f})."


def _pair_text(pair: PairScore, this_is_a: bool, other: Ref) -> str:
    """What the two texts of ``pair`` share, and how much that says (for the pair's own view)."""
    n = len(pair.alignments)
    in_order = sum(1 for al in pair.alignments if al.in_order)
    cov_this, cov_other = (pair.coverage_a, pair.coverage_b) if this_is_a else (pair.coverage_b, pair.coverage_a)
    text = (
        f"This text and {other.long_label} have {n} aligned passage{'' if n == 1 else 's'}"
        f" ({in_order} in the same order in both), covering {pct(cov_this)} of this text "
        f"and {pct(cov_other)} of the other."
    )
    if pair.relation is Relation.NEAR_DUPLICATE:
        return text + " They are near-duplicates: essentially the same text."
    if pair.relation is Relation.CONTAINED:
        c_this, c_other = (
            (pair.containment_a_in_b, pair.containment_b_in_a)
            if this_is_a
            else (pair.containment_b_in_a, pair.containment_a_in_b)
        )
        inner, outer, share = (
            ("this text", "the other", c_this) if c_this >= c_other else ("the other", "this text", c_other)
        )
        return text + (
            f" One is contained in the other: {pct(share)} of {inner}'s word sequences occur verbatim in {outer} "
            "(an excerpt, or a short text reused inside a longer one), though the two are not near-duplicates."
        )
    if pair.relation is Relation.REWRITE:
        return text + (
            f" They are rewrites of the same text: this much aligned text, in order, is very unlikely "
            f"between texts written independently about the same story (p = {pair.p_value:.2g})."
        )
    return text + (
        f" They only report the same story: texts written independently about the same story often share "
        f"this much (p = {pair.p_value:.2g}), so these passages are not counted as taken from it."
    )


def _lineage_between(
    index: PairIndex, ref: _Refs, this: str, other: str, reuse: bool
) -> tuple[LineageEdge | None, str | None]:
    """The lineage edge joining ``this`` and ``other`` (either way), and a sentence on how lineage relates them.

    ``reuse``: the two share passages of a reuse pair (near-duplicate, contained or rewrite).
    """
    edge = index.edge(other, this) or index.edge(this, other)
    if edge is not None:
        return edge, _edge_text(edge, ref)
    p_this, p_other = index.parent.get(this), index.parent.get(other)
    if p_this is not None and p_this == p_other and is_virtual(p_this):
        v = ref(p_this)
        if not reuse:
            return None, f"Both texts derive from {v.long_label} ({v.note})."
        return None, (
            f"Both texts derive from {v.long_label} ({v.note}): the lineage puts neither under the other, "
            f"so the passages they share most likely render its text."
        )
    if index.descends_from(this, other):
        return None, f"This text derives from {ref(other).long_label} through other texts."
    if index.descends_from(other, this):
        return None, f"{ref(other).long_label} derives from this text through other texts."
    return None, None


def _heading(span: SourcedSpan, source: Ref, other: Ref, edge: LineageEdge | None) -> str:
    if span.via == VIA_CHANCE:
        return f"Same story as {other.long_label}: matching at chance level"
    if (edge is not None and edge.direction == "undetermined") or span.via == VIA_UNDETERMINED:
        return f"Shared with {other.long_label} (which came first is undetermined)"
    if source.virtual:
        return f"Shared with {other.long_label}, which also derives from {source.label}"
    if span.via == VIA_PARENT:
        return f"Taken from its parent, {other.long_label}"
    if span.via == VIA_LINEAGE:
        return f"Taken from {other.long_label}"
    return f"Also found in {other.long_label}"


def _view(
    result: AnalysisResult,
    doc_id: str,
    doc_index: int,
    pair_index: int,
    pair: PairScore,
    span: SourcedSpan,
    colour: int | None,
    ref: _Refs,
    index: PairIndex,
) -> SideBySide:
    this_is_a = pair.a == doc_id
    other_id = pair.b if this_is_a else pair.a
    this_text = result.texts.get(doc_id, "")
    other_text = result.texts.get(other_id, "")
    anchor = f"v{doc_index}-{pair_index}"
    ordered = sorted(enumerate(pair.alignments), key=lambda ia: ia[1].a_start if this_is_a else ia[1].b_start)
    rows = []
    for ai, al in ordered[:MAX_ALIGNED_ROWS]:
        ts, te, os_, oe = (
            (al.a_start, al.a_end, al.b_start, al.b_end) if this_is_a else (al.b_start, al.b_end, al.a_start, al.a_end)
        )
        rows.append(
            AlignedRow(
                anchor=f"{anchor}-{ai}",
                this_text=_cut(this_text[ts:te]),
                other_text=_cut(other_text[os_:oe]),
                score=al.score,
                in_order=al.in_order,
                this_start=ts,
                other_start=os_,
            )
        )
    source = ref(span.source or other_id)
    other = ref(other_id)
    edge, edge_text = _lineage_between(index, ref, doc_id, other_id, pair.relation in REUSE)
    return SideBySide(
        anchor=anchor,
        colour=colour,
        source=source,
        other=other,
        via=span.via,
        heading=_heading(span, source, other, edge),
        relation=RELATION_WORDS.get(pair.relation.value, pair.relation.value),
        jaccard=pair.jaccard,
        tfidf_cosine=pair.tfidf_cosine,
        containment_this_in_other=pair.containment_a_in_b if this_is_a else pair.containment_b_in_a,
        containment_other_in_this=pair.containment_b_in_a if this_is_a else pair.containment_a_in_b,
        coverage_this=pair.coverage_a if this_is_a else pair.coverage_b,
        coverage_other=pair.coverage_b if this_is_a else pair.coverage_a,
        p_value=pair.p_value,
        pair_text=_pair_text(pair, this_is_a, other),
        edge_text=edge_text,
        edge_confidence=edge.confidence if edge is not None else None,
        edge_direction=edge.direction if edge is not None else None,
        evidence=[EvidenceRow(x.kind, x.weight, x.detail) for x in (edge.evidence if edge else [])],
        rows=rows,
        n_hidden_rows=max(0, len(pair.alignments) - MAX_ALIGNED_ROWS),
    )


def _other(span: SourcedSpan, doc_id: str) -> str:
    """The document whose alignment covers ``span`` (the other side of its pair)."""
    assert span.pair is not None
    a, b = span.pair
    return b if a == doc_id else a


class _PassageCounts(dict[str, PassageChars]):
    """The :class:`PassageChars` of each document, made when first asked for (most never are)."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        super().__init__()
        self._texts = texts

    def __missing__(self, doc_id: str) -> PassageChars:
        chars = self[doc_id] = PassageChars(self._texts.get(doc_id, ""))
        return chars


def _derived(d: DocumentInfo, counters: Mapping[str, PassageChars], spans: list[SourcedSpan]) -> float | None:
    """The document's derived share (module docstring); the lineage figure when its text is missing."""
    if d.parent is None:
        return 0.0
    chars = counters[d.id]
    if not chars.total:
        return None if is_virtual(d.parent) and not d.derived_share else d.derived_share
    share = derived_share(spans, chars)
    return None if is_virtual(d.parent) and not share else share


def _derived_words(row: DocRow, ref: _Refs) -> str:
    if row.parent is None:
        return "it has no parent: nothing in it is counted as derived"
    if not row.parent.virtual:
        return f"taken from its parent {row.parent.long_label}"
    if row.derived_share is None:
        return (
            f"its parent, {row.parent.label}, is not in the collection and no other text deriving from it "
            "shares passages with it, so its text cannot be compared"
        )
    return f"shared with other texts that derive from its parent, {row.parent.label} ({row.parent.short_note})"


def _section(
    result: AnalysisResult,
    row: DocRow,
    spans: list[SourcedSpan],
    counter: PassageChars,
    ref: _Refs,
    index: PairIndex,
    pair_pos: dict[tuple[str, str], int],
    open_: bool,
) -> DocSection:
    doc_id = row.ref.id
    text = result.texts.get(doc_id, "")
    n = counter.total
    palette = _Palette(ref)
    chars: Counter[str] = Counter()  # characters matched per other document
    first: dict[str, SourcedSpan] = {}
    for s in spans:
        if s.source is not None and s.pair is not None:
            other = _other(s, doc_id)
            chars[other] += counter.count(s.start, s.end)
            first.setdefault(other, s)
    # derived texts first, then by size; chance-level matches last
    order = sorted(chars, key=lambda o: (first[o].via == VIA_CHANCE, -chars[o], o))
    colour = {o: None if first[o].via == VIA_CHANCE else palette(o) for o in order}
    shown = order[:MAX_VIEWS_PER_DOC]
    views: dict[str, SideBySide] = {}
    for other in shown:
        s = first[other]
        assert s.pair is not None
        pi = pair_pos[s.pair]
        views[other] = _view(result, doc_id, row.index, pi, result.pairs[pi], s, colour[other], ref, index)
    legend = []
    for other in order:
        s = first[other]
        if s.via == VIA_CHANCE:
            continue
        view = views.get(other)
        words = VIA_WORDS.get(s.via, s.via)
        if s.source is not None and is_virtual(s.source):
            words = f"shared; both derive from {ref(s.source).label}"
        legend.append(
            LegendItem(
                ref(other), colour[other], chars[other] / n if n else 0.0, s.via, view.anchor if view else None, words
            )
        )
    doc = ref.docs.get(doc_id)
    cites = sorted(doc.cited_sources, key=lambda c: c.start) if doc is not None else []
    segments = []
    for s in spans:
        marks = [
            CiteMark(max(c.start, s.start) - s.start, min(c.end, s.end) - s.start, c.name, c.cue)
            for c in cites
            if c.start < s.end and c.end > s.start and c.end > c.start
        ]
        if s.source is None or s.pair is None:
            segments.append(Segment(text[s.start : s.end], None, None, None, "", "original", marks))
            continue
        other = _other(s, doc_id)
        oref = ref(other)
        view = views.get(other)
        href = None
        if view is not None:
            row_anchor = f"{view.anchor}-{s.alignment}"
            href = row_anchor if any(r.anchor == row_anchor for r in view.rows) else view.anchor
        if s.via == VIA_CHANCE:
            title = (
                f"Also in {oref.long_label}, but only as much as independent reports of the same story share "
                f"by chance: not counted as derived (match score {s.score:.2f})"
            )
        elif s.source is not None and is_virtual(s.source):
            title = f"Shared with {oref.long_label}; both derive from {ref(s.source).label} (match score {s.score:.2f})"
        else:
            title = f"Found in {oref.long_label} ({VIA_WORDS.get(s.via, s.via)}; match score {s.score:.2f})"
        segments.append(Segment(text[s.start : s.end], oref, colour[other], href, title, s.via, marks))
    original = sum(counter.count(s.start, s.end) for s in spans if s.source is None)
    chance = sum(counter.count(s.start, s.end) for s in spans if s.via == VIA_CHANCE)
    return DocSection(
        row=row,
        anchor=f"doc-{row.index}",
        has_text=bool(text),
        n_chars=len(text),
        original_share=original / n if n else 0.0,
        chance_share=chance / n if n else 0.0,
        derived_words=_derived_words(row, ref),
        segments=segments,
        legend=legend,
        views=list(views.values()),
        n_hidden_views=max(0, len(order) - len(shown)),
        open=open_,
    )


def _rows(
    result: AnalysisResult,
    ref: _Refs,
    roles: dict[str, str],
    index: PairIndex,
    spans: dict[str, list[SourcedSpan]],
    counters: dict[str, PassageChars],
) -> list[DocRow]:
    children = Counter(d.parent for d in result.documents if d.parent is not None)
    rows = []
    for i, d in enumerate(result.documents):
        rel = Counter(p.relation.value for p in index.pairs_of.get(d.id, []))
        pedge = index.edge(d.parent, d.id) if d.parent is not None else None
        rows.append(
            DocRow(
                index=i,
                ref=ref(d.id),
                outlet=d.outlet,
                language=d.language,
                published=_fmt_date(d.published),
                title=d.title,
                parent=ref(d.parent) if d.parent is not None else None,
                parent_confidence=pedge.confidence if pedge is not None else None,
                parent_direction=pedge.direction if pedge is not None else None,
                derived_share=_derived(d, counters, spans[d.id]),
                cited=list(dict.fromkeys(c.name for c in d.cited_sources)),
                relations=[
                    CountItem(RELATION_WORDS[r.value], rel[r.value])
                    for r in (Relation.NEAR_DUPLICATE, Relation.CONTAINED, Relation.REWRITE, Relation.SAME_STORY)
                    if rel.get(r.value)
                ],
                role=roles.get(d.id, ROLE_STANDALONE),
                n_children=children.get(d.id, 0),
                is_reference_source=d.is_reference_source,
            )
        )
    return rows


def _shared_links(
    result: AnalysisResult, ref: _Refs, index: PairIndex, sections: dict[str, DocSection]
) -> list[SharedLink]:
    out = []
    for p in result.pairs:
        if p.relation not in REUSE:
            continue
        edge = index.edge(p.a, p.b) or index.edge(p.b, p.a)
        parent_a, parent_b = index.parent.get(p.a), index.parent.get(p.b)
        if edge is not None:
            words = "one derives from the other" if edge.direction != "undetermined" else "direction undetermined"
        elif parent_a is not None and parent_a == parent_b and is_virtual(parent_a):
            v = ref(parent_a)
            words = f"both derive from {v.label} ({v.note})"
        elif index.descends_from(p.a, p.b) or index.descends_from(p.b, p.a):
            words = "one derives from the other through other texts"
        else:
            words = "no lineage link joins them"
        href = None
        for this, other in ((p.b, p.a), (p.a, p.b)):
            sec = sections.get(this)
            view = next((v for v in sec.views if v.other.id == other), None) if sec else None
            if view is not None:
                href = view.anchor
                break
        out.append(
            SharedLink(
                ref(p.a),
                ref(p.b),
                RELATION_WORDS[p.relation.value],
                len(p.alignments),
                p.p_value,
                words,
                href,
            )
        )
    return out


def _summary(result: AnalysisResult, ref: _Refs, roles: dict[str, str], shared: list[SharedLink]) -> Summary:
    langs = Counter(d.language or "unknown" for d in result.documents)
    kinds = Counter(c.kind.value for c in result.clusters)
    rels = Counter(RELATION_WORDS.get(p.relation.value, p.relation.value) for p in result.pairs)
    cited: Counter[str] = Counter()
    for d in result.documents:
        for name in {c.name for c in d.cited_sources}:
            cited[name] += 1
    originals = [ref(d.id) for d in result.documents if roles.get(d.id) == ROLE_ORIGINAL]
    virt = sorted({n for n, r in roles.items() if r == ROLE_VIRTUAL})
    parents = [d.parent for d in result.documents if d.parent is not None]
    return Summary(
        n_documents=len(result.documents),
        n_skipped=len(result.skipped),
        languages=[CountItem(k, v) for k, v in langs.most_common()],
        clusters=[CountItem(k, kinds.get(k, 0)) for k in ("near-duplicate", "rewrite", "story")],
        relations=[
            CountItem(w, rels.get(w, 0))
            for w in ("near-duplicate", "contained", "rewrite", "same story")
            if rels.get(w)
        ],
        cited=[CountItem(k, v) for k, v in sorted(cited.items(), key=lambda kv: (-kv[1], kv[0]))],
        originals=originals,
        virtual_roots=[ref(v) for v in virt],
        n_derived=len(parents),
        n_from_collection=sum(1 for p in parents if not is_virtual(p)),
        n_from_credited=sum(1 for p in parents if is_virtual(p) and not p.startswith(ANCESTOR_PREFIX)),
        n_from_inferred=sum(1 for p in parents if p.startswith(ANCESTOR_PREFIX)),
        n_standalone=sum(1 for d in result.documents if roles.get(d.id) == ROLE_STANDALONE),
        n_edges=len(result.edges),
        n_undetermined=sum(1 for e in result.edges if e.direction == "undetermined"),
        shared=shared,
        relays=[(ref(e.source), ref(e.target)) for e in result.edges if is_virtual(e.source) and is_virtual(e.target)],
    )


def _absent_passage(i: int, g: PassageGroup, ref: _Refs, palette: _Palette) -> AbsentPassage:
    return AbsentPassage(
        i,
        g.significant,
        g.p_value,
        [
            AbsentRendering(
                ref(r.doc_id), palette(r.doc_id), _cut(r.text), r.start, g.significant and r.doc_id not in g.reuse_docs
            )
            for r in g.renderings
        ],
    )


def _absent(result: AnalysisResult, ref: _Refs) -> list[AbsentSource]:
    nodes = result.virtual_nodes or reconstruct_virtual_nodes(result)
    out = []
    for v in nodes:
        palette = _Palette(ref)
        groups = [g for g in v.passages if g.significant] + [g for g in v.passages if not g.significant]
        shown = groups[:MAX_ABSENT_PASSAGES]
        passages = [_absent_passage(i, g, ref, palette) for i, g in enumerate(shown, 1)]
        r = ref(v.id)
        out.append(
            AbsentSource(
                r,
                r.anchor or "",
                [ref(c) for c in v.children],
                [p for p in passages if p.significant],
                [p for p in passages if not p.significant],
                len(groups) - len(shown),
            )
        )
    return out


def _virtual_ids(result: AnalysisResult) -> list[str]:
    found = [v.id for v in result.virtual_nodes]
    found += [e.source for e in result.edges if is_virtual(e.source)]
    found += [d.parent for d in result.documents if d.parent is not None and is_virtual(d.parent)]
    return list(dict.fromkeys(found))


def build_model(result: AnalysisResult, title: str | None = None) -> ReportModel:
    """Compute everything the report shows (see the module docstring for the size rules)."""
    ref = _Refs(result, _virtual_ids(result))
    index = PairIndex(result)
    roles = node_roles(result)
    spans = {d.id: passage_sources(result, d.id, index) for d in result.documents}
    counters = _PassageCounts(result.texts)
    rows = _rows(result, ref, roles, index, spans, counters)
    pair_pos = {(p.a, p.b): i for i, p in enumerate(result.pairs)}
    notes: list[str] = []
    mapped = rows
    if len(rows) > MAX_MAPS:
        mapped = sorted(rows, key=lambda r: (-(r.derived_share or 0.0), r.index))[:MAX_MAPS]
        mapped.sort(key=lambda r: r.index)
        notes.append(
            f"Provenance maps are shown for the {MAX_MAPS} documents with the most reused text "
            f"(of {len(rows)}); the JSON output has the alignments of every document."
        )
    open_ = len(result.documents) <= OPEN_SECTIONS_UP_TO
    sections = [_section(result, r, spans[r.ref.id], counters[r.ref.id], ref, index, pair_pos, open_) for r in mapped]
    graph = build_graph(result, ref.anchors, MAX_GRAPH_NODES)
    if graph.note:
        notes.append(graph.note)
    rendered = render_graph(graph)
    undetermined = [(ref(e.source), ref(e.target), e.confidence) for e in result.edges if e.direction == "undetermined"]
    shared = _shared_links(result, ref, index, {s.row.ref.id: s for s in sections})
    drawn_kinds = {e.kind for e in graph.edges}
    drawn_roles = {n.role for n in graph.nodes}
    return ReportModel(
        title=title or "Provenance report",
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        summary=_summary(result, ref, roles, shared),
        rows=rows,
        sections=sections,
        clusters=[ClusterView(c.kind.value, [ref(m) for m in c.members]) for c in result.clusters],
        graph=graph,
        rendered=rendered,
        skipped=[(s.origin, s.reason) for s in result.skipped],
        notes=notes,
        undetermined=undetermined,
        absent=_absent(result, ref),
        edge_kinds=[k for k in EDGE_STYLES if k in drawn_kinds],
        node_roles=[r for r in ROLE_WORDS if r in drawn_roles],
    )
