"""Every benchmark runs end to end in its ``--quick`` mode and writes a readable result.

The figures of a quick run are too small to judge quality; what is checked is
that each command of the README works, writes its JSON and PNG where asked
(never over the committed results), and that the JSON holds the measured
numbers a reader is pointed to.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks.__main__ import available
from benchmarks.__main__ import main as bench_main

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"


def _run(name: str, tmp_path: Path, *extra: str) -> dict[str, object]:
    before = {p: p.stat().st_mtime_ns for p in RESULTS.glob("*")}
    assert bench_main([name, "--quick", "--out", str(tmp_path), *extra]) == 0
    assert {p: p.stat().st_mtime_ns for p in RESULTS.glob("*")} == before  # committed results untouched
    (json_path,) = tmp_path.glob("*.json")
    assert json_path.stem.endswith("_quick")
    assert json_path.with_suffix(".png").stat().st_size > 1000
    data: dict[str, object] = json.loads(json_path.read_text(encoding="utf-8"))
    return data


def test_every_benchmark_module_is_listed() -> None:
    assert set(available()) >= {"neardup_quality", "rewrite_quality", "lineage_quality", "scaling"}


def test_unknown_benchmark_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_main(["no_such_benchmark"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err


def test_neardup_quality_quick(tmp_path: Path) -> None:
    data = _run("neardup_quality", tmp_path)
    summary = data["summary"]
    assert isinstance(summary, dict)
    assert set(summary) == {"synthetic", "handbook-it", "handbook-en"}
    for methods in summary.values():
        assert {"ours", "datasketch", "rensa", "tfidf"} <= set(methods)
        for scores in methods.values():
            f1 = scores["pairs_vs_threshold"]["f1"]
            assert 0.0 <= f1 <= 1.0 and not math.isnan(scores["ari_groups"])
    # our engine verifies every candidate by exact Jaccard: no reported pair is below the threshold
    assert all(m["ours"]["pairs_vs_threshold"]["precision"] == 1.0 for m in summary.values())


def test_rewrite_quality_quick(tmp_path: Path) -> None:
    data = _run("rewrite_quality", tmp_path)
    summary = data["summary"]
    assert isinstance(summary, dict)
    assert set(summary) == {f"{lang}/{s}" for lang in ("it", "en") for s in ("light", "moderate", "strong")}
    for cell in summary.values():
        pairs, passages = cell["reuse_pairs"], cell["passages"]
        assert pairs["n_true"] > 0 and passages["n_true"] > 0
        assert pairs["correct"] <= min(pairs["n_pred"], pairs["n_true"])
        assert 0.0 <= passages["precision"] <= 1.0 and 0.0 <= passages["recall"] <= 1.0


def test_lineage_quality_quick(tmp_path: Path) -> None:
    data = _run("lineage_quality", tmp_path)
    summary = data["summary"]
    assert isinstance(summary, dict) and len(summary) == 2 * 3 * 2  # languages x strengths x timestamp rates
    for cell in summary.values():
        edges = cell["edge_accuracy"]
        assert edges["total"] > 0 and 0 <= edges["hits"] <= edges["total"]
        assert edges["value"] == pytest.approx(edges["hits"] / edges["total"], abs=1e-3)


def test_scaling_quick(tmp_path: Path) -> None:
    data = _run("scaling", tmp_path, "--workdir", str(tmp_path / "corpora"))
    sizes = data["sizes"]
    assert isinstance(sizes, list) and len(sizes) == 2
    for row in sizes:
        assert row["ours"]["total_s"] > 0
        assert row["ratios"]["signature_vs_datasketch"] > 1.0  # vectorised signing beats the per-document loop


def test_stories_quick(tmp_path: Path) -> None:
    data = _run("stories", tmp_path)
    summary = data["summary"]
    assert isinstance(summary, dict) and {"tune", "eval", "all"} <= set(summary)
    for half in summary.values():
        pairs = half["reuse_pairs"]
        assert pairs["n_true"] > 0 and 0 <= pairs["correct"] <= min(pairs["n_pred"], pairs["n_true"])
        assert half["hard_negative_fp"]["total"] > 0
        assert half["parent_accuracy"]["total"] > 0
        assert 0.0 <= half["passages"]["recall"]["value"] <= 1.0


def test_stories_audit_quick(tmp_path: Path) -> None:
    data = _run("stories_audit", tmp_path)
    for row in data["pairs_in_one_language"].values():
        assert set(row["median"]) == {"direct", "indirect", "hard negative"}
        assert all(n > 0 for n in row["pairs"].values())
        for key in ("auc_direct_vs_hard_negative", "auc_indirect_vs_hard_negative"):
            assert 0.0 <= row[key] <= 1.0
    assert all("independent" in by_role for by_role in data["similarity_to_fact_sheet_by_role"].values())
    picks = data["parent_identifiability"]
    assert set(picks) == {"all candidates", "reuse relatives only"}
    for case in picks.values():
        assert case["articles_all"] == sum(case["articles"].values()) > 0
        assert "independent" not in case["articles"] and "source" not in case["articles"]  # no parent to pick
        for name in ("word 1-2-grams", "word containment"):
            assert all(0.0 <= v <= 1.0 for v in case[name].values())
    # fewer candidates cannot make the closest one a parent less often
    assert picks["reuse relatives only"]["word 3-grams"]["overall"] >= picks["all candidates"]["word 3-grams"]["overall"]


def test_stories_audit_pair_classes() -> None:
    from benchmarks.stories_audit import auc, pair_class
    from benchmarks.stories_data import load_stories, reuse_truth

    story = load_stories(names=["c07"])[0]
    truth = reuse_truth(story)
    arts = story.articles
    independent = next(a for a in arts.values() if a.role == "independent")
    child = next(a for a in arts.values() if a.parents and not arts[a.parents[0]].absent and a.role != "independent")
    assert pair_class(story, independent.id, child.id, truth) == "hard negative"
    assert pair_class(story, child.id, child.parents[0], truth) == "direct"
    assert auc([0.9, 0.8], [0.1, 0.2]) == 1.0 and auc([0.1], [0.9]) == 0.0 and auc([], [0.5]) is None
