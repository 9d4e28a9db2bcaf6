"""Incremental index: `provenance index add` throughput and `index query` latency vs index size.

    python -m benchmarks index_bench [--quick] [--n 100000] [--queries 50] [--daily 1000] [--out DIR]

Corpus: ``benchmarks/synthetic_corpus.py`` (300-800 pseudo-words per document,
Zipfian vocabulary, 30% lightly edited copies of an earlier document), laid
out as news: a full stop ends a sentence and the next word is capitalised,
four sentences make a paragraph, the first eight words are the title; every
document declares its language (``it``), an outlet (one of 50) and a
publication time (document ``i`` at ``i * 5`` minutes), so a copy is always
published after its original.  Documents ``0..N-1`` are the archive,
``N..N+D-1`` the next day's news, the last ``Q`` the queries.

1. ``provenance index add archive.jsonl --db index.db -q`` (the CLI, in a
   subprocess; wall time, peak RSS) builds the index of N documents;
2. a worker process opens the index and times ``query_index`` (the library
   call behind ``provenance index query``) for each of the Q queries, after
   one untimed warm-up query (model and word lists loading); p50 / p95 /
   max latency.  For the queries that are copies of an archived document, it
   checks that the original is reported (and as what).  ``provenance index
   query`` itself (a new process: interpreter start and imports included) is
   timed on the first ``--cli-queries`` queries;
3. ``provenance index add day.jsonl`` adds the D next documents to the N
   (the daily update), and adding the same file again measures the
   idempotent no-op.

Writes ``benchmarks/results/index_bench.json`` and ``.png``
(``index_bench_quick.*`` with ``--quick``: N=300, Q=20, D=50).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
OUTLETS = 50
MINUTES_APART = 5


def news_text(words: list[str]) -> tuple[str, str]:
    """``(title, text)``: the words as sentences (capitalised after a full stop) in paragraphs of four."""
    sentences: list[list[str]] = [[]]
    for w in words:
        current = sentences[-1]
        current.append(w.capitalize() if not current else w)
        if w.endswith("."):
            sentences.append([])
    if not sentences[-1]:
        sentences.pop()
    else:
        sentences[-1][-1] += "."
    lines = [" ".join(" ".join(s) for s in sentences[k : k + 4]) for k in range(0, len(sentences), 4)]
    title = " ".join(words[:8]).rstrip(".,").capitalize()
    return title, title + "\n\n" + "\n\n".join(lines)


def write_jsonl(path: Path, n: int, start: int, stop: int, seed: int = 0) -> Path:
    """Documents ``start..stop-1`` of the synthetic corpus of ``n`` documents as news JSONL (cached)."""
    from benchmarks.synthetic_corpus import CorpusParams, SyntheticCorpus

    if path.exists():
        return path
    corpus = SyntheticCorpus(CorpusParams(n=n, seed=seed))
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for i in range(start, stop):
            title, text = news_text(corpus.text(i).split(" "))
            record = {
                "id": f"doc{i:07d}",
                "text": text,
                "title": title,
                "language": "it",
                "outlet": f"outlet{i % OUTLETS:02d}",
                "published": (EPOCH + timedelta(minutes=MINUTES_APART * i)).isoformat(),
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def _cli(*args: str) -> tuple[float, str]:
    """Run ``provenance ARGS`` in a new process: ``(wall seconds, stdout)``."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "provenance", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"provenance {' '.join(args)} failed: {proc.stderr.strip()}")
    return elapsed, proc.stdout


def _child_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --------------------------------------------------------------------------- query worker (own process)


def _worker_queries(db: Path, queries: Path, n: int, total: int, seed: int) -> dict[str, Any]:
    from benchmarks.synthetic_corpus import CorpusParams, SyntheticCorpus
    from provenance.index.query import query_index
    from provenance.index.store import IndexStore
    from provenance.load import load_corpus

    families = SyntheticCorpus(CorpusParams(n=total, seed=seed)).families
    docs = load_corpus(queries).documents
    store = IndexStore.open_existing(db)
    t0 = time.perf_counter()
    query_index(store, docs[0])
    warmup = time.perf_counter() - t0
    latencies: list[float] = []
    matches: list[int] = []
    copies, found = 0, 0
    found_as: dict[str, int] = {}
    for d in docs:
        t0 = time.perf_counter()
        result = query_index(store, d, top=None)
        latencies.append(time.perf_counter() - t0)
        matches.append(len(result.matches))
        source = int(families[int(d.id[3:])])
        if source < n and source != int(d.id[3:]):  # a copy of an archived document
            copies += 1
            hit = next((m for m in result.matches if m.id == f"doc{source:07d}"), None)
            if hit is not None:
                found += 1
                key = f"{hit.relation.value}{' (likely source)' if hit.likely_source else ''}"
                found_as[key] = found_as.get(key, 0) + 1
    store.close()
    return {
        "queries": len(docs),
        "warmup_s": warmup,
        "latency_s": {
            "p50": _percentile(latencies, 0.5),
            "p95": _percentile(latencies, 0.95),
            "mean": statistics.fmean(latencies),
            "max": max(latencies),
        },
        "latencies_s": latencies,
        "matches_per_query": statistics.fmean(matches),
        "copies_of_archived": copies,
        "originals_found": found,
        "originals_found_as": found_as,
    }


# --------------------------------------------------------------------------- report


def _table(r: dict[str, Any]) -> str:
    q = r["query"]
    lat = q["latency_s"]
    lines = [
        f"index of {r['n']:,} documents ({r['db_mb']:.0f} MB, {r['db_bytes_per_doc']:,.0f} B/doc)",
        f"  add (CLI, new index)      {r['add']['seconds']:>8.1f} s   {r['add']['docs_per_s']:>7.1f} docs/s   "
        f"peak RSS {r['add']['peak_rss_mb']:,.0f} MB",
        f"  add next {r['daily']['docs']:,} (daily)    {r['daily']['seconds']:>8.1f} s   "
        f"{r['daily']['docs_per_s']:>7.1f} docs/s",
        f"  re-add same (no-op)       {r['readd']['seconds']:>8.1f} s",
        f"  query (library, warm)     p50 {lat['p50'] * 1000:.0f} ms   p95 {lat['p95'] * 1000:.0f} ms   "
        f"max {lat['max'] * 1000:.0f} ms   ({q['queries']} queries, warm-up {q['warmup_s']:.1f} s)",
        f"  query (CLI process)       median {r['cli_query_s']['median']:.2f} s over {r['cli_query_s']['runs']} runs",
        f"  copies of archived docs   {q['originals_found']}/{q['copies_of_archived']} originals found: "
        f"{q['originals_found_as']}",
    ]
    return "\n".join(lines)


def _plot(r: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_add, ax_q) = plt.subplots(1, 2, figsize=(11, 4.2))
    labels = [f"new index\n(N={r['n']:,})", f"daily add\n(+{r['daily']['docs']:,})"]
    rates = [r["add"]["docs_per_s"], r["daily"]["docs_per_s"]]
    bars = ax_add.bar(labels, rates, color=["tab:blue", "tab:orange"])
    ax_add.bar_label(bars, fmt="%.0f docs/s")
    ax_add.set(ylabel="documents / s", title="provenance index add (CLI)")
    lat_ms = sorted(x * 1000 for x in r["query"]["latencies_s"])
    ax_q.plot(range(1, len(lat_ms) + 1), lat_ms, "o-", ms=3)
    for q, style in (("p50", "--"), ("p95", ":")):
        ax_q.axhline(r["query"]["latency_s"][q] * 1000, color="gray", ls=style, label=q)
    ax_q.set(xlabel="query (sorted by latency)", ylabel="ms", title=f"query_index latency, index of {r['n']:,} docs")
    ax_q.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks index_bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="CI smoke run: N=300, 20 queries, 50 daily documents")
    ap.add_argument("--n", type=int, default=100_000, help="documents in the index")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--daily", type=int, default=1000, help="documents of the incremental add")
    ap.add_argument("--cli-queries", type=int, default=5, help="queries also timed through the CLI")
    ap.add_argument("--workdir", default="/tmp/provenance-bench/index", help="corpus files and the index")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--query-file", help=argparse.SUPPRESS)
    ap.add_argument("--total", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker == "queries":
        print(json.dumps(_worker_queries(Path(args.db), Path(args.query_file), args.n, args.total, 0)))
        return 0
    if args.quick:
        args.n, args.queries, args.daily, args.cli_queries = 300, 20, 50, 1
    n, daily, nq = args.n, args.daily, args.queries
    total = n + daily + nq
    work = Path(args.workdir) / f"n{n}_d{daily}_q{nq}"
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    archive = write_jsonl(work / "archive.jsonl", total, 0, n)
    day = write_jsonl(work / "day.jsonl", total, n, n + daily)
    queries = write_jsonl(work / "queries.jsonl", total, n + daily, total)
    print(f"[index_bench] corpus ready in {time.perf_counter() - t0:.0f} s: {work}", file=sys.stderr)
    db = work / "index.db"
    for stale in work.glob("index.db*"):
        stale.unlink()

    add_s, add_out = _cli("index", "add", str(archive), "--db", str(db), "-q")
    peak = _child_peak_rss_mb()
    print(f"[index_bench] add {n:,}: {add_s:.1f} s; {add_out.strip()}", file=sys.stderr)
    db_bytes = db.stat().st_size + sum(p.stat().st_size for p in work.glob("index.db-wal"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "benchmarks", "index_bench", "--worker", "queries", "--db", str(db)]
    cmd += ["--query-file", str(queries), "--n", str(n), "--total", str(total)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"query worker failed: {proc.stderr.strip()}")
    query = json.loads(proc.stdout.strip().splitlines()[-1])
    cli_times = []
    query_docs = queries.read_text(encoding="utf-8").splitlines()[: args.cli_queries]
    for k, line in enumerate(query_docs):
        one = work / f"query{k}.jsonl"
        one.write_text(line + "\n", encoding="utf-8")
        cli_times.append(_cli("index", "query", str(one), "--db", str(db), "--format", "json")[0])
    daily_s, daily_out = _cli("index", "add", str(day), "--db", str(db), "-q")
    readd_s, readd_out = _cli("index", "add", str(day), "--db", str(db), "-q")
    result = {
        "benchmark": "index_bench",
        "procedure": __doc__,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "n": n,
        "db_mb": db_bytes / 2**20,
        "db_bytes_per_doc": db_bytes / n,
        "add": {"docs": n, "seconds": add_s, "docs_per_s": n / add_s, "peak_rss_mb": peak, "output": add_out.strip()},
        "daily": {"docs": daily, "seconds": daily_s, "docs_per_s": daily / daily_s, "output": daily_out.strip()},
        "readd": {"docs": daily, "seconds": readd_s, "output": readd_out.strip()},
        "query": query,
        "cli_query_s": {"runs": len(cli_times), "median": statistics.median(cli_times), "all": cli_times},
    }
    stem = "index_bench_quick" if args.quick else "index_bench"
    args.out.mkdir(parents=True, exist_ok=True)
    json_path, png_path = args.out / f"{stem}.json", args.out / f"{stem}.png"
    json_path.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    _plot(result, png_path)
    print(_table(result))
    print(f"\nwrote {json_path} and {png_path}")
    return 0
