"""The Spark engine gives the local engine's pairs and clusters (``local[2]``, generated corpora, the seeds).

Skipped without pyspark or Java.  One Spark session serves the module (its
start costs ~20 s); the CLI test reuses it, since ``provenance cluster
--engine spark`` takes the active session.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)

from benchmarks.stories_data import load_stories  # noqa: E402
from benchmarks.synthetic_corpus import CorpusParams, SyntheticCorpus  # noqa: E402
from benchmarks.synthetic_lineage import LineageConfig, document_record, generate  # noqa: E402
from provenance.cli import main  # noqa: E402
from provenance.engines.spark import analyze_path, spark_session  # noqa: E402
from provenance.load import load_corpus  # noqa: E402
from provenance.pipeline import PipelineConfig, analyze  # noqa: E402
from provenance.records import AnalysisResult, ClusterKind, Relation  # noqa: E402
from provenance.serialize import result_to_dict  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
REUSE = {Relation.NEAR_DUPLICATE, Relation.REWRITE}


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    session = spark_session("local[2]")
    yield session
    session.stop()


def _write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _synthetic(n: int, seed: int) -> list[dict[str, object]]:
    """Pseudo-word articles, 30% of them lightly edited copies (near-duplicates around the 0.5 threshold)."""
    corpus = SyntheticCorpus(CorpusParams(n=n, seed=seed, vocab_size=20_000))
    return [{"id": f"s{seed}-{i:05d}", "text": corpus.text(i), "language": "en"} for i in range(n)]


def _reuse(result: AnalysisResult) -> dict[tuple[str, str], Relation]:
    return {(p.a, p.b): p.relation for p in result.pairs if p.relation in REUSE}


def _compare(spark_result: AnalysisResult, local: AnalysisResult) -> None:
    assert [d.id for d in spark_result.documents] == [d.id for d in local.documents]
    assert [d.language for d in spark_result.documents] == [d.language for d in local.documents]
    assert _reuse(spark_result) == _reuse(local)
    assert spark_result.clusters == local.clusters  # every kind, members and order
    by_pair = {(p.a, p.b): p for p in local.pairs}
    for p in spark_result.pairs:
        q = by_pair[(p.a, p.b)]
        assert (p.relation, p.jaccard, p.containment_a_in_b, p.coverage_a) == (
            q.relation,
            q.jaccard,
            q.containment_a_in_b,
            q.coverage_a,
        )
        assert p.tfidf_cosine == pytest.approx(q.tfidf_cosine, abs=1e-9)  # row order of the sums: last bit


def test_near_duplicate_level_matches_the_local_engine(spark: object, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "corpus.jsonl", _synthetic(2000, seed=11))
    config = PipelineConfig(level="near-duplicate", lineage=False)
    got = analyze_path(spark, str(path), config).result()  # type: ignore[arg-type]
    want = analyze(load_corpus(path).documents, config=config)
    assert len(_reuse(want)) > 300  # the corpus has many near-duplicate pairs
    assert any(c.kind is ClusterKind.NEAR_DUPLICATE and len(c.members) >= 3 for c in want.clusters)
    _compare(got, want)
    assert result_to_dict(got)["clusters"] == result_to_dict(want)["clusters"]


def test_rewrite_level_matches_the_local_engine(spark: object, tmp_path: Path) -> None:
    """Rewritten Italian articles and two hand-written stories among pseudo-word ones (more than 400 documents,
    so TF-IDF neighbours are used; the stories' loose rewrites give pairs inferred through a third document)."""
    lineage = generate(LineageConfig(language="it", seed=3, n_trees=3, docs_per_tree=(5, 8)))
    stories = [
        {"id": a.id, "text": a.text, "outlet": a.outlet or "", "published": a.published or ""}
        for story in load_stories(names=["c06", "c14"])
        for a in story.present
    ]
    records = [document_record(d) for d in lineage.documents] + stories + _synthetic(420, seed=12)
    path = _write_jsonl(tmp_path / "mixed.jsonl", records)
    config = PipelineConfig(lineage=False)
    got = analyze_path(spark, str(path), config).result()  # type: ignore[arg-type]
    want = analyze(load_corpus(path).documents, config=config)
    assert len(want.documents) > config.all_pairs_limit
    assert Relation.REWRITE in set(_reuse(want).values())
    _compare(got, want)
    assert {(p.a, p.b) for p in got.pairs} == {(p.a, p.b) for p in want.pairs}  # same-story pairs too
    # the families stage (pairs through a third document) as the local engine's: same pairs, same fields
    inferred = {(p.a, p.b): p for p in want.pairs if p.via}
    assert len(inferred) >= 5
    assert {(p.a, p.b) for p in got.pairs if p.via} == set(inferred)
    for p in got.pairs:
        if p.via:
            q = inferred[(p.a, p.b)]
            assert (p.via, p.p_value, p.alignments, p.coverage_b, p.cross_language) == (
                q.via,
                q.p_value,
                q.alignments,
                q.coverage_b,
                q.cross_language,
            )


def test_cli_engine_spark_on_the_seeds(spark: object, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["cluster", str(SEEDS), "--engine", "spark", "--master", "local[2]", "--format", "json", "-q"])
    out = capsys.readouterr().out
    assert code == 0
    got = json.loads(out)
    want = result_to_dict(analyze(load_corpus(SEEDS).documents, config=PipelineConfig(lineage=False)))
    assert got == json.loads(json.dumps(want))
    assert [c["kind"] for c in got["clusters"]] == ["rewrite", "story"]


def test_cli_writes_jsonl_files(spark: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    code = main(["cluster", str(SEEDS), "--engine", "spark", "-o", str(out_dir), "-q"])
    assert code == 0
    assert "wrote" in capsys.readouterr().err

    def records(name: str) -> list[dict[str, object]]:
        return [
            json.loads(line) for f in sorted((out_dir / name).glob("part-*")) for line in f.read_text().splitlines()
        ]

    assert len(records("documents")) == 5
    assert {c["kind"] for c in records("clusters")} == {"rewrite", "story"}
    assert len(records("pairs")) == 10


def test_bad_record_is_one_input_error(spark: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "one two three"}\n{"id": "b"}\n', encoding="utf-8")
    assert main(["cluster", str(path), "--engine", "spark", "-q"]) == 1
    assert capsys.readouterr().err.strip() == f'provenance: error: {path}:2: missing "text"'
