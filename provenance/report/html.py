"""The self-contained HTML report (inline CSS, inline SVG, a few lines of inline JS).

Everything taken from the input (texts, ids, outlets, titles, evidence details)
is escaped: the jinja2 environment autoescapes, and the provenance maps, built
here, escape each piece with :func:`markupsafe.escape`.  Size rules are in
:mod:`provenance.report.model`.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2
from markupsafe import Markup, escape

from provenance.records import AnalysisResult
from provenance.report.model import VIA_WORDS, DocSection, Ref, ReportModel, Segment, build_model

CLUSTER_CAP = 300  # clusters of each kind listed inline


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("provenance.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals.update(ref=ref_html, pct=pct, map_html=map_html, via_words=VIA_WORDS)
    return env


def pct(x: float) -> str:
    """A share as a whole percentage ("<1 %" for small non-zero shares)."""
    v = max(0.0, float(x)) * 100
    if 0 < v < 1:
        return "<1 %"
    return f"{v:.0f} %"


def ref_html(r: Ref) -> Markup:
    """A link to a document's section (or the name of a credited source)."""
    if r.virtual:
        return Markup('<span class="virtual">{}</span> <span class="muted small">({})</span>').format(
            r.label, r.short_note
        )
    label = Markup("{}").format(r.label)
    if r.label != r.id:
        label += Markup(' <span class="id muted">{}</span>').format(r.id)
    if r.anchor:
        return Markup('<a href="#{}">{}</a>').format(r.anchor, label)
    return label


def _segment_text(seg: Segment) -> Markup:
    if not seg.cites:
        return escape(seg.text)
    out = Markup("")
    pos = 0
    for c in seg.cites:
        if c.start < pos:
            continue
        out += escape(seg.text[pos : c.start])
        title = f"Credits {c.name}" + (f" (cue: {c.cue})" if c.cue else "")
        out += Markup('<span class="cite" title="{}">{}</span>').format(title, seg.text[c.start : c.end])
        pos = c.end
    return out + escape(seg.text[pos:])


def map_html(sec: DocSection) -> Markup:
    """The coloured text of one document: a link per sourced passage, plain text for the rest."""
    parts: list[Markup] = []
    for seg in sec.segments:
        body = _segment_text(seg)
        if seg.source is None:
            parts.append(body)
        elif seg.href:
            parts.append(
                Markup('<a class="src c{}" href="#{}" title="{}" data-source="{}">{}</a>').format(
                    seg.colour, seg.href, seg.title, seg.source.id, body
                )
            )
        else:
            parts.append(
                Markup('<mark class="src c{}" title="{}" data-source="{}">{}</mark>').format(
                    seg.colour, seg.title, seg.source.id, body
                )
            )
    return Markup("").join(parts)


def render_model_html(model: ReportModel) -> str:
    tpl = _env().get_template("report.html.j2")
    return tpl.render(
        m=model,
        s=model.summary,
        svg=Markup(model.rendered.svg),  # built from escaped labels (graphviz or graph.svg_python)
        cluster_cap=CLUSTER_CAP,
        sections_open=bool(model.sections and model.sections[0].open),
    )


def render_html(result: AnalysisResult, title: str | None = None) -> str:
    """The HTML report for ``result``."""
    return render_model_html(build_model(result, title))
