"""The whole pipeline as plain stages; each stage's output is a typed record.

    load -> normalize -> signatures -> candidates -> scoring/alignment -> clusters -> lineage

:func:`analyze` runs every stage on a list of documents and returns an
:class:`~provenance.records.AnalysisResult`; the CLI, the report and the
benchmarks call it.  The stages are also importable on their own.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from provenance.arrays import unique_sorted
from provenance.candidates.neighbours import (
    document_frequencies,
    exact_cosines,
    inverted_index,
    neighbour_block,
    probe_rows,
    usable_columns,
)
from provenance.candidates.pairs import CandidatePairs, candidate_set, candidate_set_of_keys, pair_keys
from provenance.clusters import build_clusters
from provenance.engines.memory import release_freed_memory
from provenance.engines.parallel import Beside, parallel_iter, parallel_map, thread_map
from provenance.engines.spill import SpilledRows
from provenance.errors import InputError
from provenance.load.store import StoredDocuments, fields_of, texts_of
from provenance.neardup import NearDupPair, find_near_duplicates, intersection_sizes, overlap_of
from provenance.normalize.language import Posteriors, detect_languages, load_model, sample_posteriors
from provenance.records import (
    AnalysisResult,
    Document,
    DocumentInfo,
    PairScore,
    Relation,
    SkippedInput,
    with_language,
)
from provenance.scoring.align import (
    PassageAlignment,
    PassageProfile,
    TermSpace,
    alignment_of_cells,
)
from provenance.scoring.families import FamilyParams, infer_family_pairs, measured
from provenance.scoring.parts import documents_part
from provenance.scoring.relation import RelationParams, classify_pair, needs_alignment
from provenance.scoring.table import ProfileTable, TableBuilder, TablePart
from provenance.scoring.weights import TermWeights
from provenance.signatures.minhash import MinHasher
from provenance.signatures.setstore import HashSetStore, set_sizes
from provenance.signatures.shingles import ShingleSpec, shingle_hash_chunks

T = TypeVar("T")
Cell = tuple[int, int, float]  # (passage of a, passage of b, match score)
NEIGHBOUR_BLOCK = 1024  # rows of the TF-IDF matrix probed at a time
# documents profiled per batch: a batch numbers its words once (documents_part) and the parent maps each
# batch's vocabulary into the collection's; at 256 the batches' vocabularies were twice as long in all
PROFILE_CHUNK = 1024
SCORE_CHUNK = 1024  # candidate pairs scored per task (most are unrelated: little comes back)


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
    families: FamilyParams | None = field(default_factory=FamilyParams)  # None: no pairs through a third document


def _language_posteriors(texts: Sequence[str], rows: Sequence[int]) -> list[Posteriors]:
    return [sample_posteriors([texts[k] for k in rows])]


D = TypeVar("D", bound=Sequence[Document])


def assign_languages(documents: D, parallel: bool = False) -> D:
    """Documents with ``language`` set: the declared one, else the detected one (or "und").

    Undeclared languages are detected together (:func:`~provenance.normalize.language.detect_languages`):
    a text the model finds ambiguous takes the language of the documents it comes with.
    ``parallel``: the language model runs on every core (:mod:`provenance.engines.parallel`).
    Returns a list, or :class:`~provenance.load.store.StoredDocuments` for stored ones (texts not read twice).
    """
    fields = fields_of(documents)
    todo = [k for k, d in enumerate(fields) if not d.language]
    texts = documents.take(todo).texts if isinstance(documents, StoredDocuments) else [documents[k].text for k in todo]
    if parallel and todo:
        load_model()  # once, shared by the workers
    probabilities = (
        Posteriors.join(parallel_iter(_language_posteriors, range(len(texts)), texts), len(texts)) if parallel else None
    )
    guesses = iter(detect_languages(texts, probabilities=probabilities))
    out = [with_language(d, d.language.lower().split("-")[0] if d.language else next(guesses).code) for d in fields]
    if isinstance(documents, StoredDocuments):
        return documents.with_fields(out)  # type: ignore[return-value]
    return out  # type: ignore[return-value]


def document_vectors(profiles: ProfileTable | Sequence[PassageProfile]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF vectors of the documents' content stems (rows follow ``profiles``).

    A document's bag holds each stem once per passage that has it (:meth:`ProfileTable.stem_counts`),
    weighed by :func:`tfidf_vectors`.
    """
    table = profiles if isinstance(profiles, ProfileTable) else ProfileTable.from_profiles(profiles)
    return tfidf_vectors(table.stem_counts(dtype=np.float64))


WEIGH_BLOCK = 16_384  # rows weighed at a time (a block per core at once)
FREQUENCY_BLOCK = 65_536  # rows whose document frequencies are counted at a time (a count per column each)


def _fitted_weigher(counts: sparse.csr_matrix) -> TfidfTransformer:
    """The transformer :func:`tfidf_vectors` applies, fitted on ``counts`` without a copy of its column indices.

    ``TfidfTransformer.fit`` counts document frequencies with one ``np.bincount`` over every
    entry's column, which first widens the int32 indices to int64 (2.5 GB at a million
    documents) beside the counts.  Here they are counted :data:`FREQUENCY_BLOCK` rows at a time
    (:func:`~provenance.candidates.neighbours.document_frequencies`) and the idf is set with
    the transformer's own smoothed formula, ``ln((1 + n) / (1 + df)) + 1``, in its order of
    operations: the bits of ``fit(counts)`` (a test holds them equal).
    """
    n = counts.shape[0]
    df = document_frequencies(counts, FREQUENCY_BLOCK)
    weigh = TfidfTransformer(sublinear_tf=True, norm="l2").fit(counts[:1])  # its width; the idf is set below
    smoothed = df.astype(np.float64) + 1.0
    idf = np.full_like(smoothed, fill_value=n + 1, dtype=np.float64)
    idf /= smoothed
    np.log(idf, out=idf)
    idf += 1.0
    weigh.idf_ = idf
    return weigh


def tfidf_vectors(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """``counts`` (float64, CSR) weighed in place into L2-normalised TF-IDF vectors, and returned.

    scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfTransformer` (sublinear tf,
    smoothed idf), as ``TfidfVectorizer`` over the bags would weigh them.  It is fitted on the
    whole matrix (:func:`_fitted_weigher`) and applied to :data:`WEIGH_BLOCK` rows at a time,
    each block's values written back in place: applied to the whole matrix at once it gathers a float64 idf per entry
    (2.5 GB at a million documents) beside the counts.  Every step is per entry or per row, so the
    bits are those of the whole-matrix transform.
    """
    if counts.nnz == 0:
        return sparse.csr_matrix((counts.shape[0], 1))
    weigh = _fitted_weigher(counts)

    def weighed(start: int) -> None:
        stop = min(counts.shape[0], start + WEIGH_BLOCK)
        lo, hi = counts.indptr[start], counts.indptr[stop]
        block = weigh.transform(counts[start:stop], copy=False)  # (the row slice is a copy)
        if block.nnz != hi - lo:
            raise AssertionError("the TF-IDF weighing changed the entries of a block")
        counts.data[lo:hi] = block.data

    for _ in thread_map(weighed, range(0, counts.shape[0], WEIGH_BLOCK)):  # blocks of rows apart: in threads
        pass
    return counts


Probe = tuple[sparse.csr_matrix, np.ndarray, sparse.csr_matrix, int, float]  # vectors, usable, inverted, k, floor


def _neighbour_blocks(shared: Probe, starts: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`~provenance.candidates.neighbours.neighbour_block` of the blocks of rows beginning at ``starts``.

    Each block's pairs as ``(keys, cosines)`` (:func:`~provenance.candidates.pairs.pair_keys` of width ``n``).
    """
    vectors, usable, inverted, k, floor = shared
    n = vectors.shape[0]
    out = []
    for s in starts:
        e = min(n, s + NEIGHBOUR_BLOCK)
        i, j, cosines = neighbour_block(vectors, probe_rows(vectors, usable, s, e), inverted, s, e, k, floor)
        out.append((pair_keys(i, j, n), cosines))
    return out


def _near_pairs(near: Sequence[NearDupPair]) -> np.ndarray:
    """The near-duplicate pairs as rows ``(i, j)``, ``i < j``, ascending and each once: an ``(m, 2)`` int64 array."""
    return np.array(sorted({(min(p.i, p.j), max(p.i, p.j)) for p in near}), dtype=np.int64).reshape(-1, 2)


def candidate_pairs(vectors: sparse.csr_matrix, near: Sequence[NearDupPair], config: PipelineConfig) -> CandidatePairs:
    """Stage *candidates*: pairs of rows (i < j) with their TF-IDF cosine.

    All pairs above ``story_threshold / 2`` for small collections; otherwise each
    document's ``neighbors`` nearest neighbours by cosine found through an
    inverted index of its rarest terms (:mod:`provenance.candidates.neighbours`,
    below quadratic), plus every near-duplicate pair.
    """
    n = vectors.shape[0]
    floor = config.relation.story_threshold / 2
    found: list[tuple[np.ndarray, np.ndarray]] = []
    if n <= config.all_pairs_limit:
        for start in range(0, n, 512):
            sims = (vectors[start : start + 512] @ vectors.T).toarray()
            rows = np.arange(start, start + sims.shape[0])
            sims[rows - start, rows] = -1.0
            r, j = np.nonzero(sims >= floor)
            found.append((pair_keys(start + r, j, n), sims[r, j]))
    else:
        usable = usable_columns(vectors)  # the probe rows are taken in the workers, block by block
        shared = (vectors, usable, inverted_index(vectors, usable), min(config.neighbors, n - 1), floor)
        # in the order of the rows, as a loop over the blocks would give them
        found = parallel_map(_neighbour_blocks, range(0, n, NEIGHBOUR_BLOCK), shared, chunk=1, min_items=2)
        del shared  # the inverted index (~1 GB at a million documents) before the pairs are sorted
    keys, cosines = (np.concatenate(parts) for parts in zip(*found, strict=True)) if found else (np.zeros(0),) * 2
    del found
    width = max(n, 1)
    out = candidate_set_of_keys(keys, cosines, width)
    del keys, cosines
    near_pairs = _near_pairs(near)
    if len(near_pairs):
        have = pair_keys(out.pairs[:, 0], out.pairs[:, 1], width)
        wanted = pair_keys(near_pairs[:, 0], near_pairs[:, 1], width)
        missing = near_pairs[~np.isin(wanted, have)]
        if len(missing):
            out = candidate_set(
                np.concatenate([out.pairs[:, 0], missing[:, 0]]),
                np.concatenate([out.pairs[:, 1], missing[:, 1]]),
                np.concatenate([out.cosines, exact_cosines(vectors, missing)]),
            )
    return out


def _with_sources(documents: Sequence[Document], sources: Sequence[Document]) -> Sequence[Document]:
    """``sources`` then ``documents`` minus those that are also declared as sources (same id and text).

    Declaring an article of the collection as a known original (``--source
    seeds/003.txt`` with ``seeds/``) is natural; the source record wins.  The
    same id with another text is an error, not a guess.  Stored documents
    (:class:`~provenance.load.store.StoredDocuments`) stay stored; only the
    texts of the documents that share a source's id are read.
    """
    by_id = {s.id: s for s in sources}
    kept = []
    for k, d in enumerate(fields_of(documents)):
        src = by_id.get(d.id)
        if src is None:
            kept.append(k)
        elif src.text != documents[k].text:
            raise InputError(
                f"source {src.id!r} has the same id as a document of the collection but a different text; "
                "rename one of the files"
            )
    if isinstance(documents, StoredDocuments):
        rest = documents if len(kept) == len(documents) else documents.take(kept)
        return rest.after(sources) if sources else rest
    return [*sources, *(documents[k] for k in kept)]


@dataclass
class ScoringState:
    """What scoring a candidate pair needs, for a whole collection (built once, read-only afterwards).

    Rows of ``hash_sets`` and ``profiles`` (a :class:`~provenance.scoring.table.ProfileTable`)
    follow ``ids``.  The local executor passes batches of candidate pairs with this state to :func:`score_pairs`;
    a distributed executor can run the same function on its partitions.
    """

    ids: Sequence[str]
    hash_sets: Sequence[np.ndarray]
    profiles: ProfileTable
    weights: TermWeights
    space: TermSpace | None
    params: RelationParams
    level: str = "rewrite"
    embeddings: dict[int, np.ndarray] = field(default_factory=dict)  # passage vectors of cross-language documents


_EMPTY_ALIGNMENT = PassageAlignment([], [], 0, 1.0, 0.0, 0.0)


def _pair_cells(batch: Sequence[tuple[int, int, float]], state: ScoringState) -> dict[tuple[int, int], list[Cell]]:
    """The passage match cells of every pair of ``batch``, keyed ``(a, b)`` as :func:`score_pairs` orders them.

    The pairs within a language and those across languages are each scored in
    sparse products over the whole batch (:meth:`TermSpace.cells_of_pairs`); the
    scores are those of each pair alone.
    """
    assert state.space is not None
    ids, languages = state.ids, state.profiles.languages
    groups: dict[bool, list[tuple[int, int]]] = {False: [], True: []}
    for i, j, _ in batch:
        groups[languages[i] != languages[j]].append((i, j))
    out: dict[tuple[int, int], list[Cell]] = {}
    for cross, pairs in groups.items():
        for (i, j), cells in zip(pairs, state.space.cells_of_pairs(pairs, cross, state.params.align), strict=True):
            out[(i, j) if ids[i] < ids[j] else (j, i)] = (
                cells if ids[i] < ids[j] else sorted((cj, ci, v) for ci, cj, v in cells)
            )
    return out


def score_pairs(batch: Sequence[tuple[int, int, float]], state: ScoringState) -> list[PairScore]:
    """Stage *scoring/alignment* over a batch of candidate pairs ``(i, j, tfidf cosine)``.

    Returns the pairs that are not unrelated, each with its relation, overlaps
    and aligned passages (``a`` is the smaller id).
    """
    out: list[PairScore] = []
    ids, table = state.ids, state.profiles
    languages = table.languages
    params = state.params
    rows = np.array([(i, j) for i, j, _ in batch], dtype=np.int64).reshape(-1, 2)
    shared = intersection_sizes(state.hash_sets, rows)
    sizes = dict(zip(rows.ravel().tolist(), set_sizes(state.hash_sets, rows.ravel()).tolist(), strict=True))
    overlaps = [overlap_of(inter, sizes[i], sizes[j]) for (i, j, _), inter in zip(batch, shared.tolist(), strict=True)]
    aligned = [
        state.level != "near-duplicate"
        and needs_alignment(*ov, min(sizes[i], sizes[j]), cosine, languages[i] != languages[j], params)
        for (i, j, cosine), ov in zip(batch, overlaps, strict=True)
    ]
    to_align = [p for p, keep in zip(batch, aligned, strict=True) if keep]
    if to_align and state.space is None:
        state.space = TermSpace(table, state.weights)  # a caller's state without one
    cells = _pair_cells(to_align, state) if to_align else {}
    spans: dict[int, tuple[list[tuple[int, int]], int]] = {}

    def spans_of(k: int) -> tuple[list[tuple[int, int]], int]:
        found = spans.get(k)
        if found is None:
            found = spans[k] = (table.spans(k), int(table.text_lengths[k]))
        return found

    for (i, j, cosine), (jac, c_ij, c_ji), align in zip(batch, overlaps, aligned, strict=True):
        a, b = (i, j) if ids[i] < ids[j] else (j, i)
        c_ab, c_ba = (c_ij, c_ji) if a == i else (c_ji, c_ij)
        if not align:
            alignment = _EMPTY_ALIGNMENT
        else:
            ea, eb = state.embeddings.get(a), state.embeddings.get(b)
            alignment = alignment_of_cells(
                spans_of(a),
                spans_of(b),
                cells[(a, b)],
                (ea, eb) if ea is not None and eb is not None and languages[a] != languages[b] else None,
                state.params.align,
            )
        smaller = min(sizes[a], sizes[b])
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
                cross_language=languages[a] != languages[b],
            )
        )
    return out


def passage_embeddings(
    docs: Sequence[Document], profiles: ProfileTable, pairs: np.ndarray | Iterable[tuple[int, int]], progress: bool
) -> dict[int, np.ndarray]:
    """Stage *embeddings*: unit passage vectors of every document with a candidate in another language.

    ``pairs``: rows of candidate pairs, an ``(m, 2)`` array or ``(i, j)`` tuples.
    """
    rows = np.asarray(pairs if isinstance(pairs, np.ndarray) else list(pairs), dtype=np.int64).reshape(-1, 2)
    _, language = np.unique(np.asarray(profiles.languages, dtype=object), return_inverse=True)
    cross = rows[language[rows[:, 0]] != language[rows[:, 1]]]
    wanted = unique_sorted(cross).tolist()
    if not wanted:
        return {}
    try:
        from provenance.scoring.embed import load_encoder

        load_encoder()  # once, before the workers fork
    except ImportError as exc:  # the encoder is a dependency; without it, anchors alone align translations
        warnings.warn(
            f"the multilingual sentence encoder is not installed ({exc}); documents in different languages "
            "are aligned on names and numbers only (reinstall provenance to restore it)",
            stacklevel=2,
        )
        return {}
    bar = "embedding passages" if progress else None
    vectors = parallel_map(
        _embedded, wanted, (docs, profiles), chunk=EMBED_CHUNK, min_items=2 * EMBED_CHUNK, progress=bar
    )
    return dict(zip(wanted, vectors, strict=True))


EMBED_CHUNK = 16  # documents embedded per task (a document's vectors do not depend on the others')


def _embedded(shared: tuple[Sequence[Document], ProfileTable], rows: Sequence[int]) -> list[np.ndarray]:
    """The passage vectors of documents ``rows``, each embedded on its own (the same bits in any process)."""
    from provenance.scoring.embed import embed_passages

    docs, profiles = shared
    out = []
    for k in rows:
        text = docs[k].text
        out.append(embed_passages([text[s:e] for s, e in profiles.spans(k)]))
    return out


def _measured(
    ids: Sequence[str], hash_sets: Sequence[np.ndarray], vectors: SpilledRows, profiles: ProfileTable
) -> Callable[[PairScore], PairScore]:
    """Completes an inferred pair (:func:`provenance.scoring.families.measured`)."""
    row = {doc_id: k for k, doc_id in enumerate(ids)}
    first_two = np.array([[0, 1]], dtype=np.int64)

    def complete(pair: PairScore) -> PairScore:
        a, b = row[pair.a], row[pair.b]
        cosine = float(exact_cosines(vectors.rows([a, b]), first_two)[0])  # the same bits as on the whole matrix
        texts = (int(profiles.text_lengths[a]), int(profiles.text_lengths[b]))
        cross = profiles.languages[a] != profiles.languages[b]
        return measured(pair, (hash_sets[a], hash_sets[b]), cosine, texts, cross)

    return complete


def profile_part(docs: Sequence[Document]) -> TablePart:
    """Stage *normalisation* over a batch: the documents' profiles as a table part, with their term counts.

    Only integer arrays and one vocabulary (and list of surface forms) per batch leave
    the stage, not a set of strings per passage (:func:`~provenance.scoring.parts.documents_part`:
    the table part of each document's :func:`~provenance.scoring.align.build_profile`, made for the batch at once).
    """
    return documents_part(docs)


def _profiles(docs: Sequence[Document], rows: Sequence[int]) -> list[TablePart]:
    return [profile_part([docs[k] for k in rows])]


def _verbatim(
    texts: Sequence[str], spec: ShingleSpec, config: PipelineConfig
) -> tuple[HashSetStore, list[NearDupPair]]:
    """Stages *signatures*, *candidates* and *verification* of verbatim reuse: shingle-hash sets and near-duplicates.

    The sets go to disk a chunk of texts at a time (:class:`~provenance.signatures.setstore.HashSetStore`),
    each chunk signed as it comes; verification and scoring read back the sets of their pairs.
    """
    hash_sets = HashSetStore()
    hasher = MinHasher(config.num_perm, config.seed)
    signatures = []
    for hashes, offsets in shingle_hash_chunks(texts, spec):  # vectorised over ~0.5 MB of text
        hash_sets.add_flat(hashes, offsets)
        signatures.append(hasher.signatures_flat(hashes, offsets))
    near = find_near_duplicates(
        hash_sets,
        threshold=min(config.threshold, config.relation.near_duplicate_threshold),
        num_perm=config.num_perm,
        seed=config.seed,
        progress=config.progress,
        signatures=np.concatenate(signatures) if signatures else None,
    )
    return hash_sets, near


def _score(shared: tuple[ScoringState, CandidatePairs], rows: Sequence[int]) -> list[PairScore]:
    """:func:`score_pairs` of the candidates at ``rows`` (consecutive positions: a chunk of a range)."""
    state, cands = shared
    start = rows[0] if len(rows) else 0
    return score_pairs(cands.batch(start, start + len(rows)), state)


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
    docs = assign_languages(_with_sources(documents, sources), parallel=True)
    if not docs:
        raise InputError("no documents to analyse")
    fields = fields_of(docs)  # ids, languages, outlets without reading stored texts back
    ids = [d.id for d in fields]
    dup_ids = [i for i, c in Counter(ids).items() if c > 1]
    if dup_ids:
        raise InputError(f"duplicate document id(s): {', '.join(sorted(dup_ids)[:5])}")
    scored = set(ids)
    context_docs = assign_languages([d for d in context if d.id not in scored])
    source_ids = {d.id for d in sources}
    release_freed_memory()  # of reading and language detection, before the workers fork

    # normalisation into passages; beside it (on the parent's core), signatures -> candidates ->
    # verification of verbatim reuse
    spec = ShingleSpec.parse(config.shingle)
    verbatim = Beside(lambda: _verbatim(texts_of(docs), spec, config))
    builder = TableBuilder()
    progress = "passages" if config.progress else None
    for part in verbatim.watch(
        parallel_iter(_profiles, range(len(docs)), docs, chunk=PROFILE_CHUNK, progress=progress)
    ):
        builder.add(part)  # while the workers go on with the next chunks
    if context_docs:
        builder.add(profile_part(context_docs))
    hash_sets, near = verbatim.result()
    every = builder.table()
    stats = builder.term_stats()
    del builder  # the table and the term statistics hold what is needed of the parts
    release_freed_memory()  # of the parts, and of the shingling's token lists
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="provenance-weights") as beside:
        # the term weights (Python) are fitted while the counts are summed and weighed (numpy and scipy,
        # which leave the interpreter lock); the thread ends before the candidate stage forks its workers
        fitted = beside.submit(TermWeights().fit_stats, stats)
        counts = every.stem_counts(dtype=np.float64)  # the TF-IDF vectors' counts (document_vectors)
        restore_table = every.parked()  # on disk while the vectors are weighed and the candidates found
        del every
        release_freed_memory()
        vectors = tfidf_vectors(counts)
        del counts
        weights = fitted.result()
    del stats
    if vectors.shape[0] != len(docs):  # (a slice is a copy: only when context documents follow)
        vectors = vectors[: len(docs)]
    if config.level == "near-duplicate":
        keys = _near_pairs(near)
        cands = CandidatePairs(keys, exact_cosines(vectors, keys))
    else:
        cands = candidate_pairs(vectors, near, config)
    vector_rows = SpilledRows(vectors)  # from here on, only inferred pairs read a few rows
    del vectors
    release_freed_memory()
    profiles = restore_table().head(len(docs))

    state = ScoringState(
        ids=ids,
        hash_sets=hash_sets,
        profiles=profiles,
        weights=weights,
        space=TermSpace(profiles, weights) if config.level != "near-duplicate" else None,
        params=replace(config.relation, near_duplicate_threshold=config.threshold),
        level=config.level,
        embeddings=passage_embeddings(docs, profiles, cands.pairs, config.progress)
        if config.level == "rewrite"
        else {},
    )
    release_freed_memory()  # of the candidate and embedding stages, before the workers fork
    progress = "aligning pairs" if config.progress else None
    pairs = parallel_map(_score, range(len(cands)), (state, cands), chunk=SCORE_CHUNK, progress=progress)
    pairs.sort(key=lambda p: (p.a, p.b))
    if config.level == "rewrite" and config.families is not None:
        pairs = infer_family_pairs(pairs, config.families, _measured(ids, hash_sets, vector_rows, profiles))

    infos = [
        DocumentInfo(
            id=d.id,
            language=d.language,
            outlet=d.outlet,
            published=d.published,
            title=d.title,
            is_reference_source=d.id in source_ids,
        )
        for d in fields
    ]
    result = AnalysisResult(
        documents=infos,
        pairs=pairs,
        clusters=build_clusters(ids, pairs),
        texts=docs.texts_by_id() if isinstance(docs, StoredDocuments) else {d.id: d.text for d in docs},
        skipped=list(skipped),
    )
    if config.lineage:
        from provenance.lineage import build_lineage

        build_lineage(result, docs)
    return result
