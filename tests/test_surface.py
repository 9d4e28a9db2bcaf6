"""The surface-word TF-IDF of lineage's wording closeness is scikit-learn's TfidfVectorizer."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from provenance.lineage.surface import surface_tfidf

_PIECES = [
    "Musk", "musk", "MUSK", "Putin", "il", "Wall", "Street", "Journal", "a", "è", "È", "perché", "x_y", "_", "42",
    "4.2", "Zoë", "ΟΔΟΣ", "İstanbul", "straße", "²", "日本語", "ـ", "don't", " ", "  ", "\n", ", ", ". ", "-",
]  # fmt: skip


def _sklearn_cosines(texts: list[str]) -> np.ndarray:
    x = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    return np.asarray((x @ x.T).todense())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=30).map(" ".join), min_size=1, max_size=8))
def test_cosines_are_scikit_learn_s(texts: list[str]) -> None:
    vectors = surface_tfidf(texts)
    try:
        expected = _sklearn_cosines(texts)
    except ValueError:  # scikit-learn's empty vocabulary: no text has a token
        assert vectors is None
        return
    assert vectors is not None
    n = len(texts)
    left, right = np.divmod(np.arange(n * n), n)
    got = vectors.cosines(left.tolist(), right.tolist()).reshape(n, n)
    np.testing.assert_allclose(got, expected, atol=1e-9)


def test_rows_are_unit_length_and_a_text_without_tokens_is_a_zero_row() -> None:
    texts = ["the Wall Street Journal reported", "", "secondo il Wall Street Journal", "a b c"]
    vectors = surface_tfidf(texts)
    assert vectors is not None
    rows = list(range(len(texts)))
    np.testing.assert_allclose(vectors.cosines(rows, rows), [1.0, 0.0, 1.0, 0.0])
    assert surface_tfidf(["a", "", "1 2"]) is None


def test_texts_scanned_in_chunks_give_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.lineage import surface

    texts = ["the Wall Street Journal reported", "", "secondo il Wall Street Journal", "Musk e Putin", "a b c"] * 3
    whole = surface_tfidf(texts)
    monkeypatch.setattr(surface, "CHUNK_CODE_POINTS", 20)
    chunked = surface_tfidf(texts)
    assert whole is not None and chunked is not None
    for name in ("hashes", "weights", "offsets"):
        np.testing.assert_array_equal(getattr(whole, name), getattr(chunked, name))


def test_document_frequencies_count_each_hash_as_a_table_that_grows() -> None:
    from provenance.lineage.surface import _document_frequencies

    values = np.random.default_rng(7).integers(0, 70_000, 300_000).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(_document_frequencies(values), counts[inverse.ravel()])
