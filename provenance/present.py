"""Plain-text renderings of an :class:`AnalysisResult` for the terminal: tables, CSV, DOT, side-by-side.

Pure functions from records to strings; the CLI prints them.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
from collections.abc import Sequence

from provenance.records import AnalysisResult, ClusterKind, LineageEdge, PairScore, Relation
from provenance.serialize import result_to_dict


def _snippet(text: str, start: int, end: int, width: int) -> str:
    s = " ".join(text[start:end].split())
    return s if len(s) <= width else s[: width - 1] + "…"


def as_json(result: AnalysisResult) -> str:
    return json.dumps(result_to_dict(result), ensure_ascii=False, indent=2)


def pairs_csv(result: AnalysisResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        ["a", "b", "relation", "jaccard", "tfidf_cosine", "containment_a_in_b", "containment_b_in_a",
         "coverage_a", "coverage_b", "p_value", "aligned_passages", "cluster_near_duplicate", "cluster_rewrite",
         "cluster_story"]
    )  # fmt: skip
    member = _cluster_index(result)
    for p in result.pairs:
        w.writerow(
            [p.a, p.b, p.relation.value, f"{p.jaccard:.4f}", f"{p.tfidf_cosine:.4f}",
             f"{p.containment_a_in_b:.4f}", f"{p.containment_b_in_a:.4f}", f"{p.coverage_a:.4f}",
             f"{p.coverage_b:.4f}", f"{p.p_value:.3g}", len(p.alignments)]
            + [member.get((kind, p.a), "") for kind in ClusterKind]
        )  # fmt: skip
    return buf.getvalue()


def _cluster_index(result: AnalysisResult) -> dict[tuple[ClusterKind, str], int]:
    out: dict[tuple[ClusterKind, str], int] = {}
    counters: dict[ClusterKind, int] = {}
    for c in result.clusters:
        counters[c.kind] = counters.get(c.kind, 0) + 1
        for m in c.members:
            out[(c.kind, m)] = counters[c.kind]
    return out


def cluster_table(result: AnalysisResult) -> str:
    """Clusters by kind, then the scored pairs."""
    lines = [f"{len(result.documents)} documents"]
    for s in result.skipped:
        lines.append(f"  skipped {s.origin}: {s.reason}")
    for kind in ClusterKind:
        clusters = [c for c in result.clusters if c.kind is kind]
        label = {"near-duplicate": "near-duplicate clusters (verbatim reuse)",
                 "rewrite": "reuse families (near-duplicate, contained or rewrite)",
                 "story": "story clusters (same event)"}[kind.value]  # fmt: skip
        lines.append(f"\n{label}: {len(clusters) or 'none'}")
        for i, c in enumerate(clusters, 1):
            lines.append(f"  {i}. {', '.join(c.members)}")
    lines.append("")
    lines.append(pair_table(result.pairs))
    return "\n".join(lines)


def pair_table(pairs: Sequence[PairScore]) -> str:
    if not pairs:
        return "scored pairs: none above the story threshold"
    rows = [("a", "b", "relation", "jaccard", "tfidf", "cov a", "cov b", "passages", "p-value")]
    for p in pairs:
        rows.append(
            (p.a, p.b, p.relation.value, f"{p.jaccard:.3f}", f"{p.tfidf_cosine:.3f}", f"{p.coverage_a:.0%}",
             f"{p.coverage_b:.0%}", str(len(p.alignments)), f"{p.p_value:.2g}")
        )  # fmt: skip
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    out = ["scored pairs:"]
    for r in rows:
        out.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(out)


def _edge_line(e: LineageEdge) -> str:
    tag = "" if e.direction == "determined" else f" [{e.direction}]"
    return f"{e.source} -> {e.target}  confidence {e.confidence:.2f}{tag}"


def lineage_tree(result: AnalysisResult) -> str:
    """The copying forest as an indented tree, each edge with its evidence."""
    children: dict[str, list[LineageEdge]] = {}
    for e in result.edges:
        children.setdefault(e.source, []).append(e)
    parents = {e.target for e in result.edges}
    nodes = [d.id for d in result.documents]
    virtual = sorted({e.source for e in result.edges if e.source not in set(nodes)})
    roots = [n for n in virtual + nodes if n not in parents]
    info = {d.id: d for d in result.documents}
    lines = ["copying forest (roots are originals or sources not in the collection):"]

    def label(node: str) -> str:
        d = info.get(node)
        if d is None:
            return f"{node}  (not in the collection)"
        bits = [d.outlet or "", d.published.isoformat() if d.published else ""]
        cited = sorted({c.name for c in d.cited_sources})
        extra = ", ".join(b for b in bits if b)
        s = node + (f"  ({extra})" if extra else "")
        if cited:
            s += f"  credits: {', '.join(cited)}"
        return s

    def walk(node: str, depth: int) -> None:
        for e in sorted(children.get(node, []), key=lambda e: e.target):
            d = info.get(e.target)  # None: a virtual node relaying another (cited:Y -> cited:X)
            share = f", derived share {d.derived_share:.0%}" if d is not None and d.derived_share else ""
            tag = "" if e.direction == "determined" else f", {e.direction} direction"
            lines.append("    " * depth + f"└─ {label(e.target)}   [confidence {e.confidence:.2f}{share}{tag}]")
            for ev in e.evidence:
                lines.append("    " * (depth + 1) + f"   · {ev.kind} ({ev.weight:+.2f}): {ev.detail}")
            walk(e.target, depth + 1)

    for r in roots:
        lines.append(label(r))
        walk(r, 0)
    return "\n".join(lines)


def lineage_dot(result: AnalysisResult) -> str:
    """Graphviz DOT source of the copying forest."""

    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    ids = {d.id for d in result.documents}
    lines = ["digraph lineage {", "  rankdir=TB;", "  node [shape=box, fontname=Helvetica];"]
    for d in result.documents:
        lines.append(f"  {q(d.id)} [label={q(d.id + (chr(10) + d.outlet if d.outlet else ''))}];")
    for v in sorted({n for e in result.edges for n in (e.source, e.target)} - ids):
        lines.append(f"  {q(v)} [style=dashed];")
    for e in result.edges:
        style = ", style=dashed" if e.direction != "determined" else ""
        lines.append(f"  {q(e.source)} -> {q(e.target)} [label={q(f'{e.confidence:.2f}')}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def side_by_side(result: AnalysisResult, pair: PairScore, width: int | None = None) -> str:
    """Aligned passages of one pair in two columns, with scores and the relation."""
    width = width or min(160, shutil.get_terminal_size((120, 40)).columns)
    col = max(30, (width - 12) // 2)
    ta, tb = result.texts[pair.a], result.texts[pair.b]
    out = [
        f"{pair.a}  vs  {pair.b}: {pair.relation.value}",
        f"  jaccard {pair.jaccard:.3f}, tf-idf cosine {pair.tfidf_cosine:.3f}, "
        f"aligned: {pair.coverage_a:.0%} of {pair.a}, {pair.coverage_b:.0%} of {pair.b}, p-value {pair.p_value:.2g}",
        "",
    ]
    if not pair.alignments:
        out.append("  no aligned passages")
    for k, al in enumerate(pair.alignments, 1):
        left = textwrap.wrap(" ".join(ta[al.a_start : al.a_end].split()), col) or [""]
        right = textwrap.wrap(" ".join(tb[al.b_start : al.b_end].split()), col) or [""]
        order = "" if al.in_order else ", out of order"
        out.append(
            f"[{k}] score {al.score:.2f}{order}   ({pair.a} {al.a_start}-{al.a_end} | {pair.b} {al.b_start}-{al.b_end})"
        )
        for i in range(max(len(left), len(right))):
            lft = left[i] if i < len(left) else ""
            rgt = right[i] if i < len(right) else ""
            out.append(f"  {lft.ljust(col)} │ {rgt}")
        out.append("")
    return "\n".join(out)


def relation_counts(result: AnalysisResult) -> dict[Relation, int]:
    counts = {r: 0 for r in Relation}
    for p in result.pairs:
        counts[p.relation] += 1
    return counts
