"""Absent sources reconstructed from the texts that derive from them (provenance.lineage.reconstruct)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.lineage.reconstruct import (
    group_passages,
    reconstruct_virtual_nodes,
    virtual_children,
    virtual_kind,
    virtual_name,
)
from provenance.records import (
    Alignment,
    AnalysisResult,
    DocumentInfo,
    LineageEdge,
    PairScore,
    Relation,
    Rendering,
)
from provenance.serialize import result_to_dict

ROOT = Path(__file__).resolve().parent.parent

A = "Alpha reports the vote. Alpha adds the budget. Alpha ends with weather."
B = "Bravo: the vote was held. Bravo on the budget. Bravo closes with sport."
C = "Charlie says the vote was held today. Charlie weather is fine. Charlie on sport."
D = "Delta is unrelated, but it shares a line: the vote was held."


def _span(text: str, snippet: str) -> tuple[int, int]:
    i = text.index(snippet)
    return i, i + len(snippet)


def _al(ta: str, sa: str, tb: str, sb: str, score: float = 0.8) -> Alignment:
    return Alignment(*_span(ta, sa), *_span(tb, sb), score)


def _pair(a: str, b: str, relation: Relation, alignments: list[Alignment], p: float) -> PairScore:
    return PairScore(a, b, relation, 0.1, 0.5, 0.2, 0.2, alignments, 0.3, 0.3, p)


def _result(pairs: list[PairScore], parent: str = "cited:Wire", docs: dict[str, str] | None = None) -> AnalysisResult:
    texts = docs or {"a": A, "b": B, "c": C, "d": D}
    infos = [
        DocumentInfo(doc_id, "en", None, None, parent=parent if doc_id != "d" else None) for doc_id in sorted(texts)
    ]
    edges = [LineageEdge(parent, i.id, 0.3) for i in infos if i.parent]
    return AnalysisResult(infos, pairs, [], edges, dict(texts))


def _docs(g: object) -> list[str]:
    return [r.doc_id for r in g.renderings]  # type: ignore[attr-defined]


def test_names_kinds_and_children() -> None:
    assert virtual_name("cited:Wall Street Journal") == "Wall Street Journal"
    assert virtual_name("ancestor:x+y") == "common source of x and y"
    assert virtual_name("doc-1") == "doc-1"
    assert (virtual_kind("cited:X"), virtual_kind("ancestor:x+y"), virtual_kind("doc")) == ("cited", "ancestor", "")
    result = _result([])
    result.edges.append(LineageEdge("cited:Other", "d", 0.2))  # an edge alone also makes a child
    assert virtual_children(result) == {"cited:Wire": ["a", "b", "c"], "cited:Other": ["d"]}


def test_passages_are_grouped_across_children_with_one_rendering_each() -> None:
    pairs = [
        _pair("a", "b", Relation.REWRITE, [
            _al(A, "Alpha reports the vote.", B, "Bravo: the vote was held.", 0.9),
            _al(A, "Alpha adds the budget.", B, "Bravo on the budget.", 0.8),
        ], 1e-6),
        # the same sentence of B, aligned with C through a slightly longer span: one rendering of B
        _pair("b", "c", Relation.REWRITE, [
            _al(B, "Bravo: the vote was held. Bravo", C, "Charlie says the vote was held today.", 0.7),
            _al(B, "Bravo closes with sport.", C, "Charlie on sport.", 0.6),
        ], 1e-4),
        _pair("a", "c", Relation.SAME_STORY, [_al(A, "Alpha ends with weather.", C, "Charlie weather is fine.", 0.5)], 0.4),
        # d is not a child of the absent source: its alignments are not part of it
        _pair("c", "d", Relation.REWRITE, [_al(C, "Charlie says the vote was held today.", D, "the vote was held.")], 1e-3),
    ]  # fmt: skip
    (node,) = reconstruct_virtual_nodes(_result(pairs))
    assert (node.id, node.name, node.kind, node.children) == ("cited:Wire", "Wire", "cited", ["a", "b", "c"])
    vote, budget, weather, sport = node.passages  # ordered by mean relative position in the texts
    assert _docs(vote) == ["a", "b", "c"] and vote.significant and vote.reuse_docs == ["a", "b", "c"]
    b_vote = vote.renderings[1]
    assert B[b_vote.start : b_vote.end] == "Bravo: the vote was held. Bravo" == b_vote.text  # hull of both spans
    assert vote.p_value == pytest.approx(1e-6) and vote.score == pytest.approx(0.9)
    assert _docs(budget) == ["a", "b"] and budget.significant
    assert _docs(sport) == ["b", "c"]
    assert _docs(weather) == ["a", "c"] and not weather.significant and weather.reuse_docs == []
    assert weather.p_value == pytest.approx(0.4)
    assert all(isinstance(r, Rendering) for g in node.passages for r in g.renderings)
    assert all(r.text == _result(pairs).texts[r.doc_id][r.start : r.end] for g in node.passages for r in g.renderings)


def test_a_chain_of_partial_matches_does_not_join_two_passages_of_one_text() -> None:
    # a1 ~ b1 ~ c1 ~ a2: following every link would make a1 and a2 (two passages of a) one passage
    pairs = [
        _pair("a", "b", Relation.REWRITE, [_al(A, "Alpha reports the vote.", B, "Bravo: the vote was held.", 0.9)], 1e-5),
        _pair("b", "c", Relation.REWRITE, [_al(B, "Bravo: the vote was held.", C, "Charlie weather is fine.", 0.8)], 1e-5),
        _pair("a", "c", Relation.REWRITE, [_al(A, "Alpha ends with weather.", C, "Charlie weather is fine.", 0.7)], 1e-5),
    ]  # fmt: skip
    passages = group_passages(_result(pairs), ["a", "b", "c"])
    for g in passages:
        assert len(set(_docs(g))) == len(g.renderings)  # one rendering per text
    (first,) = passages  # the weakest link is the one left out
    assert _docs(first) == ["a", "b", "c"] and first.renderings[0].text == "Alpha reports the vote."
    assert all(len(r.text) < 40 for r in first.renderings)  # no hull spanning two passages


def test_chance_level_rendering_inside_a_significant_passage() -> None:
    pairs = [
        _pair("a", "b", Relation.REWRITE, [_al(A, "Alpha reports the vote.", B, "Bravo: the vote was held.", 0.9)], 1e-6),
        _pair("a", "c", Relation.SAME_STORY, [_al(A, "Alpha reports the vote.", C, "Charlie says the vote was held today.")], 0.3),
    ]  # fmt: skip
    (g,) = group_passages(_result(pairs), ["a", "b", "c"])
    assert _docs(g) == ["a", "b", "c"] and g.significant and g.reuse_docs == ["a", "b"]


def test_single_child_ancestor_node_and_clipping() -> None:
    anc = "ancestor:a+b"
    pairs = [_pair("a", "b", Relation.REWRITE, [Alignment(0, 10, 60, 999, 0.8), Alignment(5, 5, 0, 4, 0.9)], 1e-3)]
    result = _result(pairs, parent=anc, docs={"a": A, "b": B})
    (node,) = reconstruct_virtual_nodes(result)
    assert (node.kind, node.name) == ("ancestor", "common source of a and b")
    (g,) = node.passages  # the empty span is dropped, the one past the end is clipped
    assert g.renderings[1] == Rendering("b", 60, len(B), B[60:])
    alone = _result([], docs={"a": A})
    assert [(n.children, n.passages) for n in reconstruct_virtual_nodes(alone)] == [(["a"], [])]
    assert reconstruct_virtual_nodes(AnalysisResult([], [], [])) == []


def test_seeds_reconstruct_the_wsj_scoop_and_serialize_it() -> None:
    from provenance.load import load_corpus
    from provenance.pipeline import analyze

    result = analyze(load_corpus(ROOT / "seeds").documents)
    (wsj,) = [v for v in result.virtual_nodes if v.id == "cited:Wall Street Journal"]
    assert len(wsj.children) == 5 and wsj.name == "Wall Street Journal"
    significant = [g for g in wsj.passages if g.significant]
    assert len(significant) >= 5
    rewrites = {"001_1d2643d162fb0798", "002_5610e9206eb18a66"}
    assert all(rewrites <= set(g.reuse_docs) for g in significant)  # the rewrite pair carries them
    assert {r.doc_id for g in wsj.passages for r in g.renderings} == set(wsj.children)  # all five render it
    for g in wsj.passages:
        assert len({r.doc_id for r in g.renderings}) == len(g.renderings) >= 2
        assert all(r.text == result.texts[r.doc_id][r.start : r.end] for r in g.renderings)
    data = json.loads(json.dumps(result_to_dict(result)))
    (node,) = [v for v in data["virtual_nodes"] if v["id"] == wsj.id]
    assert node["id"] == wsj.id and node["children"] == wsj.children and len(node["passages"]) == len(wsj.passages)
    first = node["passages"][0]
    assert set(first) == {"significant", "p_value", "score", "reuse_docs", "renderings"}
    assert set(first["renderings"][0]) == {"doc_id", "start", "end", "text"}
    assert all("url" in d for d in data["documents"])
