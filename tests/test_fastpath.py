"""The fast path of ``cluster --level near-duplicate`` (provenance.fastpath).

It must report exactly the near-duplicate pairs of the full pipeline at that
level, read files as the loaders do (same ids, fields, errors), and print the
same formats through the CLI.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from datetime import UTC
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import fastpath
from provenance import records as rec
from provenance.cli import main
from provenance.errors import InputError
from provenance.fastpath import FastConfig, cluster_near_duplicates
from provenance.load import load_corpus
from provenance.pipeline import PipelineConfig, analyze
from provenance.records import VERBATIM_RELATIONS, AnalysisResult, ClusterKind, Relation, SkippedInput
from provenance.scoring.relation import RelationParams
from provenance.serialize import result_to_dict

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_SYLLABLES = [c + v for c in "bcdfglmnprstvz" for v in "aeiou"]


def _vocabulary(rng: random.Random, size: int = 1500) -> list[str]:
    words = {"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


def _edit(rng: random.Random, words: list[str], vocab: list[str], rate: float) -> list[str]:
    out = list(words)
    for _ in range(int(rate * len(out))):
        k = rng.randrange(len(out))
        kind = rng.random()
        if kind < 0.5:
            out[k] = rng.choice(vocab)
        elif kind < 0.75 and len(out) > 10:
            del out[k]
        else:
            out.insert(k, rng.choice(vocab))
    return out


def _render(rng: random.Random, words: list[str]) -> str:
    """Words as a news-like text: capitals, commas, full stops, curly quotes, accents, line breaks."""
    parts = []
    for k, w in enumerate(words):
        r = rng.random()
        if r < 0.05:
            w = w.capitalize()
        elif r < 0.08:
            w += ","
        elif r < 0.1:
            w += ".\n" if k % 7 else "."
        elif r < 0.105:
            w = f"“{w}”"
        elif r < 0.11:
            w = w.replace("a", "à", 1).upper()
        parts.append(w)
    return " ".join(parts)


def planted_corpus(n_originals: int = 120, seed: int = 3) -> list[dict[str, object]]:
    """Originals, exact copies, edited copies across the 0.5 threshold, excerpts, short texts; shuffled."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    originals = [[rng.choice(vocab) for _ in range(rng.randint(120, 400))] for _ in range(n_originals)]
    texts: list[str] = []
    for words in originals:
        texts.append(_render(rng, words))
        kind = rng.random()
        if kind < 0.15:
            texts.append(_render(rng, words))  # same words, other punctuation: Jaccard 1 on word shingles
        elif kind < 0.45:
            texts.append(_render(rng, _edit(rng, words, vocab, rng.uniform(0.0, 0.25))))
        elif kind < 0.55:
            start = rng.randrange(len(words) // 3)
            texts.append(_render(rng, words[start : start + len(words) * 3 // 5]))  # an excerpt: contained
        elif kind < 0.6:
            texts.append(_render(rng, words[:12]))  # too short for the containment rule
        elif kind < 0.7:
            copy = _edit(rng, words, vocab, 0.05)
            texts.append(_render(rng, copy))
            texts.append(_render(rng, _edit(rng, copy, vocab, 0.05)))  # a copy of the copy
    texts.extend(["Breve.", "Breve.", "---"])  # one-word documents and one without any token
    rng.shuffle(texts)
    records: list[dict[str, object]] = []
    for k, text in enumerate(texts):
        record: dict[str, object] = {"id": f"doc{k:04d}" if k % 10 else k, "text": text}
        if k % 3 == 0:
            record["outlet"] = f"Outlet {k % 5}"
            record["published"] = f"2024-10-{1 + k % 28:02d}T10:00:00+02:00"
        if k % 4 == 0:
            record["language"] = "IT-it"
        if k % 6 == 0:
            record["title"] = f"Titolo {k}"
        records.append(record)
    return records


def write_jsonl(path: Path, records: list[dict[str, object]], newline: str = "\n") -> Path:
    text = "".join(json.dumps(r, ensure_ascii=False) + newline for r in records)
    path.write_bytes(text.encode("utf-8"))
    return path


def pipeline_result(path: Path, threshold: float = 0.5, shingle: str = "word:5") -> AnalysisResult:
    corpus = load_corpus(path)
    config = PipelineConfig(level="near-duplicate", lineage=False, threshold=threshold, shingle=shingle)
    return analyze(corpus.documents, config=config, skipped=corpus.skipped)


def near_duplicates(result: AnalysisResult) -> tuple[list[tuple[object, ...]], list[tuple[str, ...]]]:
    """The verbatim pairs (near-duplicate and contained) with their relation, and the near-duplicate clusters."""
    pairs = [
        (p.a, p.b, p.relation.value, p.jaccard, p.containment_a_in_b, p.containment_b_in_a)
        for p in result.pairs
        if p.relation in VERBATIM_RELATIONS
    ]
    clusters = [c.members for c in result.clusters if c.kind is ClusterKind.NEAR_DUPLICATE]
    return pairs, clusters


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("planted") / "feed.jsonl", planted_corpus())


@pytest.fixture(scope="module")
def expected(planted: Path) -> AnalysisResult:
    return pipeline_result(planted)


# --- the same pairs as the pipeline ------------------------------------------------------


def test_relation_rule_is_the_pipelines() -> None:
    params = RelationParams()
    assert params.near_duplicate_threshold == fastpath.NEAR_DUPLICATE_THRESHOLD
    assert params.containment == fastpath.CONTAINMENT
    assert params.min_shingles_for_containment == fastpath.MIN_SHINGLES_FOR_CONTAINMENT


@pytest.mark.parametrize("jobs", [1, 2])
def test_same_near_duplicates_as_the_pipeline(planted: Path, expected: AnalysisResult, jobs: int) -> None:
    pairs, clusters = near_duplicates(expected)
    assert len(pairs) > 40 and len(clusters) > 20  # the planted copies are found
    result = cluster_near_duplicates(planted, config=FastConfig(jobs=jobs))
    assert near_duplicates(result) == (pairs, clusters)
    assert [c.members for c in result.clusters] == [c.members for c in expected.clusters]  # every kind
    assert all(p.relation is Relation.NEAR_DUPLICATE and p.tfidf_cosine == 0.0 for p in result.pairs)
    assert [d.id for d in result.documents] == [d.id for d in expected.documents]


def test_small_blocks_many_workers_and_the_second_pass(
    planted: Path, expected: AnalysisResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastpath, "_BLOCK_BYTES", 20_000)  # many blocks, a line cut across block reads
    for budget in (1 << 30, 50_000, 0):  # kept sets; dropped after a few blocks; never kept: candidates re-read
        result = cluster_near_duplicates(planted, config=FastConfig(jobs=2, memory_budget=budget))
        assert near_duplicates(result) == near_duplicates(expected), budget
    # workers read their blocks at their offsets: after a byte-order mark, and a last line without its newline
    marked = planted.with_name("marked.jsonl")
    marked.write_bytes(b"\xef\xbb\xbf" + planted.read_bytes().rstrip(b"\n"))
    monkeypatch.setattr(fastpath, "load_corpus", None)  # streamed: never handed to the loader
    result = cluster_near_duplicates(marked, config=FastConfig(jobs=2))
    assert near_duplicates(result) == near_duplicates(expected)
    assert [d.id for d in result.documents] == [d.id for d in expected.documents]


@pytest.mark.parametrize("block", [7, 50, 4096])
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{}",
        b'{"a": 1}\n{"b": 2}\n',
        b'\xef\xbb\xbf{"a": 1}\r\n\r\n{"b": 2}\r{"c": 3}',
        b"x" * 200 + b"\n" + b"y" * 3 + b"\n\n" + b"z" * 120,
        b"\xef\xbb\xbf",
        b"ab",
    ],
)
def test_block_places_are_the_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, data: bytes) -> None:
    """The workers' (offset, length, line) are the streaming reader's blocks (the second pass reads those)."""
    monkeypatch.setattr(fastpath, "_BLOCK_BYTES", block)
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)
    blocks = list(fastpath._jsonl_blocks_at(path))
    assert list(fastpath._jsonl_places(path)) == [(offset, len(b), line) for b, line, offset in blocks]
    assert all(data[offset : offset + len(b)] == b for b, _, offset in blocks)


@pytest.mark.parametrize("threshold", [0.3, 0.8, 1.0])
def test_other_thresholds(tmp_path: Path, planted: Path, threshold: float) -> None:
    # above 0.5 the pipeline still searches at 0.5: excerpts are found, and labelled contained
    expected = pipeline_result(planted, threshold)
    pairs, clusters = near_duplicates(expected)
    result = cluster_near_duplicates(planted, config=FastConfig(threshold=threshold, jobs=1))
    assert near_duplicates(result) == (pairs, clusters)
    # reuse families too (story clusters differ above 0.5: the pipeline adds same-story pairs, module docstring)
    families = [ClusterKind.NEAR_DUPLICATE, ClusterKind.REWRITE]
    assert [c for c in result.clusters if c.kind in families] == [c for c in expected.clusters if c.kind in families]
    assert pairs
    assert all((p[2] == "near-duplicate") == (p[3] >= threshold) for p in pairs)  # the threshold alone decides
    if threshold == 0.8:  # excerpts: contained, never near-duplicates below the threshold
        contained = [p for p in pairs if p[2] == "contained"]
        assert contained and all(p[3] < 0.8 and max(p[4], p[5]) >= 0.8 for p in contained)
        near_members = {m for c in clusters for m in c}
        # an excerpt whose only verbatim link is containment is in a reuse family, not a near-duplicate cluster
        assert any(p[0] not in near_members or p[1] not in near_members for p in contained)


def test_char_shingles(planted: Path) -> None:
    expected = pipeline_result(planted, shingle="char:7")
    result = cluster_near_duplicates(planted, config=FastConfig(shingle="char:7", jobs=1))
    assert near_duplicates(result) == near_duplicates(expected)


def test_directory_csv_and_crlf_inputs_give_the_same_pairs(tmp_path: Path, expected: AnalysisResult) -> None:
    records = planted_corpus()
    crlf = write_jsonl(tmp_path / "crlf.jsonl", records, newline="\r\n")
    table = tmp_path / "feed.csv"
    with table.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["id", "text", "outlet", "published", "language", "title"])
        writer.writeheader()
        writer.writerows(records)
    directory = tmp_path / "dir"
    directory.mkdir()
    shutil.copy(table, directory / "feed.csv")
    for path in (crlf, table, directory):
        result = cluster_near_duplicates(path, config=FastConfig(jobs=2))
        assert near_duplicates(result) == near_duplicates(expected), path


def test_ids_and_numbers_orjson_reads_otherwise(tmp_path: Path) -> None:
    """A 20-digit numeric id keeps its digits; a NaN (which orjson rejects) is read by the loader."""
    records = planted_corpus()[:6]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines[0] = '{"id": 123456789012345678901, "text": ' + json.dumps(records[0]["text"]) + "}"
    lines[1] = lines[1].replace("{", '{"score": NaN, ', 1)
    path = tmp_path / "numbers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cluster_near_duplicates(path, config=FastConfig(jobs=1))
    assert [d.id for d in result.documents] == [d.id for d in load_corpus(path).documents]
    assert result.documents[0].id == "123456789012345678901"


def test_seeds_and_copies_of_a_seed(tmp_path: Path) -> None:
    result = cluster_near_duplicates(SEEDS)
    assert len(result.documents) == 5 and result.pairs == [] and result.clusters == []
    assert near_duplicates(result) == near_duplicates(pipeline_result(SEEDS))
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    original = sorted(SEEDS.glob("*.txt"))[1]
    text = original.read_text(encoding="utf-8")
    (corpus / "copy.txt").write_text(text, encoding="utf-8")
    (corpus / "excerpt.txt").write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    words = text.split(" ")
    (corpus / "edited.txt").write_text(" ".join(w if k % 40 else "modificato" for k, w in enumerate(words)))
    result = cluster_near_duplicates(corpus)
    pairs, clusters = near_duplicates(result)
    assert (pairs, clusters) == near_duplicates(pipeline_result(corpus))
    assert clusters == [(original.stem, "copy", "edited", "excerpt")]


def test_clusters_are_build_clusters() -> None:
    from provenance.clusters import build_clusters
    from provenance.neardup import NearDupPair

    rng = random.Random(5)
    ids = [f"id{rng.randrange(10**6)}-{k}" for k in range(300)]  # input order is not id order
    near = [NearDupPair(i, j, 0.9, 0.9, 0.9, 0.9) for i, j in (sorted(rng.sample(range(300), 2)) for _ in range(150))]
    pairs, clusters = fastpath._pairs_and_clusters(ids, dict.fromkeys(range(300), 100), near, 0.5)
    assert clusters == build_clusters(ids, pairs)
    assert len({c.kind for c in clusters}) == 3 and any(len(c.members) > 3 for c in clusters)


# --- reading as the loaders do ------------------------------------------------------------


def test_documents_carry_the_loaders_ids_and_fields(planted: Path, expected: AnalysisResult) -> None:
    result = cluster_near_duplicates(planted, config=FastConfig(jobs=1))
    loaded = {d.id: d for d in load_corpus(planted).documents}
    for info in result.documents:
        doc = loaded[info.id]
        assert (info.outlet, info.published, info.title) == (doc.outlet, doc.published, doc.title)
        assert info.language == (doc.language.lower().split("-")[0] if doc.language else None)  # never detected
    assert result.documents[0].id == "0" and result.texts == {}


def test_default_ids_blank_lines_and_bom(tmp_path: Path) -> None:
    text = "una notizia qualsiasi di oggi, ripetuta tale e quale in due righe del file"
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + f'{{"text": "{text}"}}\n\n   \n\u00a0\n{{"text": "{text}"}}\n'.encode())
    result = cluster_near_duplicates(path, config=FastConfig(jobs=1))
    assert [d.id for d in result.documents] == ["feed:1", "feed:5"]
    assert [(p.a, p.b, p.jaccard) for p in result.pairs] == [("feed:1", "feed:5", 1.0)]


def test_metadata_file_is_merged_and_unknown_ids_are_skipped(tmp_path: Path) -> None:
    records = [{"id": "a", "text": "uno due tre quattro cinque sei", "outlet": "Mine"}, {"id": "b", "text": "sette"}]
    path = write_jsonl(tmp_path / "feed.jsonl", records)
    meta = tmp_path / "meta.csv"
    meta.write_text("id,outlet,language\nb,ANSA,EN-GB\nzzz,Other,\n", encoding="utf-8")
    result = cluster_near_duplicates(path, metadata=meta, config=FastConfig(jobs=1))
    corpus = load_corpus(path, metadata=meta)
    assert [(d.id, d.outlet, d.language) for d in result.documents] == [("a", "Mine", None), ("b", "ANSA", "en")]
    assert result.skipped == corpus.skipped and len(result.skipped) == 1


@pytest.mark.parametrize(
    "line",
    [
        '{"text": "a",}',
        '["text"]',
        '{"id": "x"}',
        '{"text": "  \\n "}',
        '{"text": 12}',
        '{"text": "a", "published": "25/10/2024"}',
        '{"text": "bad \\ud800 surrogate"}',
        '{"id": "first", "text": "again"}',  # a duplicate id
    ],
)
@pytest.mark.parametrize("jobs", [1, 2])
def test_malformed_line_is_the_loaders_error(
    tmp_path: Path, line: str, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastpath, "_BLOCK_BYTES", 5_000)  # the bad line is in a late block
    good = [{"id": "first", "text": "ok"}] + [{"text": f"testo numero {k}"} for k in range(3000)]
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in good) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as loader:
        load_corpus(path)
    with pytest.raises(InputError) as fast:
        cluster_near_duplicates(path, config=FastConfig(jobs=jobs))
    assert str(fast.value) == str(loader.value)
    assert "feed.jsonl:3003" in str(fast.value)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"  \n\n",
        b'{"text": "ok"}\n\x00\n',
        b'{"text": "perch\xe9"}\n',
        b"\xff\xfe" + '{"text": "x"}'.encode("utf-16-le"),
    ],
)
def test_file_level_problems_are_the_loaders(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(content)
    try:
        expected = near_duplicates(pipeline_result(path))
    except InputError as exc:
        with pytest.raises(InputError) as fast:
            cluster_near_duplicates(path)
        assert str(fast.value) == str(exc)
    else:  # UTF-16 with a byte-order mark is valid: read by the loader
        assert near_duplicates(cluster_near_duplicates(path)) == expected


# --- the command line ------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_uses_the_fast_path(
    planted: Path, expected: AnalysisResult, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import provenance.pipeline

    def no_pipeline(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pipeline ran")

    monkeypatch.setattr(provenance.pipeline, "analyze", no_pipeline)
    code, out, _ = run(capsys, "cluster", str(planted), "--level", "near-duplicate", "--format", "json", "-q")
    assert code == 0
    data = json.loads(out)
    assert set(data) == set(result_to_dict(expected))  # the JSON contract of provenance.serialize
    assert set(data["pairs"][0]) == set(result_to_dict(expected)["pairs"][0])
    pairs, clusters = near_duplicates(expected)
    assert [(p["a"], p["b"]) for p in data["pairs"]] == [p[:2] for p in pairs]
    assert [(p["relation"], p["jaccard"]) for p in data["pairs"]] == [(p[2], round(p[3], 4)) for p in pairs]
    assert {p["relation"] for p in data["pairs"]} == {"near-duplicate"}
    assert [tuple(c["members"]) for c in data["clusters"] if c["kind"] == "near-duplicate"] == clusters
    assert len(data["documents"]) == len(expected.documents) and data["edges"] == []
    first = data["documents"][0]
    assert first["outlet"] == "Outlet 0" and first["published"].startswith("2024-10-01T10:00:00")

    code, out, _ = run(capsys, "cluster", str(planted), "--level", "near-duplicate", "--format", "csv", "-q")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["a"], r["b"]) for r in rows] == [p[:2] for p in pairs]
    assert {r["tfidf_cosine"] for r in rows} == {"0.0000"} and all(r["cluster_near_duplicate"] for r in rows)

    code, out, _ = run(capsys, "cluster", str(planted), "--level", "near-duplicate", "-q")
    assert code == 0
    assert out.startswith(f"{len(expected.documents)} documents")
    assert f"near-duplicate clusters (verbatim reuse): {len(clusters)}" in out


def test_cli_errors_and_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{not json}\n', encoding="utf-8")
    code, _, err = run(capsys, "cluster", str(bad), "--level", "near-duplicate", "-q")
    assert code == 1
    assert err.strip().splitlines() == [err.strip()] and err.startswith("provenance: error: ") and "bad.jsonl:2" in err
    good = write_jsonl(tmp_path / "good.jsonl", [{"id": "a", "text": "uno due"}])
    meta = tmp_path / "meta.csv"
    meta.write_text("id,outlet\nnobody,X\n", encoding="utf-8")
    code, out, err = run(capsys, "cluster", str(good), "--level", "near-duplicate", "--metadata", str(meta), "-q")
    assert code == 0 and "warning: skipped" in err and "nobody" in err
    assert out.startswith("1 documents")


# --- JSON output -------------------------------------------------------------------------------


def test_write_json_is_as_json(planted: Path, expected: AnalysisResult) -> None:
    from provenance.fastpath import write_json
    from provenance.present import as_json

    for result in (expected, cluster_near_duplicates(planted, config=FastConfig(jobs=1))):
        result.skipped.append(SkippedInput("x/“y”.txt", 'odd "reason"\n\\ tab\t'))
        for size in (1, 7, 2048):
            buf = io.StringIO()
            write_json(result, buf, slice_size=size)
            assert buf.getvalue() == as_json(result)
    empty = AnalysisResult(documents=[], pairs=[], clusters=[])
    buf = io.StringIO()
    write_json(empty, buf)
    assert buf.getvalue() == as_json(empty)


_OPTIONAL_TEXT = st.none() | st.text(max_size=6)
_FLOATS = st.floats() | st.sampled_from([0.0, -0.0, 1.0, 0.123456789, 1e-9])
_DOCUMENTS = st.builds(
    rec.DocumentInfo,
    id=st.text(max_size=6),
    language=_OPTIONAL_TEXT,
    outlet=_OPTIONAL_TEXT,
    published=st.none() | st.datetimes(timezones=st.just(UTC)),
    title=_OPTIONAL_TEXT,
    cited_sources=st.lists(
        st.builds(rec.CitedSource, st.text(max_size=4), st.text(max_size=4), st.integers(), st.integers()),
        max_size=1,
    ),
    parent=_OPTIONAL_TEXT,
    derived_share=_FLOATS,
    is_reference_source=st.booleans(),
)
_PAIRS = st.builds(
    rec.PairScore,
    a=st.text(max_size=6),
    b=st.text(max_size=6),
    relation=st.sampled_from(list(Relation)),
    jaccard=_FLOATS,
    tfidf_cosine=_FLOATS,
    containment_a_in_b=_FLOATS,
    containment_b_in_a=_FLOATS,
    alignments=st.lists(
        st.builds(rec.Alignment, st.integers(), st.integers(), st.integers(), st.integers(), _FLOATS, st.booleans()),
        max_size=3,
    ),
    coverage_a=_FLOATS,
    coverage_b=_FLOATS,
    p_value=_FLOATS,
    cross_language=st.booleans(),
    via=st.lists(st.text(max_size=4), max_size=2).map(tuple),
)
_CLUSTERS = st.builds(
    rec.Cluster, st.sampled_from(list(ClusterKind)), st.lists(st.text(max_size=6), max_size=3).map(tuple)
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_DOCUMENTS, max_size=5),
    st.lists(_PAIRS, max_size=4),
    st.lists(_CLUSTERS, max_size=3),
    st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=2),
)
def test_items_written_directly_are_as_json(
    documents: list[rec.DocumentInfo],
    pairs: list[rec.PairScore],
    clusters: list[rec.Cluster],
    urls: dict[str, str],
) -> None:
    """The direct encoders of documents, pairs and clusters write what result_to_dict + _json write."""
    from provenance.fastpath import write_json
    from provenance.present import as_json

    result = AnalysisResult(documents=documents, pairs=pairs, clusters=clusters, urls=urls)
    for size in (1, 3):
        buf = io.StringIO()
        write_json(result, buf, slice_size=size)
        assert buf.getvalue() == as_json(result)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=20,
    )
)
def test_json_values_are_indented_as_the_json_module_does(value: object) -> None:
    from provenance.fastpath import _json

    assert _json(value, 0) == json.dumps(value, ensure_ascii=False, indent=2)


# --- the engine's byte-level lower-casing (provenance.signatures.shingles) ------------------------

_CASED = (
    "ΣΑΣ ΟΔΟΣ σ ς İstanbul IİıI Ärger ÖL ẞ STRASSE МОСКВА Ⱥ Ⱦ ǅ ǈ Ⅻ Ⓐ 🄰 𐐀𐐨 𞤀 K Ω Å ǰ ŉ ΐ ﬁ ＡＢＣ 东京 😀 𠀀 "
    "É È À Ç Ñ Ł Ő Ş Ğ Ə Ǆ Ꭰ Ᏸ ꭰ ᲀ Ꙋ ⓐ Ǳ ß ſ ΐ ΰ İ̇ \u0345 \u1e9e \u2126 \u212a \u212b"
)


def test_lower_casing_on_bytes_equals_str_lower() -> None:
    from provenance.signatures.shingles import ShingleSpec, shingle_hashes, shingle_hashes_flat, word_tokens

    words = _CASED.split()
    texts = [_CASED, *words, " ".join(w.lower() for w in words), "ΣΑΣ aΣ Σa Σ.", "plain ascii text only"]
    texts += [" ".join(chr(c) + "A" + chr(c) for c in range(start, start + 512)) for start in range(0x80, 0x3000, 512)]
    for spec in (ShingleSpec("word", 1), ShingleSpec("word", 3)):
        flat, offsets = shingle_hashes_flat(texts, spec)
        for d, text in enumerate(texts):  # the reference: str.lower and the regex tokeniser
            assert np.array_equal(flat[offsets[d] : offsets[d + 1]], shingle_hashes(word_tokens(text), spec)), text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list(_CASED + "abc XYZ,.")), max_size=40), max_size=5))
def test_lower_casing_on_bytes_property(texts: list[str]) -> None:
    from provenance.signatures.shingles import ShingleSpec, shingle_hashes, shingle_hashes_flat, word_tokens

    spec = ShingleSpec("word", 2)
    flat, offsets = shingle_hashes_flat(texts, spec)
    for d, text in enumerate(texts):
        assert np.array_equal(flat[offsets[d] : offsets[d + 1]], shingle_hashes(word_tokens(text), spec))


def test_shingles_without_sets_sign_the_same() -> None:
    from provenance.signatures.minhash import MinHasher
    from provenance.signatures.shingles import ShingleSpec, shingle_hashes_flat

    texts = [str(r["text"]) for r in planted_corpus(20)] + ["", "uno", "uno uno uno uno uno uno uno"]
    hasher = MinHasher(64, 3)
    for spec in (ShingleSpec("word", 5), ShingleSpec("char", 4)):
        sets, set_offsets = shingle_hashes_flat(texts, spec)
        raw, raw_offsets = shingle_hashes_flat(texts, spec, unique=False)
        assert np.array_equal(hasher.signatures_flat(raw, raw_offsets), hasher.signatures_flat(sets, set_offsets))
        assert np.array_equal(np.diff(raw_offsets) > 0, np.diff(set_offsets) > 0)
        for d in range(len(texts)):
            assert np.array_equal(
                np.unique(raw[raw_offsets[d] : raw_offsets[d + 1]]), sets[set_offsets[d] : set_offsets[d + 1]]
            )
