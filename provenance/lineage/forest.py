"""The most likely copying forest: a maximum-weight branching over the evidence graph.

Nodes are the documents plus virtual nodes for sources that are not in the
collection: ``cited:NAME`` for an outlet some document credits and no document
of the collection comes from, and ``ancestor:A+B`` for a common ancestor of two
documents that share text neither can have taken from the other.

Arcs and their weights:

* a reuse pair (near-duplicate, contained or rewrite) gives both arcs ``A -> B`` and
  ``B -> A`` with weight ``strength * closeness**k * explained * sigmoid(+/-2 * total)``,
  where ``total`` is the signed direction evidence
  (:mod:`provenance.lineage.direction`), ``strength`` is 1 for a
  near-duplicate or a contained text and ``1 - p_value`` for a rewrite, and ``closeness`` is the
  cosine of the two texts' word unigram+bigram TF-IDF vectors (surface
  wording, not stems).  Closeness is what tells a parent from a grandparent or
  a sibling: every generation of rewriting changes more of the wording, so a
  copy is closest to the text it was made from, while direction evidence is
  often equally strong for all earlier relatives.  The power ``k``
  (``closeness_power``, 4) sharpens small cosine differences (0.94 vs 0.79)
  into weight ratios comparable to the direction term; it was chosen on
  generator seeds 100-101, which the lineage benchmark does not report.
  ``explained`` is the share of the target's text that the candidate parent
  accounts for (aligned passages, or shingle containment for verbatim reuse,
  whichever is larger), to the power ``coverage_power`` (1): a parent should
  explain what the copy reuses, so a sibling that dropped a passage the copy
  kept loses to the common parent that has it (chosen on the same seeds);
* ``cited:NAME -> D`` with weight ``citation_weight`` (0.02, or 0.01 for a bare
  mention without attribution cue): always lighter than a reuse arc, so a
  document with aligned text in the collection hangs under that text; names
  outside the catalog count (:mod:`provenance.sources.names`), and a credit is
  matched to a document's outlet by its folded name;
* a relay, "X, citing Y" with X and Y absent from the collection, gives
  ``cited:Y -> cited:X`` (``citation_weight``) and no ``cited:Y -> D``: the
  document took the text from X, which took it from Y;
* inside a family of near-identical copies (three or more near-duplicates),
  only the pairs on the family's copy tree give arcs: the minimum spanning
  tree on wording distance (:mod:`provenance.lineage.variants`), since the
  direction evidence of far relatives would outweigh their small differences
  in closeness;
* a declared original (``--source``) gets no incoming arcs, is never merged with
  a rewrite of it under a common ancestor, and its arc to a rewrite weighs at
  least ``2 * citation_weight * (1 - p)``: the declared text beats a credit;
* across languages (a translation) the wording closeness is the mean score of
  the in-order aligned passages (meaning, not surface words) times the smaller
  aligned share (a translation renders all of its source, a distant relative a part).

Chu-Liu/Edmonds (networkx ``maximum_branching``) picks, for every document,
at most one parent so that the total weight is maximal and there is no cycle.
Each chosen arc becomes a :class:`~provenance.records.LineageEdge` whose
confidence is its weight, with direction ``undetermined`` when the evidence is
balanced.  A document is never put under another document without aligned
evidence: only reuse pairs create document-to-document arcs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from provenance.engines.parallel import parallel_iter, parallel_map
from provenance.lineage.branching import maximum_branching as maximum_branching_arcs
from provenance.lineage.direction import DirectionEvidence, DirectionParams, clear_caches, direction_evidence
from provenance.lineage.surface import surface_tfidf
from provenance.lineage.variants import copy_tree, families
from provenance.load.store import documents_by_id, fields_of
from provenance.records import (
    REUSE_RELATIONS,
    VERBATIM_RELATIONS,
    AnalysisResult,
    CitedSource,
    Document,
    Evidence,
    LineageEdge,
    PairScore,
    Relation,
)

if TYPE_CHECKING:
    from provenance.sources import OutletCatalog

VIRTUAL_CITED = "cited:"
VIRTUAL_ANCESTOR = "ancestor:"
NON_OUTLET_KINDS = frozenset({"institution", "person", "government"})


@dataclass(frozen=True)
class LineageParams:
    # Far below a reuse arc (closeness 0.5 already gives 0.06 x direction), so a document
    # with aligned text in the collection hangs under that text, not under a credited outlet.
    citation_weight: float = 0.02
    mention_weight: float = 0.01
    closeness_power: float = 4.0
    coverage_power: float = 1.0
    credit_elsewhere_factor: float = 0.5  # see _credited_elsewhere
    candidate_parents: int = 10  # heaviest incoming arcs kept per document for the branching
    direction: DirectionParams = field(default_factory=DirectionParams)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _strength(pair: PairScore) -> float:
    if pair.relation in VERBATIM_RELATIONS:
        return 1.0
    return max(0.0, 1.0 - pair.p_value)


def _explained(pair: PairScore, power: float) -> tuple[float, float]:
    """How much of B, and of A, the other document accounts for (module docstring), to ``power``."""
    share_b = max(pair.coverage_b, pair.containment_b_in_a)
    share_a = max(pair.coverage_a, pair.containment_a_in_b)
    return max(share_b, 1e-3) ** power, max(share_a, 1e-3) ** power


def wording_closeness(pairs: Sequence[PairScore], documents: Sequence[Document]) -> dict[tuple[str, str], float]:
    """How close each pair's texts are: the copy is closest to the text it was made from.

    Within a language, the cosine of word unigram+bigram TF-IDF vectors
    (casefolded surface words), fitted on the documents of ``pairs`` only, so
    the idf reflects the reuse families, where the wording that differs between
    versions matters.  Across languages (``cross_language``) no surface word is
    shared: the mean score of the in-order aligned passages times the smaller
    aligned share (a translation renders all of its source, a distant relative
    a part), mapped onto the scale of the same-language cosines by quantile
    (:func:`_on_cosine_scale`).
    """
    out: dict[tuple[str, str], float] = {}
    for p in pairs:
        if p.cross_language:
            in_order = [al.score for al in p.alignments if al.in_order]
            out[(p.a, p.b)] = float(np.mean(in_order)) * min(p.coverage_a, p.coverage_b) if in_order else 0.0
    same = [p for p in pairs if not p.cross_language]
    if not same:
        return out
    cosines = _surface_cosines(same, pairs, documents)
    return {**_on_cosine_scale(out, cosines), **cosines}


def _off_copy_tree(reuse: Sequence[PairScore], closeness: dict[tuple[str, str], float]) -> set[tuple[str, str]]:
    """Near-duplicate pairs of a family of near-identical copies that are not on its copy tree.

    A family is a connected group of near-duplicates (at least three).  Inside
    it every copy is a reuse pair of nearly every other, and the direction
    evidence of far relatives (a few words, a date) easily outweighs the small
    closeness differences between them; the links a copy can have are those of
    the family's minimum spanning tree on wording distance, 1 - closeness, over
    all its same-language reuse pairs (:func:`provenance.lineage.variants.copy_tree`),
    oriented as usual.
    """
    verbatim = [(p.a, p.b) for p in reuse if p.relation is Relation.NEAR_DUPLICATE]
    family = {doc: i for i, members in enumerate(families(verbatim)) for doc in members}
    inside = {
        (p.a, p.b): 1.0 - closeness[(p.a, p.b)]
        for p in reuse
        if not p.cross_language and p.a in family and family[p.a] == family.get(p.b)
    }
    tree = copy_tree(inside)
    return {k for k in inside if not tree.has_edge(*k)}


def _on_cosine_scale(
    cross: dict[tuple[str, str], float], same: dict[tuple[str, str], float]
) -> dict[tuple[str, str], float]:
    """Cross-language closeness mapped onto the scale of the collection's same-language cosines.

    The two measures are not on one scale (a translation's meaning score runs
    higher than any rewrite's surface cosine), so a translation of a document's
    sibling would outrank the document's own source.  Each cross-language value
    is replaced by the same-language cosine of the same quantile (its rank among
    the cross-language pairs of the collection): the order within each kind is
    kept, and the closest translation weighs as much as the closest rewrite.
    """
    if not cross or len(same) < 2:
        return cross
    keys = list(cross)
    values = np.array([cross[k] for k in keys])
    ranks = np.argsort(np.argsort(values, kind="stable"), kind="stable")
    quantiles = ranks / max(len(values) - 1, 1)
    mapped = np.quantile(np.array(sorted(same.values())), quantiles)
    return {k: float(v) for k, v in zip(keys, mapped, strict=True)}


def _surface_cosines(
    same: Sequence[PairScore], pairs: Sequence[PairScore], documents: Sequence[Document]
) -> dict[tuple[str, str], float]:
    """Word 1-2-gram TF-IDF cosines of the same-language pairs (see :func:`wording_closeness`)."""
    ids = sorted({p.a for p in pairs} | {p.b for p in pairs})  # every reuse family sets the idf
    by_id = documents_by_id(documents)  # a stored collection's texts are read back when looked up
    row = {doc_id: i for i, doc_id in enumerate(ids)}
    vectors = surface_tfidf([by_id[i].text for i in ids])
    if vectors is None:  # no word of two letters in any of them (e.g. only digits): nothing to tell apart
        return {(p.a, p.b): 1.0 for p in same}
    cosines = vectors.cosines([row[p.a] for p in same], [row[p.b] for p in same])
    return {(p.a, p.b): float(c) for p, c in zip(same, cosines, strict=True)}


@dataclass
class _Arc:
    weight: float  # what the branching maximises
    evidence: list[Evidence]
    direction: str
    pair: PairScore | None = None
    confidence: float = 0.0  # reported on the edge; for document arcs, see _parent_confidence


def _cited_outlets(mentions: Sequence[CitedSource], kind_of: dict[str, str | None]) -> dict[str, float]:
    """Credited outlets of one document with a citation score (cued mentions count more)."""
    score: dict[str, float] = {}
    for m in mentions:
        if kind_of.get(m.name) in NON_OUTLET_KINDS:
            continue
        score[m.name] = score.get(m.name, 0.0) + (1.0 if m.cue and m.cue != "mention" else 0.5)
    return score


def _outlet_spellings(outlet: dict[str, str | None]) -> dict[str, str]:
    """The collection's spelling of each outlet, by its key (:func:`~provenance.sources.fold_name`)."""
    from provenance.sources import fold_name

    return {fold_name(o): o for o in outlet.values() if o}


def _one_name_per_outlet(mentions: list[CitedSource], by_key: dict[str, str]) -> list[CitedSource]:
    """Credits renamed to the collection's spelling of the outlet, so one outlet is one node.

    A name outside the catalog is reported as written ("the Baltic Courier",
    "The Alpine Ledger"); when its key (:func:`~provenance.sources.fold_name`)
    is the key of a document's outlet (``by_key``: :func:`_outlet_spellings`), the
    outlet's spelling is used, so a credit meets the documents of the outlet it credits.
    """
    from provenance.sources import fold_name

    def name(n: str) -> str:
        return by_key.get(fold_name(n), n)

    return [replace(m, name=name(m.name), via=name(m.via) if m.via else "") for m in mentions]


def _credited_elsewhere(
    arcs: dict[tuple[str, str], _Arc],
    mentions: dict[str, list[CitedSource]],
    cited: dict[str, dict[str, float]],
    outlet: dict[str, str | None],
    present: set[str],
    declared: set[str],
    params: LineageParams,
) -> None:
    """Weaken a document parent that cannot be where a copy's credit came from.

    A copy that credits, with an attribution cue, an outlet absent from the
    collection ("according to L'Araldo") took its text from that outlet, or
    from a relay that carries the same credit (copies keep their credits).  A
    candidate parent that neither carries that credit nor is credited itself is
    then an unlikely source: its arc weighs at most ``credit_elsewhere_factor``
    times a cued credit's (``citation_weight``), so the ``cited:`` node wins
    while such arcs keep their order among themselves.  A
    declared original (``--source``) is exempt: the user says where the text
    comes from.

    On the story families, of the 31 articles that credit an absent outlet
    and have a parent in the collection, every parent carries that credit or
    is credited itself; 18 more have the absent outlet as their parent.
    """
    absent: dict[str, set[str]] = {}
    for doc_id, outlets in cited.items():
        names = {n for n, score in outlets.items() if score >= 1.0 and n not in present and n != outlet[doc_id]}
        names |= {m.via for m in mentions[doc_id] if m.via and m.via not in present and m.via != outlet[doc_id]}
        if names:
            absent[doc_id] = names
    for (src, dst), arc in arcs.items():
        if dst not in absent or src not in mentions or src in declared:
            continue
        carried = {m.name for m in mentions[src]} | {m.via for m in mentions[src] if m.via}
        if carried & absent[dst] or (outlet[src] and outlet[src] in cited[dst]):
            continue
        arc.weight = min(arc.weight, params.citation_weight) * params.credit_elsewhere_factor
        credited = ", ".join(sorted(absent[dst]))
        arc.evidence.append(Evidence("credit-elsewhere", 0.0, f"{dst} credits {credited}, which {src} does not credit"))


def _parent_confidence(arc: _Arc, pair: PairScore, graph: nx.DiGraph, target: str) -> float:
    """Confidence that the source of ``arc`` (from the reuse ``pair``) is the parent of ``target``.

    The product of three probabilities-like terms: the pair is real reuse
    (``1 - p_value``), the text went this way (``arc.confidence``, the
    direction sigmoid), and no other candidate parent is as likely (this
    arc's share of the weight of all arcs into ``target``).
    """
    into = sum(w for _, _, w in graph.in_edges(target, data="weight"))
    share = arc.weight / into if into > 0 else 1.0
    return _strength(pair) * arc.confidence * share


def maximum_branching(graph: nx.DiGraph, candidate_parents: int) -> set[tuple[str, str]]:
    """Arcs of a maximum-weight branching of ``graph`` (arc attribute ``weight``).

    Edmonds' algorithm on arrays (:mod:`provenance.lineage.branching`; networkx's
    copies the graph at every contraction, so its cost grows with contractions x
    arcs: 4.3 GB on 2,000 short overlapping texts).  Two reductions keep it near linear:

    * each node keeps only its ``candidate_parents`` heaviest incoming arcs (a
      parent is chosen among the most likely ones; a cycle among them is broken
      by the next best or by leaving the node a root, as before);
    * a node without incoming arcs (a virtual ``cited:`` source, an original)
      has no parent to choose and lies on no cycle, so the graph without those
      nodes splits into weakly connected components that are solved apart
      (exact: the branching of the whole is the union of theirs).
    """
    # each node's kept arcs, heaviest first (ties by parent id): also the fixed order in which they
    # reach Edmonds, so equal weights, as between two copies with balanced evidence, are broken the
    # same way in every run, whatever the hash seed
    heaviest = {
        node: sorted(graph.in_edges(node, data="weight"), key=lambda e: (-e[2], e[0]))[:candidate_parents]
        for node in graph
    }
    kept = nx.DiGraph()
    kept.add_nodes_from(graph)
    for incoming in heaviest.values():
        kept.add_weighted_edges_from(incoming)
    parentless = {n for n in kept if kept.in_degree(n) == 0}
    chosen: set[tuple[str, str]] = set()
    for component in nx.weakly_connected_components(kept.subgraph(set(kept) - parentless)):
        arcs = [arc for v in sorted(component) for arc in heaviest[v]]
        nodes = sorted({u for u, _, _ in arcs} | set(component))
        chosen |= maximum_branching_arcs(nodes, arcs)  # networkx's: GBs
    return chosen


def _cited_sources(shared: tuple[Sequence[Document], OutletCatalog], rows: Sequence[int]) -> list[list[CitedSource]]:
    from provenance.sources import extract_cited_sources

    documents, catalog = shared
    return [extract_cited_sources(documents[k], catalog) for k in rows]


DIRECTION_CHUNK = 128  # reuse pairs a worker takes at a time (their documents' details are cached in it)


@dataclass(frozen=True)
class _DirectionInputs:
    """What :func:`~provenance.lineage.direction.direction_evidence` reads besides a pair (shared with the workers)."""

    by_id: Mapping[str, Document]
    cited: dict[str, dict[str, float]]
    outlet: dict[str, str | None]
    reference_ids: set[str]
    params: DirectionParams
    credit_words: dict[str, frozenset[str]]


def _directions(shared: _DirectionInputs, pairs: Sequence[PairScore]) -> list[DirectionEvidence]:
    """The direction evidence of each pair (consecutive reuse pairs: a document's details are reused)."""
    out = []
    for pair in pairs:
        a, b = shared.by_id[pair.a], shared.by_id[pair.b]
        out.append(
            direction_evidence(
                pair,
                a,
                b,
                set(shared.cited[a.id]),
                set(shared.cited[b.id]),
                shared.outlet[a.id],
                shared.outlet[b.id],
                shared.reference_ids,
                shared.params,
                shared.credit_words[a.id] | shared.credit_words[b.id],
            )
        )
    return out


def _credits_and_closeness(
    documents: Sequence[Document], catalog: OutletCatalog, reuse: Sequence[PairScore]
) -> tuple[list[list[CitedSource]], dict[tuple[str, str], float]]:
    """The documents' credits (:func:`_cited_sources`, on every core) and the reuse pairs' :func:`wording_closeness`.

    The closeness is computed by a thread of this process while the workers
    extract the credits.  The thread starts once the workers are forked (after
    the first chunk of credits is in), so no process is forked while it runs.
    """
    stream = parallel_iter(_cited_sources, range(len(documents)), (documents, catalog))
    credits = list(islice(stream, 1))
    with ThreadPoolExecutor(max_workers=1) as pool:
        closeness = pool.submit(wording_closeness, reuse, documents)
        credits.extend(stream)
        return credits, closeness.result()


def build_lineage(
    result: AnalysisResult, documents: Sequence[Document], params: LineageParams | None = None
) -> AnalysisResult:
    """Fill ``result.edges`` and each document's cited sources, parent and derived share."""
    from provenance.sources import OutletCatalog

    params = params or LineageParams()
    catalog = OutletCatalog.load()
    by_id = documents_by_id(documents)
    infos = {d.id: d for d in result.documents}
    reference_ids = {d.id for d in result.documents if d.is_reference_source}

    outlet = {d.id: (catalog.canonical(d.outlet) or d.outlet) if d.outlet else None for d in fields_of(documents)}
    reuse = [p for p in result.pairs if p.relation in REUSE_RELATIONS and not p.via]  # inferred pairs: no arcs
    credits, closeness = _credits_and_closeness(documents, catalog, reuse)
    spellings = _outlet_spellings(outlet)  # once: per document it made the lineage quadratic
    mentions = {d.id: _one_name_per_outlet(c, spellings) for d, c in zip(fields_of(documents), credits, strict=True)}
    kind_of = {m.name: catalog.kind(m.name) for ms in mentions.values() for m in ms}
    cited = {doc_id: _cited_outlets(ms, kind_of) for doc_id, ms in mentions.items()}
    credit_words: dict[str, frozenset[str]] = {}
    for doc_id, ms in mentions.items():
        infos[doc_id].cited_sources = list(ms)
        # outlet names are attribution, not facts of the story: kept out of the lost-information count
        names = [m.mention for m in ms] + [m.name for m in ms] + [outlet[doc_id] or ""]
        credit_words[doc_id] = frozenset(w.casefold() for n in names for w in re.findall(r"\w+", n))
    present_outlets = {o for o in outlet.values() if o}

    arcs: dict[tuple[str, str], _Arc] = {}
    ancestors: dict[str, tuple[str, str, DirectionEvidence, PairScore, float]] = {}
    outside_tree = _off_copy_tree(reuse, closeness)
    on_tree = [pair for pair in reuse if (pair.a, pair.b) not in outside_tree]
    shared = _DirectionInputs(by_id, cited, outlet, reference_ids, params.direction, credit_words)
    evidence = parallel_map(_directions, on_tree, shared, chunk=DIRECTION_CHUNK)
    for pair, de in zip(on_tree, evidence, strict=True):
        a_id, b_id = pair.a, pair.b  # (the texts are read once, by _directions)
        total = de.total
        balanced = abs(total) < params.direction.undetermined_below
        close = closeness[(a_id, b_id)]
        strength = _strength(pair) * max(close, 0.0) ** params.closeness_power
        n_details = params.direction.common_ancestor_details
        undecided = abs(de.external) < params.direction.undetermined_below
        declared = a_id in reference_ids or b_id in reference_ids
        if undecided and not declared and min(len(de.only_a), len(de.only_b)) >= n_details:
            ancestors[f"{VIRTUAL_ANCESTOR}{a_id}+{b_id}"] = (a_id, b_id, de, pair, strength)
            continue
        direction = "undetermined" if balanced else "determined"
        # not direction evidence (weight 0): it says why this relative rather than another is the parent
        near = Evidence(
            "closeness",
            0.0,
            (
                f"meaning {close:.0%} close (mean score of the in-order aligned passages x smaller aligned share)"
                if pair.cross_language
                else f"wording {close:.0%} similar (word 1-2-gram TF-IDF cosine)"
            )
            + ": a copy is closest to its own source",
        )
        flipped = [Evidence(e.kind, -e.weight, e.detail) for e in de.evidence]
        forward, backward = _sigmoid(2 * total), _sigmoid(-2 * total)
        explains_b, explains_a = _explained(pair, params.coverage_power)
        arcs[(a_id, b_id)] = _Arc(strength * explains_b * forward, [*de.evidence, near], direction, pair, forward)
        arcs[(b_id, a_id)] = _Arc(strength * explains_a * backward, [*flipped, near], direction, pair, backward)
        for src, dst in ((a_id, b_id), (b_id, a_id)):
            if src in reference_ids:  # a declared original with aligned evidence outranks any credit
                arc = arcs[(src, dst)]
                arc.weight = max(arc.weight, 2 * params.citation_weight * _strength(pair))
                arc.direction = "determined"

    _credited_elsewhere(arcs, mentions, cited, outlet, present_outlets, reference_ids, params)

    for node, (a_id, b_id, de, pair, strength) in ancestors.items():
        note = Evidence(
            "common-ancestor",
            0.0,
            f"{a_id} and {b_id} share aligned text, and each keeps details the other lacks "
            f"({', '.join(de.only_a[:3])} / {', '.join(de.only_b[:3])}): neither copied the other",
        )
        shared_cited = sorted(set(cited[a_id]) & set(cited[b_id]) - present_outlets)
        parent = f"{VIRTUAL_CITED}{shared_cited[0]}" if shared_cited else node
        for target in (a_id, b_id):
            key = (parent, target)
            weight = max(strength * 0.5, arcs[key].weight if key in arcs else 0.0)  # 0.5: direction balanced
            arcs[key] = _Arc(weight, [note], "common-ancestor", pair, 0.5)

    for doc_id, ms in mentions.items():
        for m in ms:
            if not m.via or m.via in present_outlets or m.via == outlet[doc_id] or m.name in present_outlets:
                continue
            # "X, citing Y": the text came from Y to X (absent) and from X to this document
            key = (f"{VIRTUAL_CITED}{m.name}", f"{VIRTUAL_CITED}{m.via}")
            ev = Evidence("citation", params.citation_weight, f"{doc_id} credits {m.via}, which cites {m.name}")
            if key in arcs:
                if all(e.detail != ev.detail for e in arcs[key].evidence):
                    arcs[key].evidence.append(ev)
            else:
                arcs[key] = _Arc(params.citation_weight, [ev], "determined", None, 0.3)

    for doc_id, outlets in cited.items():
        relayed = {m.name for m in mentions[doc_id] if m.via}
        for name, score in outlets.items():
            if name in present_outlets or name == outlet[doc_id]:
                continue  # the outlet is in the collection: its documents carry the evidence
            if name in relayed:
                continue  # it reached this document through the outlet that relays it
            key = (f"{VIRTUAL_CITED}{name}", doc_id)
            cued = score >= 1.0
            weight = params.citation_weight if cued else params.mention_weight
            weight *= min(1.5, 1.0 + 0.1 * (score - 1))  # repeated credit: slightly stronger
            confidence = (0.3 if cued else 0.2) * min(1.5, 1.0 + 0.1 * (score - 1))
            ev = Evidence("citation", weight, f"{doc_id} credits {name} ({score:g} attribution(s))")
            if key in arcs:
                arcs[key].evidence.append(ev)
                arcs[key].weight = max(arcs[key].weight, weight)
            else:
                arcs[key] = _Arc(weight, [ev], "determined", None, confidence)

    graph = nx.DiGraph()
    graph.add_nodes_from(infos)
    for (s, t), arc in arcs.items():
        if t in reference_ids or s == t:
            continue
        graph.add_edge(s, t, weight=arc.weight)
    branching = maximum_branching(graph, params.candidate_parents)

    edges: list[LineageEdge] = []
    for s, t in sorted(branching):
        arc = arcs[(s, t)]
        confidence = arc.confidence
        if arc.pair is not None and arc.direction != "common-ancestor":
            confidence = _parent_confidence(arc, arc.pair, graph, t)
        edges.append(LineageEdge(s, t, round(confidence, 4), arc.evidence, arc.direction))
        if t not in infos:
            continue  # a relay between two absent outlets (cited:Y -> cited:X)
        info = infos[t]
        info.parent = s
        if arc.pair is not None:  # a document parent, or the common ancestor of a pair
            info.derived_share = arc.pair.coverage_b if arc.pair.b == t else arc.pair.coverage_a
            if arc.pair.relation in VERBATIM_RELATIONS:
                info.derived_share = arc.pair.containment_b_in_a if arc.pair.b == t else arc.pair.containment_a_in_b
    result.edges = edges
    clear_caches()
    return result
