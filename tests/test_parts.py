"""The batch profiler gives the table and term statistics of the per-document profiles, in any script."""

from __future__ import annotations

import random

import numpy as np
import pytest

from provenance.normalize import analyzer_for
from provenance.records import Document
from provenance.scoring.align import build_profile
from provenance.scoring.parts import documents_part
from provenance.scoring.table import ProfileTable, TableBuilder, TablePart, TermStats, table_part

from .texts import LANGUAGE_TEXTS

TEXTS = [
    *LANGUAGE_TEXTS,
    ("it", "   \n\n  "),
    ("it", "123 456, 15.000 e 15,000. 2022"),
    ("it", "Roma è bella. Roma, dice il sig. Rossi, e D. Peskov: «Roma». Poi Roma.\nTitolo senza punto\nÈ così."),
    ("ja", "東京で会議が開かれた。岸田首相はプーチン氏と会談した。2024年の計画。"),
    ("hi", "नई दिल्ली में बैठक हुई। मोदी ने पुतिन से बात की 2024।"),
    ("ru", "Москва заявила. Путин встретился с Маском в 2022 году. Маск ответил."),
    ("fr", "Crème brûlée à Paris. Zoë dit: naïve café! Cafe\u0301 avec une marque combinante."),
    ("und", "Nirova Lobora fori nirova. Lobora 12 nirova, Fori."),
    ("zz", "Wörter ohne Stemmer. Wörter wieder, 3.5 Wörter."),
]


def _documents() -> list[Document]:
    return [Document(f"d{k}", text, language=lang) for k, (lang, text) in enumerate(TEXTS)]


def _built(parts: list[TablePart]) -> tuple[ProfileTable, TermStats]:
    builder = TableBuilder()
    for part in parts:
        builder.add(part)
    stats = builder.term_stats()
    return builder.table(), stats


def _assert_same(a: tuple[ProfileTable, TermStats], b: tuple[ProfileTable, TermStats]) -> None:
    for x, y in zip(a, b, strict=True):
        for name in x.__dataclass_fields__:
            u, v = getattr(x, name), getattr(y, name)
            if isinstance(u, np.ndarray):
                assert u.dtype == v.dtype and np.array_equal(u, v), name
            else:
                assert u == v, name


def _per_document(docs: list[Document]) -> TablePart:
    return table_part([build_profile(d, analyzer_for(d.language)) for d in docs])


def test_one_batch_gives_the_table_of_the_profiles() -> None:
    docs = _documents()
    table, stats = _built([documents_part(docs)])
    _assert_same((table, stats), _built([_per_document(docs)]))
    assert len(table) == len(docs) and table.vocab == sorted(set(table.vocab))
    assert "@2024" in table.vocab and "@15000" in table.vocab  # numbers as anchors, in CJK and Devanagari text too


@pytest.mark.parametrize("seed", range(6))
def test_any_split_into_batches_gives_the_same_table(seed: int) -> None:
    rng = random.Random(seed)
    docs = _documents()
    rng.shuffle(docs)
    cut = sorted(rng.sample(range(1, len(docs)), 3))
    batches = [docs[a:b] for a, b in zip([0, *cut], [*cut, len(docs)], strict=True)]
    _assert_same(_built([documents_part(b) for b in batches]), _built([_per_document(docs)]))


def test_the_process_lexicon_carries_over_and_starts_again_without_changing_the_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Batches share the process's numbering of words, terms and forms; past LEXICON_MAX it starts again."""
    import provenance.scoring.parts as parts

    docs = _documents()
    expected = _built([_per_document(docs)])
    monkeypatch.setattr(parts, "_LEXICON", [])
    _assert_same(_built([documents_part(docs[k : k + 3]) for k in range(0, len(docs), 3)]), expected)
    kept = parts._LEXICON[0]
    n_keys = kept.n_keys
    assert n_keys == sum(map(len, kept.words.values())) + len(kept.hits) > 0  # each key numbered once
    _assert_same(_built([documents_part(docs[k : k + 4]) for k in range(0, len(docs), 4)]), expected)
    assert parts._LEXICON[0] is kept and kept.n_keys == n_keys  # the second pass met no new word
    monkeypatch.setattr(parts, "LEXICON_MAX", 5)
    _assert_same(_built([documents_part(docs[k : k + 2]) for k in range(0, len(docs), 2)]), expected)
    assert parts._LEXICON[0] is not kept
    # the same word in two languages is two keys (its stem is each language's)
    both = [Document("i", "Le elezioni italiane.", language="it"), Document("e", "The elections elezioni.", language="en")]
    _assert_same(_built([documents_part(both)]), _built([_per_document(both)]))


def test_an_opening_name_is_no_anchor_unless_it_comes_back() -> None:
    table, _ = _built([documents_part([Document("a", "Kiriyenko met Musk in Moscow. Kiriyenko said no.\nKiriyenko")])])
    anchors = [
        {table.vocab[t] for t in table.anchor_ids[table.anchor_ptr[r] : table.anchor_ptr[r + 1]]}
        for r in range(len(table.starts))
    ]
    assert anchors == [{"@musk", "@moscow"}, set(), set()]
    assert "@kiriyenko" not in table.vocab  # met only where it opens a passage: not a term at all


def test_an_empty_batch_and_documents_without_words() -> None:
    part = documents_part([])
    assert part.doc_ids == [] and part.vocab == [] and len(part.starts) == 0
    table, stats = _built([documents_part([Document("e", ""), Document("p", "… — !")])])
    assert len(table) == 2 and table.vocab == [] and stats.n_docs == 2


@pytest.mark.parametrize(("top", "width"), [(50, 7), (50, 1000), (1 << 22, 1 << 30)])  # the last: keys past int64
def test_first_pairs_are_numpy_s_unique_with_first_index(top: int, width: int) -> None:
    from provenance.scoring.parts import _first_pairs

    rng = np.random.default_rng(top)
    major = np.sort(rng.integers(0, top, 2048))
    minor = rng.integers(0, min(width, 40), 2048)
    unique, first = np.unique(major * width + minor, return_index=True)
    got = _first_pairs(major, minor, width)
    for a, b in zip(got, (unique // width, unique % width, first), strict=True):
        assert np.array_equal(a, b)


def test_hash_index_finds_what_was_put_through_growth() -> None:
    """The word table: every stored hash gives its key across growth, a hash stored twice keeps its first key,
    a hash never stored gives -1 (negative hashes and ones that share their low bits included)."""
    from provenance.hashindex import HashIndex

    rng = np.random.default_rng(5)
    index = HashIndex()
    hashes = np.unique(rng.integers(-(2**63), 2**63 - 1, 300_000, dtype=np.int64))
    hashes = np.concatenate([hashes, (np.arange(1, 200, dtype=np.int64) << 40) + 3])  # same low bits
    hashes = np.unique(hashes)
    rng.shuffle(hashes)
    stored, absent = hashes[:200_000], hashes[200_000:]
    for part in np.array_split(np.arange(len(stored)), 7):  # in batches, so the table grows between them
        index.put(stored[part], part.astype(np.int64))
    assert len(index) == len(stored) and len(index.slots) >= 2 * len(stored)
    assert np.array_equal(index.find(stored), np.arange(len(stored)))
    assert (index.find(absent) == -1).all()
    index.put(stored[:5], np.full(5, 10**9, dtype=np.int64))
    assert np.array_equal(index.find(stored[:5]), np.arange(5)) and len(index) == len(stored)
