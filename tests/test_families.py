"""Passage families: pairs inferred through a third document's passages (provenance/scoring/families.py)."""

from __future__ import annotations

from provenance.records import Alignment, PairScore, Relation
from provenance.scoring.families import FamilyParams, infer_family_pairs


def _pair(a: str, b: str, spans: list[tuple[int, int]], score: float = 0.6, p: float = 1e-4) -> PairScore:
    """A reuse pair aligning passage [s, s+10) of ``a`` with passage [t, t+10) of ``b`` for each (s, t)."""
    als = [Alignment(s, s + 10, t, t + 10, score) for s, t in spans]
    return PairScore(a, b, Relation.REWRITE, 0.1, 0.5, 0.1, 0.1, als, 0.5, 0.5, p)


def test_two_rewrites_of_one_source_are_a_pair_through_it() -> None:
    # A renders passages 0 and 20 of M; B renders the same two passages of M
    pairs = [_pair("a", "m", [(0, 0), (50, 20)]), _pair("b", "m", [(5, 0), (70, 20)], p=2e-4)]
    out = infer_family_pairs(pairs)
    (ab,) = [p for p in out if (p.a, p.b) == ("a", "b")]
    assert ab.relation is Relation.REWRITE and ab.via == ("m",)
    assert {(al.a_start, al.b_start) for al in ab.alignments} == {(0, 5), (50, 70)}
    assert abs(ab.p_value - 3e-4) < 1e-12  # union bound of the two links
    assert [p for p in out if p.via == ()] == pairs  # the direct pairs are untouched


def test_one_shared_passage_weak_links_or_weak_pairs_infer_nothing() -> None:
    one = [_pair("a", "m", [(0, 0), (50, 40)]), _pair("b", "m", [(5, 0), (70, 60)])]  # only passage 0 of M in common
    assert len(infer_family_pairs(one)) == 2
    weak = [_pair("a", "m", [(0, 0), (50, 20)], score=0.3), _pair("b", "m", [(5, 0), (70, 20)])]
    assert len(infer_family_pairs(weak, FamilyParams(min_score=0.4))) == 2
    doubtful = [_pair("a", "m", [(0, 0), (50, 20)], p=0.006), _pair("b", "m", [(5, 0), (70, 20)], p=0.006)]
    assert len(infer_family_pairs(doubtful)) == 2  # 0.012 > significance 0.01


def test_inference_takes_one_step_only() -> None:
    # a - m - b - c: a and c share no intermediate document
    pairs = [
        _pair("a", "m", [(0, 0), (50, 20)]),
        _pair("b", "m", [(5, 0), (70, 20)]),
        _pair("b", "c", [(5, 0), (70, 30)]),
    ]
    out = {(p.a, p.b): p for p in infer_family_pairs(pairs)}
    assert ("a", "b") in out and ("a", "c") not in out
    assert out[("c", "m")].via == ("b",)


def test_a_same_story_pair_is_upgraded_and_a_reuse_pair_kept() -> None:
    same = PairScore("a", "b", Relation.SAME_STORY, 0.0, 0.3, 0.0, 0.0, [Alignment(100, 110, 100, 110, 0.25)])
    pairs = [_pair("a", "m", [(0, 0), (50, 20)]), _pair("b", "m", [(5, 0), (70, 20)]), same]
    up = {(p.a, p.b): p for p in infer_family_pairs(pairs)}[("a", "b")]
    assert up.relation is Relation.REWRITE and up.via == ("m",) and up.tfidf_cosine == 0.3
    assert len(up.alignments) == 3  # its own alignment kept
    direct = _pair("a", "b", [(300, 300), (400, 400)])
    kept = {(p.a, p.b): p for p in infer_family_pairs([*pairs[:2], direct])}[("a", "b")]
    assert kept is direct


def test_relatives_pair_up_in_the_pipeline_and_lineage_ignores_inferred_pairs() -> None:
    from benchmarks.stories_data import load_stories, reuse_truth
    from provenance.pipeline import PipelineConfig, analyze
    from provenance.records import Document
    from provenance.serialize import result_to_dict

    story = load_stories(names=["c07"])[0]
    docs = [Document(id=a.id, text=a.text, outlet=a.outlet) for a in story.present]
    with_families = analyze(docs, config=PipelineConfig())
    without = analyze(docs, config=PipelineConfig(families=None))
    inferred = [p for p in with_families.pairs if p.via]
    assert inferred  # c07's translation and its descendants are distant relatives of the English texts
    direct = {(p.a, p.b): p.relation for p in without.pairs}
    truth = reuse_truth(story)
    for p in inferred:
        assert p.relation is Relation.REWRITE and direct.get((p.a, p.b)) in (None, Relation.SAME_STORY)
        assert all(v in {d.id for d in docs} and v not in (p.a, p.b) for v in p.via)
        assert 0.0 < p.coverage_a <= 1.0 and 0.0 < p.coverage_b <= 1.0
    roles = {a.id: a.role for a in story.present}
    found = [p for p in inferred if "independent" not in (roles[p.a], roles[p.b])]
    assert found and all((p.a, p.b) in truth for p in found)  # relatives, not a story's other articles
    assert [(e.source, e.target) for e in with_families.edges] == [(e.source, e.target) for e in without.edges]
    assert all("via" in p for p in result_to_dict(with_families)["pairs"])
