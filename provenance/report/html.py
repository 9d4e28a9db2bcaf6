"""The self-contained HTML report (inline CSS, inline SVG, a few lines of inline JS).

Everything taken from the input (texts, ids, outlets, titles, evidence details)
is escaped: the jinja2 environment autoescapes, and the provenance maps, built
here, escape each piece with :func:`markupsafe.escape`.  A document's url is a
link only when it is http(s) (:func:`provenance.report.names.safe_url`), with
``rel="noopener noreferrer"``.  The graph legend and the "How to read" text
draw each kind of link with the graph's own style
(:data:`provenance.report.graph.EDGE_STYLES`).  Size rules are in
:mod:`provenance.report.model`.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2
from markupsafe import Markup, escape

from provenance.records import AnalysisResult
from provenance.report.graph import EDGE_STYLES, ROLE_WORDS, edge_sample_svg, node_sample_svg
from provenance.report.model import VIA_WORDS, DocSection, Ref, ReportModel, Segment, build_model
from provenance.report.names import pct

CLUSTER_CAP = 300  # clusters of each kind listed inline


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("provenance.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals.update(
        ref=ref_html,
        pct=pct,
        map_html=map_html,
        url_link=url_link,
        via_words=VIA_WORDS,
        edge_styles=EDGE_STYLES,
        role_words=ROLE_WORDS,
        edge_sample=lambda kind: Markup(edge_sample_svg(kind)),  # built from constants only
        node_sample=lambda role: Markup(node_sample_svg(role)),
    )
    return env


def url_link(r: Ref, text: str = "original ↗") -> Markup:
    """A link to the document's url (http/https only, see :func:`provenance.report.names.safe_url`)."""
    if not r.url:
        return Markup("")
    return Markup('<a class="ext" href="{}" rel="noopener noreferrer" title="{}">{}</a>').format(r.url, r.url, text)


def ref_html(r: Ref, with_id: bool = True) -> Markup:
    """A document's headline linking to its section, its id in small type (a virtual source: its name)."""
    if r.virtual:
        name = Markup('<span class="virtual">{}</span>').format(r.label)
        if r.anchor:
            name = Markup('<a href="#{}">{}</a>').format(r.anchor, name)
        return name + Markup(' <span class="muted small">({})</span>').format(r.short_note)
    # the values escaped one by one, as Markup.format does (a report has tens of thousands of refs; format is slow)
    dot = f'<span class="dot c{escape(r.colour)}" aria-hidden="true"></span>' if r.colour is not None else ""
    label = f'{dot}<span class="headline">{escape(r.label)}</span>'
    if r.anchor:
        label = f'<a class="docref" href="#{escape(r.anchor)}">{label}</a>'
    if with_id and r.label != r.id:
        label += f' <span class="id muted">{escape(r.id)}</span>'
    return Markup(label)


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
            continue
        cls = "src chance" if seg.colour is None else f"src c{seg.colour}"
        if seg.href:
            parts.append(
                Markup('<a class="{}" href="#{}" title="{}" data-source="{}" data-via="{}">{}</a>').format(
                    cls, seg.href, seg.title, seg.source.id, seg.via, body
                )
            )
        else:
            parts.append(
                Markup('<mark class="{}" title="{}" data-source="{}" data-via="{}">{}</mark>').format(
                    cls, seg.title, seg.source.id, seg.via, body
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
