"""The lineage graph as a picture: DOT source and inline SVG.

Nodes are documents (labelled with their headline, and their outlet or id in
small type) and virtual sources without text: ``cited:NAME`` (credited) and
``ancestor:A+B`` (inferred), drawn as dashed ellipses.  Links are of four kinds,
each with one style (:data:`EDGE_STYLES`) used by both layouts, the legend and
the "How to read" text:

* ``derives`` -- a lineage edge: the target derives from the source (arrow,
  the number is its confidence);
* ``common-ancestor`` -- the target derives from a source not in the collection,
  inferred from the passages it shares with another text that neither copied;
* ``undetermined`` -- a lineage edge whose direction could not be decided;
* ``shared`` -- two documents of a reuse pair (near-duplicate, contained or rewrite) that no
  lineage edge joins (for example two children of the same absent source): not
  a parent link, but the text they share must be visible.

Layout: Graphviz ``dot -Tsvg`` when ``dot`` is on ``PATH`` (DOT passed on
stdin, the XML prolog stripped so the SVG inlines in HTML); otherwise, or if
``dot`` fails, a pure-Python layered layout (networkx topological generations)
drawn as SVG here.  SVG element ids: ``g-<anchor>`` for a document's node and
``ge-<source key>--<target key>`` for a link, a key being the document's
section anchor (``doc-3``) or ``n<i>`` for a virtual node.

Size rule: when the graph has more than ``max_nodes`` (200) nodes, only its
largest connected groups are drawn, largest first, while they fit in
``max_nodes`` nodes (isolated documents are left out first); a group larger than
``max_nodes`` on its own is cut to ``max_nodes`` nodes.  A note says so.
"""

from __future__ import annotations

import html
import math
import re
import shutil
import subprocess
from dataclasses import dataclass, field

import networkx as nx

from provenance.lineage.reconstruct import is_virtual, virtual_name
from provenance.records import REUSE_RELATIONS, AnalysisResult
from provenance.report.names import headline, shorten, wrap
from provenance.report.provenance_map import virtual_note

MAX_GRAPH_NODES = 200
DOT_TIMEOUT_S = 60.0
_LABEL_MAX = 26

ROLE_ORIGINAL = "original"  # root of a lineage tree with offspring
ROLE_DERIVED = "derived"  # has a parent
ROLE_STANDALONE = "standalone"  # no parent, no offspring
ROLE_REFERENCE = "reference"  # a reference source supplied with --source
ROLE_VIRTUAL = "virtual"  # a cited source that is not in the collection

_FILL = {
    ROLE_ORIGINAL: "#fde68a",
    ROLE_DERIVED: "#dbeafe",
    ROLE_STANDALONE: "#f3f4f6",
    ROLE_REFERENCE: "#d1fae5",
    ROLE_VIRTUAL: "#fff7ed",
}
_STROKE = "#374151"
_VIRTUAL_STROKE = "#b45309"

ROLE_WORDS = {
    ROLE_ORIGINAL: "original (others derive from it)",
    ROLE_DERIVED: "derives from another text",
    ROLE_STANDALONE: "stands alone",
    ROLE_REFERENCE: "reference source (--source)",
    ROLE_VIRTUAL: "source not in the collection (credited or inferred)",
}

EDGE_DERIVES = "derives"
EDGE_COMMON = "common-ancestor"
EDGE_UNDETERMINED = "undetermined"
EDGE_SHARED = "shared"


@dataclass(frozen=True)
class EdgeStyle:
    """How one kind of link is drawn, and what it means (one source for drawing, legend and text)."""

    kind: str
    colour: str
    dot_style: str  # Graphviz style: solid, dashed or dotted
    dasharray: str | None  # the SVG stroke-dasharray Graphviz writes for dot_style
    arrow: bool
    width: float | None  # fixed stroke width; None: 1 + 2 x confidence
    short: str  # for the legend under the graph
    meaning: str
    looks: str  # the style in words, for the "How to read" text


EDGE_STYLES: dict[str, EdgeStyle] = {
    s.kind: s
    for s in (
        EdgeStyle(
            EDGE_DERIVES, "#374151", "solid", None, True, None, "derives from (confidence)",
            "derives from: the arrow points from the source to the text derived from it; "
            "the number is the confidence (thicker is surer)",
            "solid dark grey arrow",
        ),
        EdgeStyle(
            EDGE_COMMON, "#b45309", "dotted", "1,5", True, None,
            "derives from a source not in the collection, inferred from shared passages (confidence)",
            "derives from a source that is not in the collection, inferred from the passages it shares "
            "with another text that derives from it too (neither copied the other)",
            "dotted orange arrow",
        ),
        EdgeStyle(
            EDGE_UNDETERMINED, "#9ca3af", "dashed", "5,2", False, 1.4,
            "shares text, which came first is undetermined",
            "shares text, but which one came first could not be decided (? and the confidence)",
            "dashed grey line without arrowhead",
        ),
        EdgeStyle(
            EDGE_SHARED, "#7c3aed", "solid", None, False, 2.4,
            "shares passages, not a parent link (number of passages)",
            "shares passages (a near-duplicate, contained or rewrite pair) without being one the other's parent; "
            "the number is how many passages are aligned",
            "solid purple line without arrowhead",
        ),
    )
}  # fmt: skip

REUSE = REUSE_RELATIONS


@dataclass(frozen=True)
class GraphNode:
    id: str
    label: str  # may contain "\n" (two lines)
    role: str
    href: str | None = None  # link to the document's section
    tooltip: str = ""
    sub: str = ""  # a secondary line in small type (outlet or id)

    @property
    def is_virtual(self) -> bool:
        return self.role == ROLE_VIRTUAL


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    confidence: float | None
    direction: str = "determined"  # a LineageEdge direction, or "shared" for a reuse pair without edge
    note: str = ""  # the label of a shared link
    tooltip: str = ""

    @property
    def undetermined(self) -> bool:
        return self.direction == "undetermined"

    @property
    def kind(self) -> str:
        """One of the :data:`EDGE_STYLES` keys."""
        if self.direction == EDGE_SHARED:
            return EDGE_SHARED
        if self.undetermined:
            return EDGE_UNDETERMINED
        if self.direction == EDGE_COMMON:
            return EDGE_COMMON
        return EDGE_DERIVES

    @property
    def style(self) -> EdgeStyle:
        return EDGE_STYLES[self.kind]

    @property
    def label(self) -> str:
        if self.kind == EDGE_SHARED:
            return self.note
        if self.confidence is None:
            return "?" if self.undetermined else ""
        c = f"{self.confidence:.2f}"
        return f"? {c}" if self.undetermined else c

    def stroke_width(self) -> float:
        if self.style.width is not None:
            return self.style.width
        if self.confidence is None:
            return 1.2
        return 1.0 + 2.0 * max(0.0, min(1.0, self.confidence))


@dataclass
class LineageGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    total_nodes: int = 0
    note: str | None = None
    hidden: list[str] = field(default_factory=list)  # node ids left out of the picture


def node_roles(result: AnalysisResult) -> dict[str, str]:
    """Role of every document and virtual node (see the ``ROLE_*`` constants)."""
    has_child: set[str] = set()
    for d in result.documents:
        if d.parent is not None:
            has_child.add(d.parent)
    for e in result.edges:
        if e.direction != "undetermined":
            has_child.add(e.source)
    roles: dict[str, str] = {}
    for d in result.documents:
        if d.is_reference_source:
            roles[d.id] = ROLE_REFERENCE
        elif d.parent is not None:
            roles[d.id] = ROLE_DERIVED
        elif d.id in has_child:
            roles[d.id] = ROLE_ORIGINAL
        else:
            roles[d.id] = ROLE_STANDALONE
    for e in result.edges:
        for x in (e.source, e.target):
            if x not in roles:
                roles[x] = ROLE_VIRTUAL if is_virtual(x) else ROLE_STANDALONE
    for d in result.documents:
        if d.parent is not None and d.parent not in roles:
            roles[d.parent] = ROLE_VIRTUAL if is_virtual(d.parent) else ROLE_STANDALONE
    return roles


def build_graph(
    result: AnalysisResult, anchors: dict[str, str] | None = None, max_nodes: int = MAX_GRAPH_NODES
) -> LineageGraph:
    """The nodes and edges to draw, capped at ``max_nodes`` (see the module docstring)."""
    anchors = anchors or {}
    roles = node_roles(result)
    docs = {d.id: d for d in result.documents}
    nodes: dict[str, GraphNode] = {}
    for nid, role in roles.items():
        d = docs.get(nid)
        if role == ROLE_VIRTUAL:
            name = virtual_name(nid)
            label, sub, tip = "\n".join(wrap(name, _LABEL_MAX, 2)), "", f"{name} ({virtual_note(nid)})"
        else:
            head = headline(d.title if d is not None else None, result.texts.get(nid, ""), nid, 200)
            label = "\n".join(wrap(head, _LABEL_MAX, 2))
            sub = shorten(d.outlet, _LABEL_MAX) if d is not None and d.outlet else shorten(nid, _LABEL_MAX)
            tip = head + " — " + (f"{d.outlet}, {nid}" if d is not None and d.outlet else nid)
        nodes[nid] = GraphNode(nid, label, role, anchors.get(nid), tip, sub)
    edges: list[GraphEdge] = []
    seen: set[tuple[str, str]] = set()
    for e in result.edges:
        edges.append(GraphEdge(e.source, e.target, e.confidence, e.direction))
        seen.add((e.source, e.target))
    for d in result.documents:
        if d.parent is not None and (d.parent, d.id) not in seen:
            edges.append(GraphEdge(d.parent, d.id, None))
            seen.add((d.parent, d.id))
    for p in result.pairs:
        if p.relation not in REUSE or (p.a, p.b) in seen or (p.b, p.a) in seen or p.a not in nodes or p.b not in nodes:
            continue
        n = len(p.alignments)
        note = f"{n} passage{'' if n == 1 else 's'}" if n else p.relation.value
        tip = f"{nodes[p.a].tooltip} and {nodes[p.b].tooltip}: {p.relation.value}, {note}, p = {p.p_value:.2g}"
        edges.append(GraphEdge(p.a, p.b, None, EDGE_SHARED, note, tip))
        seen.add((p.a, p.b))
    total = len(nodes)
    if total <= max_nodes:
        return LineageGraph(list(nodes.values()), edges, total)

    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from((e.source, e.target) for e in edges)
    comps = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    keep: set[str] = set()
    shown_groups = 0
    for comp in comps:
        if len(comp) < 2 and keep:
            break
        if len(keep) + len(comp) <= max_nodes:
            keep |= comp
            shown_groups += 1
        elif not keep:
            start = min(comp, key=lambda x: (roles[x] not in (ROLE_ORIGINAL, ROLE_VIRTUAL), x))
            order = [start, *(v for _, v in nx.bfs_edges(g.subgraph(comp), start))]
            keep |= set(order[:max_nodes])
            shown_groups += 1
            break
    kept = [n for nid, n in nodes.items() if nid in keep]
    kept_edges = [e for e in edges if e.source in keep and e.target in keep]
    hidden = [nid for nid in nodes if nid not in keep]
    note = (
        f"The lineage graph has {total} nodes; to stay readable the picture shows only the "
        f"{shown_groups} largest connected group(s) ({len(kept)} nodes). Every document is still "
        "listed in the table and has its own provenance map below."
    )
    return LineageGraph(kept, kept_edges, total, note, hidden)


# --------------------------------------------------------------------------- DOT


def dot_quote(s: str) -> str:
    """A DOT double-quoted string; backslashes and quotes escaped, newlines as DOT line breaks.

    ``&``, ``<`` and ``>`` become entities, which Graphviz writes back as such
    in the SVG: the text reads the same, and no markup of the input ever
    appears raw in the DOT source (the Markdown report quotes it).
    """
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = s.replace("\\", "\\\\").replace('"', '\\"')
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{s}"'


def _keys(graph: LineageGraph) -> dict[str, str]:
    """The key of each node in SVG ids: its section anchor, else ``n<i>``."""
    return {n.id: n.href or f"n{i}" for i, n in enumerate(graph.nodes)}


def edge_svg_id(keys: dict[str, str], e: GraphEdge) -> str:
    return f"ge-{keys[e.source]}--{keys[e.target]}"


def _dot_label(n: GraphNode) -> str:
    """An HTML-like DOT label: the headline lines, then the secondary line in small grey type."""
    esc = html.escape
    main = '<BR ALIGN="CENTER"/>'.join(esc(line) for line in (n.label or n.id).split("\n"))
    if n.sub:
        main += f'<BR ALIGN="CENTER"/><FONT POINT-SIZE="9" COLOR="#4b5563">{esc(n.sub)}</FONT>'
    return f"<{main}>"


def to_dot(graph: LineageGraph) -> str:
    """DOT source of the graph (node ids are the real ids, quoted)."""
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
    keys = _keys(graph)
    g = nx.Graph()
    g.add_nodes_from(ids)
    g.add_edges_from((e.source, e.target) for e in graph.edges)
    n_groups = nx.number_connected_components(g)
    # many separate groups: left to right, so the groups stack vertically instead of making one
    # very wide row (Graphviz's packmode would drop the edge labels)
    rankdir = "LR" if n_groups > 4 else "TB"
    lines = [
        "digraph lineage {",
        f'  graph [rankdir={rankdir}, bgcolor="transparent", nodesep=0.3, ranksep=0.6, '
        'fontname="Helvetica,Arial,sans-serif"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica,Arial,sans-serif", '
        f'fontsize=11, color="{_STROKE}", penwidth=1.2, margin="0.12,0.06"];',
        '  edge [fontname="Helvetica,Arial,sans-serif", fontsize=10, fontcolor="#1f2937"];',
    ]
    for n in graph.nodes:
        attrs = [
            f"label={_dot_label(n)}",
            f"tooltip={dot_quote(n.tooltip or n.label)}",
            f'fillcolor="{_FILL[n.role]}"',
            f"id={dot_quote('g-' + keys[n.id])}",
            f'class="gnode role-{n.role}"',
        ]
        if n.is_virtual:
            attrs += ["shape=ellipse", 'style="dashed,filled"', f'color="{_VIRTUAL_STROKE}"']
        elif n.role == ROLE_ORIGINAL:
            attrs.append("penwidth=2.2")
        if n.href:
            attrs.append(f"URL={dot_quote('#' + n.href)}")
        lines.append(f"  {ids[n.id]} [{', '.join(attrs)}];  // {dot_quote(n.id)}")
    for e in graph.edges:
        st = e.style
        attrs = [
            f"label={dot_quote(e.label)}",
            f"style={st.dot_style}",
            f'color="{st.colour}"',
            f"penwidth={e.stroke_width():.2f}",
        ]
        if not st.arrow:
            attrs.append("dir=none")
        if e.kind in (EDGE_UNDETERMINED, EDGE_SHARED):  # not a generation: keeps the ranks of the tree
            attrs += ["constraint=false", f'fontcolor="{st.colour}"']
        if e.tooltip:
            attrs.append(f"tooltip={dot_quote(e.tooltip)}")
        attrs += [f"id={dot_quote(edge_svg_id(keys, e))}", f'class="gedge {e.kind}"']
        lines.append(f"  {ids[e.source]} -> {ids[e.target]} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)


def _clean_svg(svg: str) -> str:
    svg = _PROLOG.sub("", svg)
    i = svg.find("<svg")
    if i < 0:
        raise ValueError("no <svg> element in dot output")
    return svg[i:].strip()


def svg_with_dot(graph: LineageGraph, dot: str = "dot") -> str:
    """Lay the graph out with Graphviz; raises on failure."""
    proc = subprocess.run(
        [dot, "-Tsvg"],
        input=to_dot(graph).encode("utf-8"),
        capture_output=True,
        timeout=DOT_TIMEOUT_S,
        check=True,
    )
    svg = _clean_svg(proc.stdout.decode("utf-8", errors="replace"))
    return svg.replace("<svg ", '<svg class="lineage-svg" role="img" aria-label="Lineage graph" ', 1)


# --------------------------------------------------------------- pure-Python layout


def _layers(graph: LineageGraph) -> list[list[str]]:
    dg = nx.DiGraph()
    dg.add_nodes_from(n.id for n in graph.nodes)
    dg.add_edges_from((e.source, e.target) for e in graph.edges if e.style.arrow)
    if nx.is_directed_acyclic_graph(dg):
        layers = [sorted(gen) for gen in nx.topological_generations(dg)]
    else:
        cond = nx.condensation(dg)
        layers = [sorted(x for c in gen for x in cond.nodes[c]["members"]) for gen in nx.topological_generations(cond)]
    # one barycentre pass to reduce crossings
    pos: dict[str, float] = {}
    preds = {n: list(dg.predecessors(n)) for n in dg.nodes}

    def barycentre(x: str) -> float:
        placed = [pos[p] for p in preds[x] if p in pos]
        return sum(placed) / len(placed) if placed else math.inf

    for layer in layers:
        layer.sort(key=barycentre)
        for i, x in enumerate(layer):
            pos[x] = float(i)
    return layers


def _arrow_marker(st: EdgeStyle) -> str:
    return (
        f'<marker id="arrow-{st.kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="10" markerHeight="10" '
        'markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{st.colour}" stroke="{st.colour}"/></marker>'
    )


def _stroke_attrs(st: EdgeStyle, width: float) -> str:
    dash = f' stroke-dasharray="{st.dasharray}"' if st.dasharray else ""
    return f'stroke="{st.colour}" stroke-width="{width:.2f}"{dash} fill="none"'


def svg_python(graph: LineageGraph, per_row: int = 8) -> str:
    """A layered layout drawn as SVG without Graphviz (layers wrap after ``per_row`` nodes)."""
    nodes = {n.id: n for n in graph.nodes}
    keys = _keys(graph)
    box_w, box_h, gap_x, gap_y, pad = 190, 58, 56, 76, 20
    rows: list[list[str]] = []
    for layer in _layers(graph):
        for i in range(0, len(layer), per_row):
            rows.append(layer[i : i + per_row])
    width = max([len(r) for r in rows] + [1]) * (box_w + gap_x) - gap_x + 2 * pad
    height = max(len(rows), 1) * (box_h + gap_y) - gap_y + 2 * pad
    xy: dict[str, tuple[float, float]] = {}
    for ri, row in enumerate(rows):
        row_w = len(row) * (box_w + gap_x) - gap_x
        x0 = (width - row_w) / 2
        for ci, nid in enumerate(row):
            xy[nid] = (x0 + ci * (box_w + gap_x) + box_w / 2, pad + ri * (box_h + gap_y) + box_h / 2)
    esc = html.escape
    out = [
        f'<svg class="lineage-svg" role="img" aria-label="Lineage graph" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Helvetica,Arial,sans-serif">',
        "<defs>" + "".join(_arrow_marker(st) for st in EDGE_STYLES.values() if st.arrow) + "</defs>",
    ]
    for e in graph.edges:
        if e.source not in xy or e.target not in xy:
            continue
        (x1, y1), (x2, y2) = xy[e.source], xy[e.target]
        st = e.style
        # clip the line at the box borders
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        off = min(
            (box_w / 2) / abs(ux) if ux else math.inf,
            (box_h / 2) / abs(uy) if uy else math.inf,
            0.45 * length,
        )
        sx, sy = x1 + ux * off, y1 + uy * off
        ex, ey = x2 - ux * off, y2 - uy * off
        marker = f' marker-end="url(#arrow-{st.kind})"' if st.arrow else ""
        tip = f"<title>{esc(e.tooltip)}</title>" if e.tooltip else ""
        out.append(
            f'<g id="{esc(edge_svg_id(keys, e))}" class="gedge {e.kind}">{tip}<line x1="{sx:.1f}" y1="{sy:.1f}" '
            f'x2="{ex:.1f}" y2="{ey:.1f}" {_stroke_attrs(st, e.stroke_width())}{marker}/>'
        )
        if e.label:
            mx, my = (sx + ex) / 2, (sy + ey) / 2
            # beside a vertical or slanted line, above a horizontal one (between two boxes of a row)
            at = (
                f'x="{mx:.1f}" y="{my - 6:.1f}" text-anchor="middle"'
                if abs(dy) < 1
                else f'x="{mx + 4:.1f}" y="{my:.1f}"'
            )
            ink = st.colour if e.kind in (EDGE_UNDETERMINED, EDGE_SHARED) else "#1f2937"  # as fontcolor in to_dot
            out.append(
                f'<text {at} font-size="11" fill="{ink}" '
                f'paint-order="stroke" stroke="#ffffff" stroke-width="3">{esc(e.label)}</text>'
            )
        out.append("</g>")
    for nid in (n for row in rows for n in row):
        node = nodes[nid]
        x, y = xy[nid]
        lines = (node.label or node.id).split("\n")[:2]
        if node.is_virtual:
            shape = (
                f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{box_w / 2:.1f}" ry="{box_h / 2:.1f}" '
                f'fill="{_FILL[node.role]}" stroke="{_VIRTUAL_STROKE}" stroke-dasharray="5,2" stroke-width="1.4"/>'
            )
        else:
            sw = 2.4 if node.role == ROLE_ORIGINAL else 1.2
            shape = (
                f'<rect x="{x - box_w / 2:.1f}" y="{y - box_h / 2:.1f}" width="{box_w}" height="{box_h}" '
                f'rx="8" fill="{_FILL[node.role]}" stroke="{_STROKE}" stroke-width="{sw}"/>'
            )
        rows_txt = [(line, 11, "#111827") for line in lines] + ([(node.sub, 9, "#4b5563")] if node.sub else [])
        texts = []
        for li, (line, size, colour) in enumerate(rows_txt):
            ty = y + (li - (len(rows_txt) - 1) / 2) * 14 + 4
            texts.append(
                f'<text x="{x:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="{size}" '
                f'fill="{colour}">{esc(line)}</text>'
            )
        body = f"<title>{esc(node.tooltip or node.label)}</title>{shape}{''.join(texts)}"
        if node.href:
            body = f'<a href="#{esc(node.href)}">{body}</a>'
        out.append(f'<g id="{esc("g-" + keys[nid])}" class="gnode role-{node.role}">{body}</g>')
    out.append("</svg>")
    return "\n".join(out)


def edge_sample_svg(kind: str) -> str:
    """A short sample of a link kind, drawn as in the graph (for the legend and the "How to read" text)."""
    st = EDGE_STYLES[kind]
    end = 34 if st.arrow else 44
    arrow = f'<polygon points="34,1.5 44,6 34,10.5" fill="{st.colour}" stroke="{st.colour}"/>' if st.arrow else ""
    return (
        f'<svg class="lsample" data-kind="{st.kind}" width="46" height="12" viewBox="0 0 46 12" aria-hidden="true">'
        f'<line x1="1" y1="6" x2="{end}" y2="6" {_stroke_attrs(st, st.width or 2.0)}/>{arrow}</svg>'
    )


def node_sample_svg(role: str) -> str:
    """A small sample of a node role, drawn as in the graph."""
    if role == ROLE_VIRTUAL:
        shape = (
            f'<ellipse cx="15" cy="8" rx="14" ry="7" fill="{_FILL[role]}" stroke="{_VIRTUAL_STROKE}" '
            'stroke-dasharray="5,2" stroke-width="1.2"/>'
        )
    else:
        sw = 2.2 if role == ROLE_ORIGINAL else 1.2
        shape = (
            f'<rect x="1" y="1" width="28" height="14" rx="4" fill="{_FILL[role]}" stroke="{_STROKE}" '
            f'stroke-width="{sw}"/>'
        )
    return (
        f'<svg class="nsample" data-role="{role}" width="30" height="16" viewBox="0 0 30 16" aria-hidden="true">'
        f"{shape}</svg>"
    )


@dataclass(frozen=True)
class RenderedGraph:
    svg: str
    dot: str
    engine: str  # "graphviz" or "python"


def render_graph(graph: LineageGraph) -> RenderedGraph:
    """Inline SVG for the graph: Graphviz when available, else the pure-Python layout."""
    dot_src = to_dot(graph)
    if not graph.nodes:
        return RenderedGraph("", dot_src, "none")
    exe = shutil.which("dot")
    if exe is not None:
        try:
            return RenderedGraph(svg_with_dot(graph, exe), dot_src, "graphviz")
        except (OSError, subprocess.SubprocessError, ValueError):
            pass
    return RenderedGraph(svg_python(graph), dot_src, "python")
