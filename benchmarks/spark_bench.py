"""Spark engine (local mode) vs the local engine: the CLI on the same JSONL, wall time and peak memory.

    python -m benchmarks spark_bench [--quick] [--sizes 10000,100000] [--rewrite-sizes 2000] [--master local[*]]

Corpus: :mod:`benchmarks.synthetic_corpus` (300-800 pseudo-words per
document, Zipfian vocabulary, 30% lightly edited copies), written once to
``--workdir`` as JSONL with ``"language": "en"`` declared.

Each run is the command line in its own subprocess, stdout to a file:
``python -m provenance cluster PATH --format json -q --level LEVEL`` for the
local engine, the same plus ``--engine spark --master MASTER`` for Spark.
Each run is measured by the scaling benchmark's ``_measure_command``: wall
and CPU time, ``tree_peak_pss_mb``, the peak of the summed proportional set
size of the whole process tree (the CLI, and for Spark the JVM and its Python
workers) sampled from ``/proc``, and ``peak_rss_mb``, the largest single
process (``getrusage(RUSAGE_CHILDREN)``).  Both outputs are compared: same documents, same
reuse pairs (near-duplicate, contained, rewrite), same clusters (the local engine's
``--level near-duplicate`` is its fast path, which reports ``tfidf_cosine``
0.0 and no detected language, so those two fields are not compared).

Writes ``benchmarks/results/spark_bench.json`` and ``.png``
(``spark_bench_quick.*`` with ``--quick``, which runs 500 documents at the
near-duplicate level only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from benchmarks.scaling import _measure_command

RESULTS = Path(__file__).resolve().parent / "results"
REUSE = ("near-duplicate", "contained", "rewrite")


def write_jsonl(n: int, directory: Path, seed: int = 0) -> Path:
    """The synthetic corpus of ``n`` documents as JSONL (reused when already written)."""
    from benchmarks.synthetic_corpus import CorpusParams, SyntheticCorpus

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"spark_bench_n{n}_s{seed}.jsonl"
    if path.exists():
        return path
    corpus = SyntheticCorpus(CorpusParams(n=n, seed=seed))
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"d{i:07d}", "text": corpus.text(i), "language": "en"}) + "\n")
    tmp.replace(path)
    return path


def _summary(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    reuse = sorted((p["a"], p["b"], p["relation"]) for p in data["pairs"] if p["relation"] in REUSE)
    clusters = [(c["kind"], c["members"]) for c in data["clusters"] if c["kind"] != "story"]
    return {
        "documents": [d["id"] for d in data["documents"]],
        "reuse_pairs": reuse,
        "clusters": clusters,
        "pairs": len(data["pairs"]),
    }


def _plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{r['level']}\n{r['docs']:,} docs" for r in rows]
    x = range(len(rows))
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, key, title in (
        (ax_t, "wall_s", "wall time (s)"),
        (ax_m, "tree_peak_pss_mb", "peak PSS, process tree (MB)"),
    ):
        for shift, engine in ((-0.2, "local"), (0.2, "spark")):
            ax.bar([i + shift for i in x], [r[engine][key] for r in rows], width=0.4, label=engine)
        ax.set_xticks(list(x), labels, fontsize=8)
        ax.set_ylabel(title)
        ax.legend()
        ax.grid(True, axis="y", alpha=0.3)
    ax_t.set_title("CLI end to end")
    ax_m.set_title("memory (CLI + JVM + Python workers)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def measure(path: Path, level: str, master: str, work: Path) -> dict[str, Any]:
    """Both engines on one corpus at one level; their figures and whether they agree."""
    base = [sys.executable, "-m", "provenance", "cluster", str(path), "--format", "json", "-q", "--level", level]
    row: dict[str, Any] = {"level": level}
    outputs = {}
    for engine, extra in (("local", []), ("spark", ["--engine", "spark", "--master", master])):
        out = work / f"{path.stem}_{level}_{engine}.json"
        row[engine] = _measure_command(base + extra, out)
        outputs[engine] = _summary(out)
        print(f"[{path.stem} {level}] {engine}: {row[engine]['wall_s']:.1f} s", file=sys.stderr)
    local, spark = outputs["local"], outputs["spark"]
    row["docs"] = len(local["documents"])
    row["reuse_pairs"] = len(local["reuse_pairs"])
    row["same_documents"] = local["documents"] == spark["documents"]
    row["same_reuse_pairs"] = local["reuse_pairs"] == spark["reuse_pairs"]
    row["same_clusters"] = local["clusters"] == spark["clusters"]
    row["spark_vs_local_time"] = row["spark"]["wall_s"] / row["local"]["wall_s"]
    return row


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks spark_bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="CI smoke run: 500 documents, near-duplicate level")
    p.add_argument("--sizes", default="10000,100000", help="corpus sizes at --level near-duplicate")
    p.add_argument("--rewrite-sizes", default="2000", help="corpus sizes at --level rewrite ('' for none)")
    p.add_argument("--master", default="local[*]", help="Spark master (default: local[*])")
    p.add_argument("--workdir", default="/tmp/provenance-bench", help="where the corpora are cached")
    p.add_argument("--out", default=str(RESULTS))
    args = p.parse_args(argv)

    plan = [("near-duplicate", 500)] if args.quick else []
    if not args.quick:
        plan += [("near-duplicate", int(s)) for s in args.sizes.split(",") if s]
        plan += [("rewrite", int(s)) for s in args.rewrite_sizes.split(",") if s]
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(args.workdir)
    rows = []
    for level, n in plan:
        rows.append(measure(write_jsonl(n, work), level, args.master, work))
    result = {
        "benchmark": "spark_bench",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "params": {"master": args.master, "corpus": "synthetic_corpus: 300-800 words, 30% copies, language 'en'"},
        "runs": rows,
    }
    stem = "spark_bench_quick" if args.quick else "spark_bench"
    json_path, png_path = out_dir / f"{stem}.json", out_dir / f"{stem}.png"
    json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    _plot(rows, png_path)
    for r in rows:
        print(
            f"{r['level']:>14} {r['docs']:>8,} docs  local {r['local']['wall_s']:7.1f} s "
            f"{r['local']['tree_peak_pss_mb']:7.0f} MB   spark {r['spark']['wall_s']:7.1f} s "
            f"{r['spark']['tree_peak_pss_mb']:7.0f} MB   same pairs/clusters: "
            f"{r['same_reuse_pairs']}/{r['same_clusters']}"
        )
    print(f"wrote {json_path} and {png_path}")
    return 0
