"""Rewrite detection quality: reuse-pair and passage precision/recall on labelled copying trees.

    python -m benchmarks rewrite_quality [--quick] [--seeds 0,1,2] [--languages it,en]
                                         [--strengths light,moderate,strong] [--trees 4]

For every language x strength x seed, :func:`benchmarks.synthetic_lineage.generate`
builds a labelled corpus (real Debian-handbook prose rewritten in copying
trees, plus same-topic hard negatives; see that module), the pipeline
``provenance.pipeline.analyze`` runs on its documents (no declared sources),
and :func:`evaluate_rewrites` scores the output against the ground truth
(definitions in :mod:`benchmarks.metrics`):

* **reuse pairs**: a predicted pair of relation near-duplicate, contained or
  rewrite is positive; true positives are the truth's reuse pairs (same tree, >= 2 shared
  original sentences); same-tree pairs sharing fewer are ignored;
* **parent-child recall**: the share of true parent-child pairs found;
* **recall by Jaccard**: reuse-pair recall per bin of the pair's word
  5-gram Jaccard (lower-cased ``\\w+`` tokens, computed here, independent of
  the detector), to show where detection breaks down;
* **hard-negative false positives**: same-topic pairs of different trees
  (same subject, no shared text) predicted as reuse;
* **passages**: the predicted alignments of every predicted pair against the
  true passage pairs (sentences rendering a common original sentence),
  matched by character overlap >= 50% of the shorter span on both sides;
  scored for all alignments and for the order-preserving chain only
  (``Alignment.in_order``), since the out-of-order extras are a different
  kind of evidence;
* **chance match rate**: over the hard-negative pairs, the share of passage
  pairs (cells) that the aligner counts as a match, with the pipeline's
  profiles and term weights -- the empirical counterpart of the prior
  ``AlignParams.chance_match_rate`` behind the p-value;
* **ARI** of the predicted rewrite clusters against the true trees;
* the **confusion** of truth label x predicted relation over all pairs.

Timestamps do not change pair scores, so this benchmark uses the generator's
default (70% of outlets timestamped); ``lineage_quality`` varies them.
Counts are pooled over seeds (micro-averages); ARI is averaged.  Writes
``benchmarks/results/rewrite_quality.json`` and ``.png`` (``*_quick.*``
with ``--quick``: one seed, two small trees per corpus).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.metrics import Pair, Ratio, Score, adjusted_rand, pair_key, pair_score, passage_score
from benchmarks.plots import grouped_bars
from benchmarks.rewrite_ops import Strength
from benchmarks.synthetic_lineage import GroundTruth, LineageConfig, SyntheticCorpus, generate
from provenance.records import AnalysisResult, ClusterKind, Relation

RESULTS = Path(__file__).resolve().parent / "results"
JACCARD_BINS: tuple[float, ...] = (0.0, 0.05, 0.1, 0.2, 0.4, 0.6, 1.0001)
REUSE_RELATIONS = frozenset({Relation.NEAR_DUPLICATE, Relation.CONTAINED, Relation.REWRITE})


def word_shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """Word n-grams of the lower-cased ``\\w+`` tokens."""
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def bin_label(value: float) -> str:
    for lo, hi in zip(JACCARD_BINS, JACCARD_BINS[1:], strict=False):
        if lo <= value < hi:
            return f"{lo:.2f}-{min(hi, 1.0):.2f}"
    return f"{JACCARD_BINS[-2]:.2f}-1.00"


@dataclass
class RewriteEval:
    """Scores of one corpus (or pooled over several: see :meth:`__add__`)."""

    reuse: Score = field(default_factory=Score)
    parent_child: Ratio = field(default_factory=Ratio)
    passages: Score = field(default_factory=Score)
    passages_in_order: Score = field(default_factory=Score)
    hard_negative_fp: Ratio = field(default_factory=Ratio)
    chance_cells: Ratio = field(default_factory=Ratio)  # matching cells / cells over hard-negative pairs
    by_jaccard: dict[str, Ratio] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    rewrite_ari: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    n_docs: int = 0

    def __add__(self, other: RewriteEval) -> RewriteEval:
        bins = {
            k: self.by_jaccard.get(k, Ratio()) + other.by_jaccard.get(k, Ratio())
            for k in {*self.by_jaccard, *other.by_jaccard}
        }
        return RewriteEval(
            self.reuse + other.reuse,
            self.parent_child + other.parent_child,
            self.passages + other.passages,
            self.passages_in_order + other.passages_in_order,
            self.hard_negative_fp + other.hard_negative_fp,
            self.chance_cells + other.chance_cells,
            dict(sorted(bins.items())),
            self.confusion + other.confusion,
            self.rewrite_ari + other.rewrite_ari,
            self.seconds + other.seconds,
            self.n_docs + other.n_docs,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "reuse_pairs": self.reuse.as_dict(),
            "parent_child_recall": self.parent_child.as_dict(),
            "passages": self.passages.as_dict(),
            "passages_in_order_chain": self.passages_in_order.as_dict(),
            "hard_negative_false_positive_rate": self.hard_negative_fp.as_dict(),
            "chance_match_rate": {
                "value": round(self.chance_cells.value, 5) if self.chance_cells.total else None,
                "hits": self.chance_cells.hits,
                "total": self.chance_cells.total,
            },
            "reuse_recall_by_jaccard": {k: v.as_dict() for k, v in sorted(self.by_jaccard.items())},
            "confusion": {f"{t} -> {p}": n for (t, p), n in sorted(self.confusion.items())},
            "rewrite_cluster_ari": round(sum(self.rewrite_ari) / len(self.rewrite_ari), 4)
            if self.rewrite_ari
            else None,
            "seconds_per_corpus": round(sum(self.seconds) / len(self.seconds), 2) if self.seconds else None,
            "documents": self.n_docs,
        }


def evaluate_rewrites(result: AnalysisResult, truth: GroundTruth, texts: dict[str, str]) -> RewriteEval:
    """Score one pipeline output against the ground truth (definitions in the module docstring)."""
    labels = truth.labelled_pairs()
    ignore = {p for p, lab in labels.items() if lab == "weak"}
    true_reuse = {p for p, lab in labels.items() if lab == "reuse"}
    predicted = {pair_key(p.a, p.b): p for p in result.pairs}
    pred_reuse = {k for k, p in predicted.items() if p.relation in REUSE_RELATIONS}

    reuse = pair_score(pred_reuse, true_reuse, ignore)
    parents = truth.parent_pairs()
    parent_child = Ratio(len(parents & pred_reuse), len(parents))
    same_story = [p for p, lab in labels.items() if lab == "same-story"]
    hard_fp = Ratio(sum(p in pred_reuse for p in same_story), len(same_story))

    shingles = {d: word_shingles(t) for d, t in texts.items() if d in truth.docs}
    by_bin: dict[str, Ratio] = {}
    for a, b in true_reuse:
        label = bin_label(jaccard(shingles[a], shingles[b]))
        by_bin[label] = by_bin.get(label, Ratio()) + Ratio(int((a, b) in pred_reuse), 1)

    aligned: dict[Pair, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    chain: dict[Pair, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    for key in pred_reuse:
        p = predicted[key]
        flip = key != (p.a, p.b)
        aligned[key], chain[key] = [], []
        for al in p.alignments:
            sa, sb = (al.a_start, al.a_end), (al.b_start, al.b_end)
            item = (sb, sa) if flip else (sa, sb)
            aligned[key].append(item)
            if al.in_order:
                chain[key].append(item)
    true_passages = {
        (a, b): [((sa.start, sa.end), (sb.start, sb.end)) for sa, sb in truth.passage_pairs(a, b)]
        for a, b in true_reuse
    }
    passages = passage_score(aligned, true_passages, ignore)
    passages_in_order = passage_score(chain, true_passages, ignore)

    confusion: Counter[tuple[str, str]] = Counter()
    for pair, lab in labels.items():
        rel = predicted[pair].relation.value if pair in predicted else Relation.UNRELATED.value
        confusion[(lab, rel)] += 1

    ids = sorted(truth.docs)
    rewrite_clusters = [c.members for c in result.clusters if c.kind is ClusterKind.REWRITE]
    ari = adjusted_rand(rewrite_clusters, truth.trees().values(), ids)
    return RewriteEval(
        reuse,
        parent_child,
        passages,
        passages_in_order,
        hard_fp,
        by_jaccard=dict(sorted(by_bin.items())),
        confusion=confusion,
        rewrite_ari=[ari],
        n_docs=len(ids),
    )


def chance_match_cells(corpus: SyntheticCorpus) -> Ratio:
    """Matching passage pairs / all passage pairs over the corpus's hard-negative (same-story) pairs."""
    from provenance.normalize.analyzer import analyzer_for
    from provenance.pipeline import assign_languages
    from provenance.scoring.align import AlignParams, build_profile, match_cells
    from provenance.scoring.weights import TermWeights

    docs = assign_languages(corpus.documents)
    profiles = {d.id: build_profile(d, analyzer_for(d.language)) for d in docs}
    weights = TermWeights().fit((d.language or "und", profiles[d.id].surface) for d in docs)
    hits = total = 0
    for (a, b), label in corpus.truth.labelled_pairs().items():
        if label == "same-story":
            pa, pb = profiles[a], profiles[b]
            hits += len(match_cells(pa, pb, weights, AlignParams()))
            total += len(pa.passages) * len(pb.passages)
    return Ratio(hits, total)


def analyze_corpus(corpus: SyntheticCorpus) -> tuple[AnalysisResult, float]:
    """Run the pipeline on the corpus's documents; returns the result and the wall time in seconds."""
    from provenance.pipeline import analyze

    t0 = time.perf_counter()
    result = analyze(corpus.documents)
    return result, time.perf_counter() - t0


# ---------------------------------------------------------------------------- output


def _table(groups: dict[tuple[str, str], RewriteEval]) -> str:
    head = (
        f"{'lang':<5}{'strength':<10}{'docs':>6}{'pairP':>7}{'pairR':>7}{'pairF1':>8}{'p-cR':>7}"
        f"{'hardFP':>8}{'psgP':>7}{'psgR':>7}{'chainP':>8}{'chainR':>8}{'ARI':>7}{'chance':>8}{'s/run':>7}"
    )
    lines = [head, "-" * len(head)]
    for (lang, strength), ev in groups.items():
        d = ev.as_dict()
        lines.append(
            f"{lang:<5}{strength:<10}{ev.n_docs:>6}{ev.reuse.precision:>7.3f}{ev.reuse.recall:>7.3f}"
            f"{ev.reuse.f1:>8.3f}{ev.parent_child.value:>7.3f}{ev.hard_negative_fp.value:>8.3f}"
            f"{ev.passages.precision:>7.3f}{ev.passages.recall:>7.3f}{ev.passages_in_order.precision:>8.3f}"
            f"{ev.passages_in_order.recall:>8.3f}{d['rewrite_cluster_ari']:>7.3f}{ev.chance_cells.value:>8.4f}"
            f"{d['seconds_per_corpus']:>7.2f}"
        )
    bins = sorted({b for ev in groups.values() for b in ev.by_jaccard})
    lines += ["", "reuse-pair recall by word-5-gram Jaccard of the pair (found/true):"]
    lines.append(f"{'lang':<5}{'strength':<10}" + "".join(f"{b:>16}" for b in bins))
    for (lang, strength), ev in groups.items():
        cells = []
        for b in bins:
            r = ev.by_jaccard.get(b)
            cells.append(f"{r.value:.2f} ({r.hits}/{r.total})" if r else "-")
        lines.append(f"{lang:<5}{strength:<10}" + "".join(f"{c:>16}" for c in cells))
    return "\n".join(lines)


def _plot(groups: dict[tuple[str, str], RewriteEval], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    names = [f"{lang}\n{s}" for lang, s in groups]
    series = {
        "pair precision": [ev.reuse.precision for ev in groups.values()],
        "pair recall": [ev.reuse.recall for ev in groups.values()],
        "passage precision": [ev.passages.precision for ev in groups.values()],
        "passage recall": [ev.passages.recall for ev in groups.values()],
        "in-order passage precision": [ev.passages_in_order.precision for ev in groups.values()],
        "hard-negative FP rate": [ev.hard_negative_fp.value for ev in groups.values()],
    }
    grouped_bars(ax1, names, series)
    ax1.set_ylim(0, 1.05)
    ax1.set_title("rewrite detection on synthetic copying trees")
    ax1.legend(fontsize=7, loc="lower left")
    bins = sorted({b for ev in groups.values() for b in ev.by_jaccard})
    for (lang, s), ev in groups.items():
        ys = [ev.by_jaccard[b].value if b in ev.by_jaccard else float("nan") for b in bins]
        ax2.plot(range(len(bins)), ys, marker="o", label=f"{lang} {s}")
    ax2.set_xticks(range(len(bins)), bins, rotation=30, fontsize=8)
    ax2.set_ylim(0, 1.05)
    ax2.set_xlabel("word 5-gram Jaccard of the true reuse pair")
    ax2.set_ylabel("recall")
    ax2.set_title("reuse-pair recall by surface overlap")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks rewrite_quality", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="CI smoke run: one seed, two small trees per corpus")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--languages", default="it,en")
    ap.add_argument("--strengths", default="light,moderate,strong")
    ap.add_argument("--trees", type=int, default=4)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    seeds = [0] if args.quick else [int(s) for s in args.seeds.split(",")]
    overrides: dict[str, object] = {"n_trees": args.trees}
    if args.quick:
        overrides = {"n_trees": 2, "docs_per_tree": (4, 6)}
    groups: dict[tuple[str, str], RewriteEval] = {}
    runs = []
    for language in args.languages.split(","):
        for strength in [Strength(s) for s in args.strengths.split(",")]:
            for seed in seeds:
                config = LineageConfig(language=language, seed=seed, strength=strength, **overrides)  # type: ignore[arg-type]
                corpus = generate(config)
                result, seconds = analyze_corpus(corpus)
                ev = evaluate_rewrites(result, corpus.truth, {d.id: d.text for d in corpus.documents})
                ev.seconds.append(seconds)
                ev.chance_cells = chance_match_cells(corpus)
                runs.append({"language": language, "strength": strength.value, "seed": seed, **ev.as_dict()})
                key = (language, strength.value)
                groups[key] = groups.get(key, RewriteEval()) + ev
                print(f"[{language} {strength.value} seed={seed}] {ev.n_docs} docs, {seconds:.1f}s", flush=True)
    suffix = "_quick" if args.quick else ""
    args.out.mkdir(parents=True, exist_ok=True)
    out = {
        "benchmark": "rewrite_quality",
        "procedure": __doc__,
        "grid": {"seeds": seeds, "languages": args.languages.split(","), "strengths": args.strengths.split(",")},
        "generator": {k: str(v) for k, v in LineageConfig(**overrides).__dict__.items()},  # type: ignore[arg-type]
        "summary": {f"{lang}/{s}": ev.as_dict() for (lang, s), ev in groups.items()},
        "runs": runs,
    }
    json_path, png_path = args.out / f"rewrite_quality{suffix}.json", args.out / f"rewrite_quality{suffix}.png"
    json_path.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    _plot(groups, png_path)
    print()
    print(_table(groups))
    print(f"\nwrote {json_path} and {png_path}")
    return 0
