"""The lineage graph as a picture: DOT source and inline SVG.

Nodes are documents (labelled with their outlet, or id) and virtual cited
sources ``cited:NAME`` (dashed ellipses); edges carry their confidence and are
dashed without arrowhead when the direction is undetermined.

Layout: Graphviz ``dot -Tsvg`` when ``dot`` is on ``PATH`` (DOT passed on
stdin, the XML prolog stripped so the SVG inlines in HTML); otherwise, or if
``dot`` fails, a pure-Python layered layout (networkx topological generations)
drawn as SVG here.

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

from provenance.records import AnalysisResult
from provenance.report.provenance_map import is_virtual, virtual_name, virtual_note

MAX_GRAPH_NODES = 200
DOT_TIMEOUT_S = 60.0
_LABEL_MAX = 28

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


@dataclass(frozen=True)
class GraphNode:
    id: str
    label: str  # may contain "\n" (two lines)
    role: str
    href: str | None = None  # link to the document's section
    tooltip: str = ""

    @property
    def is_virtual(self) -> bool:
        return self.role == ROLE_VIRTUAL


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    confidence: float | None
    direction: str = "determined"

    @property
    def undetermined(self) -> bool:
        return self.direction == "undetermined"

    @property
    def label(self) -> str:
        if self.confidence is None:
            return "?" if self.undetermined else ""
        c = f"{self.confidence:.2f}"
        return f"? {c}" if self.undetermined else c


@dataclass
class LineageGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    total_nodes: int = 0
    note: str | None = None
    hidden: list[str] = field(default_factory=list)  # node ids left out of the picture


def _short(s: str, n: int = _LABEL_MAX) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


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
            label, tip = _short(name), f"{name} ({virtual_note(nid)})"
        elif d is not None and d.outlet:
            label = _short(d.outlet) + "\n" + _short(nid)
            tip = f"{d.outlet} – {nid}" + (f": {d.title}" if d.title else "")
        else:
            label = _short(nid)
            tip = nid + (f": {d.title}" if d is not None and d.title else "")
        nodes[nid] = GraphNode(nid, label, role, anchors.get(nid), tip)
    edges: list[GraphEdge] = []
    seen: set[tuple[str, str]] = set()
    for e in result.edges:
        edges.append(GraphEdge(e.source, e.target, e.confidence, e.direction))
        seen.add((e.source, e.target))
    for d in result.documents:
        if d.parent is not None and (d.parent, d.id) not in seen:
            edges.append(GraphEdge(d.parent, d.id, None))
            seen.add((d.parent, d.id))
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
    """A DOT double-quoted string; backslashes and quotes escaped, newlines as DOT line breaks."""
    s = s.replace("\\", "\\\\").replace('"', '\\"')
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{s}"'


def to_dot(graph: LineageGraph) -> str:
    """DOT source of the graph (node ids are the real ids, quoted)."""
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
    g = nx.Graph()
    g.add_nodes_from(ids)
    g.add_edges_from((e.source, e.target) for e in graph.edges)
    n_groups = nx.number_connected_components(g)
    # many separate groups: left to right, so the groups stack vertically instead of making one
    # very wide row (Graphviz's packmode would drop the edge labels)
    rankdir = "LR" if n_groups > 4 else "TB"
    lines = [
        "digraph lineage {",
        f'  graph [rankdir={rankdir}, bgcolor="transparent", nodesep=0.3, ranksep=0.55, '
        'fontname="Helvetica,Arial,sans-serif"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica,Arial,sans-serif", '
        'fontsize=11, color="#374151", penwidth=1.2];',
        '  edge [fontname="Helvetica,Arial,sans-serif", fontsize=10, color="#374151", fontcolor="#1f2937"];',
    ]
    for n in graph.nodes:
        attrs = [
            f"label={dot_quote(n.label)}",
            f"tooltip={dot_quote(n.tooltip or n.label)}",
            f'fillcolor="{_FILL[n.role]}"',
            f'id="g{ids[n.id]}"',
            f'class="gnode role-{n.role}"',
        ]
        if n.is_virtual:
            attrs += ["shape=ellipse", 'style="dashed,filled"', 'color="#b45309"']
        elif n.role == ROLE_ORIGINAL:
            attrs.append("penwidth=2.2")
        if n.href:
            attrs.append(f"URL={dot_quote('#' + n.href)}")
        lines.append(f"  {ids[n.id]} [{', '.join(attrs)}];  // {dot_quote(n.id)}")
    for e in graph.edges:
        attrs = [f"label={dot_quote(e.label)}"]
        if e.undetermined:
            attrs += ["style=dashed", "dir=none", "constraint=false", 'color="#9ca3af"', 'fontcolor="#6b7280"']
        elif e.direction == "common-ancestor":
            attrs += ["style=dotted", 'color="#b45309"']
        if e.confidence is not None and not e.undetermined:
            attrs.append(f"penwidth={1.0 + 2.0 * max(0.0, min(1.0, e.confidence)):.2f}")
        attrs.append('class="gedge ' + ("undetermined" if e.undetermined else "determined") + '"')
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
    dg.add_edges_from((e.source, e.target) for e in graph.edges if not e.undetermined)
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


def svg_python(graph: LineageGraph, per_row: int = 8) -> str:
    """A layered layout drawn as SVG without Graphviz (layers wrap after ``per_row`` nodes)."""
    nodes = {n.id: n for n in graph.nodes}
    box_w, box_h, gap_x, gap_y, pad = 170, 44, 26, 70, 20
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
        "<defs>"
        '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#374151"/></marker>'
        "</defs>",
    ]
    for e in graph.edges:
        if e.source not in xy or e.target not in xy:
            continue
        (x1, y1), (x2, y2) = xy[e.source], xy[e.target]
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
        cls = "gedge undetermined" if e.undetermined else "gedge determined"
        style = (
            'stroke="#9ca3af" stroke-dasharray="6 4"'
            if e.undetermined
            else (
                'stroke="#b45309" stroke-dasharray="2 3" marker-end="url(#arrow)"'
                if e.direction == "common-ancestor"
                else 'stroke="#374151" marker-end="url(#arrow)"'
            )
        )
        sw = 1.0 + 2.0 * max(0.0, min(1.0, e.confidence)) if e.confidence is not None else 1.2
        out.append(
            f'<g class="{cls}"><line x1="{sx:.1f}" y1="{sy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" '
            f'stroke-width="{sw:.2f}" {style}/>'
        )
        if e.label:
            mx, my = (sx + ex) / 2, (sy + ey) / 2
            out.append(
                f'<text x="{mx + 4:.1f}" y="{my:.1f}" font-size="11" fill="#1f2937" '
                f'paint-order="stroke" stroke="#ffffff" stroke-width="3">{esc(e.label)}</text>'
            )
        out.append("</g>")
    for i, nid in enumerate(n for row in rows for n in row):
        node = nodes[nid]
        x, y = xy[nid]
        lines = node.label.split("\n")[:2]
        if node.is_virtual:
            shape = (
                f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{box_w / 2:.1f}" ry="{box_h / 2:.1f}" '
                f'fill="{_FILL[node.role]}" stroke="#b45309" stroke-dasharray="5 3" stroke-width="1.4"/>'
            )
        else:
            sw = 2.4 if node.role == ROLE_ORIGINAL else 1.2
            shape = (
                f'<rect x="{x - box_w / 2:.1f}" y="{y - box_h / 2:.1f}" width="{box_w}" height="{box_h}" '
                f'rx="8" fill="{_FILL[node.role]}" stroke="#374151" stroke-width="{sw}"/>'
            )
        texts = []
        for li, line in enumerate(lines):
            ty = y + (li - (len(lines) - 1) / 2) * 14 + 4
            weight = ' font-weight="bold"' if li == 0 and len(lines) > 1 else ""
            texts.append(
                f'<text x="{x:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="11"{weight} '
                f'fill="#111827">{esc(line)}</text>'
            )
        body = f"<title>{esc(node.tooltip or node.label)}</title>{shape}{''.join(texts)}"
        if node.href:
            body = f'<a href="#{esc(node.href)}">{body}</a>'
        out.append(f'<g id="gn{i}" class="gnode role-{node.role}">{body}</g>')
    out.append("</svg>")
    return "\n".join(out)


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
