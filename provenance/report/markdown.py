"""The Markdown report: the HTML report's content without interactivity.

The lineage graph becomes a nested list (and its DOT source in a code block),
each provenance map a list of passages labelled ``[from: X]``, ``[chance: X]``
(a same-story match at chance level, not counted) or ``[original]``, each
side-by-side view quoted blocks, each reconstructed absent source a numbered
list of passages with their renderings.  Text from the input is escaped so it
cannot inject Markdown structure or HTML; urls are http(s) only.
"""

from __future__ import annotations

import re

from provenance.records import AnalysisResult
from provenance.report.graph import ROLE_ORIGINAL
from provenance.report.model import AbsentPassage, AbsentSource, DocSection, Ref, ReportModel, SideBySide, build_model
from provenance.report.names import pct

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def md_escape(s: str) -> str:
    """Escape Markdown punctuation and HTML (``<``, ``>``, ``&``); newlines become spaces."""
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return " ".join(s.replace("\r", "\n").split("\n")).strip()


def _code(s: str) -> str:
    """An inline code span that cannot break out of itself or a table row."""
    return "`" + " ".join(s.replace("`", "'").replace("|", "\\|").split()) + "`"


def _ref(r: Ref) -> str:
    if r.virtual:
        return f"*{md_escape(r.label)}* ({r.note})"
    code = _code(r.id)
    if r.label == r.id:
        return code
    return f"**{md_escape(r.label)}** ({code})"


def _url(r: Ref) -> str:
    """A Markdown link to the document's url (already checked to be http/https)."""
    if not r.url:
        return ""
    safe = "".join(f"%{ord(ch):02X}" if ch in "()<>[]\\ `" else ch for ch in r.url)
    return f"[original]({safe})"


def _quote(s: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in s.split("\n"))


def _tree(model: ReportModel) -> list[str]:
    rows = {r.ref.id: r for r in model.rows}
    children: dict[str, list[str]] = {}
    for r in model.rows:
        if r.parent is not None:
            children.setdefault(r.parent.id, []).append(r.ref.id)
    lines: list[str] = []
    seen: set[str] = set()

    relayed = {x.id: y for y, x in model.summary.relays}  # absent X -> the absent Y it relays
    relaying: dict[str, list[Ref]] = {}
    for y, x in model.summary.relays:
        relaying.setdefault(y.id, []).append(x)

    def walk(node: str, depth: int) -> None:
        if node in seen:
            return
        seen.add(node)
        for x in relaying.get(node, []):
            lines.append(f"{'  ' * depth}- {_ref(x)} — relays it")
            walk(x.id, depth + 1)
        for kid in children.get(node, []):
            r = rows[kid]
            conf = f", confidence {r.parent_confidence:.2f}" if r.parent_confidence is not None else ""
            share = f"derived share {r.derived_text}"
            lines.append(f"{'  ' * depth}- {_ref(r.ref)} — {share}{conf}")
            walk(kid, depth + 1)

    for r in model.rows:
        if r.parent is None and r.ref.id in children:
            lines.append(f"- {_ref(r.ref)} — original")
            walk(r.ref.id, 1)
    for v in model.summary.virtual_roots:
        if (v.id in children or v.id in relaying) and v.id not in relayed:
            lines.append(f"- {_ref(v)}")
            walk(v.id, 1)
    for r in model.rows:  # parents outside the documents, or cycles
        if r.ref.id not in seen and r.parent is not None and r.parent.id not in rows:
            if r.parent.id in seen:
                continue
            lines.append(f"- {_ref(r.parent)}")
            walk(r.parent.id, 1)
    alone = [r for r in model.rows if r.ref.id not in seen and r.parent is None]
    if alone:
        lines.append("- Standing alone (no parent, no offspring): " + ", ".join(_ref(r.ref) for r in alone))
    return lines


def _view(v: SideBySide, this_label: str) -> list[str]:
    out = [f"#### {md_escape(v.heading)}", ""]
    out += [md_escape(v.pair_text), ""]
    if v.edge_text:
        out += [md_escape(v.edge_text), ""]
    out += [
        f"Relation: {v.relation} · Jaccard {v.jaccard:.2f} · cosine {v.tfidf_cosine:.2f} · "
        f"this text covered {pct(v.coverage_this)} · the other covered "
        f"{pct(v.coverage_other)} · p = {v.p_value:.2g}",
        "",
    ]
    if v.evidence:
        out.append("Evidence for the direction (positive supports it, negative points the other way):")
        out.append("")
        out += [f"- {md_escape(e.kind)} ({e.weight:+.2f}): {md_escape(e.detail)}" for e in v.evidence]
        out.append("")
    for i, a in enumerate(v.rows, 1):
        order = "" if a.in_order else ", out of order"
        out += [
            f"Passage {i} (match {a.score:.2f}{order}):",
            "",
            _quote(f"**This document ({md_escape(this_label)}):** {md_escape(a.this_text)}"),
            ">",
            _quote(f"**{md_escape(v.other.long_label)}:** {md_escape(a.other_text)}"),
            "",
        ]
    if v.n_hidden_rows:
        out += [f"*{v.n_hidden_rows} more aligned passages are in the JSON output.*", ""]
    return out


def _section(sec: DocSection) -> list[str]:
    r = sec.row
    out = [f"### {md_escape(r.ref.label)}", ""]
    meta = [_code(r.ref.id)]
    if r.outlet:
        meta.append(md_escape(r.outlet))
    meta += [r.language or "language unknown", r.published or "publication date unknown"]
    if r.ref.url:
        meta.append(_url(r.ref))
    if r.parent is not None:
        conf = f", confidence {r.parent_confidence:.2f}" if r.parent_confidence is not None else ""
        meta.append(f"derives from {_ref(r.parent)}{conf}")
    elif r.role == ROLE_ORIGINAL:
        meta.append("original")
    if r.cited:
        meta.append("credits " + ", ".join(md_escape(c) for c in r.cited))
    out += [" · ".join(meta), ""]
    out += [f"Derived share: **{r.derived_text}** ({md_escape(sec.derived_words)})", ""]
    if not sec.has_text:
        return [*out, "*The text of this document is not available.*", ""]
    legend = [f"{md_escape(x.source.label)} {pct(x.share)} ({md_escape(x.words)})" for x in sec.legend]
    if sec.chance_share:
        legend.append(f"same story, chance-level matches {pct(sec.chance_share)} (not counted)")
    legend.append(f"not found elsewhere {pct(sec.original_share)}")
    out += ["Found in: " + " · ".join(legend), ""]
    passages: list[tuple[str, str]] = []
    gap = False
    for seg in sec.segments:
        text = md_escape(seg.text)
        if not text:
            gap = True
            continue
        if seg.source is None:
            label = "[original]"
        else:
            label = f"[{'chance' if seg.chance else 'from'}: {md_escape(seg.source.label)}]"
        if passages and (passages[-1][0] == label or not any(ch.isalnum() for ch in seg.text)):
            # punctuation left between passages, or the same source again: one item
            sep = " " if gap or seg.text[:1].isspace() else ""
            passages[-1] = (passages[-1][0], passages[-1][1] + sep + text)
        else:
            passages.append((label, text))
        gap = seg.text[-1:].isspace()
    out += [f"- **{label}** {text}" for label, text in passages]
    out.append("")
    for v in sec.views:
        out += _view(v, r.ref.label)
    if sec.n_hidden_views:
        out += [f"*{sec.n_hidden_views} smaller matches are not shown side by side.*", ""]
    return out


def _passages(items: list[AbsentPassage]) -> list[str]:
    out = []
    for i, p in enumerate(items, 1):
        kind = "shared by a reuse pair" if p.significant else "chance-level match"
        out.append(f"{i}. Passage ({kind}, p = {p.p_value:.2g}):")
        out += [
            f"   - {_ref(r.ref)}{' (similar only at chance level)' if r.chance else ''}: {md_escape(r.text)}"
            for r in p.renderings
        ]
    return out


def _absent(a: AbsentSource) -> list[str]:
    out = [f"### {md_escape(a.ref.label)} ({a.ref.note})", ""]
    n = len(a.children)
    out += [f"{n} article{'' if n == 1 else 's'} derive{'s' if n == 1 else ''} from it: "
            + ", ".join(_ref(c) for c in a.children), ""]  # fmt: skip
    if a.passages:
        out += ["What it must have said (passages shared by texts that rewrite or copy the same text):", ""]
        out += [*_passages(a.passages), ""]
    elif not a.chance:
        out += ["*Nothing of its text can be reconstructed: its articles share no aligned passage.*", ""]
    if a.chance:
        out += ["What it may have said (the same facts, shared only at chance level):", ""]
        out += [*_passages(a.chance), ""]
    if a.n_hidden:
        out += [f"*{a.n_hidden} more passages are in the JSON output (virtual\\_nodes).*", ""]
    return out


def _cell(s: str | None) -> str:
    return md_escape(s) if s else "—"


def render_model_markdown(model: ReportModel) -> str:
    s = model.summary
    out = [f"# {md_escape(model.title)}", "", f"*Generated {model.generated}.*", ""]
    out += [f"> {md_escape(n)}" for n in model.notes]
    if model.notes:
        out.append("")
    out += ["## Summary", ""]
    out.append(
        f"- Documents: {s.n_documents} — {s.n_from_collection} derive from a document of this collection, "
        f"{s.n_from_credited} from a credited source that is not in the collection"
        + (
            f", {s.n_from_inferred} from an inferred common source that is not in the collection"
            if s.n_from_inferred
            else ""
        )
        + f"; {len(s.originals)} original{'' if len(s.originals) == 1 else 's'} with offspring in the collection, "
        f"{s.n_standalone} stand alone" + (f"; {s.n_skipped} inputs skipped" if s.n_skipped else "")
    )
    out.append(f"- Pairs of documents that share passages (near-duplicate, contained or rewrite): {len(s.shared)}")
    out.append("- Languages: " + (", ".join(f"{md_escape(c.label)} {c.count}" for c in s.languages) or "—"))
    out.append("- Clusters: " + ", ".join(f"{c.count} {c.label}" for c in s.clusters))
    if s.cited:
        out.append("- Credited sources: " + ", ".join(f"{md_escape(c.label)} (cited by {c.count})" for c in s.cited))
    originals = [_ref(r) for r in s.originals] + [_ref(r) for r in s.virtual_roots]
    out.append("- Originals and absent sources: " + (", ".join(originals) if originals else "none found"))
    if s.n_undetermined:
        out.append(f"- Links with undetermined direction: {s.n_undetermined}")
    out += [
        "",
        "## How to read this report",
        "",
        "- **Parent**: the text an article most likely took its passages from. An **original** took from "
        "no other text of the collection but others took from it. A parent can be a source that is not in the "
        "collection: credited in the text, or inferred from passages two articles share without copying each other.",
        "- **Derived share**: the share of an article's text that lines up, passage by passage, with its parent "
        "(for a parent that is not in the collection: with the other articles that derive from it); n/a when "
        "nothing can be compared.",
        "- **Confidence**: how sure a link of the lineage is, from 0 to 1.",
        "- **Near-duplicate**: the same text, copied nearly verbatim. **Rewrite**: the same text reworded. "
        "**Same story**: the same event, written independently; its matching passages are chance-level and "
        "never counted as derived.",
        "- **[from: X]** marks a passage found in X; **[chance: X]** a passage X matches only at chance level; "
        "**[original]** text not found elsewhere.",
        "",
        "## Lineage",
        "",
    ]
    out += _tree(model) or ["No document derives from another."]
    if model.undetermined:
        out += ["", "Links whose direction could not be decided:", ""]
        out += [f"- {_ref(a)} — {_ref(b)} (confidence {c:.2f})" for a, b, c in model.undetermined]
    if s.shared:
        out += ["", "Texts that share passages (near-duplicate, contained or rewrite pairs):", ""]
        out += [
            f"- {_ref(x.a)} ↔ {_ref(x.b)} — {x.relation}, {x.n_passages} aligned passage"
            f"{'' if x.n_passages == 1 else 's'}, p = {x.p_value:.2g}; {md_escape(x.lineage)}"
            for x in s.shared
        ]
    dot = model.rendered.dot.rstrip()
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", dot)), default=0))
    out += ["", "Graphviz source of the lineage graph:", "", f"{fence}dot", dot, fence, ""]
    if model.absent:
        out += ["## Absent sources, reconstructed", ""]
        for a in model.absent:
            out += _absent(a)
    out += [
        "## Documents",
        "",
        "| Document | Outlet | Language | Published | Derives from | Derived share | Credits | Related texts |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in model.rows:
        parent = _ref(r.parent) if r.parent is not None else "—"
        rel = ", ".join(f"{c.count} {c.label}" for c in r.relations) or "—"
        out.append(
            f"| {_ref(r.ref)} | {_cell(r.outlet)} | {_cell(r.language)} | {_cell(r.published)} | {parent} | "
            f"{r.derived_text} | {_cell(', '.join(r.cited))} | {rel} |"
        )
    out += ["", "## Clusters", ""]
    for kind, heading in (
        ("near-duplicate", "Near-duplicates"),
        ("rewrite", "Rewrites"),
        ("story", "Same story"),
    ):
        cs = [c for c in model.clusters if c.kind == kind]
        out += [f"### {heading} ({len(cs)})", ""]
        out += [f"- {', '.join(_ref(m) for m in c.members)}" for c in cs] or ["None."]
        out.append("")
    out += ["## Provenance maps", ""]
    for sec in model.sections:
        out += _section(sec)
    if model.skipped:
        out += ["## Skipped inputs", ""]
        out += [f"- {_code(o)}: {md_escape(r)}" for o, r in model.skipped]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_markdown(result: AnalysisResult, title: str | None = None) -> str:
    """The Markdown report for ``result``."""
    return render_model_markdown(build_model(result, title))
