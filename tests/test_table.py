"""The profile table holds exactly what the profiles hold, and the stages built on it weigh as before."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

from provenance.normalize import analyzer_for
from provenance.pipeline import document_vectors
from provenance.records import Document
from provenance.scoring.align import AlignParams, PassageProfile, TermSpace, build_profile
from provenance.scoring.table import ProfileTable, TableBuilder, table_part
from provenance.scoring.weights import TermWeights

from .texts import LANGUAGE_TEXTS as TEXTS


def _profiles() -> list[PassageProfile]:
    docs = [Document(f"d{k}", text, language=lang) for k, (lang, text) in enumerate(TEXTS)]
    return [build_profile(d, analyzer_for(d.language)) for d in docs]


def _decoded(table: ProfileTable, k: int) -> tuple[list[frozenset[str]], list[frozenset[str]], list[tuple[int, int]]]:
    lo, hi = table.rows(k)
    terms = [
        frozenset(table.vocab[t] for t in table.term_ids[table.term_ptr[r] : table.term_ptr[r + 1]])
        for r in range(lo, hi)
    ]
    anchors = [
        frozenset(table.vocab[t] for t in table.anchor_ids[table.anchor_ptr[r] : table.anchor_ptr[r + 1]])
        for r in range(lo, hi)
    ]
    return terms, anchors, table.spans(k)


def test_table_holds_every_passage_term_and_anchor_of_the_profiles() -> None:
    profiles = _profiles()
    table = ProfileTable.from_profiles(profiles)
    assert table.vocab == sorted(set(table.vocab))
    assert len(table) == len(profiles)
    for k, p in enumerate(profiles):
        terms, anchors, spans = _decoded(table, k)
        assert terms == list(p.terms)
        assert anchors == list(p.anchors)
        assert spans == [(q.start, q.end) for q in p.passages]
        assert table.text_lengths[k] == p.text_length and table.languages[k] == p.language
    for ptr, ids in ((table.term_ptr, table.term_ids), (table.anchor_ptr, table.anchor_ids)):
        for r in range(len(ptr) - 1):
            row = ids[ptr[r] : ptr[r + 1]]
            assert np.all(np.diff(row) > 0)  # ascending: the order in which products sum
    assert any(p.anchors for p in profiles) and table.anchor_ids.size > 0


def test_parts_joined_in_order_equal_one_table_and_head_keeps_the_first_documents() -> None:
    profiles = _profiles()
    whole = ProfileTable.from_profiles(profiles)
    joined = ProfileTable.concat([table_part(profiles[:3]), table_part(profiles[3:5]), table_part(profiles[5:])])
    assert joined.vocab == whole.vocab and joined.doc_ids == whole.doc_ids
    for field in ("doc_ptr", "starts", "ends", "term_ptr", "term_ids", "anchor_ptr", "anchor_ids", "text_lengths"):
        assert np.array_equal(getattr(joined, field), getattr(whole, field)), field
    head = whole.head(4)
    assert len(head) == 4 and head.vocab == whole.vocab
    for k in range(4):
        assert _decoded(head, k) == _decoded(whole, k)


def test_a_profile_stored_without_anchors_gets_empty_ones() -> None:
    p = _profiles()[0]
    table = ProfileTable.from_profiles([replace(p, anchors=())])
    _, anchors, _ = _decoded(table, 0)
    assert anchors == [frozenset()] * len(p.passages)


def test_document_vectors_are_tfidf_vectorizer_over_the_bags_of_stems() -> None:
    profiles = _profiles()
    bags = [[t for terms in p.terms for t in terms] for p in profiles]
    expected = TfidfVectorizer(analyzer=lambda bag: bag, sublinear_tf=True, norm="l2").fit_transform(bags)
    table = ProfileTable.from_profiles(profiles)
    got = document_vectors(table)
    assert got.shape == expected.shape
    assert np.allclose(got.toarray(), expected.toarray(), rtol=0, atol=1e-12)
    # weighed in place from float counts: the same bits as the transformer's copy of the integer counts
    from_integers = TfidfTransformer(sublinear_tf=True, norm="l2").fit_transform(table.stem_counts())
    assert table.stem_counts().dtype == np.int64 and table.stem_counts(np.float64).dtype == np.float64
    assert np.array_equal(got.data, from_integers.data) and np.array_equal(got.indices, from_integers.indices)
    import provenance.pipeline as pipeline

    block = pipeline.WEIGH_BLOCK
    try:  # weighed a few rows at a time: the same bits
        pipeline.WEIGH_BLOCK = 2
        by_blocks = document_vectors(table)
    finally:
        pipeline.WEIGH_BLOCK = block
    assert np.array_equal(by_blocks.data, got.data) and np.array_equal(by_blocks.indptr, got.indptr)


@pytest.mark.parametrize("block", [1, 3, 65_536])
def test_the_weigher_fitted_block_by_block_is_the_transformer_fitted_on_the_whole_matrix(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Document frequencies counted a block of rows at a time: the idf bits of ``fit`` (a column unused, a row empty)."""
    from scipy import sparse

    import provenance.pipeline as pipeline

    monkeypatch.setattr(pipeline, "FREQUENCY_BLOCK", block)
    rng = np.random.default_rng(7)
    dense = rng.integers(0, 3, size=(11, 9)).astype(np.float64) * (rng.random((11, 9)) < 0.4)
    dense[:, 4] = 0.0
    dense[6] = 0.0
    counts = sparse.csr_matrix(dense)
    whole = TfidfTransformer(sublinear_tf=True, norm="l2").fit(counts)
    got = pipeline._fitted_weigher(counts)
    assert np.array_equal(got.idf_, whole.idf_) and got.n_features_in_ == 9
    assert np.array_equal(got.transform(counts).toarray(), whole.transform(counts).toarray())


@pytest.mark.parametrize("block", [1, 2, 65_536])
def test_stem_counts_summed_by_blocks_of_documents_are_the_whole_matrix(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted a block of documents at a time: the matrix scipy sums from every passage entry at once."""
    from scipy import sparse

    import provenance.scoring.table as table_module

    monkeypatch.setattr(table_module, "COUNT_BLOCK", block)
    profiles = _profiles()
    table = ProfileTable.from_profiles(
        [*profiles, replace(profiles[0], doc_id="empty", terms=(), anchors=(), passages=())]
    )
    used = np.unique(table.term_ids)
    column = np.searchsorted(used, table.term_ids).astype(np.int32)
    per_doc = np.diff(table.term_ptr[table.doc_ptr])
    ptr = np.concatenate([[0], np.cumsum(per_doc)])
    for dtype in (np.int64, np.float64):
        whole = sparse.csr_matrix(
            (np.ones(len(column), dtype=dtype), column.copy(), ptr), shape=(len(table), len(used))
        )
        whole.sum_duplicates()
        got = table.stem_counts(dtype)
        assert got.shape == whole.shape and got.has_canonical_format
        for name in ("data", "indices", "indptr"):
            assert np.array_equal(getattr(got, name), getattr(whole, name))
            assert getattr(got, name).dtype == getattr(whole, name).dtype
    assert got[len(table) - 1].nnz == 0


def test_passages_sharing_one_term_are_not_a_match_however_heavy() -> None:
    profiles = _profiles()
    weights = TermWeights().fit((p.language, p.surface) for p in profiles)
    space = TermSpace(profiles, weights)
    loose = AlignParams(min_shared_terms=1, match_threshold=0.01)
    strict = AlignParams(min_shared_terms=2, match_threshold=0.01)
    n_dropped = 0
    for a in range(len(profiles)):
        for b in range(len(profiles)):
            if a == b or profiles[a].language != profiles[b].language:
                continue
            [every] = space.cells_of(a, [b], False, loose)
            [kept] = space.cells_of(a, [b], False, strict)
            shared = {(i, j): len(profiles[a].terms[i] & profiles[b].terms[j]) for i, j, _ in every}
            assert kept == [c for c in every if shared[(c[0], c[1])] >= 2]
            n_dropped += len(every) - len(kept)
    assert n_dropped > 0


def test_pairs_scored_together_get_the_cells_of_each_pair_alone() -> None:
    from provenance.scoring import align

    profiles = _profiles()
    weights = TermWeights().fit((p.language, p.surface) for p in profiles)
    space = TermSpace(profiles, weights)
    pairs = [(a, b) for a in range(len(profiles)) for b in range(len(profiles)) if a != b]
    for cross in (False, True):
        chosen = [(a, b) for a, b in pairs if (profiles[a].language != profiles[b].language) == cross]
        alone = [space.cells_of(a, [b], cross, AlignParams())[0] for a, b in chosen]
        assert space.cells_of_pairs(chosen, cross, AlignParams()) == alone
        assert any(alone)
    block = align.PAIR_BLOCK_CELLS
    try:  # every pair larger than a block, and blocks of one pair
        for size in (1, 400):
            align.PAIR_BLOCK_CELLS = size
            chosen = [(a, b) for a, b in pairs if profiles[a].language == profiles[b].language]
            assert space.cells_of_pairs(chosen, False, AlignParams()) == [
                space.cells_of(a, [b], False, AlignParams())[0] for a, b in chosen
            ]
    finally:
        align.PAIR_BLOCK_CELLS = block


@pytest.mark.parametrize("fold_rows", [1, 5, 1 << 22])
def test_term_stats_of_parts_give_the_weights_of_the_profiles(fold_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts made per part and summed by the builder (folded every ``fold_rows``) weigh every term as the surfaces at once."""
    import provenance.scoring.table as table_module

    monkeypatch.setattr(table_module, "FOLD_ROWS", fold_rows)
    profiles = _profiles()
    # ties between surface forms: the same stem written two ways by as many documents, in both languages
    tied = [
        replace(profiles[0], doc_id="t1", surface={"casa": "case", "@roma": "roma"}, language="it"),
        replace(profiles[0], doc_id="t2", surface={"casa": "casa", "@roma": "roma"}, language="en"),
        replace(profiles[0], doc_id="t3", surface={"casa": "case", "@roma": "roma"}, language="en"),
    ]
    every = [*profiles, *tied]
    expected = TermWeights().fit((p.language, p.surface) for p in every)
    for cut in ([], [2], [1, 4, 9], list(range(1, len(every)))):
        builder = TableBuilder()
        for lo, hi in zip([0, *cut], [*cut, len(every)], strict=True):
            builder.add(table_part(every[lo:hi]))
        table = builder.table()
        stats = builder.term_stats()
        whole = ProfileTable.from_profiles(every)  # one part: the same table
        for name in ProfileTable.__dataclass_fields__:
            got, want = getattr(table, name), getattr(whole, name)
            assert (
                (np.array_equal(got, want) and got.dtype == want.dtype) if isinstance(want, np.ndarray) else got == want
            )
        with pytest.raises(RuntimeError, match="handed over"):
            builder.table()
        with pytest.raises(RuntimeError, match="handed over"):
            builder.add(table_part(every[:1]))
        assert stats.terms == table.vocab and stats.n_docs == len(every)
        fitted = TermWeights().fit_stats(stats)
        assert fitted.weights == expected.weights and fitted.n_docs == expected.n_docs
    # one document each for ("case", "it"), ("casa", "en"), ("case", "en"): the first in sort order stands for it
    assert (stats.forms[stats.terms.index("casa")], stats.languages[stats.terms.index("casa")]) == ("casa", "en")
