"""`python -m benchmarks index_bench --quick` runs end to end and writes its measured figures."""

from __future__ import annotations

from pathlib import Path

from benchmarks.__main__ import available
from tests.test_benchmarks_smoke import _run  # runs --quick, checks the committed results are untouched


def test_index_bench_quick(tmp_path: Path) -> None:
    assert "index_bench" in available()
    data = _run("index_bench", tmp_path, "--workdir", str(tmp_path / "work"))
    assert data["n"] == 300
    add, daily, readd, query = data["add"], data["daily"], data["readd"], data["query"]
    assert isinstance(add, dict) and isinstance(daily, dict) and isinstance(readd, dict) and isinstance(query, dict)
    assert add["docs_per_s"] > 0 and "300 added" in add["output"]
    assert daily["docs_per_s"] > 0 and "50 added" in daily["output"]
    assert "0 added, 0 replaced, 50 unchanged" in readd["output"]
    latency = query["latency_s"]
    assert query["queries"] == 20 and len(query["latencies_s"]) == 20
    assert 0 < latency["p50"] <= latency["p95"] <= latency["max"]
    # the queries that copy an archived document find it
    assert query["copies_of_archived"] > 0
    assert query["originals_found"] >= 0.8 * query["copies_of_archived"]
