"""Passage alignment finds paraphrased reuse and does not align texts that only share the story."""

from __future__ import annotations

from provenance.normalize import analyzer_for
from provenance.records import Document
from provenance.scoring.align import (
    AlignParams,
    PassageProfile,
    align_passages,
    best_chain,
    build_profile,
    chain_p_value,
)
from provenance.scoring.weights import TermWeights

from .texts import INDEPENDENT_EN, INDEPENDENT_IT, REWRITE_EN, REWRITE_IT, SOURCE_EN, SOURCE_IT, TRANSLATION_IT


def _align(lang: str, a: str, b: str, *others: str) -> tuple[int, float, list[tuple[int, int, float]]]:
    an = analyzer_for(lang)
    docs = [Document(f"d{i}", t, language=lang) for i, t in enumerate((a, b, *others))]
    profiles = [build_profile(d, an) for d in docs]
    weights = TermWeights().fit((lang, p.surface) for p in profiles)
    res = align_passages(profiles[0], profiles[1], weights, AlignParams())
    return res.chain_length, res.p_value, res.matches


def test_english_paraphrase_aligned_in_order() -> None:
    length, p, matches = _align("en", SOURCE_EN, REWRITE_EN, INDEPENDENT_EN)
    assert length >= 5
    assert p < 1e-4
    # passage k of the rewrite renders passage k of the source
    assert sum(i == j for i, j, _ in matches) >= 5


def test_italian_paraphrase_aligned_in_order() -> None:
    length, p, matches = _align("it", SOURCE_IT, REWRITE_IT, INDEPENDENT_IT)
    assert length >= 5
    assert p < 1e-4
    assert sum(i == j for i, j, _ in matches) >= 5


def test_same_story_independent_text_is_not_aligned() -> None:
    for lang, src, rew, ind in (
        ("en", SOURCE_EN, REWRITE_EN, INDEPENDENT_EN),
        ("it", SOURCE_IT, REWRITE_IT, INDEPENDENT_IT),
    ):
        length, p, _ = _align(lang, src, ind, rew)
        assert length <= 1, lang
        assert p > 0.05, lang


def test_best_chain_is_order_preserving_and_heaviest() -> None:
    cells = [(0, 0, 0.5), (1, 2, 0.5), (2, 1, 0.9), (3, 3, 0.5)]
    chain = best_chain(cells)
    assert [(i, j) for i, j, _ in chain] == [(0, 0), (2, 1), (3, 3)]
    assert best_chain([]) == []


def test_chain_p_value_monotone() -> None:
    ps = [chain_p_value(k, 20, 20, 0.005) for k in range(0, 8)]
    assert ps[0] == 1.0
    assert all(x >= y for x, y in zip(ps, ps[1:], strict=False))
    assert ps[6] < 1e-4 < ps[2]
    # bigger documents: more chances of a chance chain
    assert chain_p_value(3, 60, 60, 0.005) > chain_p_value(3, 10, 10, 0.005)


def test_translation_aligned_on_names_and_numbers() -> None:
    """Across languages stems cannot match; names and numbers (anchors) still align a translation."""
    an_en, an_it = analyzer_for("en"), analyzer_for("it")
    src = build_profile(Document("en", SOURCE_EN, language="en"), an_en)
    tr = build_profile(Document("it", TRANSLATION_IT, language="it"), an_it)
    ind = build_profile(Document("ind", INDEPENDENT_EN, language="en"), an_en)
    weights = TermWeights().fit([("en", src.surface), ("it", tr.surface), ("en", ind.surface)])
    res = align_passages(src, tr, weights)
    assert res.chain_length >= 3
    assert all(i == j for i, j, _ in res.matches)
    assert align_passages(ind, tr, weights).chain_length <= 1


def test_term_weights_do_not_depend_on_document_order() -> None:
    # one stem, two surface forms of different background frequency ("case" is common, "casette" rare)
    docs = [("it", {"cas": "casette", "x1": "x1"}), ("it", {"cas": "case"}), ("it", {"cas": "case", "musk": "Musk"})]
    forward = TermWeights().fit(docs).weights
    backward = TermWeights().fit(list(reversed(docs))).weights
    assert forward == backward
    # the most frequent form ("case", a common word) stands for the stem: lower weight than the rare one alone
    rare_only = TermWeights().fit([("it", {"cas": "casette"})] * 3).weights
    assert forward["cas"] < rare_only["cas"]


def _six_profiles() -> tuple[list[PassageProfile], TermWeights]:
    """English source and rewrite, Italian source, rewrite, translation and independent text, and their weights."""
    docs = [
        Document("s_en", SOURCE_EN, language="en"),
        Document("r_en", REWRITE_EN, language="en"),
        Document("s_it", SOURCE_IT, language="it"),
        Document("r_it", REWRITE_IT, language="it"),
        Document("t_it", TRANSLATION_IT, language="it"),
        Document("i_it", INDEPENDENT_IT, language="it"),
    ]
    profiles = [build_profile(d, analyzer_for(d.language or "und")) for d in docs]
    weights = TermWeights().fit((d.language or "und", p.surface) for d, p in zip(docs, profiles, strict=True))
    return profiles, weights


def test_shared_term_space_gives_the_same_cells_as_each_pair_alone() -> None:
    from provenance.scoring.align import TermSpace, match_cells

    profiles, weights = _six_profiles()
    space = TermSpace(profiles, weights)
    n_cells = 0
    for a in profiles:
        for b in profiles:
            if a is not b:
                alone = match_cells(a, b, weights, AlignParams())
                assert match_cells(a, b, weights, AlignParams(), space) == alone  # cross-language pairs too
                n_cells += len(alone)
    assert n_cells > 0


def test_cells_against_all_partners_at_once_equal_each_pair_alone() -> None:
    from provenance.scoring.align import TermSpace, match_cells

    profiles, weights = _six_profiles()
    space = TermSpace(profiles, weights)
    source_it, italian, source_en = profiles[2], profiles[3:], profiles[0]
    together = space.cells_against(source_it, italian, False, AlignParams())
    assert together == [match_cells(source_it, b, weights, AlignParams()) for b in italian]
    across = space.cells_against(source_en, italian, True, AlignParams())  # English source vs Italian texts
    assert across == [match_cells(source_en, b, weights, AlignParams()) for b in italian]
    assert any(together) and any(across)


def test_a_passage_keeps_its_best_matches_only() -> None:
    """In a text that repeats itself every passage matches every other: each keeps its best cells."""
    import numpy as np

    from provenance.scoring.align import MAX_CELLS_PER_PASSAGE, _best_of_each_row, match_cells

    rng = np.random.default_rng(3)
    rows, cols = np.divmod(rng.choice(20 * 500, 3000, replace=False), 500)  # distinct cells
    score = rng.integers(0, 7, 3000) / 7  # ties
    r, c, s = _best_of_each_row(rows, cols, score, 16)
    expected = set()
    for row in range(20):
        cells = sorted((-score[k], cols[k], k) for k in np.flatnonzero(rows == row))
        expected |= {(row, int(col), -neg) for neg, col, _ in cells[:16]}
    assert set(zip(r.tolist(), c.tolist(), s.tolist(), strict=True)) == expected
    assert len(r) == len(expected)

    sentence = "Il sindaco Mario Rossi ha chiesto quaranta barche al porto di Genova per la regata. "
    an = analyzer_for("it")
    a, b = (build_profile(Document(name, sentence * 200, language="it"), an) for name in ("a", "b"))
    weights = TermWeights().fit(("it", p.surface) for p in (a, b))
    cells = match_cells(a, b, weights, AlignParams())
    per_passage = np.bincount([i for i, _, _ in cells])
    assert per_passage.max() == MAX_CELLS_PER_PASSAGE  # 200 x 200 matching passages, 64 kept each
    assert len(per_passage) == 200


def test_shared_terms_counted_in_blocks_give_the_same_cells(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from provenance.scoring import align

    an = analyzer_for("it")
    a, b = (
        build_profile(Document(name, text, language="it"), an) for name, text in (("a", SOURCE_IT), ("b", REWRITE_IT))
    )
    weights = TermWeights().fit(("it", p.surface) for p in (a, b))
    whole = align.match_cells(a, b, weights, AlignParams())
    monkeypatch.setattr(align, "SHARED_BLOCK", 3)
    assert align.match_cells(a, b, weights, AlignParams()) == whole
    assert len(whole) > 3
