"""Evaluation metrics for rewrite detection, passage alignment, clustering and lineage.

Definitions (all counts are kept, so scores of several runs are pooled by
adding counts -- micro-averages -- with :meth:`Score.__add__`):

* **Pairs.**  Pairs are unordered, stored as ``(min(a, b), max(a, b))``.
  Precision = correct predicted pairs / predicted pairs; recall = true pairs
  predicted / true pairs.  Pairs in ``ignore`` count on neither side.
* **Passages.**  Two spans *match* when their character overlap is at least
  ``min_share`` (0.5) of the shorter of the two.  A predicted alignment
  ``(a_start, a_end, b_start, b_end)`` of the pair (a, b) is *correct* when
  some true passage pair of (a, b) -- two sentences rendering a common
  original sentence -- matches it on both sides.  A true passage pair is
  *found* when some predicted alignment of the same document pair matches it
  on both sides.  Precision = correct alignments / predicted alignments (over
  every predicted pair that is not ignored, so alignments on wrongly predicted
  pairs are errors); recall = found true passage pairs / true passage pairs
  (over every true pair, so a missed document pair loses all its passages).
* **Clusters.**  Adjusted Rand Index (scikit-learn) between the predicted
  partition and the true one, over the documents of the truth; a document in
  no predicted cluster is a singleton.  Pair-counting precision/recall
  (:func:`co_cluster_score`): a pair is predicted when its two items share a
  predicted cluster and true when they share a true one.
* **Lineage** (``parent`` maps a document id to its parent id or None; a
  predicted parent that is not a document of the collection -- a virtual node
  ``cited:X`` / ``ancestor:A+B`` or None -- makes the document a *predicted
  root*):

  - *edge accuracy*: over documents with a true parent, the share whose
    predicted parent is exactly that parent; *edge precision*: over documents
    with a predicted document parent, the share for which it is the true one;
  - *undirected edge recall*: over true parent-child pairs, the share
    predicted as an edge in either direction; *direction accuracy*: over
    predicted edges joining a true parent-child pair, the share pointing the
    right way;
  - *root recall / precision*: true roots predicted as roots / true roots;
    true roots among predicted roots / predicted roots;
  - *tree-root accuracy*: the share of true trees whose members without a
    predicted parent inside the tree are exactly the tree's true root;
  - *ancestry precision / recall*: over ordered (ancestor, descendant) pairs
    of document ids, from following parents (transitively, through document
    nodes only) in the prediction and in the truth.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Pair = tuple[str, str]
Span = tuple[int, int]


def pair_key(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class Score:
    """Precision/recall counts: correct predictions of ``n_pred``, found truths of ``n_true``."""

    correct: int = 0
    n_pred: int = 0
    found: int = 0
    n_true: int = 0

    @property
    def precision(self) -> float:
        """Correct / predicted (1.0 when nothing was predicted)."""
        return self.correct / self.n_pred if self.n_pred else 1.0

    @property
    def recall(self) -> float:
        """Found / true (1.0 when there is nothing to find)."""
        return self.found / self.n_true if self.n_true else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.correct + other.correct,
            self.n_pred + other.n_pred,
            self.found + other.found,
            self.n_true + other.n_true,
        )

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "correct": self.correct,
            "n_pred": self.n_pred,
            "found": self.found,
            "n_true": self.n_true,
        }


@dataclass(frozen=True)
class Ratio:
    """A share: ``hits`` of ``total`` (1.0 when total is 0)."""

    hits: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 1.0

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.hits + other.hits, self.total + other.total)

    def as_dict(self) -> dict[str, float | int]:
        return {"value": round(self.value, 4), "hits": self.hits, "total": self.total}


# ---------------------------------------------------------------------------- pairs


def pair_score(predicted: Iterable[Pair], truth: Iterable[Pair], ignore: Iterable[Pair] = ()) -> Score:
    """Pair precision/recall (module docstring); pairs are normalised to ``(min, max)``."""
    skip = {pair_key(*p) for p in ignore}
    pred = {pair_key(*p) for p in predicted} - skip
    true = {pair_key(*p) for p in truth} - skip
    hits = len(pred & true)
    return Score(hits, len(pred), hits, len(true))


# ---------------------------------------------------------------------------- passages


def overlap(a: Span, b: Span) -> int:
    """Number of characters two half-open spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def spans_match(a: Span, b: Span, min_share: float = 0.5) -> bool:
    """Whether the overlap is at least ``min_share`` of the shorter span (empty spans never match)."""
    shorter = min(a[1] - a[0], b[1] - b[0])
    return shorter > 0 and overlap(a, b) >= min_share * shorter


def passage_score(
    predicted: Mapping[Pair, Sequence[tuple[Span, Span]]],
    truth: Mapping[Pair, Sequence[tuple[Span, Span]]],
    ignore: Iterable[Pair] = (),
    min_share: float = 0.5,
) -> Score:
    """Passage precision/recall (module docstring).

    ``predicted[(a, b)]`` lists aligned ``(span in a, span in b)`` with
    ``a < b``; ``truth[(a, b)]`` the true passage pairs, oriented the same way.
    """
    skip = {pair_key(*p) for p in ignore}
    correct = n_pred = found = n_true = 0
    for pair, aligned in predicted.items():
        if pair in skip:
            continue
        true = truth.get(pair, ())
        for sa, sb in aligned:
            n_pred += 1
            correct += any(spans_match(sa, ta, min_share) and spans_match(sb, tb, min_share) for ta, tb in true)
    for pair, true in truth.items():
        if pair in skip:
            continue
        aligned = predicted.get(pair, ())
        for ta, tb in true:
            n_true += 1
            found += any(spans_match(sa, ta, min_share) and spans_match(sb, tb, min_share) for sa, sb in aligned)
    return Score(correct, n_pred, found, n_true)


# ---------------------------------------------------------------------------- clusters


def partition_labels(clusters: Iterable[Iterable[str]], ids: Iterable[str]) -> list[int]:
    """One label per id (in the order of ``ids``): its cluster's index, or a fresh one for a singleton."""
    label: dict[str, int] = {}
    for k, members in enumerate(clusters):
        for m in members:
            label.setdefault(m, k)
    out = []
    fresh = len(label) + 10**6
    for i in ids:
        if i in label:
            out.append(label[i])
        else:
            out.append(fresh)
            fresh += 1
    return out


def co_cluster_score(predicted: Sequence[int] | np.ndarray, truth: Sequence[int] | np.ndarray) -> Score:
    """Pair-counting precision/recall of two partitions given as one label per item.

    With ``n_kl`` items in predicted cluster k and true cluster l, ``a_k`` and
    ``b_l`` the cluster sizes: correct = ``sum C(n_kl, 2)``, predicted =
    ``sum C(a_k, 2)``, true = ``sum C(b_l, 2)`` (counted, never enumerated, so
    a giant cluster costs nothing).
    """
    pred = np.unique(np.asarray(predicted), return_inverse=True)[1].astype(np.int64)
    true = np.unique(np.asarray(truth), return_inverse=True)[1].astype(np.int64)
    if len(pred) != len(true):
        raise ValueError(f"label arrays differ in length: {len(pred)} != {len(true)}")

    def pairs(counts: np.ndarray) -> int:
        return int((counts * (counts - 1) // 2).sum())

    cells = np.unique(pred * (int(true.max(initial=0)) + 1) + true, return_counts=True)[1]
    both = pairs(cells)
    return Score(both, pairs(np.bincount(pred)), both, pairs(np.bincount(true)))


def adjusted_rand(predicted: Iterable[Iterable[str]], truth: Iterable[Iterable[str]], ids: Sequence[str]) -> float:
    """ARI of two partitions (lists of clusters) over ``ids``."""
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(partition_labels(truth, ids), partition_labels(predicted, ids)))


# ---------------------------------------------------------------------------- lineage


def _doc_parent(parent: Mapping[str, str | None], doc: str) -> str | None:
    """The parent of ``doc`` if it is a document of the collection, else None."""
    p = parent.get(doc)
    return p if p is not None and p in parent else None


def ancestry(parent: Mapping[str, str | None]) -> set[Pair]:
    """Ordered (ancestor, descendant) pairs through document nodes (cycles are cut)."""
    out: set[Pair] = set()
    for doc in parent:
        seen = {doc}
        p = _doc_parent(parent, doc)
        while p is not None and p not in seen:
            out.add((p, doc))
            seen.add(p)
            p = _doc_parent(parent, p)
    return out


@dataclass(frozen=True)
class LineageScore:
    """Counts behind the lineage metrics of the module docstring."""

    edge: Ratio = Ratio()
    edge_precision: Ratio = Ratio()
    undirected: Ratio = Ratio()
    direction: Ratio = Ratio()
    root: Score = Score()  # root precision/recall
    tree_root: Ratio = Ratio()
    ancestry: Score = Score()

    def __add__(self, other: LineageScore) -> LineageScore:
        return LineageScore(
            self.edge + other.edge,
            self.edge_precision + other.edge_precision,
            self.undirected + other.undirected,
            self.direction + other.direction,
            self.root + other.root,
            self.tree_root + other.tree_root,
            self.ancestry + other.ancestry,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "edge_accuracy": self.edge.as_dict(),
            "edge_precision": self.edge_precision.as_dict(),
            "undirected_edge_recall": self.undirected.as_dict(),
            "direction_accuracy": self.direction.as_dict(),
            "root": self.root.as_dict(),
            "tree_root_accuracy": self.tree_root.as_dict(),
            "ancestry": self.ancestry.as_dict(),
        }


def lineage_score(
    predicted: Mapping[str, str | None], truth: Mapping[str, str | None], trees: Mapping[str, Sequence[str]]
) -> LineageScore:
    """All lineage metrics for one collection.

    ``truth`` maps every document to its true parent (None for a root);
    ``predicted`` maps documents to predicted parents (missing = root);
    ``trees`` maps a tree id to its member documents.
    """
    pred = {d: predicted.get(d) for d in truth}
    pred_doc = {d: _doc_parent(pred, d) for d in truth}
    true_doc = {d: _doc_parent(truth, d) for d in truth}
    children = [d for d, p in true_doc.items() if p is not None]
    edge = Ratio(sum(pred_doc[d] == true_doc[d] for d in children), len(children))
    with_parent = [d for d, p in pred_doc.items() if p is not None]
    edge_precision = Ratio(sum(pred_doc[d] == true_doc[d] for d in with_parent), len(with_parent))
    true_edges = {pair_key(d, p) for d, p in true_doc.items() if p is not None}
    pred_edges = {pair_key(d, p) for d, p in pred_doc.items() if p is not None}
    undirected = Ratio(len(true_edges & pred_edges), len(true_edges))
    on_true = [(d, p) for d, p in pred_doc.items() if p is not None and pair_key(d, p) in true_edges]
    direction = Ratio(sum(true_doc[d] == p for d, p in on_true), len(on_true))
    true_roots = {d for d, p in true_doc.items() if p is None}
    pred_roots = {d for d, p in pred_doc.items() if p is None}
    root = Score(len(true_roots & pred_roots), len(pred_roots), len(true_roots & pred_roots), len(true_roots))
    hits = 0
    for members in trees.values():
        inside = set(members)
        tops = {m for m in members if pred_doc.get(m) not in inside}
        true_tops = {m for m in members if true_doc.get(m) not in inside}
        hits += tops == true_tops
    anc = pair_score_ordered(ancestry(pred_doc), ancestry(true_doc))
    return LineageScore(edge, edge_precision, undirected, direction, root, Ratio(hits, len(trees)), anc)


def pair_score_ordered(predicted: set[Pair], truth: set[Pair]) -> Score:
    """Precision/recall of ordered pairs (direction matters)."""
    hits = len(predicted & truth)
    return Score(hits, len(predicted), hits, len(truth))
