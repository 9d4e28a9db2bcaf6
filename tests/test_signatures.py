"""Shingles and MinHash signatures: parsing, tokenising, hashing, estimator accuracy (vs exact and datasketch)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.signatures.minhash import EMPTY, MinHasher, estimate_jaccard, standard_error
from provenance.signatures.shingles import (
    ShingleSpec,
    shingle_hashes,
    shingle_hashes_batch,
    shingle_hashes_flat,
    word_tokens,
)

WORD5 = ShingleSpec("word", 5)


# --------------------------------------------------------------------------- spec


@pytest.mark.parametrize(
    ("text", "spec"),
    [("word:5", ShingleSpec("word", 5)), ("char:9", ShingleSpec("char", 9)), (" WORD : 3 ", ShingleSpec("word", 3))],
)
def test_spec_parse(text: str, spec: ShingleSpec) -> None:
    assert ShingleSpec.parse(text) == spec
    assert ShingleSpec.parse(str(spec)) == spec


@pytest.mark.parametrize(
    "bad", ["", "word", "word:", "word:0", "word:-1", "word:x", "line:5", "5", "word:65", "char:2.5"]
)
def test_spec_parse_errors(bad: str) -> None:
    with pytest.raises(ValueError, match="shingle spec"):
        ShingleSpec.parse(bad)


def test_spec_constructor_validates() -> None:
    with pytest.raises(ValueError):
        ShingleSpec("line", 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ShingleSpec("word", 0)


# --------------------------------------------------------------------------- tokens


def test_word_tokens_fold_case_quotes_nfkc() -> None:
    assert word_tokens("L’Articolo «VERO» — così") == ["l", "articolo", "vero", "così"]
    assert word_tokens('l\'articolo "vero" - così') == ["l", "articolo", "vero", "così"]
    assert word_tokens("ﬁne Straße ＡＢＣ１２") == ["fine", "straße", "abc12"]
    assert word_tokens("") == []
    assert word_tokens("  ...  ") == []


def test_curly_and_straight_quotes_give_same_shingles() -> None:
    a = "Secondo l’agenzia, il “portavoce” ha detto che l’accordo è vicino — ma non firmato."
    b = "Secondo l'agenzia, il \"portavoce\" ha detto che l'accordo è vicino - ma non firmato."
    assert np.array_equal(shingle_hashes(a, WORD5), shingle_hashes(b, WORD5))
    assert np.array_equal(shingle_hashes(a, ShingleSpec("char", 4)), shingle_hashes(b, ShingleSpec("char", 4)))


# --------------------------------------------------------------------------- shingles


def test_word_shingles_count_sorted_unique() -> None:
    text = " ".join(f"w{i}" for i in range(20))
    h = shingle_hashes(text, WORD5)
    assert h.dtype == np.uint64
    assert len(h) == 16
    assert np.all(np.diff(h.astype(np.float64)) >= 0) and len(np.unique(h)) == len(h)
    # repeated text: the set does not grow with repeated shingles
    # 8 five-word windows, of which "abcde" and "bcdef" repeat
    assert len(shingle_hashes("a b c d e f a b c d e f", WORD5)) == 6


def test_word_order_matters() -> None:
    spec = ShingleSpec("word", 2)
    assert not np.array_equal(shingle_hashes("alpha beta", spec), shingle_hashes("beta alpha", spec))
    assert np.array_equal(shingle_hashes("Alpha, BETA!", spec), shingle_hashes("alpha beta", spec))


def test_short_documents_are_one_shingle() -> None:
    a = shingle_hashes("breaking news", WORD5)
    assert len(a) == 1
    assert np.array_equal(a, shingle_hashes("Breaking   NEWS.", WORD5))
    assert not np.array_equal(a, shingle_hashes("breaking story", WORD5))
    assert not np.array_equal(a, shingle_hashes("breaking", WORD5))
    assert len(shingle_hashes("", WORD5)) == 0
    assert len(shingle_hashes("!!!", WORD5)) == 0
    assert len(shingle_hashes("ab", ShingleSpec("char", 5))) == 1


def test_char_shingles() -> None:
    spec = ShingleSpec("char", 2)
    assert len(shingle_hashes("abcd", spec)) == 3
    # tokens joined by one space: punctuation and whitespace runs do not matter
    assert np.array_equal(shingle_hashes("ab,   cd", spec), shingle_hashes("ab cd", spec))
    assert len(shingle_hashes("ab cd", spec)) == 4  # "ab", "b ", " c", "cd"
    assert len(shingle_hashes("aaaa", spec)) == 1


def test_tokens_input_equals_text_input() -> None:
    text = "Il Cremlino ha smentito: «nessun colloquio» tra Musk e Putin, secondo l’agenzia Tass."
    for spec in (ShingleSpec("word", 1), WORD5, ShingleSpec("word", 20), ShingleSpec("char", 5)):
        tokens = word_tokens(text, bigrams=spec.kind == "word")
        assert np.array_equal(shingle_hashes(tokens, spec), shingle_hashes(text, spec))


def test_unicode_scripts() -> None:
    texts = [
        "Москва заявила сегодня о новых санкциях",
        "東京 大阪 名古屋 札幌 福岡 神戸",
        "नई दिल्ली में आज बैठक हुई और फैसला लिया",
    ]
    for text in texts:
        h = shingle_hashes(text, ShingleSpec("word", 3))
        assert len(h) == max(len(word_tokens(text)) - 2, 1)
        assert np.array_equal(h, shingle_hashes(word_tokens(text), ShingleSpec("word", 3)))


def test_batch_matches_single_and_flat_offsets() -> None:
    texts = ["one two three four five six seven", "", "x", "a b c d e f g h i j", "Straße 東京 ﬁne", "   "]
    batch = shingle_hashes_batch(texts, WORD5)
    flat, offsets = shingle_hashes_flat(texts, WORD5)
    assert offsets[0] == 0 and offsets[-1] == len(flat) and len(offsets) == len(texts) + 1
    for d, text in enumerate(texts):
        single = shingle_hashes(text, WORD5)
        assert np.array_equal(batch[d], single)
        assert np.array_equal(flat[offsets[d] : offsets[d + 1]], single)
    assert [len(b) for b in batch] == [3, 0, 1, 6, 1, 0]


_TEXT = st.text(
    alphabet=st.sampled_from(list("abc xyz,.’'“”«»-—\n\tÀéß東ﬁ12_😀€।¨、\u00ad\u200b")),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_TEXT, max_size=6), st.sampled_from(["word:1", "word:3", "char:3"]))
def test_batch_equals_single_and_tokens_property(texts: list[str], spec_text: str) -> None:
    spec = ShingleSpec.parse(spec_text)
    batch = shingle_hashes_batch(texts, spec)
    for text, hashes in zip(texts, batch, strict=True):
        assert np.array_equal(hashes, shingle_hashes(text, spec))
        tokens = word_tokens(text, bigrams=spec.kind == "word")
        assert np.array_equal(hashes, shingle_hashes(tokens, spec))
        assert (len(hashes) == 0) == (len(tokens) == 0)


# --------------------------------------------------------------------------- MinHash


def _pair(rng: np.random.Generator, size: int, jaccard: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Two sets of ``size`` random uint64 with about the given Jaccard; returns the exact one too."""
    inter = round(2 * size * jaccard / (1 + jaccard))
    pool = rng.integers(0, 2**64, size=2 * size, dtype=np.uint64, endpoint=False)
    a = pool[:size]
    b = np.concatenate([pool[:inter], pool[size : 2 * size - inter]])
    return a, b, inter / (2 * size - inter)


def test_signature_shape_determinism_and_seed() -> None:
    rng = np.random.default_rng(3)
    h = rng.integers(0, 2**64, size=300, dtype=np.uint64, endpoint=False)
    sig = MinHasher(128, seed=1).signature(h)
    assert sig.shape == (128,) and sig.dtype == np.uint32
    assert np.array_equal(sig, MinHasher(128, seed=1).signature(h))
    assert not np.array_equal(sig, MinHasher(128, seed=2).signature(h))
    # a set: order and repetition do not matter
    assert np.array_equal(sig, MinHasher(128, seed=1).signature(np.concatenate([h[::-1], h[:50]])))


def test_empty_set_signature_is_all_max() -> None:
    hasher = MinHasher(64)
    empty = hasher.signature(np.empty(0, dtype=np.uint64))
    assert np.all(empty == EMPTY)
    assert estimate_jaccard(empty, hasher.signature(np.empty(0, dtype=np.uint64))) == 1.0
    one = hasher.signature(np.array([42], dtype=np.uint64))
    assert not np.any(one == EMPTY)
    assert estimate_jaccard(empty, one) == 0.0


def test_signatures_batch_equals_single_across_chunks() -> None:
    rng = np.random.default_rng(5)
    sets = [rng.integers(0, 2**64, size=int(n), dtype=np.uint64, endpoint=False) for n in rng.integers(0, 700, 40)]
    sets[3] = np.empty(0, dtype=np.uint64)
    hasher = MinHasher(96, seed=7)
    batch = hasher.signatures(sets)
    assert batch.shape == (40, 96)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sets])])
    small_chunks = hasher.signatures_flat(np.concatenate(sets), offsets, chunk_elements=500)
    assert np.array_equal(batch, small_chunks)
    for s, row in zip(sets, batch, strict=True):
        assert np.array_equal(hasher.signature(s), row)
    assert MinHasher().signatures([]).shape == (0, 128)


@pytest.mark.parametrize("size", [3, 40, 150, 600])
def test_estimate_within_error_bound(size: int) -> None:
    """|estimate - exact| <= 4 sigma + 1/k for every pair, and no bias, over small and large sets."""
    rng = np.random.default_rng(size)
    k = 128
    hasher = MinHasher(k, seed=11)
    errors = []
    for _ in range(150):
        a, b, exact = _pair(rng, size, float(rng.uniform(0.0, 1.0)))
        est = estimate_jaccard(hasher.signature(a), hasher.signature(b))
        assert abs(est - exact) <= 4 * standard_error(exact, k) + 1.0 / k + 1e-9
        errors.append(est - exact)
    assert abs(float(np.mean(errors))) < 0.01


def test_estimates_compare_with_datasketch() -> None:
    """Same pairs through datasketch's MinHash: both within the bound, ours at least as accurate."""
    datasketch = pytest.importorskip("datasketch")
    rng = np.random.default_rng(21)
    k = 128
    hasher = MinHasher(k, seed=1)
    ours, theirs = [], []
    for _ in range(60):
        a, b, exact = _pair(rng, int(rng.integers(50, 500)), float(rng.uniform(0.05, 0.95)))
        est = estimate_jaccard(hasher.signature(a), hasher.signature(b))
        ma = datasketch.MinHash(num_perm=k, seed=1)
        mb = datasketch.MinHash(num_perm=k, seed=1)
        ma.update_batch([x.tobytes() for x in a])
        mb.update_batch([x.tobytes() for x in b])
        ref = ma.jaccard(mb)
        bound = 4 * standard_error(exact, k) + 1.0 / k
        assert abs(est - exact) <= bound
        assert abs(ref - exact) <= bound
        ours.append(abs(est - exact))
        theirs.append(abs(ref - exact))
    assert float(np.mean(ours)) <= 1.3 * float(np.mean(theirs)) + 0.005


def test_standard_error_and_estimate_validation() -> None:
    assert standard_error(0.5, 128) == pytest.approx(np.sqrt(0.25 / 128))
    assert standard_error(0.0, 128) == 0.0 and standard_error(1.0, 128) == 0.0
    with pytest.raises(ValueError):
        standard_error(0.5, 0)
    with pytest.raises(ValueError):
        estimate_jaccard(np.zeros(4, np.uint32), np.zeros(5, np.uint32))
    with pytest.raises(ValueError):
        MinHasher(0)
