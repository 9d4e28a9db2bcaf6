"""The report's content, computed once from an :class:`AnalysisResult`.

The HTML and Markdown renderers both format this model, so they always say the
same thing.  Size rules (so a 1,000-document report stays usable):

* the lineage picture is capped at ``MAX_GRAPH_NODES`` nodes (see ``graph.py``);
* every document gets a table row (the table scrolls inside its box when long);
* every document gets a provenance map when the collection has at most
  ``MAX_MAPS`` documents; above that, the ``MAX_MAPS`` documents with the most
  reused text get one, with a note;
* a side-by-side view shows at most ``MAX_ALIGNED_ROWS`` aligned passages, each
  cut at ``MAX_PASSAGE_CHARS`` characters, and a map at most ``MAX_VIEWS_PER_DOC``
  side-by-side views (the sources covering the most text);
* document sections start open only for collections of at most
  ``OPEN_SECTIONS_UP_TO`` documents; side-by-side views always start collapsed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from provenance.records import AnalysisResult, DocumentInfo, LineageEdge, PairScore, Relation
from provenance.report.graph import (
    MAX_GRAPH_NODES,
    ROLE_ORIGINAL,
    ROLE_VIRTUAL,
    LineageGraph,
    RenderedGraph,
    build_graph,
    node_roles,
    render_graph,
)
from provenance.report.provenance_map import (
    VIA_LINEAGE,
    VIA_PARENT,
    VIA_SHARED,
    VIA_UNDETERMINED,
    PairIndex,
    SourcedSpan,
    is_virtual,
    passage_sources,
    virtual_name,
    virtual_note,
)

MAX_MAPS = 1500
MAX_ALIGNED_ROWS = 60
MAX_PASSAGE_CHARS = 1200
MAX_VIEWS_PER_DOC = 25
OPEN_SECTIONS_UP_TO = 8
N_COLOURS = 10

RELATION_WORDS = {
    Relation.NEAR_DUPLICATE.value: "near-duplicate",
    Relation.REWRITE.value: "rewrite",
    Relation.SAME_STORY.value: "same story",
    Relation.UNRELATED.value: "unrelated",
}

VIA_WORDS = {
    VIA_PARENT: "its parent",
    VIA_LINEAGE: "another source it derives from",
    VIA_UNDETERMINED: "shared text, direction undetermined",
    VIA_SHARED: "shared text",
}


@dataclass(frozen=True)
class Ref:
    """A document or virtual source as shown to the reader."""

    id: str
    label: str
    anchor: str | None = None
    virtual: bool = False

    @property
    def note(self) -> str:
        """For a virtual source: "credited, not in the collection" or "inferred, not in the collection"."""
        return virtual_note(self.id) if self.virtual else ""

    @property
    def short_note(self) -> str:
        return self.note.split(",")[0]

    @property
    def long_label(self) -> str:
        if self.virtual or self.label == self.id:
            return self.label
        return f"{self.label} ({self.id})"


@dataclass(frozen=True)
class CountItem:
    label: str
    count: int


@dataclass(frozen=True)
class Summary:
    n_documents: int
    n_skipped: int
    languages: list[CountItem]
    clusters: list[CountItem]
    relations: list[CountItem]
    cited: list[CountItem]
    originals: list[Ref]  # documents at the root of a lineage tree with offspring
    virtual_roots: list[Ref]  # credited sources outside the collection that others derive from
    n_derived: int
    n_standalone: int
    n_edges: int
    n_undetermined: int


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
    derived_share: float
    cited: list[str]
    relations: list[CountItem]
    role: str
    n_children: int
    is_reference_source: bool


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
    colour: int
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
    edge_text: str | None
    edge_confidence: float | None
    edge_direction: str | None
    evidence: list[EvidenceRow]
    rows: list[AlignedRow]
    n_hidden_rows: int


@dataclass(frozen=True)
class CiteMark:
    start: int  # relative to the segment
    end: int
    name: str
    cue: str


@dataclass(frozen=True)
class Segment:
    text: str
    source: Ref | None
    colour: int | None
    href: str | None
    title: str
    via: str
    cites: list[CiteMark] = field(default_factory=list)


@dataclass(frozen=True)
class LegendItem:
    source: Ref
    colour: int
    share: float
    via: str
    href: str | None


@dataclass(frozen=True)
class DocSection:
    row: DocRow
    anchor: str
    has_text: bool
    n_chars: int
    original_share: float
    segments: list[Segment]
    legend: list[LegendItem]
    views: list[SideBySide]
    n_hidden_views: int
    open: bool


@dataclass(frozen=True)
class ClusterView:
    kind: str
    members: list[Ref]


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


def _fmt_date(d: datetime | None) -> str | None:
    if d is None:
        return None
    if d.hour == d.minute == d.second == 0 and d.tzinfo is None:
        return d.strftime("%Y-%m-%d")
    return d.strftime("%Y-%m-%d %H:%M")


class _Refs:
    def __init__(self, result: AnalysisResult) -> None:
        self.docs: dict[str, DocumentInfo] = {d.id: d for d in result.documents}
        self.anchors = {d.id: f"doc-{i}" for i, d in enumerate(result.documents)}

    def __call__(self, node_id: str) -> Ref:
        if is_virtual(node_id):
            return Ref(node_id, virtual_name(node_id), None, True)
        d = self.docs.get(node_id)
        label = d.outlet if d is not None and d.outlet else node_id
        return Ref(node_id, label, self.anchors.get(node_id))


def _edge_text(edge: LineageEdge, ref: _Refs) -> str:
    s, t = ref(edge.source), ref(edge.target)
    if edge.direction == "undetermined":
        return (
            f"{s.long_label} and {t.long_label} share text, but which one came first could not be decided "
            f"(confidence {edge.confidence:.2f})."
        )
    if s.virtual and s.id.startswith("ancestor:"):
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


def _cut(s: str, n: int = MAX_PASSAGE_CHARS) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _summary(result: AnalysisResult, ref: _Refs, roles: dict[str, str]) -> Summary:
    langs = Counter(d.language or "unknown" for d in result.documents)
    kinds = Counter(c.kind.value for c in result.clusters)
    rels = Counter(RELATION_WORDS.get(p.relation.value, p.relation.value) for p in result.pairs)
    cited: Counter[str] = Counter()
    for d in result.documents:
        for name in {c.name for c in d.cited_sources}:
            cited[name] += 1
    originals = [ref(d.id) for d in result.documents if roles.get(d.id) == ROLE_ORIGINAL]
    virt = sorted({n for n, r in roles.items() if r == ROLE_VIRTUAL})
    return Summary(
        n_documents=len(result.documents),
        n_skipped=len(result.skipped),
        languages=[CountItem(k, v) for k, v in langs.most_common()],
        clusters=[CountItem(k, kinds.get(k, 0)) for k in ("near-duplicate", "rewrite", "story")],
        relations=[CountItem(w, rels.get(w, 0)) for w in ("near-duplicate", "rewrite", "same story") if rels.get(w)],
        cited=[CountItem(k, v) for k, v in sorted(cited.items(), key=lambda kv: (-kv[1], kv[0]))],
        originals=originals,
        virtual_roots=[ref(v) for v in virt],
        n_derived=sum(1 for d in result.documents if d.parent is not None),
        n_standalone=sum(1 for d in result.documents if roles.get(d.id) == "standalone"),
        n_edges=len(result.edges),
        n_undetermined=sum(1 for e in result.edges if e.direction == "undetermined"),
    )


def _rows(result: AnalysisResult, ref: _Refs, roles: dict[str, str], index: PairIndex) -> list[DocRow]:
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
                derived_share=d.derived_share,
                cited=list(dict.fromkeys(c.name for c in d.cited_sources)),
                relations=[
                    CountItem(RELATION_WORDS[r.value], rel[r.value])
                    for r in (Relation.NEAR_DUPLICATE, Relation.REWRITE, Relation.SAME_STORY)
                    if rel.get(r.value)
                ],
                role=roles.get(d.id, "standalone"),
                n_children=children.get(d.id, 0),
                is_reference_source=d.is_reference_source,
            )
        )
    return rows


def _view(
    result: AnalysisResult,
    doc_id: str,
    doc_index: int,
    pair_index: int,
    pair: PairScore,
    span: SourcedSpan,
    colour: int,
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
    edge = index.edge(*span.edge) if span.edge is not None else None
    source = ref(span.source or other_id)
    other = ref(other_id)
    if source.virtual:
        heading = f"Shared with {other.long_label}, which also derives from {source.label}"
    elif edge is not None and edge.direction == "undetermined":
        heading = f"Shared with {other.long_label} (which came first is undetermined)"
    elif span.via == VIA_PARENT:
        heading = f"Taken from its parent, {other.long_label}"
    elif span.via == VIA_LINEAGE:
        heading = f"Taken from {other.long_label}"
    elif span.via == VIA_UNDETERMINED:
        heading = f"Shared with {other.long_label} (which came first is undetermined)"
    else:
        heading = f"Also found in {other.long_label}"
    return SideBySide(
        anchor=anchor,
        colour=colour,
        source=source,
        other=other,
        via=span.via,
        heading=heading,
        relation=RELATION_WORDS.get(pair.relation.value, pair.relation.value),
        jaccard=pair.jaccard,
        tfidf_cosine=pair.tfidf_cosine,
        containment_this_in_other=pair.containment_a_in_b if this_is_a else pair.containment_b_in_a,
        containment_other_in_this=pair.containment_b_in_a if this_is_a else pair.containment_a_in_b,
        coverage_this=pair.coverage_a if this_is_a else pair.coverage_b,
        coverage_other=pair.coverage_b if this_is_a else pair.coverage_a,
        p_value=pair.p_value,
        edge_text=_edge_text(edge, ref) if edge is not None else None,
        edge_confidence=edge.confidence if edge is not None else None,
        edge_direction=edge.direction if edge is not None else None,
        evidence=[EvidenceRow(x.kind, x.weight, x.detail) for x in (edge.evidence if edge else [])],
        rows=rows,
        n_hidden_rows=max(0, len(pair.alignments) - MAX_ALIGNED_ROWS),
    )


def _visible(text: str, s: SourcedSpan) -> int:
    chunk = text[s.start : s.end]
    return len(chunk) - sum(1 for ch in chunk if ch.isspace())


def _section(
    result: AnalysisResult,
    row: DocRow,
    ref: _Refs,
    index: PairIndex,
    pair_pos: dict[tuple[str, str], int],
    open_: bool,
) -> DocSection:
    doc_id = row.ref.id
    text = result.texts.get(doc_id, "")
    spans = passage_sources(result, doc_id, index)
    n = sum(_visible(text, s) for s in spans)  # shares count non-space characters
    # colour and view per source, sources covering most text first
    chars: Counter[tuple[str, tuple[str, str]]] = Counter()
    first: dict[tuple[str, tuple[str, str]], SourcedSpan] = {}
    by_source: Counter[str] = Counter()
    for s in spans:
        if s.source is not None and s.pair is not None:
            key = (s.source, s.pair)
            chars[key] += s.end - s.start
            first.setdefault(key, s)
            by_source[s.source] += _visible(text, s)
    source_order = [src for src, _ in sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))]
    colour = {src: i % N_COLOURS for i, src in enumerate(source_order)}
    view_keys = [k for k, _ in sorted(chars.items(), key=lambda kv: (-kv[1], kv[0]))]
    shown_keys = view_keys[:MAX_VIEWS_PER_DOC]
    views: dict[tuple[str, tuple[str, str]], SideBySide] = {}
    for key in shown_keys:
        src, pkey = key
        pi = pair_pos[pkey]
        views[key] = _view(result, doc_id, row.index, pi, result.pairs[pi], first[key], colour[src], ref, index)
    legend = []
    for src in source_order:
        first_view = next((v for k, v in views.items() if k[0] == src), None)
        via = next(s.via for s in spans if s.source == src)
        legend.append(
            LegendItem(
                ref(src),
                colour[src],
                by_source[src] / n if n else 0.0,
                via,
                first_view.anchor if first_view else None,
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
        sref = ref(s.source)
        view = views.get((s.source, s.pair))
        href = None
        if view is not None:
            row_anchor = f"{view.anchor}-{s.alignment}"
            href = row_anchor if any(r.anchor == row_anchor for r in view.rows) else view.anchor
        title = f"From {sref.long_label} ({VIA_WORDS.get(s.via, s.via)}; match score {s.score:.2f})"
        segments.append(Segment(text[s.start : s.end], sref, colour[s.source], href, title, s.via, marks))
    original = sum(_visible(text, s) for s in spans if s.source is None)
    n = sum(_visible(text, s) for s in spans)
    return DocSection(
        row=row,
        anchor=f"doc-{row.index}",
        has_text=bool(text),
        n_chars=len(text),
        original_share=original / n if n else 0.0,
        segments=segments,
        legend=legend,
        views=list(views.values()),
        n_hidden_views=max(0, len(view_keys) - len(shown_keys)),
        open=open_,
    )


def build_model(result: AnalysisResult, title: str | None = None) -> ReportModel:
    """Compute everything the report shows (see the module docstring for the size rules)."""
    ref = _Refs(result)
    index = PairIndex(result)
    roles = node_roles(result)
    rows = _rows(result, ref, roles, index)
    pair_pos = {(p.a, p.b): i for i, p in enumerate(result.pairs)}
    notes: list[str] = []
    mapped = rows
    if len(rows) > MAX_MAPS:
        mapped = sorted(rows, key=lambda r: (-r.derived_share, r.index))[:MAX_MAPS]
        mapped.sort(key=lambda r: r.index)
        notes.append(
            f"Provenance maps are shown for the {MAX_MAPS} documents with the most reused text "
            f"(of {len(rows)}); the JSON output has the alignments of every document."
        )
    open_ = len(result.documents) <= OPEN_SECTIONS_UP_TO
    sections = [_section(result, r, ref, index, pair_pos, open_) for r in mapped]
    graph = build_graph(result, ref.anchors, MAX_GRAPH_NODES)
    if graph.note:
        notes.append(graph.note)
    rendered = render_graph(graph)
    undetermined = [(ref(e.source), ref(e.target), e.confidence) for e in result.edges if e.direction == "undetermined"]
    return ReportModel(
        title=title or "Provenance report",
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        summary=_summary(result, ref, roles),
        rows=rows,
        sections=sections,
        clusters=[ClusterView(c.kind.value, [ref(m) for m in c.members]) for c in result.clusters],
        graph=graph,
        rendered=rendered,
        skipped=[(s.origin, s.reason) for s in result.skipped],
        notes=notes,
        undetermined=undetermined,
    )
