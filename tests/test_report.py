"""The provenance report: passage attribution, HTML/Markdown/JSON output, escaping, graph layout, scale."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.records import (
    Alignment,
    AnalysisResult,
    CitedSource,
    Cluster,
    ClusterKind,
    DocumentInfo,
    Evidence,
    LineageEdge,
    PairScore,
    Relation,
)
from provenance.report import SourcedSpan, passage_sources, render_report, write_report
from provenance.report import graph as graph_mod
from provenance.report.graph import build_graph, dot_quote, render_graph, svg_python, to_dot
from provenance.report.sample import sample_result, synthetic_result
from provenance.serialize import result_to_dict

A = "Alpha one. Bravo two. Charlie three."
B = "Alpha one. Bravo two. Delta four."
C = "Echo five. Bravo two. Foxtrot six, says Agency."
D = 'Echo five! <script>alert(1)</script> <img src=x onerror="alert(2)"> end.'
SCRIPT = "<script>alert(1)</script>"


def _al(ta: str, sa: str, tb: str, sb: str, score: float = 0.9) -> Alignment:
    i, j = ta.index(sa), tb.index(sb)
    return Alignment(i, i + len(sa), j, j + len(sb), score)


def small_result() -> AnalysisResult:
    """A -> B (parent edge), Agency (virtual) -> C and D, B -- C undetermined; D carries an HTML injection."""
    agency = C.index("Agency")
    docs = [
        DocumentInfo("a", "en", "Alpha Times", None),
        DocumentInfo("b", "en", "Bravo News", None, parent="a", derived_share=0.6),
        DocumentInfo(
            "c",
            "en",
            None,
            None,
            cited_sources=[CitedSource("Agency", "Agency", agency, agency + 6, "says")],
            parent="cited:Agency",
        ),
        DocumentInfo("d", "en", '<b>Evil</b> "Outlet"', None, parent="cited:Agency"),
    ]
    pairs = [
        PairScore(
            "a", "b", Relation.NEAR_DUPLICATE, 0.5, 0.9, 0.6, 0.7, [_al(A, "Alpha one.", B, "Alpha one.", 1.0),
                                                                 _al(A, "Bravo two.", B, "Bravo two.", 0.95)]
        ),
        PairScore("b", "c", Relation.REWRITE, 0.2, 0.5, 0.3, 0.3, [_al(B, "Bravo two.", C, "Bravo two.", 0.8)]),
        PairScore("c", "d", Relation.REWRITE, 0.2, 0.5, 0.3, 0.3, [_al(C, "Echo five.", D, "Echo five!", 0.7)]),
        PairScore("a", "d", Relation.SAME_STORY, 0.0, 0.2, 0.0, 0.0),
    ]  # fmt: skip
    edges = [
        LineageEdge("a", "b", 0.8, [Evidence("published", 0.5, "Alpha Times was first <b>by far</b>")]),
        LineageEdge("cited:Agency", "c", 0.6, [Evidence("citation", 0.6, "c credits Agency")]),
        LineageEdge("cited:Agency", "d", 0.5),
        LineageEdge("b", "c", 0.3, [Evidence("containment", -0.1, "symmetric")], direction="undetermined"),
    ]
    clusters = [
        Cluster(ClusterKind.NEAR_DUPLICATE, ("a", "b")),
        Cluster(ClusterKind.REWRITE, ("b", "c")),
        Cluster(ClusterKind.STORY, ("a", "b", "c", "d")),
    ]
    return AnalysisResult(docs, pairs, clusters, edges, {"a": A, "b": B, "c": C, "d": D})


def _check_partition(spans: list[SourcedSpan], text: str) -> None:
    assert spans, "a non-empty text has spans"
    assert spans[0].start == 0 and spans[-1].end == len(text)
    for x, y in zip(spans, spans[1:], strict=False):
        assert x.end == y.start and x.start < x.end


def _text_of(spans: list[SourcedSpan], text: str, source: str | None) -> list[str]:
    return [text[s.start : s.end] for s in spans if s.source == source]


# ------------------------------------------------------------------ passage_sources


@pytest.mark.parametrize("make", [small_result, sample_result, lambda: synthetic_result(40, seed=3)])
def test_spans_partition_every_text(make) -> None:  # type: ignore[no-untyped-def]
    result = make()
    for d in result.documents:
        _check_partition(passage_sources(result, d.id), result.texts[d.id])


def test_root_text_is_original_even_when_copied() -> None:
    result = small_result()
    spans = passage_sources(result, "a")
    assert spans == [SourcedSpan(0, len(A), None)]
    assert spans[0].is_original and spans[0].via == "original"


def test_parent_edge_wins_over_other_alignments() -> None:
    result = small_result()
    spans = passage_sources(result, "b")
    assert _text_of(spans, B, "a") == ["Alpha one.", "Bravo two."]  # not C, though "Bravo two." is also in C
    assert all(s.via == "parent" and s.edge == ("a", "b") and s.pair == ("a", "b") for s in spans if s.source)
    assert "".join(_text_of(spans, B, None)) == " " + " Delta four."
    first = spans[0]
    assert (first.alignment, first.score) == (0, 1.0)


def test_virtual_parent_and_undetermined_edge() -> None:
    result = small_result()
    spans = passage_sources(result, "c")
    assert _text_of(spans, C, "cited:Agency") == ["Echo five."]
    agency = next(s for s in spans if s.source == "cited:Agency")
    assert agency.via == "parent" and agency.pair == ("c", "d") and agency.edge == ("cited:Agency", "c")
    assert _text_of(spans, C, "b") == ["Bravo two."]
    und = next(s for s in spans if s.source == "b")
    assert und.via == "undetermined" and und.edge == ("b", "c")
    assert "Foxtrot six" in "".join(_text_of(spans, C, None))

    spans_d = passage_sources(result, "d")
    assert _text_of(spans_d, D, "cited:Agency") == ["Echo five!"]
    assert SCRIPT in "".join(_text_of(spans_d, D, None))


def test_inferred_common_ancestor() -> None:
    result = small_result()
    anc = "ancestor:c+d"
    for d in result.documents:
        if d.parent == "cited:Agency":
            d.parent = anc
    result.edges = [
        LineageEdge(anc, e.target, e.confidence, e.evidence, "common-ancestor") if e.source == "cited:Agency" else e
        for e in result.edges
    ]
    spans = passage_sources(result, "d")
    assert _text_of(spans, D, anc) == ["Echo five!"]
    html = render_report(result, "html")
    assert "common source of c and d" in html and "inferred" in html
    assert "*common source of c and d* (inferred, not in the collection)" in render_report(result, "md")


def test_shared_pair_without_edge_and_clipping() -> None:
    result = small_result()
    result.edges = []  # no lineage at all: pairs still attribute text, both ways
    for d in result.documents:
        d.parent = None
    result.pairs[0].alignments.append(Alignment(30, 999, 30, 999, 0.1))  # past the end: clipped
    spans = passage_sources(result, "a")
    _check_partition(spans, A)
    assert _text_of(spans, A, "b")[:2] == ["Alpha one.", "Bravo two."]
    assert all(s.via == "shared" for s in spans if s.source)
    # same-story pairs do not attribute text
    assert all(s.source != "a" for s in passage_sources(result, "d"))


def test_empty_or_missing_text() -> None:
    result = small_result()
    result.texts["a"] = ""
    assert passage_sources(result, "a") == []
    assert passage_sources(result, "nope") == []


# ------------------------------------------------------------------ HTML


def test_html_has_summary_graph_table_maps_and_side_by_side() -> None:
    html = render_report(sample_result(), "html", title="Treni regionali")
    assert html.startswith("<!DOCTYPE html>") and "<title>Treni regionali</title>" in html
    assert html.count("<svg") >= 1 and 'class="lineage-svg' in html
    assert '<table class="docs" id="doc-table">' in html and html.count("<tr>") >= 5
    assert html.count('<details class="doc"') == 5
    assert html.count('class="map"') == 5
    assert 'class="src c0" href="#v1-0-0"' in html  # rep-002's first passage links to its aligned row
    assert 'id="v1-0-0"' in html and 'id="v1-0"' in html
    assert "ANSA published 1 h 30 min earlier" in html  # direction evidence
    assert "Financial Times" in html and "(credited)" in html
    assert "Derived share" in html and "Confidence" in html and "Rewrite" in html  # glossary
    assert "which one came first could not be decided" in html  # undetermined edge explained
    for kind in ("Near-duplicates", "Rewrites", "Same story"):
        assert kind in html
    # self-contained: nothing fetched at view time
    assert not re.search(r"""<(script|img|link|iframe)[^>]+(src|href)=["']?https?:""", html)
    assert "<link" not in html and "<?xml" not in html and "<!DOCTYPE svg" not in html


def test_html_escapes_document_text_ids_and_outlets() -> None:
    result = small_result()
    result.documents[2] = DocumentInfo('c"><svg onload=alert(3)>', "en", "</title><script>x()</script>", None)
    result.texts['c"><svg onload=alert(3)>'] = result.texts.pop("c")
    html = render_report(result, "html")
    assert html.count("<script") == 1  # only the report's own script
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=" in html
    assert "<b>Evil</b>" not in html and "&lt;b&gt;Evil&lt;/b&gt;" in html
    assert "<svg onload" not in html and "<b>by far</b>" not in html
    assert "</title><script>" not in html


def test_html_escaping_in_both_graph_layouts(monkeypatch: pytest.MonkeyPatch) -> None:
    result = small_result()
    result.documents[0] = DocumentInfo("a", "en", '<script>alert("g")</script> \\N "q"', None)
    for which in [None] if shutil.which("dot") is None else [None, "real"]:
        if which is None:
            monkeypatch.setattr(graph_mod.shutil, "which", lambda name: None)
        html = render_report(result, "html")
        assert html.count("<script") == 1
        start = html.index('<svg class="lineage-svg')
        svg = html[start : html.index("</svg>", start)]
        assert "&lt;script&gt;" in svg
        monkeypatch.undo()


# ------------------------------------------------------------------ graph


def test_graph_nodes_edges_and_dot_source() -> None:
    g = build_graph(small_result(), {"a": "doc-0"})
    assert {n.id for n in g.nodes} == {"a", "b", "c", "d", "cited:Agency"}
    virtual = next(n for n in g.nodes if n.id == "cited:Agency")
    assert virtual.is_virtual and virtual.label == "Agency"
    und = next(e for e in g.edges if e.direction == "undetermined")
    assert und.label == "? 0.30"
    dot = to_dot(g)
    assert "dir=none" in dot and "style=dashed" in dot and 'label="0.80"' in dot
    assert 'URL="#doc-0"' in dot
    assert dot_quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_graphviz_layout_inlines_svg() -> None:
    rendered = render_graph(build_graph(small_result()))
    assert rendered.engine == "graphviz"
    assert rendered.svg.startswith("<svg") and rendered.svg.rstrip().endswith("</svg>")
    assert "<?xml" not in rendered.svg and "<!--" not in rendered.svg
    assert "Agency" in rendered.svg and "stroke-dasharray" in rendered.svg


def test_fallback_layout_without_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_mod.shutil, "which", lambda name: None)
    rendered = render_graph(build_graph(small_result(), {"b": "doc-1"}))
    assert rendered.engine == "python"
    svg = rendered.svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="gnode') == 5 and svg.count('class="gedge') == 5
    assert 'class="gedge undetermined"' in svg and "stroke-dasharray" in svg
    assert 'class="gedge shared"' in svg  # c and d share passages: a link, not a parent
    assert 'href="#doc-1"' in svg and "<ellipse" in svg  # virtual source drawn as a dashed ellipse
    html = render_report(small_result(), "html")
    assert "Simplified layout" in html and 'class="lineage-svg"' in html


def test_fallback_when_dot_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise subprocess.CalledProcessError(1, "dot")

    monkeypatch.setattr(graph_mod.shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(graph_mod.subprocess, "run", boom)
    assert render_graph(build_graph(small_result())).engine == "python"


def test_fallback_layout_handles_cycles() -> None:
    result = small_result()
    result.edges.append(LineageEdge("b", "a", 0.4))
    svg = svg_python(build_graph(result))
    assert svg.count('class="gnode') == 5


def test_graph_cap_keeps_largest_groups() -> None:
    result = synthetic_result(60, group=5)
    g = build_graph(result, max_nodes=22)
    assert len(g.nodes) <= 22 and g.total_nodes > 60 and g.note and g.hidden
    kept = {n.id for n in g.nodes}
    assert all(e.source in kept and e.target in kept for e in g.edges)


# ------------------------------------------------------------------ Markdown, JSON, files


def test_markdown_report() -> None:
    md = render_report(small_result(), "md")
    assert md.startswith("# Provenance report")
    assert "## Lineage" in md and "```dot" in md and "digraph lineage" in md
    assert "- **Alpha one. Bravo two. Charlie three.** (`a`) — original" in md  # headline, then id
    assert "  - **Alpha one. Bravo two. Delta four.** (`b`)" in md  # nested under its parent
    assert "*Agency* (credited, not in the collection)" in md
    assert "**[from: Alpha one. Bravo two. Charlie three.]** Alpha one." in md and "**[original]**" in md
    assert "> **This document (Alpha one. Bravo two. Delta four.):** Alpha one." in md
    assert "| Document | Outlet |" in md and "| Alpha Times |" in md
    assert "## Absent sources, reconstructed" in md and "### Agency (credited, not in the collection)" in md
    assert SCRIPT not in md and "&lt;script&gt;" in md
    assert render_report(small_result(), "markdown").startswith("# Provenance report")


def test_json_report_is_the_contract() -> None:
    result = sample_result()
    out = render_report(result, "json")
    assert out == json.dumps(result_to_dict(result), ensure_ascii=False, indent=2)
    assert json.loads(out)["edges"][0]["evidence"][0]["kind"] == "published"


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render_report(small_result(), "pdf")


def test_write_report_infers_format(tmp_path: Path) -> None:
    result = small_result()
    assert write_report(result, tmp_path / "r.json").read_text(encoding="utf-8").startswith("{")
    assert write_report(result, tmp_path / "r.md").read_text(encoding="utf-8").startswith("# ")
    assert write_report(result, tmp_path / "sub" / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")
    assert write_report(result, tmp_path / "r.out").read_text(encoding="utf-8").startswith("<!DOCTYPE")
    assert write_report(result, tmp_path / "r.txt", fmt="md").read_text(encoding="utf-8").startswith("# ")


def test_empty_and_single_document_results() -> None:
    empty = AnalysisResult([], [], [])
    html = render_report(empty, "html")
    assert "No documents to draw." in html and render_report(empty, "md").startswith("# ")
    one = AnalysisResult([DocumentInfo("solo", None, None, None)], [], [], texts={"solo": "Just <this>."})
    html = render_report(one, "html")
    assert 'class="lineage-svg' in html and "Just &lt;this&gt;." in html
    assert passage_sources(one, "solo") == [SourcedSpan(0, 12, None)]
    assert "**[original]** Just &lt;this&gt;." in render_report(one, "md")


# ------------------------------------------------------------------ scale


def test_thousand_documents_render_collapsed_and_capped() -> None:
    result = synthetic_result(1000, seed=1)
    t0 = time.perf_counter()
    html = render_report(result, "html")
    elapsed = time.perf_counter() - t0
    assert elapsed < 60, f"rendering 1,000 documents took {elapsed:.1f}s"
    assert html.count('<details class="doc"') == 1000
    assert '<details class="doc" id="doc-0" open' not in html  # collapsed
    assert '<details class="sbs' in html and '<details class="sbs c0" id="v1-0" open' not in html
    assert "the picture shows only the" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('class="gnode') <= graph_mod.MAX_GRAPH_NODES
    assert 'class="table-wrap long"' in html
    assert len(html) < 30_000_000
    md = render_report(result, "md")
    assert md.count("\n### ") >= 1000


# ------------------------------------------------------------------ end to end


def test_end_to_end_on_seeds(tmp_path: Path) -> None:
    try:
        from provenance.load import load_corpus
        from provenance.pipeline import analyze
    except ImportError as exc:  # the pipeline is not there yet
        pytest.skip(f"pipeline not available: {exc}")
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    corpus = load_corpus(seeds)
    result = analyze(corpus.documents)
    out = write_report(result, tmp_path / "seeds.html")
    html = out.read_text(encoding="utf-8")
    assert html.count('<details class="doc"') == len(corpus.documents)
    assert "<svg" in html and 'id="doc-table"' in html
    for d in result.documents:
        _check_partition(passage_sources(result, d.id), result.texts[d.id])
    md = render_report(result, "md")
    assert "## Provenance maps" in md


def test_credited_source_without_text_has_no_derived_share_in_html_or_markdown() -> None:
    from provenance.pipeline import analyze
    from provenance.records import Document

    text = "Secondo Reuters, il vertice tra i due leader è stato rinviato a dicembre per motivi di sicurezza."
    result = analyze([Document("solo", text)])
    (row,) = result.documents
    assert row.parent == "cited:Reuters" and not row.derived_share
    md = render_report(result, "md")
    assert "| n/a |" in md and "derived share 0 %" not in md
    assert "Reuters, is not in the collection" in md and "Derived share: **n/a**" in md
    html = render_report(result, "html")
    assert ">n/a</span>" in html


def test_markdown_lineage_nests_a_relaying_absent_outlet_under_the_source_it_relays() -> None:
    """Issue 13 on the seeds: 003 credits Open, which cites the WSJ; the report shows WSJ > Open > 003."""
    from provenance.load import load_corpus
    from provenance.pipeline import analyze

    result = analyze(load_corpus(Path(__file__).resolve().parent.parent / "seeds").documents)
    md = render_report(result, "md")
    tree = md.split("## Lineage", 1)[1].split("\n\n", 2)[1]
    lines = tree.splitlines()
    assert lines[0] == "- *Wall Street Journal* (credited, not in the collection)"
    assert "  - *Open* (credited, not in the collection) — relays it" in lines
    under_open = lines[lines.index("  - *Open* (credited, not in the collection) — relays it") + 1]
    assert under_open.startswith("    - ") and "`003_3eb852199a30c901`" in under_open
    assert not any(line.startswith("- *Open*") for line in lines)  # not a root of its own


def test_passage_chars_count_the_characters_inside_passages() -> None:
    import random

    from provenance.normalize.segment import split_passages
    from provenance.report.provenance_map import PassageChars

    texts = [
        "",
        "   ",
        "Putin called Musk. The call lasted an hour.\n\nSpaceX declined to comment, a spokesman said.\n",
        "one line without a stop",
        "  Leading blanks. Then a sentence.   \n  \n Trailing line  ",
    ]
    rng = random.Random(5)
    for text in texts:
        inside = [False] * len(text)
        for p in split_passages(text):
            inside[p.start : p.end] = [True] * (p.end - p.start)
        if not any(inside):  # no passage: every character counts
            inside = [True] * len(text)
        chars = PassageChars(text)
        assert chars.total == sum(inside)
        for _ in range(300):
            start, end = rng.randint(-3, len(text) + 3), rng.randint(-3, len(text) + 3)
            lo, hi = max(0, start), max(0, min(len(text), end))
            assert chars.count(start, end) == sum(inside[lo:hi])


_HEAD_PIECES = ["word", "Titolo", " ", "  ", "\t", "\n", "\r\n", "\r", "\x0b", "\x1c", "\u2028", "\xa0", "—", ",", ".", " " * 40]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_HEAD_PIECES), max_size=120).map("".join),
    st.integers(min_value=4, max_value=40),
)
def test_headline_is_the_first_non_empty_line_shortened(text: str, n: int) -> None:
    """A document is named by its first non-empty line, collapsed and cut at a word (read from its start only)."""
    from provenance.report.names import headline

    def reference(s: str) -> str:  # the definition, on the whole line
        s = " ".join(s.split())
        if len(s) <= n:
            return s
        cut = s[: n - 1]
        if cut.rfind(" ") > n // 2:
            cut = cut[: cut.rfind(" ")]
        return cut.rstrip(" ,;:.-–—") + "…"

    lines = [line for line in text.splitlines() if line.strip()]
    assert headline(None, text, "fallback", n) == (reference(lines[0]) if lines else "fallback")
    assert headline("  A   title\n", text, "fallback", n) == reference("  A   title\n")
