"""The whole pipeline as plain stages; each stage's output is a typed record.

    load -> normalize -> signatures -> candidates -> scoring/alignment -> clusters -> lineage

:func:`analyze` runs every stage on a list of documents and returns an
:class:`~provenance.records.AnalysisResult`; the CLI, the report and the
benchmarks call it.  The stages are also importable on their own.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from provenance.clusters import build_clusters
from provenance.errors import InputError
from provenance.neardup import NearDupPair, exact_overlap, find_near_duplicates
from provenance.normalize.analyzer import analyzer_for
from provenance.normalize.language import UNDETERMINED, detect_languages
from provenance.records import AnalysisResult, Document, DocumentInfo, PairScore, Relation, SkippedInput
from provenance.scoring.align import PassageAlignment, PassageProfile, TermSpace, align_passages, build_profile
from provenance.scoring.relation import RelationParams, classify_pair
from provenance.scoring.weights import TermWeights
from provenance.signatures.shingles import ShingleSpec, shingle_hashes_batch

T = TypeVar("T")


@dataclass(frozen=True)
class PipelineConfig:
    """Parameters of :func:`analyze` (defaults are the documented, evaluated ones)."""

    shingle: str = "word:5"
    threshold: float = 0.5  # near-duplicate Jaccard threshold (also sets LSH bands/rows)
    num_perm: int = 128
    seed: int = 1
    relation: RelationParams = field(default_factory=RelationParams)
    level: str = "rewrite"  # "near-duplicate" skips passage alignment (fast path for huge corpora)
    all_pairs_limit: int = 400  # up to this many documents, every pair is a candidate
    neighbors: int = 15  # above it: the TF-IDF nearest neighbours of each document
    lineage: bool = True
    progress: bool = False


def _progress(items: Sequence[T], enabled: bool, desc: str) -> Iterator[T]:
    if not enabled:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=desc, file=sys.stderr, leave=False)


def assign_languages(documents: Sequence[Document]) -> list[Document]:
    """Documents with ``language`` set: the declared one, else the detected one (or "und").

    Undeclared languages are detected together (:func:`~provenance.normalize.language.detect_languages`):
    a text the model finds ambiguous takes the language of the documents it comes with.
    """
    todo = [d for d in documents if not d.language]
    guesses = iter(detect_languages([d.text for d in todo]))
    return [
        replace(d, language=d.language.lower().split("-")[0] if d.language else next(guesses).code)
        for d in documents
    ]


def document_vectors(profiles: Sequence[PassageProfile]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF vectors of the documents' content stems (rows follow ``profiles``)."""
    bags = [[t for terms in p.terms for t in terms] for p in profiles]
    if not any(bags):
        return sparse.csr_matrix((len(profiles), 1))
    vectorizer = TfidfVectorizer(analyzer=lambda bag: bag, sublinear_tf=True, norm="l2")
    return sparse.csr_matrix(vectorizer.fit_transform(bags))


def candidate_pairs(
    vectors: sparse.csr_matrix, near: Sequence[NearDupPair], config: PipelineConfig
) -> dict[tuple[int, int], float]:
    """Candidate pairs (i < j) with their TF-IDF cosine.

    All pairs above ``story_threshold / 2`` for small collections; otherwise each
    document's ``neighbors`` nearest neighbours by cosine (computed in row blocks
    so memory stays linear), plus every near-duplicate pair.
    """
    n = vectors.shape[0]
    floor = config.relation.story_threshold / 2
    out: dict[tuple[int, int], float] = {}
    block = max(1, min(512, (1 << 25) // max(n, 1)))  # a dense block of rows x n cosines stays under 256 MB
    for start in range(0, n, block):
        sims = (vectors[start : start + block] @ vectors.T).toarray()
        for r in range(sims.shape[0]):
            i = start + r
            row = sims[r]
            row[i] = -1.0
            if n <= config.all_pairs_limit:
                js = np.nonzero(row >= floor)[0]
            else:
                k = min(config.neighbors, n - 1)
                js = np.argpartition(-row, k - 1)[:k]
                js = js[row[js] >= floor]
            for j in js:
                key = (i, int(j)) if i < j else (int(j), i)
                out[key] = float(row[j])
    for p in near:
        key = (p.i, p.j) if p.i < p.j else (p.j, p.i)
        if key not in out:
            out[key] = float((vectors[key[0]] @ vectors[key[1]].T).toarray()[0, 0])
    return out


def _without_declared_sources(documents: Sequence[Document], sources: Sequence[Document]) -> list[Document]:
    """``documents`` minus those that are also declared as sources (same id and text).

    Declaring an article of the collection as a known original (``--source
    seeds/003.txt`` with ``seeds/``) is natural; the source record wins.  The
    same id with another text is an error, not a guess.
    """
    by_id = {s.id: s for s in sources}
    kept = []
    for d in documents:
        src = by_id.get(d.id)
        if src is None:
            kept.append(d)
        elif src.text != d.text:
            raise InputError(
                f"source {src.id!r} has the same id as a document of the collection but a different text; "
                "rename one of the files"
            )
    return kept


@dataclass
class ScoringState:
    """What scoring a candidate pair needs, for a whole collection (built once, read-only afterwards).

    Rows of ``hash_sets`` and ``profiles`` follow ``ids``.  The local executor
    passes batches of candidate pairs with this state to :func:`score_pairs`;
    a distributed executor can run the same function on its partitions.
    """

    ids: Sequence[str]
    hash_sets: Sequence[np.ndarray]
    profiles: Sequence[PassageProfile]
    weights: TermWeights
    space: TermSpace | None
    params: RelationParams
    level: str = "rewrite"
    embeddings: dict[int, np.ndarray] = field(default_factory=dict)  # passage vectors of cross-language documents


_EMPTY_ALIGNMENT = PassageAlignment([], [], 0, 1.0, 0.0, 0.0)


def score_pairs(batch: Sequence[tuple[int, int, float]], state: ScoringState) -> list[PairScore]:
    """Stage *scoring/alignment* over a batch of candidate pairs ``(i, j, tfidf cosine)``.

    Returns the pairs that are not unrelated, each with its relation, overlaps
    and aligned passages (``a`` is the smaller id).
    """
    out: list[PairScore] = []
    ids = state.ids
    for i, j, cosine in batch:
        a, b = (i, j) if ids[i] < ids[j] else (j, i)
        jac, c_ab, c_ba = exact_overlap(state.hash_sets[a], state.hash_sets[b])
        if state.level == "near-duplicate":
            alignment = _EMPTY_ALIGNMENT
        else:
            ea, eb = state.embeddings.get(a), state.embeddings.get(b)
            alignment = align_passages(
                state.profiles[a],
                state.profiles[b],
                state.weights,
                state.params.align,
                state.space,
                (ea, eb) if ea is not None and eb is not None else None,
            )
        smaller = min(len(state.hash_sets[a]), len(state.hash_sets[b]))
        relation = classify_pair(jac, c_ab, c_ba, smaller, cosine, alignment, state.params)
        if relation is Relation.UNRELATED:
            continue
        out.append(
            PairScore(
                a=ids[a],
                b=ids[b],
                relation=relation,
                jaccard=jac,
                tfidf_cosine=cosine,
                containment_a_in_b=c_ab,
                containment_b_in_a=c_ba,
                alignments=alignment.alignments,
                coverage_a=alignment.coverage_a,
                coverage_b=alignment.coverage_b,
                p_value=alignment.p_value,
                cross_language=state.profiles[a].language != state.profiles[b].language,
            )
        )
    return out


def passage_embeddings(
    docs: Sequence[Document], profiles: Sequence[PassageProfile], pairs: Iterable[tuple[int, int]], progress: bool
) -> dict[int, np.ndarray]:
    """Stage *embeddings*: unit passage vectors of every document with a candidate in another language."""
    wanted = sorted({k for i, j in pairs if profiles[i].language != profiles[j].language for k in (i, j)})
    if not wanted:
        return {}
    try:
        from provenance.scoring.embed import embed_passages
    except ImportError:  # the encoder is a dependency; without it, anchors alone align translations
        return {}
    out: dict[int, np.ndarray] = {}
    for k in _progress(wanted, progress, "embedding passages"):
        text = docs[k].text
        out[k] = embed_passages([text[p.start : p.end] for p in profiles[k].passages])
    return out


def analyze(
    documents: Sequence[Document],
    sources: Sequence[Document] | None = None,
    config: PipelineConfig | None = None,
    skipped: Sequence[SkippedInput] = (),
    context: Sequence[Document] = (),
) -> AnalysisResult:
    """Run every stage on ``documents`` (and the known originals ``sources``).

    ``context`` documents are not scored or reported; they only enter the
    collection statistics (term rarity, TF-IDF), so that two documents compared
    on their own are weighed as they would be inside their collection: the
    story's own vocabulary counts as common, not as shared rare words.
    """
    config = config or PipelineConfig()
    sources = list(sources or [])
    documents = _without_declared_sources(documents, sources)
    docs = assign_languages([*sources, *documents])
    if not docs:
        raise InputError("no documents to analyse")
    ids = [d.id for d in docs]
    dup_ids = [i for i, c in Counter(ids).items() if c > 1]
    if dup_ids:
        raise InputError(f"duplicate document id(s): {', '.join(sorted(dup_ids)[:5])}")
    scored = set(ids)
    context_docs = assign_languages([d for d in context if d.id not in scored])
    source_ids = {d.id for d in sources}

    # signatures -> candidates -> verification: verbatim reuse
    spec = ShingleSpec.parse(config.shingle)
    hash_sets = shingle_hashes_batch([d.text for d in docs], spec)  # vectorised over the collection
    near = find_near_duplicates(
        hash_sets,
        threshold=min(config.threshold, config.relation.near_duplicate_threshold),
        num_perm=config.num_perm,
        seed=config.seed,
        progress=config.progress,
    )

    # normalisation into passages, and document vectors
    profiles = [build_profile(d, analyzer_for(d.language)) for d in docs]
    context_profiles = [build_profile(d, analyzer_for(d.language)) for d in context_docs]
    vectors = document_vectors([*profiles, *context_profiles])[: len(docs)]
    if config.level == "near-duplicate":
        cands = {(min(p.i, p.j), max(p.i, p.j)): 0.0 for p in near}
        for key in cands:
            cands[key] = float((vectors[key[0]] @ vectors[key[1]].T).toarray()[0, 0])
    else:
        cands = candidate_pairs(vectors, near, config)

    weights = TermWeights().fit(
        (d.language or UNDETERMINED, p.surface)
        for d, p in zip([*docs, *context_docs], [*profiles, *context_profiles], strict=True)
    )
    state = ScoringState(
        ids=ids,
        hash_sets=hash_sets,
        profiles=profiles,
        weights=weights,
        space=TermSpace(profiles, weights) if config.level != "near-duplicate" else None,
        params=replace(config.relation, near_duplicate_threshold=config.threshold),
        level=config.level,
        embeddings=passage_embeddings(docs, profiles, cands, config.progress) if config.level == "rewrite" else {},
    )
    batch = [(i, j, cosine) for (i, j), cosine in sorted(cands.items())]
    pairs: list[PairScore] = []
    step = 256
    for start in _progress(range(0, len(batch), step), config.progress, "aligning pairs"):
        pairs.extend(score_pairs(batch[start : start + step], state))
    pairs.sort(key=lambda p: (p.a, p.b))

    infos = [
        DocumentInfo(
            id=d.id,
            language=d.language,
            outlet=d.outlet,
            published=d.published,
            title=d.title,
            is_reference_source=d.id in source_ids,
        )
        for d in docs
    ]
    result = AnalysisResult(
        documents=infos,
        pairs=pairs,
        clusters=build_clusters(ids, pairs),
        texts={d.id: d.text for d in docs},
        skipped=list(skipped),
    )
    if config.lineage:
        from provenance.lineage import build_lineage

        build_lineage(result, docs)
    return result
