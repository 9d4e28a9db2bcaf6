"""Near-duplicate clustering quality (ARI, pair P/R/F1) and wall time, against datasketch, rensa and TF-IDF.

    python -m benchmarks neardup_quality [--quick] [--seeds 0,1,2] [--tuning-seed 100]
                                         [--docs 5000] [--languages it,en] [--threshold 0.5]

**Data.**  No offline labelled near-duplicate corpus was found: searches of
PyPI's package names and summaries and of Debian's package index for the public
text-reuse corpora (METER, COUNTER, PAN, Webis) found none packaged there,
Hugging Face hub downloads are not possible here, and there is no
``shared/datasets``.  So the labelled data
come from the two generators of this directory, each run for every seed:

* ``synthetic``: :mod:`benchmarks.synthetic_corpus` (``--docs`` documents of
  300-800 Zipfian pseudo-words, no natural language; 30% are copies of an
  earlier original with a share ``U(0, 10%)`` of words substituted, deleted or
  inserted).  *Groups*: the generator's families (an original and its copies).
* ``handbook-it`` / ``handbook-en``: :mod:`benchmarks.synthetic_lineage` at
  strength ``light`` on the shipped Debian-handbook prose: 13 copying trees
  (one per topic) of 5-15 documents over 2-4 generations, each copy a light
  rewrite of its parent (sentence drops, merges, swaps, a few lexical swaps,
  appended sentences), plus a same-topic hard-negative family per tree (same
  subject and vocabulary, no shared text).  *Groups*: the trees.

**Labels and scores.**  Shingles are word 5-grams of the matching-form tokens
(:func:`provenance.signatures.shingles.word_tokens`) as strings, so the labels
never touch any method's hashing or sketch.

* *pairs, J >= t*: the true pairs are all pairs whose exact Jaccard
  ``|A ∩ B| / |A ∪ B|`` of the shingle-string sets is ``>= t`` (brute force:
  a sparse document x shingle matrix times its transpose).  Each method's
  reported pairs are scored by precision, recall and F1.  This is the task as
  a threshold defines it.
* *clusters vs groups*: each method's pairs are turned into clusters as
  connected components (:func:`provenance.neardup.connected_components`, the
  same for every method; documents in no pair are singletons) and compared with
  the generator's groups by the Adjusted Rand Index and pair-counting
  precision/recall/F1 (a pair is predicted when its documents share a cluster,
  true when they share a group).  This label does not depend on the Jaccard
  definition, but a group also holds copies of copies whose own overlap is
  below ``t``, so no method at that threshold reaches 1.
* ``ari_threshold_components``: ARI against the connected components of the
  true J >= t pairs.

Counts are pooled over seeds (micro-averages); ARIs are averaged.

**Methods**, all on the same texts with the same Jaccard threshold ``t``
(0.5) and 128 permutations, in the same process, one after the other:

* ``ours``: :func:`provenance.neardup.find_near_duplicates_in_texts`
  (MinHash, LSH tuned for recall, exact verification of every candidate);
* ``datasketch``: per document ``MinHash(num_perm=128)`` and a
  ``MinHash.update`` call per shingle string (UTF-8 bytes), then
  ``MinHashLSH(threshold=t, num_perm=128)``: insert all, query all; every
  candidate is a reported pair;
* ``rensa``: per document ``RMinHash(128, seed).update(shingle strings)``,
  then ``RMinHashLSH(t, 128, num_bands)``: insert all, query all.  rensa asks
  for the number of bands (its threshold argument does not filter queries);
  we pass the divisor of 128 that minimises datasketch's balanced (0.5/0.5)
  false-positive + false-negative area at ``t`` (32 bands of 4 rows at 0.5);
* ``datasketch+est`` / ``rensa+est``: the same candidates kept only when the
  MinHash estimate of their Jaccard is ``>= t`` (the usual second step; its
  time includes the LSH run);
* ``tfidf``: scikit-learn ``TfidfVectorizer()`` (word unigrams, l2-normalised
  rows) and every pair with cosine ``>= c`` (blockwise sparse products).  The
  cosine threshold ``c`` is chosen per corpus kind on a separate *tuning* seed
  (``--tuning-seed``, never an evaluation seed): the value of 0.20, 0.21, ...,
  0.99 that maximises the pair F1 against the J >= t label;
  ``tfidf-groups`` is the same with ``c`` maximising the cluster F1 against
  the groups.  Both get a threshold fitted to labelled data, an advantage the
  MinHash methods (fixed ``t``) do not have.

**Time** is wall time from the texts to the list of pairs (tokenising and
shingling included; clustering, identical for all, excluded), after an untimed
warm-up call of every method on a few documents, so imports and first-call
setup are not counted.  Quality does not depend on the machine; times do
(2 cores here, every library single-threaded).

**Not included: text-dedup.**  ``text-dedup`` 0.4.0 (the version PyPI serves)
is a set of command-line scripts over Hugging Face ``datasets`` and requires
``pyspark``, ``datasets`` (pyarrow, pandas), ``unisim`` (onnx, onnxruntime,
usearch) and ``urllib3<=2.0``; the last conflicts with the dev dependency
selenium (``urllib3>=2.6.3``), so it cannot be installed in the project's
environment, and the rest is several hundred MB for one baseline.  Its MinHash
is the same banded MinHash-LSH as datasketch's.

Writes ``benchmarks/results/neardup_quality.json`` and ``.png`` (``*_quick.*``
with ``--quick``: one seed, 400 synthetic documents, four small trees per
language).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from benchmarks.metrics import Score, co_cluster_score
from benchmarks.plots import grouped_bars

RESULTS = Path(__file__).resolve().parent / "results"
SHINGLE = 5
NUM_PERM = 128
SEED = 1
METHODS: tuple[str, ...] = (
    "ours",
    "datasketch",
    "datasketch+est",
    "rensa",
    "rensa+est",
    "tfidf",
    "tfidf-groups",
)
COSINE_GRID: tuple[float, ...] = tuple(round(0.20 + 0.01 * k, 2) for k in range(80))
EXCLUDED = {
    "text-dedup": (
        "text-dedup 0.4.0 (the version PyPI serves) requires pyspark, datasets, unisim (onnx, onnxruntime, usearch) "
        "and urllib3<=2.0, which conflicts with the dev dependency selenium (urllib3>=2.6.3): not installable in "
        "the project environment; its MinHash is the same banded MinHash-LSH as datasketch's"
    )
}
REAL_DATA = (
    "no offline labelled corpus found: searching PyPI package names and summaries and Debian's package index "
    "for the public text-reuse "
    "corpora (METER, COUNTER, PAN, Webis) found none packaged there, Hugging Face datasets cannot be downloaded "
    "here, and ../shared/datasets does not exist; the labelled data are generated (see procedure)"
)


# ---------------------------------------------------------------------------- corpora and labels


@dataclass(frozen=True)
class LabelledCorpus:
    """Texts with the generator's groups (one integer label per document)."""

    kind: str  # "synthetic", "handbook-it", "handbook-en"
    seed: int
    texts: list[str]
    groups: np.ndarray


def synthetic_corpus(seed: int, n: int) -> LabelledCorpus:
    from benchmarks.synthetic_corpus import CorpusParams, SyntheticCorpus

    corpus = SyntheticCorpus(CorpusParams(n=n, seed=seed))
    return LabelledCorpus("synthetic", seed, list(corpus), np.asarray(corpus.families, dtype=np.int64))


def handbook_corpus(language: str, seed: int, quick: bool) -> LabelledCorpus:
    from benchmarks.rewrite_ops import Strength
    from benchmarks.synthetic_lineage import LineageConfig, generate

    # 13 trees: one per topic of the shipped text that has a hard negative too
    shape: dict[str, Any] = {"n_trees": 4, "docs_per_tree": (4, 6)} if quick else {"n_trees": 13}
    corpus = generate(LineageConfig(language=language, seed=seed, strength=Strength.LIGHT, **shape))
    trees = [corpus.truth.docs[d.id].tree for d in corpus.documents]
    _, groups = np.unique(trees, return_inverse=True)
    return LabelledCorpus(f"handbook-{language}", seed, [d.text for d in corpus.documents], groups.astype(np.int64))


def shingle_strings(text: str, n: int = SHINGLE) -> list[str]:
    """Word ``n``-grams of the matching-form tokens, joined by spaces (the whole text if shorter)."""
    from provenance.signatures.shingles import word_tokens

    tokens = word_tokens(text)
    if len(tokens) < n:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


@dataclass(frozen=True)
class Truth:
    """Labels of one corpus: J >= t pairs (codes ``i * n + j``, ``i < j``), their components, the groups."""

    n: int
    pair_codes: np.ndarray
    pair_jaccard: np.ndarray
    components: np.ndarray  # label per document
    groups: np.ndarray


def exact_truth(corpus: LabelledCorpus, threshold: float) -> Truth:
    """All pairs with exact shingle-set Jaccard >= ``threshold``, by brute force over all pairs."""
    n = len(corpus.texts)
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for d, text in enumerate(corpus.texts):
        ids = {vocab.setdefault(s, len(vocab)) for s in shingle_strings(text)}
        cols.extend(ids)
        rows.extend([d] * len(ids))
    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n, len(vocab)))
    sizes = np.diff(x.indptr)
    inter = sparse.triu(x @ x.T, k=1).tocoo()
    # the same integer-ratio division as provenance.neardup.exact_overlap, so ties at t agree
    jac = inter.data / (sizes[inter.row] + sizes[inter.col] - inter.data)
    keep = jac >= threshold
    i, j = inter.row[keep].astype(np.int64), inter.col[keep].astype(np.int64)
    order = np.argsort(i * n + j)
    codes = (i * n + j)[order]
    pairs = np.stack([i, j], axis=1)[order]
    return Truth(n, codes, jac[keep][order], cluster_labels(n, pairs), corpus.groups)


def cluster_labels(n: int, pairs: np.ndarray) -> np.ndarray:
    """One label per document: its connected component under ``pairs`` (a fresh label for a singleton)."""
    from provenance.neardup import connected_components

    labels = np.arange(n, dtype=np.int64) + n  # singletons: labels n..2n-1, never a cluster's
    for k, members in enumerate(connected_components(n, pairs)):
        labels[members] = k
    return labels


# ---------------------------------------------------------------------------- methods


@dataclass(frozen=True)
class MethodRun:
    """Pairs ``(i, j)``, ``i < j``, reported by one method on one corpus, and its wall time."""

    pairs: np.ndarray
    seconds: float


def _as_pairs(found: Sequence[tuple[int, int]] | np.ndarray) -> np.ndarray:
    arr = np.asarray(found, dtype=np.int64).reshape(-1, 2)
    arr = np.stack([arr.min(axis=1), arr.max(axis=1)], axis=1)
    arr = arr[arr[:, 0] != arr[:, 1]]
    return np.unique(arr, axis=0) if len(arr) else arr


def run_ours(texts: list[str], threshold: float) -> MethodRun:
    from provenance.neardup import find_near_duplicates_in_texts

    t0 = time.perf_counter()
    pairs = find_near_duplicates_in_texts(texts, f"word:{SHINGLE}", threshold, NUM_PERM, seed=SEED)
    seconds = time.perf_counter() - t0
    return MethodRun(_as_pairs([(p.i, p.j) for p in pairs]), seconds)


def run_datasketch(texts: list[str], threshold: float) -> dict[str, MethodRun]:
    """``datasketch`` (LSH candidates) and ``datasketch+est`` (candidates with estimated J >= t)."""
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    sketches = []
    for text in texts:
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        for s in shingle_strings(text):
            m.update(s.encode("utf-8"))
        sketches.append(m)
    return _query_all("datasketch", sketches, MinHashLSH(threshold=threshold, num_perm=NUM_PERM), threshold, t0)


def _query_all(name: str, sketches: Sequence[Any], lsh: Any, threshold: float, t0: float) -> dict[str, MethodRun]:
    """Insert every sketch, query every sketch: ``name`` (the candidates) and ``name+est`` (estimate >= t).

    datasketch and rensa share this interface (``insert``, ``query``, ``jaccard``); ``t0`` is when signing began.
    """
    for i, m in enumerate(sketches):
        lsh.insert(i, m)
    found = [(i, j) for i, m in enumerate(sketches) for j in lsh.query(m) if j != i]
    lsh_s = time.perf_counter() - t0
    candidates = _as_pairs(found)
    t1 = time.perf_counter()
    kept = [(i, j) for i, j in candidates.tolist() if sketches[i].jaccard(sketches[j]) >= threshold]
    est_s = time.perf_counter() - t1
    return {name: MethodRun(candidates, lsh_s), f"{name}+est": MethodRun(_as_pairs(kept), lsh_s + est_s)}


def _band_error(threshold: float, bands: int, rows: int) -> float:
    """Balanced false-positive + false-negative area of the banding (datasketch's criterion, weights 0.5/0.5)."""
    s = np.linspace(0.0, 1.0, 4001)
    p = 1.0 - (1.0 - s**rows) ** bands
    below = s <= threshold
    return float(0.5 * np.trapezoid(p[below], s[below]) + 0.5 * np.trapezoid(1.0 - p[~below], s[~below]))


def rensa_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """``(bands, rows)`` with ``bands * rows == num_perm`` (rensa requires it) and the least balanced error."""
    options = [(b, num_perm // b) for b in range(1, num_perm + 1) if num_perm % b == 0]
    return min(options, key=lambda br: _band_error(threshold, *br))


def run_rensa(texts: list[str], threshold: float) -> dict[str, MethodRun]:
    """``rensa`` (LSH candidates) and ``rensa+est`` (candidates with estimated J >= t)."""
    import rensa

    bands, _ = rensa_bands(threshold)
    t0 = time.perf_counter()
    sketches = []
    for text in texts:
        m = rensa.RMinHash(NUM_PERM, SEED)
        m.update(shingle_strings(text))
        sketches.append(m)
    return _query_all("rensa", sketches, rensa.RMinHashLSH(threshold, NUM_PERM, bands), threshold, t0)


def tfidf_pairs(texts: list[str], floor: float, block: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(i, j)``, ``i < j``, with TF-IDF cosine ``>= floor``, and their cosines."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(dtype=np.float32).fit_transform(texts)  # rows are l2-normalised: x @ x.T is the cosine
    xt = x.T.tocsr()
    pairs, cosines = [], []
    for start in range(0, x.shape[0], block):
        sims = (x[start : start + block] @ xt).tocoo()
        rows = sims.row.astype(np.int64) + start
        cols = sims.col.astype(np.int64)
        keep = (rows < cols) & (sims.data >= floor)
        pairs.append(np.stack([rows[keep], cols[keep]], axis=1))
        cosines.append(sims.data[keep])
    return np.concatenate(pairs), np.concatenate(cosines).astype(np.float64)


def run_tfidf(texts: list[str], cosine: float) -> MethodRun:
    t0 = time.perf_counter()
    pairs, _ = tfidf_pairs(texts, cosine)
    return MethodRun(pairs, time.perf_counter() - t0)


def run_all(texts: list[str], threshold: float, cosines: dict[str, float]) -> dict[str, MethodRun]:
    """Every method of :data:`METHODS` on the same texts, one after the other."""
    runs = {"ours": run_ours(texts, threshold)}
    runs.update(run_datasketch(texts, threshold))
    runs.update(run_rensa(texts, threshold))
    runs["tfidf"] = run_tfidf(texts, cosines["tfidf"])
    runs["tfidf-groups"] = run_tfidf(texts, cosines["tfidf-groups"])
    return runs


# ---------------------------------------------------------------------------- scoring


def pair_codes_score(predicted: np.ndarray, truth_codes: np.ndarray, n: int) -> Score:
    """Pair precision/recall of predicted pairs ``(i, j)``, ``i < j``, against true codes ``i * n + j``."""
    codes = np.unique(predicted[:, 0] * n + predicted[:, 1]) if len(predicted) else np.empty(0, np.int64)
    hits = int(np.count_nonzero(np.isin(codes, truth_codes)))
    return Score(hits, len(codes), hits, len(truth_codes))


@dataclass
class Quality:
    """Scores of one method on one corpus, or pooled over seeds (:meth:`__add__`)."""

    pairs: Score = field(default_factory=Score)  # reported pairs vs J >= t pairs
    clusters: Score = field(default_factory=Score)  # co-clustered pairs vs same-group pairs
    ari_groups: list[float] = field(default_factory=list)
    ari_components: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    docs: int = 0

    def __add__(self, other: Quality) -> Quality:
        return Quality(
            self.pairs + other.pairs,
            self.clusters + other.clusters,
            self.ari_groups + other.ari_groups,
            self.ari_components + other.ari_components,
            self.seconds + other.seconds,
            self.docs + other.docs,
        )

    @property
    def ari(self) -> float:
        return float(np.mean(self.ari_groups)) if self.ari_groups else float("nan")

    def as_dict(self) -> dict[str, object]:
        total = sum(self.seconds)
        return {
            "pairs_vs_threshold": self.pairs.as_dict(),
            "clusters_vs_groups": self.clusters.as_dict(),
            "ari_groups": round(self.ari, 4),
            "ari_threshold_components": round(float(np.mean(self.ari_components)), 4) if self.ari_components else None,
            "seconds": round(total, 4),
            "seconds_per_run": [round(s, 4) for s in self.seconds],
            "docs_per_s": round(self.docs / total, 1) if total > 0 else None,
            "documents": self.docs,
        }


def evaluate(run: MethodRun, truth: Truth) -> Quality:
    from sklearn.metrics import adjusted_rand_score

    labels = cluster_labels(truth.n, run.pairs)
    return Quality(
        pair_codes_score(run.pairs, truth.pair_codes, truth.n),
        co_cluster_score(labels, truth.groups),
        [float(adjusted_rand_score(truth.groups, labels))],
        [float(adjusted_rand_score(truth.components, labels))],
        [run.seconds],
        truth.n,
    )


def tune_cosine(corpus: LabelledCorpus, truth: Truth) -> dict[str, dict[str, float]]:
    """The grid cosines maximising pair F1 (vs J >= t) and cluster F1 (vs groups) on a tuning corpus."""
    pairs, cos = tfidf_pairs(corpus.texts, COSINE_GRID[0])
    best: dict[str, dict[str, float]] = {}
    for name, objective in (
        ("tfidf", lambda p: pair_codes_score(p, truth.pair_codes, truth.n).f1),
        ("tfidf-groups", lambda p: co_cluster_score(cluster_labels(truth.n, p), truth.groups).f1),
    ):
        scores = [(objective(pairs[cos >= c]), c) for c in COSINE_GRID]
        f1, c = max(scores, key=lambda fc: (fc[0], -fc[1]))  # ties: the lowest cosine
        best[name] = {"cosine": c, "tuning_f1": round(f1, 4)}
    return best


# ---------------------------------------------------------------------------- output


def _table(summary: dict[str, dict[str, Quality]], cosines: dict[str, dict[str, dict[str, float]]]) -> str:
    head = (
        f"{'corpus':<13}{'method':<20}{'docs':>7}{'P(J>=t)':>9}{'R(J>=t)':>9}{'F1(J>=t)':>9}"
        f"{'P(grp)':>8}{'R(grp)':>8}{'F1(grp)':>8}{'ARI':>7}{'ARI(cc)':>8}{'seconds':>9}{'docs/s':>9}"
    )
    lines = [head, "-" * len(head)]
    for kind, methods in summary.items():
        for name, q in methods.items():
            d = q.as_dict()
            label = name
            if name in cosines.get(kind, {}):
                label = f"{name} c={cosines[kind][name]['cosine']:.2f}"
            rate = d["docs_per_s"]
            lines.append(
                f"{kind:<13}{label:<20}{q.docs:>7}{q.pairs.precision:>9.3f}{q.pairs.recall:>9.3f}{q.pairs.f1:>9.3f}"
                f"{q.clusters.precision:>8.3f}{q.clusters.recall:>8.3f}{q.clusters.f1:>8.3f}{q.ari:>7.3f}"
                f"{d['ari_threshold_components']:>8.3f}{sum(q.seconds):>9.2f}"
                f"{(f'{rate:,.0f}' if rate is not None else '-'):>9}"
            )
        lines.append("")
    return "\n".join(lines).rstrip()


def _plot(summary: dict[str, dict[str, Quality]], threshold: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(summary)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    panels: list[tuple[str, Callable[[Quality], float], bool]] = [
        (f"pair F1 vs exact J >= {threshold:g}", lambda q: q.pairs.f1, False),
        ("ARI of clusters vs generator groups", lambda q: q.ari, False),
        ("wall time, texts -> pairs (s, log)", lambda q: sum(q.seconds), True),
    ]
    for ax, (title, value, log) in zip(axes, panels, strict=True):
        series = {
            name: [value(summary[kind][name]) if name in summary[kind] else np.nan for kind in kinds]
            for name in METHODS
        }
        grouped_bars(ax, kinds, series)
        ax.set_title(title, fontsize=10)
        if log:
            ax.set_yscale("log")
        else:
            ax.set_ylim(0, 1.05)
        ax.grid(True, axis="y", alpha=0.3)
    axes[0].legend(fontsize=7, loc="lower left")
    fig.suptitle("near-duplicate detection on labelled synthetic corpora (pooled over seeds)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("provenance", "datasketch", "rensa", "scikit-learn", "numpy", "scipy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover - reported, not required
            out[pkg] = "not installed"
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks neardup_quality", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="CI smoke run: one seed, small corpora")
    ap.add_argument("--seeds", default="0,1,2", help="evaluation seeds of the generators")
    ap.add_argument("--tuning-seed", type=int, default=100, help="seed of the corpora that tune the TF-IDF cosine")
    ap.add_argument("--docs", type=int, default=5000, help="documents of each synthetic corpus")
    ap.add_argument("--languages", default="it,en", help="languages of the handbook corpora ('' for none)")
    ap.add_argument("--threshold", type=float, default=0.5, help="Jaccard threshold of every MinHash method")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    seeds = [0] if args.quick else [int(s) for s in args.seeds.split(",")]
    if args.tuning_seed in seeds:
        ap.error("--tuning-seed must not be an evaluation seed")
    n_docs = 400 if args.quick else args.docs
    languages = [lang for lang in args.languages.split(",") if lang]
    threshold = args.threshold

    builders: dict[str, Callable[[int], LabelledCorpus]] = {"synthetic": lambda s: synthetic_corpus(s, n_docs)}
    for lang in languages:
        builders[f"handbook-{lang}"] = lambda s, lang=lang: handbook_corpus(lang, s, args.quick)  # type: ignore[misc]

    # warm-up: imports and first-call setup of every method, untimed
    warm = synthetic_corpus(args.tuning_seed, 20).texts
    run_all(warm, threshold, {"tfidf": 0.5, "tfidf-groups": 0.5})

    cosines: dict[str, dict[str, dict[str, float]]] = {}
    summary: dict[str, dict[str, Quality]] = {}
    corpora: dict[str, dict[str, int]] = {}
    runs: list[dict[str, object]] = []
    for kind, build in builders.items():
        tuning = build(args.tuning_seed)
        cosines[kind] = tune_cosine(tuning, exact_truth(tuning, threshold))
        chosen = {name: v["cosine"] for name, v in cosines[kind].items()}
        print(f"[{kind}] TF-IDF cosine tuned on seed {args.tuning_seed}: {chosen}", file=sys.stderr, flush=True)
        summary[kind] = {}
        stats = {"documents": 0, "threshold_pairs": 0, "group_pairs": 0, "groups_of_2_or_more": 0}
        for seed in seeds:
            corpus = build(seed)
            truth = exact_truth(corpus, threshold)
            sizes = np.bincount(np.unique(corpus.groups, return_inverse=True)[1])
            stats["documents"] += len(corpus.texts)
            stats["threshold_pairs"] += len(truth.pair_codes)
            stats["group_pairs"] += int((sizes * (sizes - 1) // 2).sum())
            stats["groups_of_2_or_more"] += int(np.count_nonzero(sizes >= 2))
            for name, run in run_all(corpus.texts, threshold, chosen).items():
                q = evaluate(run, truth)
                summary[kind][name] = summary[kind].get(name, Quality()) + q
                runs.append({"corpus": kind, "seed": seed, "method": name, **q.as_dict()})
            line = ", ".join(f"{m} {summary[kind][m].seconds[-1]:.2f}s" for m in METHODS)
            print(f"[{kind} seed={seed}] {len(corpus.texts)} docs: {line}", file=sys.stderr, flush=True)
        corpora[kind] = stats

    suffix = "_quick" if args.quick else ""
    args.out.mkdir(parents=True, exist_ok=True)
    ds_lsh = None
    try:
        from datasketch import MinHashLSH

        probe = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        ds_lsh = [probe.b, probe.r]
    except ImportError:  # pragma: no cover - datasketch is a project dependency
        pass
    from provenance.candidates.lsh import optimal_params
    from provenance.neardup import FN_WEIGHT, FP_WEIGHT

    out = {
        "benchmark": "neardup_quality",
        "procedure": __doc__,
        "params": {
            "shingle": f"word:{SHINGLE}",
            "threshold": threshold,
            "num_perm": NUM_PERM,
            "seeds": seeds,
            "tuning_seed": args.tuning_seed,
            "synthetic_docs": n_docs,
            "languages": languages,
            "quick": args.quick,
            "bands_rows": {
                "ours": list(optimal_params(threshold, NUM_PERM, FP_WEIGHT, FN_WEIGHT)),
                "datasketch": ds_lsh,
                "rensa": list(rensa_bands(threshold)),
            },
        },
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), **_versions()},
        "corpora": corpora,
        "tfidf_cosine": cosines,
        "summary": {kind: {name: q.as_dict() for name, q in methods.items()} for kind, methods in summary.items()},
        "excluded_baselines": EXCLUDED,
        "real_labelled_data": REAL_DATA,
        "runs": runs,
    }
    json_path, png_path = args.out / f"neardup_quality{suffix}.json", args.out / f"neardup_quality{suffix}.png"
    json_path.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    _plot(summary, threshold, png_path)
    print(_table(summary, cosines))
    print(f"\nwrote {json_path} and {png_path}")
    return 0
