"""Texts kept on disk (provenance.load.store) and the pipeline run on them."""

from __future__ import annotations

import errno
import os
import pickle
import random
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest

from provenance.engines.parallel import parallel_map
from provenance.engines.spill import SpillFile
from provenance.errors import InputError
from provenance.load import load_corpus
from provenance.load.store import StoredDocuments, TextStore, documents_by_id, fields_of, texts_of
from provenance.pipeline import PipelineConfig, analyze
from provenance.records import Document
from provenance.signatures.setstore import HashSetStore, set_sizes

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _random_text(rng: random.Random) -> str:
    alphabet = "abc xyz\n\té“”’ЖжΩ中文😀\u2028"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 300)))


def test_text_store_round_trips_any_string() -> None:
    rng = random.Random(7)
    texts = [_random_text(rng) for _ in range(300)] + ["", "lone \ud800 surrogate", "x" * 100_000]
    store = TextStore()
    positions = [store.add(t) for t in texts]
    assert positions == list(range(len(texts)))
    assert len(store) == len(texts)
    assert [store[k] for k in range(len(texts))] == texts
    assert store[-1] == texts[-1]
    with pytest.raises(IndexError):
        store[len(texts)]
    store.add("after reading")  # appends after reads are read back too
    assert store[len(texts)] == "after reading"
    assert store.text_length(1) == len(texts[1].encode("utf-8", "surrogatepass"))


def _lengths(texts: StoredDocuments, rows: list[int]) -> list[tuple[str, int]]:
    return [(texts[k].id, len(texts[k].text)) for k in rows]


def test_forked_workers_read_the_parents_store() -> None:
    rng = random.Random(3)
    docs = [Document(id=f"d{k}", text=_random_text(rng) + "!") for k in range(2000)]
    stored = StoredDocuments.write(docs)
    got = parallel_map(_lengths, range(len(stored)), stored, chunk=100)
    assert got == [(d.id, len(d.text)) for d in docs]


def test_stored_documents_behave_as_the_list() -> None:
    docs = [
        Document(id=f"d{k}", text=f"text {k} “quoted”", outlet="Open" if k % 2 else None, language="it" if k else None)
        for k in range(10)
    ]
    stored = StoredDocuments.write(docs)
    assert list(stored) == docs
    assert len(stored) == 10 and stored[3] == docs[3] and stored[-1] == docs[-1]
    assert list(stored[2:5]) == docs[2:5]
    assert list(stored.take([4, 1])) == [docs[4], docs[1]]
    assert [f.text for f in stored.fields] == [""] * 10
    assert [replace(f, text=d.text) for f, d in zip(stored.fields, docs, strict=True)] == docs
    assert list(texts_of(stored)) == [d.text for d in docs]
    assert stored.texts[1:3] == [docs[1].text, docs[2].text]
    assert fields_of(docs) is docs
    assert dict(documents_by_id(stored)) == {d.id: d for d in docs}
    assert dict(stored.texts_by_id()) == {d.id: d.text for d in docs}
    relabelled = stored.with_fields([replace(f, language="en") for f in stored.fields])
    assert [d.language for d in relabelled] == ["en"] * 10
    assert [d.text for d in relabelled] == [d.text for d in docs]
    source = Document(id="src", text="the source")
    joined = stored.take([0, 1]).after([source])
    assert list(joined) == [source, docs[0], docs[1]]
    with pytest.raises(ValueError):
        StoredDocuments(docs, [0], TextStore())


def test_texts_are_written_in_batches_and_a_failed_collection_leaves_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several writes of a few texts each give the positions and texts of one write per text, after texts already held."""
    import provenance.load.store as store_module

    monkeypatch.setattr(store_module, "WRITE_BYTES", 40)
    rng = random.Random(5)
    docs = [Document(id=f"d{k}", text=_random_text(rng)[: rng.randrange(1, 30)] + "\ud800" * (k == 3)) for k in range(25)]
    store = TextStore()
    store.add("already there")
    stored = StoredDocuments.write(docs, store)
    assert list(stored) == docs and len(store) == 26 and store[0] == "already there"

    def failing() -> Iterator[Document]:
        yield from docs[:20]  # more than one batch is written before the failure
        raise InputError("a bad record")

    with pytest.raises(InputError, match="a bad record"):
        StoredDocuments.write(failing(), store)
    assert len(store) == 26 and [store[k] for k in range(1, 26)] == [d.text for d in docs]


def test_a_store_is_not_pickled() -> None:
    with pytest.raises(TypeError, match="temporary file"):
        pickle.dumps(TextStore())


def _full_disk(fd: int, data: object, offset: int) -> int:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = TextStore(str(tmp_path))
    store.add("fits")
    with monkeypatch.context() as patch:
        patch.setattr(os, "pwrite", _full_disk)
        with pytest.raises(InputError, match=r"texts in a temporary file in .*No space left on device.*TMPDIR"):
            store.add("text")
        sets = HashSetStore(str(tmp_path))
        with pytest.raises(InputError, match=r"shingle-hash sets .*No space left on device"):
            sets.add_flat(np.arange(4, dtype=np.uint64), np.array([0, 4]))
    assert len(store) == 1 and store[0] == "fits"  # the failed text is not half-kept
    with pytest.raises(InputError, match=str(tmp_path / "missing")):
        TextStore(str(tmp_path / "missing"))


def test_load_corpus_on_disk_reads_the_same_documents(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        '{"id": "x", "text": "first “text”\\nline"}\n\n{"id": "y", "text": "second", "outlet": "Open"}\n',
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text("a plain file\r\nwith CRLF", encoding="utf-8")
    (tmp_path / "bad.bin").write_bytes(b"\x00\x01")
    (tmp_path / "metadata.csv").write_text("id,outlet\nb,Il Post\nghost,Nobody\n", encoding="utf-8")
    plain, stored = load_corpus(tmp_path), load_corpus(tmp_path, on_disk=True)
    assert isinstance(stored.documents, StoredDocuments)
    assert list(stored.documents) == list(plain.documents)
    assert stored.skipped == plain.skipped
    single = load_corpus(tmp_path / "a.jsonl", on_disk=True)
    assert [asdict(d) for d in single.documents] == [asdict(d) for d in load_corpus(tmp_path / "a.jsonl").documents]


def test_analyze_on_stored_documents_equals_the_list() -> None:
    corpus = load_corpus(SEEDS)
    stored = load_corpus(SEEDS, on_disk=True).documents
    source = corpus.documents[2]
    config = PipelineConfig()
    plain = analyze(corpus.documents, sources=[source], config=config)
    on_disk = analyze(stored, sources=[source], config=config)
    assert plain.pairs == on_disk.pairs
    assert plain.clusters == on_disk.clusters
    assert plain.documents == on_disk.documents
    assert plain.edges == on_disk.edges
    assert dict(on_disk.texts) == plain.texts
    other = replace(source, text=source.text + " changed")
    with pytest.raises(InputError, match="different text"):
        analyze(stored, sources=[other], config=config)


_JSONL_CASES: dict[str, bytes] = {
    "plain": b'{"id": "a", "text": "one \\u201cquoted\\u201d"}\n{"id": 7, "text": "two", "published": "2024-10-25"}\n',
    "crlf_blank_bom": b'\xef\xbb\xbf{"text": "x\\r\\ny"}\r\n\r\n   \n{"text": "lone\\rcr"}\r{"text": "z"}',
    "no_id": b'{"text": "first"}\n{"text": "second", "outlet": " Open ", "language": "it-IT"}\n',
    "bad_json_late": b'{"id": "a", "text": "ok"}\n{"id": "b", "text": }\n',
    "bad_utf8_late": b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "\xff"}\n',
    "nul_late": b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "x\x00"}\n',
    "nan": b'{"id": "a", "text": "ok", "score": NaN}\n',
    "empty_text": b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "  "}\n',
    "not_object": b'{"id": "a", "text": "ok"}\n[1, 2]\n',
    "blank_only": b"\n  \n",
    "utf16": '{"id": "a", "text": "ok"}\n'.encode("utf-16"),
    "surrogate": b'{"id": "a", "text": "ok \\ud800"}\n',
    "duplicate": b'{"id": "a", "text": "ok"}\n{"id": "a", "text": "again"}\n',
}


def _outcome(path: Path, on_disk: bool) -> object:
    try:
        corpus = load_corpus(path, on_disk=on_disk)
    except InputError as exc:
        return str(exc)
    return [asdict(d) for d in corpus.documents], corpus.skipped


@pytest.mark.parametrize("case", sorted(_JSONL_CASES))
def test_streamed_jsonl_reads_or_fails_as_the_loader(tmp_path: Path, case: str) -> None:
    path = tmp_path / f"{case}.jsonl"
    path.write_bytes(_JSONL_CASES[case])
    assert _outcome(path, on_disk=True) == _outcome(path, on_disk=False)


def test_a_directory_with_a_bad_jsonl_keeps_the_other_files_texts_in_place(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(_JSONL_CASES["plain"])
    (tmp_path / "b.jsonl").write_bytes(_JSONL_CASES["bad_utf8_late"])  # skipped after its first record was read
    (tmp_path / "c.jsonl").write_bytes(_JSONL_CASES["no_id"])
    plain, stored = load_corpus(tmp_path), load_corpus(tmp_path, on_disk=True)
    assert [s.origin for s in stored.skipped] == [str(tmp_path / "b.jsonl")]
    assert stored.skipped == plain.skipped
    assert list(stored.documents) == list(plain.documents)
    assert isinstance(stored.documents, StoredDocuments)
    assert len(stored.documents._store) == len(stored.documents)  # the skipped file's text was taken back


def test_hash_set_store_gives_back_each_set() -> None:
    rng = np.random.default_rng(5)
    sets = [np.unique(rng.integers(0, 2**64, size=int(rng.integers(0, 50)), dtype=np.uint64)) for _ in range(500)]
    store = HashSetStore()
    for start in range(0, 500, 70):  # chunks, as the shingling stage adds them
        chunk = sets[start : start + 70]
        offsets = np.r_[0, np.cumsum([len(s) for s in chunk])]
        store.add_flat(np.concatenate(chunk), offsets)
    assert len(store) == 500
    assert all(np.array_equal(store[k], sets[k]) and store[k].dtype == np.uint64 for k in range(500))
    assert [len(s) for s in store[10:13]] == [len(s) for s in sets[10:13]]
    assert set_sizes(store).tolist() == set_sizes(sets).tolist() == [len(s) for s in sets]
    rows = np.array([3, 0, 499, 3])
    assert set_sizes(store, rows).tolist() == set_sizes(sets, rows).tolist() == [len(sets[k]) for k in rows]
    assert store.size(7) == len(sets[7])
    with pytest.raises(ValueError, match="sum to 2, not 3 bytes"):
        SpillFile("records").append(b"abc", np.array([1, 1]))


def test_spilled_rows_give_back_the_same_rows_and_cosines() -> None:
    from scipy import sparse

    from provenance.candidates.neighbours import exact_cosines
    from provenance.engines.spill import SpilledRows

    rng = np.random.default_rng(11)
    matrix = sparse.random(300, 2000, density=0.02, format="csr", random_state=rng, dtype=np.float64)
    matrix.data[matrix.indptr[7] : matrix.indptr[8]] = 0.0  # an empty row
    matrix.eliminate_zeros()
    assert matrix.indptr[8] == matrix.indptr[7]
    spilled = SpilledRows(matrix)
    picks = [5, 7, 299, 0, 5]
    got = spilled.rows(picks)
    want = matrix[picks]
    assert got.shape == want.shape == (5, 2000)
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices) and np.array_equal(got.data, want.data)
    assert spilled.rows([]).shape == (0, 2000)
    pairs = rng.integers(0, 300, size=(200, 2))
    whole = exact_cosines(matrix, pairs)
    one_by_one = [exact_cosines(spilled.rows([int(a), int(b)]), np.array([[0, 1]]))[0] for a, b in pairs]
    assert whole.tolist() == one_by_one  # bit for bit


def test_parked_arrays_and_table_come_back_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrays parked on disk (any dtype, shape, empty ones) come back equal; a record read past ~2 GB goes on."""
    from provenance.engines.spill import ParkedArrays
    from provenance.normalize import analyzer_for
    from provenance.scoring.align import build_profile
    from provenance.scoring.table import ProfileTable

    rng = np.random.default_rng(5)
    arrays = {
        "ints": rng.integers(0, 1 << 40, 1000),
        "small": rng.integers(0, 9, (7, 3)).astype(np.int32),
        "floats": rng.random(33),
        "empty": np.zeros(0, np.int32),
        "strided": np.arange(20, dtype=np.int64)[::3],
    }
    back = ParkedArrays(arrays, "test arrays").restore()
    for name, array in arrays.items():
        assert back[name].dtype == array.dtype and back[name].shape == array.shape
        assert np.array_equal(back[name], array)
    real = os.preadv
    monkeypatch.setattr(os, "preadv", lambda fd, bufs, at: real(fd, [bufs[0][:5]], at))  # short reads
    assert np.array_equal(ParkedArrays({"x": arrays["ints"]}, "short reads").restore()["x"], arrays["ints"])
    monkeypatch.setattr(os, "preadv", real)
    texts = ["Una frase di prova su Roma. Un'altra frase qui.", "Second text about Paris, 2024.", ""]
    table = ProfileTable.from_profiles(
        [build_profile(Document(f"d{k}", t, language="it"), analyzer_for("it")) for k, t in enumerate(texts)]
    )
    restore = table.parked()
    again = restore()
    for name in ProfileTable.__dataclass_fields__:
        got, want = getattr(again, name), getattr(table, name)
        assert (np.array_equal(got, want) and got.dtype == want.dtype) if isinstance(want, np.ndarray) else got == want


def test_a_stored_document_keeps_every_field_of_the_document() -> None:
    """The store rebuilds documents field by field: every field of Document comes back (a new one too)."""
    from dataclasses import fields, replace
    from datetime import UTC, datetime

    from provenance.load.store import StoredDocuments
    from provenance.records import Document, with_language, with_text

    doc = Document("a", "testo", "Open", "https://x", datetime(2024, 1, 2, tzinfo=UTC), "it", "Titolo", "f.jsonl:1")
    assert all(getattr(doc, f.name) not in (None, "") for f in fields(Document))
    stored = StoredDocuments.write([doc])
    assert stored[0] == doc
    assert stored.fields[0] == replace(doc, text="")
    assert with_language(doc, "en") == replace(doc, language="en")
    assert with_text(doc, "altro") == replace(doc, text="altro")
