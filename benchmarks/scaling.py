"""Near-duplicate engine speed and memory vs corpus size, against datasketch, rensa and TF-IDF.

    python -m benchmarks scaling [--quick] [--sizes 1000,10000,100000,1000000]

For each size N a synthetic corpus (``benchmarks/synthetic_corpus.py``: 300-800
words per document, Zipfian vocabulary, 30% lightly edited copies) is written
once to ``--workdir`` and streamed back from disk.  Every measurement runs in
its own subprocess, so its peak RSS (``ru_maxrss``) is its own:

* ``ours``: ``provenance.neardup.find_near_duplicates_in_texts`` streaming
  the file, timed per stage (read, tokenise+shingle, signatures, LSH
  candidates, [re-read and re-hash the candidate documents: only when the hash
  sets exceed ``--memory-budget``], exact verification).  On the first ``--kernel-max``
  documents the same shingle hashes are also signed by rensa's flat Rust
  kernel (``RMinHash.digest_matrix_from_flat_token_hashes``, one thread) for a
  like-for-like signature comparison, timed twice: the kernel alone (it returns
  an opaque matrix) and the kernel plus its conversion to the ``(docs,
  num_perm)`` uint32 array that LSH banding reads (``to_rows``, ``np.asarray``),
  which is what our kernel returns;
* ``datasketch``: per-document ``MinHash.update_batch`` on the word-5-gram
  byte strings, then ``MinHashLSH`` insert + query (up to ``--baseline-max`` docs);
* ``rensa``: per-document ``RMinHash(num_perm, seed).update(shingle strings)``;
* ``tfidf``: scikit-learn TF-IDF (unigrams), blockwise cosine >= threshold
  (quadratic: up to ``--tfidf-max`` documents);
* ``cli``: the command a user runs, ``python -m provenance cluster FILE.jsonl
  --level near-duplicate --format json -q`` (the corpus written once as JSONL,
  ``{"id": "d0000042", "text": ...}`` per line; output to a file), timed from
  process start to exit: wall time, CPU time of the process and its worker
  processes, the largest process's peak RSS (``ru_maxrss``) and the peak of the
  summed PSS of the whole process tree (``/proc``, sampled every 50 ms);
  its pairs are read back from the JSON and scored like ours;
* ``datasketch_loop``: datasketch used straightforwardly on the same documents,
  in one loop: per document ``MinHash.update_batch`` on its word-5-gram byte
  strings and ``MinHashLSH.insert``, then a ``query`` per document (up to
  ``--cli-baseline-max`` docs), so ``cli_vs_datasketch`` compares the CLI's
  whole run with datasketch's loop alone (no reading, no output) measured in
  the same run;
* ``cli_rewrite``: the default level, ``cluster FILE.jsonl --format json -q``
  (the whole pipeline), up to ``--rewrite-max`` docs, with the recall of the
  planted reuse pairs (every pair of documents of one family, an original and
  its copies, reported as ``near-duplicate`` or ``rewrite``) and the size of the
  largest story cluster; ``rewrite_growth_exponent`` is the slope of its wall
  time between the two largest sizes on a log-log scale;
* ``cli_lineage`` and ``cli_report``: ``lineage FILE.jsonl --format json -q`` and
  ``report FILE.jsonl -o OUT.html -q``, up to ``--lineage-max`` docs, reported as
  ratios to ``cli_rewrite`` in the same run (``lineage_vs_rewrite``).

Up to 10,000 documents each CLI command (and datasketch's loop) runs ``--repeat``
times and the fastest run is kept (all of them are listed, ``runs_wall_s``);
``cli_rewrite``, ``cli_lineage`` and ``cli_report`` run in rounds, one of each in
turn, so the ratios compare runs of the same spells of a shared machine.

Quality is pair recall against the exact ground truth: all pairs with exact
word-5-shingle Jaccard >= threshold.  Only documents of one family (an original
and its copies) can be similar in this corpus — unrelated documents share
almost no 5-grams, which the run checks by brute force at N <= 5,000 — so the
ground truth is computed exactly inside families.

Writes ``benchmarks/results/scaling.json`` and ``scaling.png`` (``scaling_quick.*`` with ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
SPEC = "word:5"


# --------------------------------------------------------------------------- helpers


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class _Clock:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self._t
        self._t = now

    def skip(self) -> None:
        self._t = time.perf_counter()


def _pair_codes(pairs: np.ndarray, n: int) -> np.ndarray:
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return np.unique(np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1]))


def _truth_path(corpus: Path, threshold: float) -> Path:
    return corpus.with_name(f"{corpus.stem}_truth_t{threshold}.npz")


def _load_truth(corpus: Path, threshold: float, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Ground-truth pairs (codes i * limit + j) among the first ``limit`` documents, and their Jaccards."""
    data = np.load(_truth_path(corpus, threshold))
    pairs, jac = data["pairs"], data["jaccard"]
    inside = pairs.max(axis=1) < limit if len(pairs) else np.zeros(0, dtype=bool)
    return pairs[inside][:, 0] * limit + pairs[inside][:, 1], jac[inside]


def _recall(found_codes: np.ndarray, truth_codes: np.ndarray) -> float:
    if len(truth_codes) == 0:
        return 1.0
    return float(np.isin(truth_codes, found_codes).mean())


def _jsonl_path(corpus: Path) -> Path:
    """The corpus as JSONL (``{"id": "d0000042", "text": ...}`` per line), written once beside it."""
    path = corpus.with_suffix(".jsonl")
    if not path.exists():
        from benchmarks.synthetic_corpus import CorpusFile

        tmp = path.with_suffix(".jsonl.tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for i, text in enumerate(CorpusFile(corpus)):
                fh.write(json.dumps({"id": f"d{i:07d}", "text": text}, ensure_ascii=False))
                fh.write("\n")
        tmp.replace(path)
    return path


def _descendants(root: int) -> list[int]:
    """``root`` and the processes below it, through ``/proc/PID/task/TID/children`` (no scan of all of /proc)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                todo.extend(int(c) for c in Path(f"/proc/{pid}/task/{tid}/children").read_text().split())
            except OSError:
                continue
    return out


def _tree_pss_kb(root: int) -> int:
    """Summed PSS (RSS where PSS is unavailable) of ``root`` and its descendants, in kB."""
    total = 0
    for pid in _descendants(root):
        for name, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
            try:
                lines = Path(name).read_text().splitlines()
            except OSError:
                continue
            found = [int(line.split()[1]) for line in lines if line.startswith(key)]
            if found:
                total += found[0]
                break
    return total


def _sample_delay(elapsed: float) -> float:
    """Seconds between two PSS samples, ``elapsed`` seconds into a run: 50 ms at first, then up to 2 s.

    Reading ``smaps_rollup`` walks the page tables of the process under the lock of its
    memory map, so it costs more the more memory is mapped and slows the measured
    command (its memory maps wait): sampling a 30k-document run every 50 ms read PSS
    for 52 s of its 82 s (69 s with samples every 0.5 s). Peaks of a long run last
    seconds; a short run is still sampled often.
    """
    return min(2.0, 0.05 + 0.05 * elapsed)


def _measure_command(cmd: list[str], stdout: Path) -> dict[str, Any]:
    """Run ``cmd`` (this process's only child): wall and CPU time, peak RSS and peak tree PSS."""
    import threading

    peak = [0]
    done = threading.Event()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with stdout.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.PIPE)

        def sample() -> None:
            while not done.wait(_sample_delay(time.perf_counter() - t0)):
                peak[0] = max(peak[0], _tree_pss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, err = proc.communicate()
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return {
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_rss_mb": after.ru_maxrss / 1024.0,
        "tree_peak_pss_mb": peak[0] / 1024.0,
    }


# --------------------------------------------------------------------------- workers (subprocesses)


def _worker_truth(corpus: Path, threshold: float) -> dict[str, Any]:
    from benchmarks.synthetic_corpus import CorpusFile
    from provenance.neardup import exact_overlap
    from provenance.signatures.shingles import ShingleSpec, shingle_hashes_flat

    spec = ShingleSpec.parse(SPEC)
    cf = CorpusFile(corpus)
    fam = cf.families
    counts = np.bincount(fam, minlength=len(fam))
    needed = counts[fam] >= 2
    sets: dict[int, np.ndarray] = {}
    base = 0
    for chunk in _chunks(cf, 2048):
        idx = [d for d in range(len(chunk)) if needed[base + d]]
        if idx:
            flat, off = shingle_hashes_flat([chunk[d] for d in idx], spec)
            for s, d in enumerate(idx):
                sets[base + d] = flat[off[s] : off[s + 1]].copy()
        base += len(chunk)
    members: dict[int, list[int]] = {}
    for d in np.flatnonzero(needed).tolist():
        members.setdefault(int(fam[d]), []).append(d)
    pairs, jacs = [], []
    family_pairs = 0
    for group in members.values():
        for x, i in enumerate(group):
            for j in group[x + 1 :]:
                family_pairs += 1
                jac = exact_overlap(sets[i], sets[j])[0]
                if jac >= threshold:
                    pairs.append((i, j))
                    jacs.append(jac)
    out: dict[str, Any] = {"family_pairs": family_pairs, "truth_pairs": len(pairs)}
    if len(fam) <= 5000:  # brute force: no pair outside a family reaches the threshold
        from scipy import sparse

        flat, off = shingle_hashes_flat(list(cf), spec)
        uniq, inv = np.unique(flat, return_inverse=True)
        rows = np.repeat(np.arange(len(fam)), np.diff(off))
        x = sparse.csr_matrix((np.ones(len(flat), np.float32), (rows, inv)), shape=(len(fam), len(uniq)))
        inter = sparse.triu(x @ x.T, k=1).tocoo()
        sizes = np.diff(off)
        jac_all = inter.data / (sizes[inter.row] + sizes[inter.col] - inter.data)
        outside = fam[inter.row] != fam[inter.col]
        out["brute_force_pairs"] = int(np.count_nonzero(jac_all >= threshold))
        out["max_jaccard_outside_families"] = float(jac_all[outside].max()) if outside.any() else 0.0
    np.savez(
        _truth_path(corpus, threshold),
        pairs=np.array(pairs, dtype=np.int64).reshape(-1, 2),
        jaccard=np.array(jacs, dtype=np.float64),
    )
    return out


def _worker_ours(
    corpus: Path, n: int, threshold: float, num_perm: int, kernel_max: int, memory_budget: int
) -> dict[str, Any]:
    from benchmarks.synthetic_corpus import CorpusFile
    from provenance.candidates.lsh import optimal_params
    from provenance.neardup import FN_WEIGHT, FP_WEIGHT, find_near_duplicates_in_texts
    from provenance.signatures.minhash import MinHasher
    from provenance.signatures.shingles import ShingleSpec, shingle_hashes_flat

    texts = CorpusFile(corpus, limit=n)
    timings: dict[str, float] = {}
    t_start = time.perf_counter()
    pairs = find_near_duplicates_in_texts(
        texts, SPEC, threshold, num_perm, seed=1, memory_budget=memory_budget, timings=timings
    )
    total = time.perf_counter() - t_start
    peak = _peak_rss_mb()
    found = _pair_codes(np.array([(p.i, p.j) for p in pairs], dtype=np.int64), n)
    truth, truth_jac = _load_truth(corpus, threshold, n)
    near = truth_jac < threshold + 0.1
    # like-for-like signature kernels on the same uint64 shingle hashes (untimed above)
    kernel = {"docs": 0, "ours_s": 0.0, "rensa_s": 0.0, "rensa_array_s": 0.0, "shingles": 0}
    try:
        import rensa
    except ImportError:  # pragma: no cover - optional baseline
        rensa = None
    if rensa is not None:
        hasher = MinHasher(num_perm, 1)
        spec = ShingleSpec.parse(SPEC)
        for chunk in _chunks(CorpusFile(corpus, limit=min(n, kernel_max)), 1024):
            flat, off = shingle_hashes_flat(chunk, spec)
            t0 = time.perf_counter()
            digests = rensa.RMinHash.digest_matrix_from_flat_token_hashes(flat, off.astype(np.uint64), num_perm, 1)
            t1 = time.perf_counter()
            np.asarray(digests.to_rows(), dtype=np.uint32)
            kernel["rensa_s"] += t1 - t0
            kernel["rensa_array_s"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            hasher.signatures_flat(flat, off)
            kernel["ours_s"] += time.perf_counter() - t0
            kernel["docs"] += len(chunk)
            kernel["shingles"] += len(flat)
    return {
        "docs": n,
        "stages_s": timings,
        "total_s": total,
        "docs_per_s": n / total,
        "peak_rss_mb": peak,
        "two_pass": "reread" in timings,
        "signature_bytes": n * num_perm * 4,
        "bands_rows": list(optimal_params(threshold, num_perm, FP_WEIGHT, FN_WEIGHT)),
        "pairs_found": len(pairs),
        "truth_pairs": len(truth),
        "pair_recall": _recall(found, truth),
        "pair_recall_near_threshold": _recall(found, truth[near]),
        "truth_near_threshold": int(near.sum()),
        "kernel": kernel,
    }


def _shingle_strings(text: str) -> list[str]:
    from provenance.signatures.shingles import word_tokens

    tokens = word_tokens(text)
    if len(tokens) < 5:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + 5]) for i in range(len(tokens) - 4)]


def _exact_precision(codes: np.ndarray, n: int, texts: list[str], threshold: float) -> float:
    """Share of the pairs ``codes`` whose exact Jaccard reaches the threshold."""
    from provenance.neardup import exact_overlap
    from provenance.signatures.shingles import ShingleSpec, shingle_hashes_batch

    if len(codes) == 0:
        return 1.0
    sets = shingle_hashes_batch(texts, ShingleSpec.parse(SPEC))
    ok = sum(exact_overlap(sets[c // n], sets[c % n])[0] >= threshold for c in codes.tolist())
    return ok / len(codes)


def _worker_datasketch(corpus: Path, n: int, threshold: float, num_perm: int) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    from benchmarks.synthetic_corpus import CorpusFile

    texts = list(CorpusFile(corpus, limit=n))
    clock = _Clock()
    shingles = [[s.encode("utf-8") for s in _shingle_strings(t)] for t in texts]
    clock.lap("tokenise_shingle")
    hashes = []
    for sh in shingles:
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch(sh)
        hashes.append(m)
    clock.lap("signatures")
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, m in enumerate(hashes):
        lsh.insert(i, m)
    found: list[tuple[int, int]] = []
    for i, m in enumerate(hashes):
        found.extend((i, j) for j in lsh.query(m) if j > i)
    clock.lap("lsh_candidates")
    total = sum(clock.stages.values())
    peak = _peak_rss_mb()
    codes = _pair_codes(np.array(found, dtype=np.int64), n)
    truth, _ = _load_truth(corpus, threshold, n)
    return {
        "docs": n,
        "stages_s": clock.stages,
        "total_s": total,
        "docs_per_s": n / total,
        "peak_rss_mb": peak,
        "bands_rows": [lsh.b, lsh.r],
        "candidates": len(codes),
        "candidate_recall": _recall(codes, truth),
        "candidate_precision": _exact_precision(codes, n, texts, threshold),
    }


def _worker_rensa(corpus: Path, n: int, num_perm: int) -> dict[str, Any]:
    import rensa

    from benchmarks.synthetic_corpus import CorpusFile

    texts = list(CorpusFile(corpus, limit=n))
    clock = _Clock()
    shingles = [_shingle_strings(t) for t in texts]
    clock.lap("tokenise_shingle")
    for sh in shingles:
        m = rensa.RMinHash(num_perm, 1)
        m.update(sh)
        m.digest()
    clock.lap("signatures")
    total = sum(clock.stages.values())
    return {"docs": n, "stages_s": clock.stages, "total_s": total, "peak_rss_mb": _peak_rss_mb()}


def _worker_tfidf(corpus: Path, n: int, threshold: float) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from benchmarks.synthetic_corpus import CorpusFile

    texts = list(CorpusFile(corpus, limit=n))
    clock = _Clock()
    x = TfidfVectorizer(dtype=np.float32).fit_transform(texts)
    clock.lap("vectorise")
    found = []
    xt = x.T.tocsr()
    for start in range(0, n, 1000):
        block = (x[start : start + 1000] @ xt).toarray()
        rows, cols = np.nonzero(block >= threshold)
        rows += start
        keep = rows < cols
        found.append(np.stack([rows[keep], cols[keep]], axis=1))
    clock.lap("cosine_pairs")
    total = sum(clock.stages.values())
    codes = _pair_codes(np.concatenate(found), n)
    truth, _ = _load_truth(corpus, threshold, n)
    return {
        "docs": n,
        "stages_s": clock.stages,
        "total_s": total,
        "docs_per_s": n / total,
        "peak_rss_mb": _peak_rss_mb(),
        "pairs": len(codes),
        "pair_recall": _recall(codes, truth),
        "pair_precision": _exact_precision(codes, n, texts, threshold),
    }


def _family_recall(corpus: Path, n: int, text: bytes) -> dict[str, Any]:
    """Recall of the planted reuse pairs (all pairs inside a family) among the reuse pairs of a JSON output."""
    from benchmarks.synthetic_corpus import CorpusFile

    fam = CorpusFile(corpus, limit=n).families[:n]
    order = np.argsort(fam, kind="stable")
    bounds = np.flatnonzero(np.diff(fam[order])) + 1
    truth = [(int(a), int(b)) for group in np.split(order, bounds) for x, a in enumerate(group) for b in group[x + 1 :]]
    data = json.loads(text)
    reuse = {
        (int(p["a"][1:]), int(p["b"][1:])) for p in data["pairs"] if p["relation"] in ("near-duplicate", "rewrite")
    }
    found = sum((min(a, b), max(a, b)) in reuse for a, b in truth)
    stories = [len(c["members"]) for c in data["clusters"] if c["kind"] == "story"]
    return {
        "planted_pairs": len(truth),
        "planted_pair_recall": found / len(truth) if truth else 1.0,
        "reuse_pairs": len(reuse),
        "largest_story_cluster": max(stories, default=0),
    }


def cli_command(jsonl: Path, level: str, threshold: float, num_perm: int, command: str = "cluster") -> list[str]:
    """``python -m provenance COMMAND FILE.jsonl [--level near-duplicate] --format json -q`` (+ non-defaults)."""
    cmd = [sys.executable, "-m", "provenance", command, str(jsonl)]
    if level != "rewrite":
        cmd += ["--level", level]
    cmd += ["--format", "json", "-q"] if command != "report" else ["-o", str(jsonl.with_suffix(".report.html")), "-q"]
    if threshold != 0.5:
        cmd += ["--threshold", str(threshold)]
    if num_perm != 128:
        cmd += ["--num-perm", str(num_perm)]
    return cmd


def _worker_cli(
    corpus: Path, n: int, threshold: float, num_perm: int, level: str, command: str = "cluster"
) -> dict[str, Any]:
    import re

    jsonl = _jsonl_path(corpus)
    cmd = cli_command(jsonl, level, threshold, num_perm, command)
    output = corpus.with_name(f"{corpus.stem}_{command}_{level}_out.json")
    out = _measure_command(cmd, output)
    text = output.read_bytes()
    output.unlink()
    jsonl.with_suffix(".report.html").unlink(missing_ok=True)
    shown = [Path(sys.executable).name, *cmd[1:4], Path(cmd[4]).name, *cmd[5:]]
    row = {"docs": n, "command": " ".join(shown), **out, "docs_per_s": n / out["wall_s"], "output_bytes": len(text)}
    if command != "cluster":
        return row
    found = re.findall(rb'"a": "d(\d+)",\s*"b": "d(\d+)",\s*"relation": "near-duplicate"', text)
    codes = _pair_codes(np.array([(int(a), int(b)) for a, b in found], dtype=np.int64), n)
    truth, _ = _load_truth(corpus, threshold, n)
    row.update(near_duplicate_pairs=len(codes), pair_recall=_recall(codes, truth))
    if level == "rewrite":
        row.update(_family_recall(corpus, n, text))
    return row


def _worker_datasketch_loop(corpus: Path, n: int, threshold: float, num_perm: int) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    from benchmarks.synthetic_corpus import CorpusFile

    texts = CorpusFile(corpus, limit=n)
    t0, c0 = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes = []
    for i, text in enumerate(texts):
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch([s.encode("utf-8") for s in _shingle_strings(text)])
        lsh.insert(i, m)
        hashes.append(m)
    found: list[tuple[int, int]] = []
    for i, m in enumerate(hashes):
        found.extend((i, j) for j in lsh.query(m) if j > i)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    codes = _pair_codes(np.array(found, dtype=np.int64), n)
    truth, _ = _load_truth(corpus, threshold, n)
    return {
        "docs": n,
        "wall_s": wall,
        "cpu_s": cpu,
        "docs_per_s": n / wall,
        "peak_rss_mb": _peak_rss_mb(),
        "candidates": len(codes),
        "candidate_recall": _recall(codes, truth),
    }


def _run_worker(args: argparse.Namespace) -> int:
    corpus = Path(args.corpus)
    if args.worker == "truth":
        out = _worker_truth(corpus, args.threshold)
    elif args.worker == "ours":
        out = _worker_ours(corpus, args.n, args.threshold, args.num_perm, args.kernel_max, args.memory_budget)
    elif args.worker == "datasketch":
        out = _worker_datasketch(corpus, args.n, args.threshold, args.num_perm)
    elif args.worker == "rensa":
        out = _worker_rensa(corpus, args.n, args.num_perm)
    elif args.worker == "tfidf":
        out = _worker_tfidf(corpus, args.n, args.threshold)
    elif args.worker == "cli":
        out = _worker_cli(corpus, args.n, args.threshold, args.num_perm, "near-duplicate")
    elif args.worker == "cli_rewrite":
        out = _worker_cli(corpus, args.n, args.threshold, args.num_perm, "rewrite")
    elif args.worker in ("cli_lineage", "cli_report"):
        out = _worker_cli(corpus, args.n, args.threshold, args.num_perm, "rewrite", args.worker[4:])
    elif args.worker == "datasketch_loop":
        out = _worker_datasketch_loop(corpus, args.n, args.threshold, args.num_perm)
    else:
        raise SystemExit(f"unknown worker {args.worker}")
    print(json.dumps(out))
    return 0


def _spawn(worker: str, corpus: Path, n: int, args: argparse.Namespace, profile: Path | None = None) -> dict[str, Any]:
    cmd = [sys.executable]
    if profile is not None:
        cmd += ["-m", "cProfile", "-o", str(profile)]
    cmd += ["-m", "benchmarks", "scaling", "--worker", worker, "--corpus", str(corpus), "--n", str(n)]
    cmd += ["--threshold", str(args.threshold), "--num-perm", str(args.num_perm), "--kernel-max", str(args.kernel_max)]
    cmd += ["--memory-budget", str(args.memory_budget)]
    env = dict(os.environ, RAYON_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        raise RuntimeError(f"worker {worker} (n={n}) failed")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _cli_rows(corpus: Path, n: int, args: argparse.Namespace) -> dict[str, Any]:
    """The CLI at both levels and the datasketch loop on the same corpus, back to back (best of repeats)."""
    t0 = time.perf_counter()
    _jsonl_path(corpus)
    print(f"[N={n:,}] JSONL ready ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)
    repeat = max(1, args.repeat) if n <= 10_000 and not args.quick else 1
    runs: dict[str, list[dict[str, Any]]] = {}
    for _ in range(repeat):
        if n <= args.cli_baseline_max:
            runs.setdefault("datasketch_loop", []).append(_spawn("datasketch_loop", corpus, n, args))
        runs.setdefault("cli", []).append(_spawn("cli", corpus, n, args))
    if n <= args.rewrite_max and not args.quick:  # minutes per 100k documents: not in the smoke run
        for _ in range(repeat):  # in rounds, so that a slow spell of the machine slows all three alike
            runs.setdefault("cli_rewrite", []).append(_spawn("cli_rewrite", corpus, n, args))
            if n <= args.lineage_max:
                runs.setdefault("cli_lineage", []).append(_spawn("cli_lineage", corpus, n, args))
                runs.setdefault("cli_report", []).append(_spawn("cli_report", corpus, n, args))
    out = {}
    for name, measured in runs.items():
        best = dict(min(measured, key=lambda r: float(r["wall_s"])))
        best["runs_wall_s"] = [r["wall_s"] for r in measured]
        out[name] = best
        print(f"[N={n:,}] {name}: {best['wall_s']:.1f}s", file=sys.stderr)
    return out


# --------------------------------------------------------------------------- report


def _fmt_rate(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'N':>9} {'total s':>8} {'docs/s':>8} {'RSS MB':>7} {'tok+sh':>7} {'sign':>6} {'lsh':>6} "
        f"{'rehash':>6} {'verify':>6} {'recall':>7} {'sig x ds':>8} {'sig/rensa':>9} {'+array':>6} {'ds docs/s':>9} "
        f"{'tfidf rec':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        o = r["ours"]
        st = o["stages_s"]
        ratios = r.get("ratios", {})
        ds = r.get("datasketch")
        tf = r.get("tfidf")
        lines.append(
            f"{o['docs']:>9,} {o['total_s']:>8.1f} {o['docs_per_s']:>8,.0f} {o['peak_rss_mb']:>7,.0f} "
            f"{st.get('tokenise_shingle', 0) + st.get('read', 0):>7.1f} {st.get('signatures', 0):>6.2f} "
            f"{st.get('lsh_candidates', 0):>6.2f} {st.get('reread', 0) + st.get('rehash_candidates', 0):>6.1f} "
            f"{st.get('verification', 0):>6.1f} {o['pair_recall']:>7.4f} "
            f"{ratios.get('signature_vs_datasketch', float('nan')):>8.1f} "
            f"{ratios.get('signature_kernel_vs_rensa', float('nan')):>9.2f} "
            f"{ratios.get('signature_array_vs_rensa', float('nan')):>6.2f} "
            f"{_fmt_rate(ds['docs_per_s'] if ds else None):>9} "
            f"{(format(tf['pair_recall'], '.3f') if tf else '-'):>9}"
        )
    return "\n".join(lines)


def _cli_table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'N':>9} {'CLI s':>8} {'CLI docs/s':>10} {'CPU s':>7} {'RSS MB':>7} {'tree PSS':>8} {'recall':>7} "
        f"{'ds loop s':>9} {'ds docs/s':>9} {'x ds':>6} {'x ds CPU':>8} {'rewrite s':>9} {'rw docs/s':>9} "
        f"{'rw PSS':>7} {'rw recall':>9} {'story max':>9} {'lineage s':>9} {'report s':>8}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        c = r["cli"]
        ds = r.get("datasketch_loop")
        rw = r.get("cli_rewrite")
        ratios = r.get("ratios", {})
        lines.append(
            f"{c['docs']:>9,} {c['wall_s']:>8.1f} {c['docs_per_s']:>10,.0f} {c['cpu_s']:>7.1f} "
            f"{c['peak_rss_mb']:>7,.0f} {c['tree_peak_pss_mb']:>8,.0f} {c['pair_recall']:>7.4f} "
            f"{(format(ds['wall_s'], '.1f') if ds else '-'):>9} {_fmt_rate(ds['docs_per_s'] if ds else None):>9} "
            f"{(format(ratios['cli_vs_datasketch'], '.1f') if ds else '-'):>6} "
            f"{(format(ratios['cli_vs_datasketch_cpu'], '.1f') if ds else '-'):>8} "
            f"{(format(rw['wall_s'], '.1f') if rw else '-'):>9} {_fmt_rate(rw['docs_per_s'] if rw else None):>9} "
            f"{(format(rw['tree_peak_pss_mb'], ',.0f') if rw else '-'):>7} "
            f"{(format(rw['planted_pair_recall'], '.4f') if rw else '-'):>9} "
            f"{(rw['largest_story_cluster'] if rw else '-'):>9} "
            f"{(format(r['cli_lineage']['wall_s'], '.1f') if 'cli_lineage' in r else '-'):>9} "
            f"{(format(r['cli_report']['wall_s'], '.1f') if 'cli_report' in r else '-'):>8}"
        )
    return "\n".join(lines)


def _plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(12, 4.8))
    ns = [r["ours"]["docs"] for r in rows]
    ax_t.plot(ns, [r["ours"]["total_s"] for r in rows], "o-", label="ours: end to end")
    for stage, style in [("tokenise_shingle", "s--"), ("signatures", "^--"), ("lsh_candidates", "v--")]:
        ax_t.plot(ns, [r["ours"]["stages_s"].get(stage, np.nan) for r in rows], style, label=f"ours: {stage}")
    for name, style in [("datasketch", "x-"), ("rensa", "+-"), ("tfidf", "d-")]:
        pts = [(r[name]["docs"], r[name]["total_s"]) for r in rows if name in r]
        if pts:
            ax_t.plot(*zip(*pts, strict=True), style, label=f"{name}")
    for name, style, label in [
        ("cli", "o-", "CLI cluster --level near-duplicate (whole run)"),
        ("datasketch_loop", "x:", "datasketch MinHash+LSH loop"),
        ("cli_rewrite", "s:", "CLI cluster (rewrite level)"),
    ]:
        pts = [(r[name]["docs"], r[name]["wall_s"]) for r in rows if name in r]
        if pts:
            ax_t.plot(*zip(*pts, strict=True), style, label=label, lw=2 if name == "cli" else 1)
    ax_t.set(xscale="log", yscale="log", xlabel="documents", ylabel="wall time (s)", title="Time vs N")
    ax_t.legend(fontsize=7)
    ax_t.grid(True, which="both", alpha=0.3)
    ax_m.plot(ns, [r["ours"]["peak_rss_mb"] for r in rows], "o-", label="ours: peak RSS")
    ax_m.plot(ns, [r["cli"]["tree_peak_pss_mb"] for r in rows], "o-", lw=2, label="CLI: peak PSS, all processes")
    ax_m.plot(ns, [r["cli"]["peak_rss_mb"] for r in rows], "o--", label="CLI: peak RSS, largest process")
    for name, style in [("datasketch", "x-"), ("tfidf", "d-")]:
        pts = [(r[name]["docs"], r[name]["peak_rss_mb"]) for r in rows if name in r]
        if pts:
            ax_m.plot(*zip(*pts, strict=True), style, label=name)
    ax_m.axhline(4096, color="red", lw=0.8, ls=":", label="4 GB target")
    ax_m.set(xscale="log", yscale="log", xlabel="documents", ylabel="peak RSS (MB)", title="Memory vs N")
    ax_m.legend(fontsize=7)
    ax_m.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks scaling", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000,1000000", help="comma-separated corpus sizes")
    p.add_argument("--quick", action="store_true", help="CI smoke run: sizes 500,1000")
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--num-perm", type=int, default=128)
    p.add_argument("--baseline-max", type=int, default=10_000, help="largest N for datasketch/rensa loops")
    p.add_argument("--tfidf-max", type=int, default=10_000, help="largest N for the quadratic TF-IDF baseline")
    p.add_argument("--kernel-max", type=int, default=100_000, help="docs for the rensa flat-kernel comparison")
    p.add_argument("--memory-budget", type=int, default=1 << 30, help="bytes of hash sets kept from the first pass")
    p.add_argument(
        "--cli-baseline-max", type=int, default=100_000, help="largest N for the datasketch loop beside the CLI"
    )
    p.add_argument("--rewrite-max", type=int, default=100_000, help="largest N for the default (rewrite) level CLI")
    p.add_argument("--lineage-max", type=int, default=10_000, help="largest N for the lineage and report CLI")
    p.add_argument("--repeat", type=int, default=3, help="runs of each CLI command up to 10k docs (best kept)")
    p.add_argument("--workdir", default="/tmp/provenance-bench", help="where the synthetic corpora are cached")
    p.add_argument("--out", default=str(RESULTS))
    p.add_argument("--profile", action="store_true", help="cProfile our engine at N=10,000 (or the smallest size)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--corpus", help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        return _run_worker(args)

    from benchmarks.synthetic_corpus import CorpusParams, write_corpus

    sizes = [500, 1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for n in sizes:
        t0 = time.perf_counter()
        corpus = write_corpus(CorpusParams(n=n), Path(args.workdir))
        print(f"[N={n:,}] corpus ready ({time.perf_counter() - t0:.0f}s): {corpus}", file=sys.stderr)
        row: dict[str, Any] = {"truth": _spawn("truth", corpus, n, args)}
        row["ours"] = _spawn("ours", corpus, n, args)
        if args.profile and n == (10_000 if 10_000 in sizes else min(sizes)):  # a separate, untimed run
            _spawn("ours", corpus, n, args, profile=out_dir / "scaling_profile.pstats")
        print(f"[N={n:,}] ours: {row['ours']['total_s']:.1f}s", file=sys.stderr)
        if n <= args.baseline_max:
            row["datasketch"] = _spawn("datasketch", corpus, n, args)
            try:
                row["rensa"] = _spawn("rensa", corpus, n, args)
            except RuntimeError:
                print("rensa baseline unavailable", file=sys.stderr)
        if n <= args.tfidf_max:
            row["tfidf"] = _spawn("tfidf", corpus, n, args)
        row.update(_cli_rows(corpus, n, args))
        ratios: dict[str, float] = {}
        if "datasketch_loop" in row:
            ratios["cli_vs_datasketch"] = row["datasketch_loop"]["wall_s"] / row["cli"]["wall_s"]
            ratios["cli_vs_datasketch_cpu"] = row["datasketch_loop"]["cpu_s"] / row["cli"]["cpu_s"]
        ours_sign = row["ours"]["stages_s"]["signatures"]
        if "datasketch" in row:
            ratios["signature_vs_datasketch"] = row["datasketch"]["stages_s"]["signatures"] / ours_sign
            ds_path = row["datasketch"]["stages_s"]["tokenise_shingle"] + row["datasketch"]["stages_s"]["signatures"]
            ours_path = ours_sign + row["ours"]["stages_s"]["tokenise_shingle"]
            ratios["shingle_and_sign_vs_datasketch"] = ds_path / ours_path
        if "rensa" in row:
            ratios["signature_vs_rensa_per_doc"] = row["rensa"]["stages_s"]["signatures"] / ours_sign
        kernel = row["ours"]["kernel"]
        if kernel["docs"]:
            ratios["signature_kernel_vs_rensa"] = kernel["rensa_s"] / kernel["ours_s"]
            ratios["signature_array_vs_rensa"] = kernel["rensa_array_s"] / kernel["ours_s"]
        if "cli_lineage" in row:
            ratios["lineage_vs_rewrite"] = row["cli_lineage"]["wall_s"] / row["cli_rewrite"]["wall_s"]
            ratios["report_vs_rewrite"] = row["cli_report"]["wall_s"] / row["cli_rewrite"]["wall_s"]
        row["ratios"] = ratios
        rows.append(row)
    if args.profile:
        import pstats

        stats_path = out_dir / "scaling_profile.pstats"
        if stats_path.exists():
            with (out_dir / "scaling_profile.txt").open("w") as fh:
                pstats.Stats(str(stats_path), stream=fh).sort_stats("tottime").print_stats(25)
            stats_path.unlink()
    rewrite = [(r["cli_rewrite"]["docs"], r["cli_rewrite"]["wall_s"]) for r in rows if "cli_rewrite" in r]
    growth = (
        float(np.log(rewrite[-1][1] / rewrite[-2][1]) / np.log(rewrite[-1][0] / rewrite[-2][0]))
        if len(rewrite) >= 2
        else None
    )
    result = {
        "benchmark": "scaling",
        "rewrite_growth_exponent": growth,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "params": {
            "shingle": SPEC,
            "threshold": args.threshold,
            "num_perm": args.num_perm,
            "corpus": "300-800 words, Zipf vocabulary 50k, 30% copies with 0-10% word edits",
        },
        "targets": {
            "signature_vs_datasketch": ">= 10x",
            "signature_vs_rensa": "within 2x",
            "end_to_end_docs_per_s": ">= 5000",
            "one_million_docs": "< 240 s, peak RSS < 4 GB",
            "cli_vs_datasketch": ">= 20x (CLI near-duplicate level, whole run, vs datasketch's loop)",
            "cli_docs_per_s_100k": ">= 5000",
            "cli_one_million_docs": "< 300 s, < 4 GB",
            "cli_rewrite_docs_per_s_100k": ">= 1000",
            "rewrite_growth_exponent": "<= 1.1 (10k to 100k)",
            "cli_rewrite_one_million_docs": "< 1800 s, < 8 GB",
            "lineage_vs_rewrite": "<= 2 at 10k (report too)",
        },
        "sizes": rows,
    }
    stem = "scaling_quick" if args.quick else "scaling"
    json_path, png_path = out_dir / f"{stem}.json", out_dir / f"{stem}.png"
    json_path.write_text(json.dumps(result, indent=2))
    _plot(rows, png_path)
    print(_table(rows))
    print()
    print(f"CLI: {rows[0]['cli']['command']}")
    print(_cli_table(rows))
    print(f"\nwrote {json_path} and {png_path}")
    return 0
