"""The command line end to end: the seeds, copies of a seed, bad input, exit codes."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest

from provenance.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors and --help
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _light_edit(text: str, n_changes: int, seed: int) -> str:
    """Replace ``n_changes`` words by a marker word: a lightly edited copy."""
    words = text.split(" ")
    rng = random.Random(seed)
    for k in rng.sample(range(len(words)), n_changes):
        words[k] = "modificato"
    return " ".join(words)


def test_seeds_have_no_verbatim_near_duplicates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cluster", str(SEEDS), "--format", "json", "--quiet")
    assert code == 0
    data = json.loads(out)
    assert len(data["documents"]) == 5
    assert not [c for c in data["clusters"] if c["kind"] == "near-duplicate"]
    assert not [p for p in data["pairs"] if p["relation"] == "near-duplicate"]
    for p in data["pairs"]:
        assert p["jaccard"] < 0.05  # paraphrases, not copies
        for al in p["alignments"]:
            assert 0 <= al["a_start"] < al["a_end"] and 0 <= al["b_start"] < al["b_end"]


def test_copies_of_a_seed_are_clustered_with_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    original = next(iter(sorted(SEEDS.glob("*.txt"))))
    text = original.read_text(encoding="utf-8")
    (corpus / "exact_copy.txt").write_text(text, encoding="utf-8")
    (corpus / "light_edit.txt").write_text(_light_edit(text, 4, seed=7), encoding="utf-8")
    code, out, _ = run(capsys, "cluster", str(corpus), "--format", "json", "--quiet")
    assert code == 0
    data = json.loads(out)
    nd = [set(c["members"]) for c in data["clusters"] if c["kind"] == "near-duplicate"]
    assert nd == [{original.stem, "exact_copy", "light_edit"}]
    exact = next(p for p in data["pairs"] if {p["a"], p["b"]} == {original.stem, "exact_copy"})
    assert exact["jaccard"] == 1.0


def test_char_shingles_and_csv_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cluster", str(SEEDS), "--shingle", "char:5", "--format", "csv", "-q")
    assert code == 0
    header = out.splitlines()[0].split(",")
    assert header[:3] == ["a", "b", "relation"]


def test_table_output_names_the_levels(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cluster", str(SEEDS), "-q")
    assert code == 0
    assert "near-duplicate clusters (verbatim reuse): none" in out
    assert "reuse families" in out and "scored pairs" in out


def test_help_explains_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cluster", "--help")
    assert code == 0
    for option in ("--threshold", "--shingle", "--format", "--quiet", "--metadata", "--level"):
        assert option in out


@pytest.mark.parametrize(
    "argv",
    [
        ["cluster", "SEEDS", "--threshold", "1.5"],
        ["cluster", "SEEDS", "--shingle", "word:0"],
        ["cluster", "SEEDS", "--shingle", "sentence:3"],
        ["cluster", "SEEDS", "--format", "xml"],
        ["nonsense"],
        [],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    argv = [str(SEEDS) if a == "SEEDS" else a for a in argv]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "usage:" in err


def _one_line_error(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_input_errors_exit_1_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    bad_jsonl = tmp_path / "bad.jsonl"
    bad_jsonl.write_text('{"text": "ok"}\n{not json}\n', encoding="utf-8")
    no_text = tmp_path / "no_text.csv"
    no_text.write_text("id,body\n1,hello\n", encoding="utf-8")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("perché così".encode("latin-1"))
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    cases = {
        str(tmp_path / "missing"): "missing",
        str(empty_dir): "no documents",
        str(bad_jsonl): "bad.jsonl:2",
        str(no_text): "text",
        str(latin1): "UTF-8",
        str(binary): "binary",
    }
    for path, expected in cases.items():
        code, _, err = run(capsys, "cluster", path, "-q")
        assert code == 1, path
        line = _one_line_error(err)
        assert line.startswith("provenance: error:")
        assert expected.lower() in line.lower(), line


def test_skipped_files_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("Un testo qualsiasi sul tempo di oggi a Roma e dintorni.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    code, out, err = run(capsys, "cluster", str(tmp_path), "--format", "json", "-q")
    assert code == 0
    assert "empty.txt" in err
    data = json.loads(out)
    assert len(data["documents"]) == 1  # one document: a sensible, empty result
    assert data["pairs"] == [] and data["clusters"] == []
    assert any("empty.txt" in s["origin"] for s in data["skipped"])


def test_same_document_twice_is_a_near_duplicate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[2]).read_text(encoding="utf-8")
    (tmp_path / "one.txt").write_text(text, encoding="utf-8")
    (tmp_path / "two.txt").write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "cluster", str(tmp_path), "--format", "json", "-q")
    assert code == 0
    pairs = json.loads(out)["pairs"]
    assert [(p["relation"], p["jaccard"]) for p in pairs] == [("near-duplicate", 1.0)]


def test_compare_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(SEEDS.glob("*.txt"))
    code, out, _ = run(capsys, "compare", str(files[1]), str(files[2]), "-q")
    assert code == 0
    assert re.search(r"rewrite|same-story", out.splitlines()[0])
    assert "│" in out  # two columns


def test_compare_within_its_corpus_agrees_with_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    # the collection sets the word weights: a pair compared with --corpus is scored as in `cluster`
    code, out, _ = run(capsys, "cluster", str(SEEDS), "--format", "json", "-q")
    assert code == 0
    clustered = {(p["a"], p["b"]): p for p in json.loads(out)["pairs"]}
    assert clustered
    for (a, b), expected in clustered.items():
        code, out, err = run(
            capsys, "compare", str(SEEDS / f"{a}.txt"), str(SEEDS / f"{b}.txt"), "--corpus", str(SEEDS)
        )
        assert code == 0 and "note:" not in err
        data = json.loads(
            run(
                capsys,
                "compare",
                str(SEEDS / f"{a}.txt"),
                str(SEEDS / f"{b}.txt"),
                "--corpus",
                str(SEEDS),
                "--format",
                "json",
            )[1]
        )
        assert [d["id"] for d in data["documents"]] == [a, b]  # the corpus is context, not compared
        (pair,) = data["pairs"]
        assert pair["relation"] == expected["relation"]
        assert pair["alignments"] == expected["alignments"]
        assert pair["p_value"] == pytest.approx(expected["p_value"])
    # alone, the pair is scored without the collection and the user is told so
    code, _, err = run(capsys, "compare", str(SEEDS / f"{a}.txt"), str(SEEDS / f"{b}.txt"))
    assert code == 0 and "--corpus" in err


def test_lineage_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lineage", str(SEEDS), "--format", "json", "-q")
    assert code == 0
    data = json.loads(out)
    ids = {d["id"] for d in data["documents"]}
    for e in data["edges"]:
        assert e["source"] in ids or e["source"].startswith(("cited:", "ancestor:"))
        # a document, or an absent outlet relaying another (cited:Y -> cited:X)
        assert e["target"] in ids or (e["target"].startswith("cited:") and e["source"].startswith("cited:"))
        assert 0.0 <= e["confidence"] <= 1.0
    code, out, _ = run(capsys, "lineage", str(SEEDS), "--format", "dot", "-q")
    assert code == 0 and out.startswith("digraph")
    code, out, _ = run(capsys, "lineage", str(SEEDS), "-q")
    assert code == 0 and "copying forest" in out


def test_library_warnings_are_one_line_on_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import warnings

    from provenance import cli
    from provenance.candidates import HugeBucketWarning

    def warn_and_succeed(args: object) -> int:
        warnings.warn("5 LSH bucket(s) had more than 1000 documents", HugeBucketWarning, stacklevel=2)
        return 0

    monkeypatch.setattr(cli, "_run", warn_and_succeed)
    assert cli.main(["cluster", "seeds"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["provenance: warning: 5 LSH bucket(s) had more than 1000 documents"]


def test_source_that_is_also_in_the_collection(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = sorted(SEEDS.glob("*.txt"))[3]
    code, out, err = run(capsys, "lineage", str(SEEDS), "--source", str(source), "--format", "json", "-q")
    assert code == 0, err
    docs = {d["id"]: d for d in json.loads(out)["documents"]}
    assert len(docs) == 5  # counted once, as the declared original
    assert docs[source.stem]["is_reference_source"] and docs[source.stem]["parent"] is None
    # the same id with another text is refused with a one-line message
    other = tmp_path / source.name
    other.write_text("Un altro testo, con lo stesso nome di file.", encoding="utf-8")
    code, _, err = run(capsys, "lineage", str(SEEDS), "--source", str(other), "-q")
    assert code == 1 and "same id" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["cluster", "lineage"])
def test_json_output_is_the_text_of_as_json(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI writes its JSON piece by piece: the text is ``as_json``'s (alignments, edges, cited sources)."""
    from provenance.load import load_corpus
    from provenance.pipeline import PipelineConfig, analyze
    from provenance.present import as_json

    code, out, _ = run(capsys, command, str(SEEDS), "--format", "json", "-q")
    assert code == 0
    result = analyze(load_corpus(SEEDS).documents, config=PipelineConfig(lineage=command == "lineage"))
    assert out == as_json(result) + "\n"
    data = json.loads(out)
    assert data["pairs"] and any(p["alignments"] for p in data["pairs"])
    assert (command == "lineage") == bool(data["edges"])
