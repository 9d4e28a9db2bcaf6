"""``python -m benchmarks spark_bench --quick`` runs both engines' CLI and writes its result (skipped without Spark)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.__main__ import available
from benchmarks.__main__ import main as bench_main

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"


def test_spark_bench_is_listed() -> None:
    assert "spark_bench" in available()  # importable without pyspark


def test_spark_bench_quick(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java")
    before = {p: p.stat().st_mtime_ns for p in RESULTS.glob("*")}
    code = bench_main(["spark_bench", "--quick", "--out", str(tmp_path), "--workdir", str(tmp_path / "corpora")])
    assert code == 0
    assert {p: p.stat().st_mtime_ns for p in RESULTS.glob("*")} == before  # committed results untouched
    (json_path,) = tmp_path.glob("*.json")
    assert json_path.stem == "spark_bench_quick"
    assert json_path.with_suffix(".png").stat().st_size > 1000
    (run,) = json.loads(json_path.read_text(encoding="utf-8"))["runs"]
    assert run["docs"] == 500 and run["reuse_pairs"] > 0
    assert run["same_documents"] and run["same_reuse_pairs"] and run["same_clusters"]
    for engine in ("local", "spark"):
        assert run[engine]["wall_s"] > 0 and run[engine]["tree_peak_pss_mb"] > 50
    assert run["spark"]["tree_peak_pss_mb"] > run["local"]["tree_peak_pss_mb"]  # the JVM is counted
