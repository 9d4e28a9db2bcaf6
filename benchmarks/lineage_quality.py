"""Lineage quality: parent, root and ancestry accuracy on labelled copying trees.

    python -m benchmarks lineage_quality [--quick] [--seeds 0,1,2] [--languages it,en]
                                         [--strengths light,moderate,strong] [--timestamp-rates 1.0,0.0]

For every language x strength x timestamp rate x seed,
:func:`benchmarks.synthetic_lineage.generate` builds a labelled corpus (2-4
generations, 5-15 documents per tree, 4 trees plus a same-topic hard-negative
family each; half of the copies credit a source -- the parent, or 30% of the
time the root; ``timestamp_rate`` of the outlets publish times, 20% of those
only the day), ``provenance.pipeline.analyze`` runs on it and
:func:`evaluate_lineage` compares ``DocumentInfo.parent`` with the true parents
(definitions in :mod:`benchmarks.metrics`): edge accuracy and precision,
undirected edge recall, direction accuracy, root precision/recall, tree-root
accuracy and ancestry precision/recall.  Breakdowns of edge accuracy: by
generation of the child; by whether both the child and its true parent carry
a timestamp; by whether the child's own text credits the parent's outlet.
Wrong parents are classified (``errors``): *ancestor* (an earlier ancestor of
the true parent: a generation skipped), *descendant* (a document copied from
the child: direction reversed), *same tree, other branch* (sibling or
cousin), *other family* (a document of another tree: a false reuse link) and
*none/virtual* (the child was left as a root or hung under a ``cited:`` /
``ancestor:`` node although its parent is in the collection).

Counts are pooled over seeds (micro-averages).  Writes
``benchmarks/results/lineage_quality.json`` and ``.png`` (``*_quick.*`` with
``--quick``: one seed, two small trees per corpus).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.metrics import LineageScore, Ratio, lineage_score
from benchmarks.plots import grouped_bars
from benchmarks.rewrite_ops import Strength
from benchmarks.rewrite_quality import RESULTS, analyze_corpus
from benchmarks.synthetic_lineage import GroundTruth, LineageConfig, generate
from provenance.records import AnalysisResult, Document


@dataclass
class LineageEval:
    """Scores of one corpus or pooled over several (:meth:`__add__`)."""

    score: LineageScore = field(default_factory=LineageScore)
    by_generation: dict[str, Ratio] = field(default_factory=dict)
    by_timestamps: dict[str, Ratio] = field(default_factory=dict)
    by_credit: dict[str, Ratio] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    n_docs: int = 0

    def __add__(self, other: LineageEval) -> LineageEval:
        def merge(x: dict[str, Ratio], y: dict[str, Ratio]) -> dict[str, Ratio]:
            return {k: x.get(k, Ratio()) + y.get(k, Ratio()) for k in sorted({*x, *y})}

        return LineageEval(
            self.score + other.score,
            merge(self.by_generation, other.by_generation),
            merge(self.by_timestamps, other.by_timestamps),
            merge(self.by_credit, other.by_credit),
            self.errors + other.errors,
            self.seconds + other.seconds,
            self.n_docs + other.n_docs,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            **self.score.as_dict(),
            "edge_accuracy_by_generation": {k: v.as_dict() for k, v in self.by_generation.items()},
            "edge_accuracy_by_timestamps": {k: v.as_dict() for k, v in self.by_timestamps.items()},
            "edge_accuracy_by_credit": {k: v.as_dict() for k, v in self.by_credit.items()},
            "wrong_parent_kinds": dict(self.errors.most_common()),
            "seconds_per_corpus": round(sum(self.seconds) / len(self.seconds), 2) if self.seconds else None,
            "documents": self.n_docs,
        }


def _add(d: dict[str, Ratio], key: str, hit: bool) -> None:
    d[key] = d.get(key, Ratio()) + Ratio(int(hit), 1)


def error_kind(doc: str, predicted: str | None, truth: GroundTruth) -> str:
    """What a wrong predicted parent of ``doc`` is, relative to the true tree (module docstring)."""
    if predicted is None or predicted not in truth.docs:
        return "none/virtual"
    if truth.docs[predicted].tree != truth.docs[doc].tree:
        return "other family"
    up = truth.docs[doc].parent
    while up is not None:
        if up == predicted:
            return "ancestor"
        up = truth.docs[up].parent
    up = truth.docs[predicted].parent
    while up is not None:
        if up == doc:
            return "descendant"
        up = truth.docs[up].parent
    return "same tree, other branch"


def evaluate_lineage(result: AnalysisResult, truth: GroundTruth, documents: list[Document]) -> LineageEval:
    """Score the predicted parents of one pipeline output (module docstring)."""
    predicted = {d.id: d.parent for d in result.documents if d.id in truth.docs}
    score = lineage_score(predicted, truth.parents(), truth.trees())
    published = {d.id: d.published for d in documents}
    by_gen: dict[str, Ratio] = {}
    by_ts: dict[str, Ratio] = {}
    by_credit: dict[str, Ratio] = {}
    errors: Counter[str] = Counter()
    for doc in truth.docs.values():
        if doc.parent is None:
            continue
        hit = predicted.get(doc.id) == doc.parent
        if not hit:
            errors[error_kind(doc.id, predicted.get(doc.id), truth)] += 1
        _add(by_gen, f"gen {doc.generation}", hit)
        both = published[doc.id] is not None and published[doc.parent] is not None
        _add(by_ts, "both timestamped" if both else "a timestamp missing", hit)
        credits_parent = truth.docs[doc.parent].outlet in doc.credits
        _add(by_credit, "credits parent" if credits_parent else "no credit to parent", hit)
    return LineageEval(score, dict(sorted(by_gen.items())), by_ts, by_credit, errors, [], len(truth.docs))


# ---------------------------------------------------------------------------- output


def _table(groups: dict[tuple[str, str, float], LineageEval]) -> str:
    head = (
        f"{'lang':<5}{'strength':<10}{'ts':>5}{'docs':>6}{'edgeAcc':>9}{'edgeP':>7}{'undir':>7}{'dirAcc':>8}"
        f"{'rootP':>7}{'rootR':>7}{'treeRoot':>9}{'ancP':>7}{'ancR':>7}"
    )
    lines = [head, "-" * len(head)]
    for (lang, strength, rate), ev in groups.items():
        s = ev.score
        lines.append(
            f"{lang:<5}{strength:<10}{rate:>5.1f}{ev.n_docs:>6}{s.edge.value:>9.3f}{s.edge_precision.value:>7.3f}"
            f"{s.undirected.value:>7.3f}{s.direction.value:>8.3f}{s.root.precision:>7.3f}{s.root.recall:>7.3f}"
            f"{s.tree_root.value:>9.3f}{s.ancestry.precision:>7.3f}{s.ancestry.recall:>7.3f}"
        )
    lines += ["", "edge accuracy by generation / timestamps / credit (pooled over the grid):"]
    total = LineageEval()
    for ev in groups.values():
        total = total + ev
    for name, d in (
        ("generation", total.by_generation),
        ("timestamps", total.by_timestamps),
        ("credit", total.by_credit),
    ):
        cells = ", ".join(f"{k}: {v.value:.3f} ({v.hits}/{v.total})" for k, v in d.items())
        lines.append(f"  {name:<11}{cells}")
    lines.append("  wrong parents: " + ", ".join(f"{k}: {n}" for k, n in total.errors.most_common()))
    return "\n".join(lines)


def _plot(groups: dict[tuple[str, str, float], LineageEval], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 4.5))
    names = [f"{lang} {s}\nts={rate:g}" for lang, s, rate in groups]
    metrics = {
        "edge accuracy": [ev.score.edge.value for ev in groups.values()],
        "direction accuracy": [ev.score.direction.value for ev in groups.values()],
        "tree-root accuracy": [ev.score.tree_root.value for ev in groups.values()],
        "ancestry precision": [ev.score.ancestry.precision for ev in groups.values()],
        "ancestry recall": [ev.score.ancestry.recall for ev in groups.values()],
    }
    grouped_bars(ax, names, metrics, fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_title("lineage reconstruction on synthetic copying trees (ts = share of outlets with timestamps)")
    ax.legend(fontsize=7, ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks lineage_quality", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="CI smoke run: one seed, two small trees per corpus")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--languages", default="it,en")
    ap.add_argument("--strengths", default="light,moderate,strong")
    ap.add_argument("--timestamp-rates", default="1.0,0.0", help="shares of outlets that publish timestamps")
    ap.add_argument("--citation-rate", type=float, default=0.5)
    ap.add_argument("--trees", type=int, default=4)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    seeds = [0] if args.quick else [int(s) for s in args.seeds.split(",")]
    overrides: dict[str, object] = {"n_trees": args.trees, "citation_rate": args.citation_rate}
    if args.quick:
        overrides.update(n_trees=2, docs_per_tree=(4, 6))
    rates = [float(r) for r in args.timestamp_rates.split(",")]
    groups: dict[tuple[str, str, float], LineageEval] = {}
    runs = []
    for language in args.languages.split(","):
        for strength in [Strength(s) for s in args.strengths.split(",")]:
            for rate in rates:
                for seed in seeds:
                    config = LineageConfig(
                        language=language,
                        seed=seed,
                        strength=strength,
                        timestamp_rate=rate,
                        **overrides,  # type: ignore[arg-type]
                    )
                    corpus = generate(config)
                    result, seconds = analyze_corpus(corpus)
                    ev = evaluate_lineage(result, corpus.truth, corpus.documents)
                    ev.seconds.append(seconds)
                    runs.append(
                        {"language": language, "strength": strength.value, "timestamp_rate": rate, "seed": seed}
                        | ev.as_dict()
                    )
                    key = (language, strength.value, rate)
                    groups[key] = groups.get(key, LineageEval()) + ev
                    print(f"[{language} {strength.value} ts={rate:g} seed={seed}] {ev.n_docs} docs, {seconds:.1f}s")
    suffix = "_quick" if args.quick else ""
    args.out.mkdir(parents=True, exist_ok=True)
    out = {
        "benchmark": "lineage_quality",
        "procedure": __doc__,
        "grid": {
            "seeds": seeds,
            "languages": args.languages.split(","),
            "strengths": args.strengths.split(","),
            "timestamp_rates": rates,
        },
        "generator": {k: str(v) for k, v in LineageConfig(**overrides).__dict__.items()},  # type: ignore[arg-type]
        "summary": {f"{lang}/{s}/ts={r:g}": ev.as_dict() for (lang, s, r), ev in groups.items()},
        "runs": runs,
    }
    json_path, png_path = args.out / f"lineage_quality{suffix}.json", args.out / f"lineage_quality{suffix}.png"
    json_path.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    _plot(groups, png_path)
    print()
    print(_table(groups))
    print(f"\nwrote {json_path} and {png_path}")
    return 0
