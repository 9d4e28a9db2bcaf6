"""Realistic yardstick: the CLI's lineage on hand-written story families, by half and role.

    python -m benchmarks stories [--quick] [--stories a1,b2] [--out DIR]

All present articles of all stories (``benchmarks/data/stories/``, format in its
README) go into one JSONL collection with ``id``, ``text``, ``outlet`` and
``published`` (no ``language``: the tool detects it); the command a user runs,
``provenance lineage COLLECTION --format json -q``, is timed in a subprocess and
its JSON is scored against the truth (:mod:`benchmarks.stories_data`).  Figures
are given for the tuning half, the evaluation half (``split.json``; never tune
on it) and all stories:

* **reuse pairs**: positive when the two articles render at least one common
  paragraph of the story's root (paragraph map traced up to the root; an absent
  root counts).  The tool's positives are ``near-duplicate``, ``contained``
  and ``rewrite`` pairs.  Precision, recall, F1; recall by category (the child's role for a
  parent-child pair, ``chain`` for ancestor-descendant, ``collateral`` for
  siblings and cousins) and by the child's strength.  Pairs across stories
  are negatives too.
* **hard-negative FP**: share of (independent article, other article of the
  same story) pairs called reuse.
* **cross-language recall**: recall over positive pairs whose articles differ
  in language.
* **passages**: recall of paragraph pairs (two articles, any pair) with a
  common root origin that an alignment of a reuse pair covers (its two spans
  overlap the two paragraphs); precision of the alignments of reuse pairs whose
  two sides overlap paragraphs with a common origin.
* **parent accuracy**: right when the tool's parent is a true parent of the
  collection; a virtual node (``cited:``/``ancestor:``) when every true parent
  is absent; no document of the collection for a root or an independent
  article.  Overall and by role.
* **edge calibration**: share of edges whose child got the right parent, by
  confidence bin (the claim checked: confidence >= 0.8 is right >= 80 %).
* **credits**: precision/recall of the outlets the tool says an article
  credits against the truth's ``credits``, names compared by the catalog's key
  (``fold_name``: case, accents, punctuation and a leading article ignored,
  so "the Baltic Courier" is "Baltic Courier").

Writes ``benchmarks/results/stories.json`` and ``.png`` (``stories_quick.*``
with ``--quick``: one story of each half).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.metrics import Ratio, Score, overlap, pair_score
from benchmarks.plots import grouped_bars
from benchmarks.stories_data import Story, load_split, load_stories, pair_category, pair_strength, reuse_truth
from provenance.sources import fold_name

RESULTS = Path(__file__).resolve().parent / "results"
REUSE = {"near-duplicate", "contained", "rewrite"}


@dataclass
class StoryEval:
    """Scores over a set of stories (counts, so halves pool by summing)."""

    pairs: Score = field(default_factory=Score)
    pair_recall_by_category: dict[str, Ratio] = field(default_factory=lambda: defaultdict(Ratio))
    pair_recall_by_strength: dict[str, Ratio] = field(default_factory=lambda: defaultdict(Ratio))
    false_positive_kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hard_negative_fp: Ratio = field(default_factory=Ratio)
    cross_language: Ratio = field(default_factory=Ratio)
    passage_recall: Ratio = field(default_factory=Ratio)
    passage_precision: Ratio = field(default_factory=Ratio)
    parent: Ratio = field(default_factory=Ratio)
    parent_by_role: dict[str, Ratio] = field(default_factory=lambda: defaultdict(Ratio))
    independent_under_document: Ratio = field(default_factory=Ratio)
    calibration: dict[str, Ratio] = field(default_factory=lambda: defaultdict(Ratio))
    credits: Score = field(default_factory=Score)
    parent_errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def rd(d: dict[str, Ratio]) -> dict[str, Any]:
            return {k: d[k].as_dict() for k in sorted(d)}

        return {
            "reuse_pairs": self.pairs.as_dict(),
            "pair_recall_by_category": rd(self.pair_recall_by_category),
            "pair_recall_by_strength": rd(self.pair_recall_by_strength),
            "false_positive_kinds": dict(sorted(self.false_positive_kinds.items())),
            "hard_negative_fp": self.hard_negative_fp.as_dict(),
            "cross_language_recall": self.cross_language.as_dict(),
            "passages": {"recall": self.passage_recall.as_dict(), "precision": self.passage_precision.as_dict()},
            "parent_accuracy": self.parent.as_dict(),
            "parent_accuracy_by_role": rd(self.parent_by_role),
            "independent_under_a_document": self.independent_under_document.as_dict(),
            "edge_calibration": rd(self.calibration),
            "credits": self.credits.as_dict(),
            "parent_errors": self.parent_errors,
        }


def _overlaps(span: tuple[int, int], blocks: Sequence[tuple[int, int]]) -> list[int]:
    return [k for k, block in enumerate(blocks) if overlap(span, block) > 0]


def _conf_bin(c: float) -> str:
    for lo in (0.8, 0.6, 0.4, 0.2):
        if c >= lo:
            return f">={lo:.1f}"
    return "<0.2"


def _parent_right(story: Story, art_id: str, parent: str | None, doc_ids: set[str]) -> bool:
    art = story.articles[art_id]
    true_parents = [p for p in art.parents if not story.articles[p].absent]
    if not art.parents:  # a root or an independent article: nothing of the collection above it
        return parent is None or parent not in doc_ids
    if not true_parents:  # every true parent is absent: a virtual node stands for it
        return parent is not None and parent not in doc_ids
    return parent in true_parents


def evaluate(stories: Sequence[Story], output: dict[str, Any]) -> StoryEval:
    """Score the CLI's JSON ``output`` on ``stories`` (other stories' documents may be in it)."""
    ev = StoryEval()
    docs = {d["id"]: d for d in output["documents"]}
    doc_ids = set(docs)
    predicted: dict[tuple[str, str], dict[str, Any]] = {}
    for p in output["pairs"]:
        if p["relation"] in REUSE:
            predicted[(min(p["a"], p["b"]), max(p["a"], p["b"]))] = p
    story_of: dict[str, Story] = {}
    for s in stories:
        for art in s.present:
            story_of[art.id] = s
    mine = set(story_of)
    true_pairs: set[tuple[str, str]] = set()
    for s in stories:
        true_pairs |= reuse_truth(s)

    # reuse pairs (any predicted pair touching one of these stories' articles)
    pred_here = {k: v for k, v in predicted.items() if k[0] in mine or k[1] in mine}
    ev.pairs = pair_score(pred_here, true_pairs)
    for a, b in true_pairs:
        s = story_of[a]
        hit = (a, b) in predicted
        ev.pair_recall_by_category[pair_category(s, a, b)] += Ratio(int(hit), 1)
        ev.pair_recall_by_strength[pair_strength(s, a, b)] += Ratio(int(hit), 1)
        if s.articles[a].language != s.articles[b].language:
            ev.cross_language += Ratio(int(hit), 1)
    for a, b in set(pred_here) - true_pairs:
        sa, sb = story_of.get(a), story_of.get(b)
        if sa is None or sb is None or sa is not sb:
            kind = "across stories"
        elif "independent" in (sa.articles[a].role, sa.articles[b].role):
            kind = "independent article"
        else:
            kind = "same story, no common root paragraph"
        ev.false_positive_kinds[kind] += 1
    for s in stories:
        ids = sorted(a.id for a in s.present)
        for a in ids:
            if s.articles[a].role != "independent":
                continue
            for b in ids:
                if b != a:
                    ev.hard_negative_fp += Ratio(int((min(a, b), max(a, b)) in predicted), 1)

    # passages
    for s in stories:
        ids = sorted(a.id for a in s.present)
        blocks = {a: s.articles[a].blocks() for a in ids}
        origins = {a: s.origins(a) for a in ids}
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                truth_cells = {
                    (pa, pb)
                    for pa, oa in enumerate(origins[a])
                    for pb, ob in enumerate(origins[b])
                    if oa and ob and oa & ob
                }
                covered: set[tuple[int, int]] = set()
                pair = predicted.get((a, b))
                for al in pair["alignments"] if pair is not None else []:
                    assert pair is not None
                    # the JSON's "a" is the pair's first id, which is (a, b) sorted
                    side_a = _overlaps((al["a_start"], al["a_end"]), blocks[pair["a"]])
                    side_b = _overlaps((al["b_start"], al["b_end"]), blocks[pair["b"]])
                    if pair["a"] != a:
                        side_a, side_b = side_b, side_a
                    cells = {(x, y) for x in side_a for y in side_b}
                    covered |= cells
                    ev.passage_precision += Ratio(int(bool(cells & truth_cells)), 1)
                ev.passage_recall += Ratio(len(truth_cells & covered), len(truth_cells))
    # alignments of reuse pairs across stories are wrong by construction
    for (a, b), pair in pred_here.items():
        sa, sb = story_of.get(a), story_of.get(b)
        if sa is None or sb is None or sa is not sb:
            ev.passage_precision += Ratio(0, len(pair["alignments"]))

    # parents, calibration, credits
    for s in stories:
        for art in s.present:
            d = docs.get(art.id)
            if d is None:
                continue
            right = _parent_right(s, art.id, d.get("parent"), doc_ids)
            ev.parent += Ratio(int(right), 1)
            ev.parent_by_role[art.role] += Ratio(int(right), 1)
            if not right:
                truth = ",".join(art.parents) or "none"
                ev.parent_errors.append(f"{art.id} ({art.role}): got {d.get('parent')}, truth {truth}")
            if art.role == "independent":
                ev.independent_under_document += Ratio(int(d.get("parent") in doc_ids), 1)
            said = {fold_name(c["name"]) for c in d.get("cited_sources", [])}
            true_credits = {fold_name(c) for c in art.credits}
            hits = len(said & true_credits)
            ev.credits += Score(hits, len(said), hits, len(true_credits))
    for e in output["edges"]:
        t = e["target"]
        if t in story_of and docs.get(t, {}).get("parent") == e["source"]:
            right = _parent_right(story_of[t], t, e["source"], doc_ids)
            ev.calibration[_conf_bin(float(e["confidence"]))] += Ratio(int(right), 1)
    return ev


def write_collection(stories: Iterable[Story], path: Path) -> int:
    """The collection a user would have: present articles, no language, no truth."""
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for s in stories:
            for a in sorted(s.present, key=lambda x: x.id):
                row: dict[str, str] = {"id": a.id, "text": a.text}
                if a.outlet:
                    row["outlet"] = a.outlet
                if a.published:
                    row["published"] = a.published
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    return n


def run_cli(collection: Path, command: str = "lineage") -> tuple[dict[str, Any], float, float]:
    """Run ``provenance COMMAND COLLECTION --format json -q``; (output, seconds, peak RSS of the child in MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "provenance", command, str(collection), "--format", "json", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"provenance {command} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    rss = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return json.loads(proc.stdout), seconds, rss


def _r(x: Ratio) -> str:
    return f"{x.value:.2f} ({x.hits}/{x.total})"


def _table(evals: dict[str, StoryEval]) -> str:
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, cells: Iterable[str]) -> None:
        rows.append((label, list(cells)))

    es = list(evals.values())
    row("reuse pairs P / R / F1", (f"{e.pairs.precision:.2f} / {e.pairs.recall:.2f} / {e.pairs.f1:.2f}" for e in es))
    row("hard-negative FP", (_r(e.hard_negative_fp) for e in es))
    row("cross-language recall", (_r(e.cross_language) for e in es))
    row("passages R / P", (f"{e.passage_recall.value:.2f} / {e.passage_precision.value:.2f}" for e in es))
    row("parent accuracy", (_r(e.parent) for e in es))
    row("credits P / R", (f"{e.credits.precision:.2f} / {e.credits.recall:.2f}" for e in es))
    for role in sorted({r for e in es for r in e.parent_by_role}):
        row(f"  parent: {role}", (_r(e.parent_by_role[role]) if role in e.parent_by_role else "-" for e in es))
    for cat in sorted({c for e in es for c in e.pair_recall_by_category}):
        cells = (_r(e.pair_recall_by_category[cat]) if cat in e.pair_recall_by_category else "-" for e in es)
        row(f"  pair recall: {cat}", cells)
    width = max(len(r[0]) for r in rows) + 2
    lines = ["measure".ljust(width) + "".join(n.ljust(22) for n in evals)]
    lines += [label.ljust(width) + "".join(c.ljust(22) for c in cells) for label, cells in rows]
    return "\n".join(lines)


def _plot(evals: dict[str, StoryEval], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8))
    measures = {
        "pair P": lambda e: e.pairs.precision,
        "pair R": lambda e: e.pairs.recall,
        "pair F1": lambda e: e.pairs.f1,
        "hard-neg FP": lambda e: e.hard_negative_fp.value,
        "cross-lang R": lambda e: e.cross_language.value,
        "passage R": lambda e: e.passage_recall.value,
        "passage P": lambda e: e.passage_precision.value,
        "parent acc": lambda e: e.parent.value,
    }
    series = {name: [fn(e) for fn in measures.values()] for name, e in evals.items()}
    grouped_bars(ax1, list(measures), series, rotation=30, fontsize=8)
    ax1.set_ylim(0, 1.05)
    ax1.set_title("provenance lineage on hand-written story families")
    ax1.legend(fontsize=8)
    roles = sorted({r for e in evals.values() for r in e.parent_by_role})
    by_role = {
        name: [e.parent_by_role[r].value if r in e.parent_by_role else 0 for r in roles] for name, e in evals.items()
    }
    grouped_bars(ax2, roles, by_role, rotation=30, fontsize=8)
    ax2.set_ylim(0, 1.05)
    ax2.set_title("parent accuracy by role")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks stories", description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="CI smoke run: one story of each half")
    ap.add_argument("--stories", help="comma-separated story names (default: every story of the split)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    split = load_split()
    names = [*split["tune"], *split["eval"]]
    if args.stories:
        names = args.stories.split(",")
    elif args.quick:
        names = [split["tune"][0], split["eval"][0]]
    stories = load_stories(names=names)
    found = {s.name for s in stories}
    if missing := [n for n in names if n not in found]:
        print(f"error: unknown stories: {', '.join(missing)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        collection = Path(tmp) / "stories.jsonl"
        n_docs = write_collection(stories, collection)
        output, seconds, rss = run_cli(collection)
    halves = {
        "tune": [s for s in stories if s.name in split["tune"]],
        "eval": [s for s in stories if s.name in split["eval"]],
        "all": stories,
    }
    evals = {k: evaluate(v, output) for k, v in halves.items() if v}
    per_story = {s.name: evaluate([s], output).as_dict() for s in stories}
    suffix = "_quick" if args.quick else ""
    args.out.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": "stories",
        "procedure": __doc__,
        "command": "provenance lineage stories.jsonl --format json -q",
        "split": {k: [s.name for s in v] for k, v in halves.items() if k != "all"},
        "documents": n_docs,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(rss, 1),
        "summary": {k: e.as_dict() for k, e in evals.items()},
        "per_story": per_story,
    }
    json_path, png_path = args.out / f"stories{suffix}.json", args.out / f"stories{suffix}.png"
    json_path.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    _plot(evals, png_path)
    print(_table(evals))
    print(f"\n{n_docs} documents, CLI {seconds:.1f} s, peak RSS {rss:.0f} MB")
    print(f"wrote {json_path} and {png_path}")
    return 0
