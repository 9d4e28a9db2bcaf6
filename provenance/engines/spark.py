"""The Spark engine of ``provenance cluster --engine spark``: the local pipeline's stages, distributed.

Every stage calls the same functions as :func:`provenance.pipeline.analyze`
(``lineage=False``), so a collection gives the same documents, pairs and
clusters with either engine.  Where each stage runs:

========================  =========  ==========================================================
stage                     where      what it computes
========================  =========  ==========================================================
read                      executors  JSONL lines (``sc.textFile``) or Parquet rows into
                                     :class:`~provenance.records.Document` with the loader's
                                     field rules (:func:`~provenance.load.fields.document_from_record`);
                                     directories, CSV and TSV are read on the driver by
                                     :func:`~provenance.load.load_corpus` and parallelised
languages, signatures,    executors  per partition, in chunks: :func:`~provenance.pipeline.assign_languages`,
profiles                             :func:`~provenance.signatures.shingles.shingle_hashes_flat`,
                                     ``MinHasher(num_perm, seed).signatures_flat``,
                                     :func:`~provenance.scoring.align.build_profile`
checks                    driver     the first malformed record, duplicate ids (collects id,
                                     origin and the :class:`DocumentInfo` of each document)
LSH banding               shuffle    band key (:func:`provenance.candidates.lsh._band_keys`) ->
                                     documents; every pair of a bucket, or its consecutive members
                                     when it has more than ``LSHIndex.max_bucket`` (as the local
                                     :class:`~provenance.candidates.lsh.LSHIndex`)
verification              executors  candidate pairs joined to both shingle sets, kept when
                                     :func:`provenance.neardup.exact_overlap` Jaccard >= threshold
document frequencies      shuffle    + driver: one count per term, then scikit-learn's smooth idf
TF-IDF neighbours         executors  rewrite level: row blocks of the TF-IDF matrix (broadcast with
                                     its probe rows and inverted index of rare terms), each row's
                                     ``neighbors`` best (:mod:`provenance.candidates.neighbours`)
term weights              driver     rewrite level: :meth:`TermWeights.fit` streaming every
                                     document's vocabulary (``toLocalIterator``), then broadcast
scoring / alignment       executors  candidate pairs joined to both documents; per partition a
                                     :class:`~provenance.pipeline.ScoringState` of the documents the
                                     partition needs, and :func:`provenance.pipeline.score_pairs`
families                  driver +   rewrite level: the reuse pairs collected and
                          executors  :func:`~provenance.scoring.families.family_links` on the
                                     driver (broadcast); same-story pairs upgraded where they are
                                     (:func:`~provenance.scoring.families.upgraded`), new pairs joined
                                     to both documents and :func:`~provenance.scoring.families.measured`
clusters                  shuffle    connected components by min-label propagation
output                    driver     collected into an :class:`AnalysisResult`, or written by the
                                     executors as JSONL part files (``-o DIR``)
========================  =========  ==========================================================

Scoring state: built per partition, not broadcast.  A broadcast
:class:`ScoringState` would hold every document's shingle set and passage
profile on every executor (tens of KB per document); instead each candidate
pair travels with its two documents and a partition builds a state of the
documents it needs.  Two things are collection-wide: the term weights, fitted
on the driver and broadcast (a float per term), and the TF-IDF idf.  The
partition's :class:`~provenance.scoring.align.TermSpace` is built on its own
documents; its vocabulary is sorted like the collection's, so the alignment
scores are identical (see :class:`TermSpace`).

Differences from the local engine: TF-IDF vectors are computed row by row
with the columns in sorted order, while scikit-learn's fitted matrix keeps each
row's terms in first-seen order, so a cosine may differ in its last bit (the
local engine's own cosines vary that much between runs, with the string hash
seed); ``AnalysisResult.texts`` is empty (no output of ``cluster`` shows texts);
the order of the documents of a Parquet dataset is Spark's read order.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial
from itertools import combinations
from operator import add
from pathlib import Path
from typing import Any

import numpy as np
from pyspark import RDD, SparkContext, StorageLevel
from pyspark.accumulators import AccumulatorParam
from pyspark.broadcast import Broadcast
from pyspark.sql import SparkSession
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from provenance.candidates.lsh import HugeBucketWarning, LSHIndex, _band_keys
from provenance.candidates.neighbours import neighbour_block, probe_index
from provenance.clusters import _LEVELS
from provenance.errors import InputError
from provenance.load import load_corpus
from provenance.load.corpus import check_unique_ids
from provenance.load.fields import RawRecord, document_from_record
from provenance.load.metadata import MetadataEntry, read_metadata
from provenance.load.readers import _json_object, suffix_of
from provenance.neardup import FN_WEIGHT, FP_WEIGHT, exact_overlap
from provenance.normalize.analyzer import analyzer_for
from provenance.normalize.language import UNDETERMINED
from provenance.pipeline import (
    NEIGHBOUR_BLOCK,
    PipelineConfig,
    ScoringState,
    assign_languages,
    passage_embeddings,
    score_pairs,
)
from provenance.records import (
    REUSE_RELATIONS,
    AnalysisResult,
    Cluster,
    Document,
    DocumentInfo,
    PairScore,
    SkippedInput,
)
from provenance.scoring.align import PassageProfile, TermSpace, build_profile
from provenance.scoring.families import FamilyParams, Inferred, family_links, measured, new_pair, upgraded
from provenance.scoring.table import ProfileTable
from provenance.scoring.weights import TermWeights
from provenance.serialize import cluster_to_dict, document_to_dict, pair_to_dict
from provenance.signatures.minhash import MinHasher
from provenance.signatures.shingles import ShingleSpec, shingle_hashes_flat

__all__ = ["SparkAnalysis", "analyze_path", "analyze_documents", "spark_session", "run_cluster"]

CHUNK = 512  # documents signed together inside a partition (bounds the flat hash arrays)
SCORE_BATCH = 256  # candidate pairs per score_pairs call, as the local engine
DOCS_PER_PARTITION = 2000
MAX_LABEL_ROUNDS = 1000
EDGES_PER_PARTITION = 100_000


# --------------------------------------------------------------------------- session


def _local_driver_memory() -> str:
    """A third of the machine's memory, 1 to 16 GB: in local mode the driver JVM is also the executor."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not Linux
        return "2g"
    return f"{max(1, min(16, int(total / 3 / 2**30)))}g"


def spark_session(master: str | None = None, app_name: str = "provenance", progress: bool = False) -> SparkSession:
    """The active Spark session (under ``spark-submit``), or a new one on ``master`` (default ``local[*]``).

    In local mode the Python workers run this interpreter (``sys.executable``),
    the driver listens on 127.0.0.1 only and gets a third of the memory; on a
    cluster, the executors' Python is the cluster's (see docs/spark.md).
    ``PYSPARK_SUBMIT_ARGS`` (e.g. ``--driver-memory 8g pyspark-shell``) is honoured.
    """
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        master = "local[*]"
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    settings = {"spark.ui.showConsoleProgress": "true" if progress else "false"}
    if master is not None and master.startswith("local"):
        settings |= {
            "spark.pyspark.python": sys.executable,
            "spark.pyspark.driver.python": sys.executable,
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.ui.enabled": "false",
        }
        if "PYSPARK_SUBMIT_ARGS" not in os.environ:
            settings["spark.driver.memory"] = _local_driver_memory()
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers' interpreter (read from the env)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# --------------------------------------------------------------------------- stage: read


@dataclass(frozen=True)
class _Failed:
    """A record that is not a document: the loader's message, naming ``path:line``."""

    key: int
    message: str


def _jsonl_records(origin: str, stem: str, rows: Iterable[tuple[str, int]]) -> Iterator[tuple[int, Document | str]]:
    """Documents of JSONL lines ``(line, index)``, read with the loader's rules (blank lines skipped)."""
    for line, index in rows:
        text = line.removeprefix("\ufeff") if index == 0 else line
        if not text.strip():
            continue
        number = index + 1
        where = f"{origin}:{number}"
        try:
            record = RawRecord(where, number, _json_object(text, where))
            yield index, document_from_record(record, f"{stem}:{number}")
        except InputError as exc:
            yield index, str(exc)


def _plain(value: object) -> object:
    """A Parquet value as the loader expects it: dates and timestamps as ISO-8601 strings."""
    return value.isoformat() if isinstance(value, date | datetime) else value


def _parquet_records(origin: str, stem: str, rows: Iterable[tuple[Any, int]]) -> Iterator[tuple[int, Document | str]]:
    """Documents of Parquet rows ``(Row, index)``; the record's origin is ``path:row`` (1-based)."""
    for row, index in rows:
        number = index + 1
        where = f"{origin}:{number}"
        values = {k.lower(): _plain(v) for k, v in row.asDict().items()}
        try:
            yield index, document_from_record(RawRecord(where, number, values), f"{stem}:{number}")
        except InputError as exc:
            yield index, str(exc)


def _partitions(sc: SparkContext, size_bytes: int = 0, count: int = 0) -> int:
    """Partitions for a collection: one per core at least, ~16 MB or :data:`DOCS_PER_PARTITION` each."""
    return max(sc.defaultParallelism, size_bytes // (16 << 20), count // DOCS_PER_PARTITION, 1)


def _input_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _read(
    spark: SparkSession, path: str, metadata: str | None
) -> tuple[RDD[tuple[int, Document | str]], list[SkippedInput], dict[str, MetadataEntry]]:
    """Stage *read*: ``(key, document or error)`` in collection order, the skipped inputs, explicit metadata.

    ``.jsonl`` files and Parquet (a ``.parquet`` file or a directory of them)
    are read by the executors; anything else by :func:`load_corpus` on the driver.
    """
    sc = spark.sparkContext
    root = Path(path)
    parquet = suffix_of(root) == ".parquet" or (root.is_dir() and any(root.glob("*.parquet")))
    if not root.exists():
        load_corpus(root)  # raises the loader's message
    if (suffix_of(root) == ".jsonl" and root.is_file()) or parquet:
        entries = read_metadata(metadata) if metadata is not None else {}
        origin, stem = os.fspath(root), root.stem
        slices = _partitions(sc, _input_size(root))
        if parquet:
            rows = spark.read.parquet(os.fspath(root)).rdd.zipWithIndex()
            return rows.mapPartitions(partial(_parquet_records, origin, stem)), [], entries
        lines = sc.textFile(os.fspath(root), minPartitions=slices).zipWithIndex()
        return lines.mapPartitions(partial(_jsonl_records, origin, stem)), [], entries
    corpus = load_corpus(root, metadata=metadata)
    docs = list(enumerate(corpus.documents))
    rdd = sc.parallelize(docs, _partitions(sc, count=len(docs)))
    return rdd, list(corpus.skipped), {}


# --------------------------------------------------------------------------- stage: per-document features


@dataclass
class _Features:
    """What the later stages need of one document (computed once, persisted)."""

    key: int  # position in the collection's order
    doc: Document  # language assigned; text kept at the rewrite level only (passage embeddings)
    hashes: np.ndarray  # sorted unique uint64 shingle hashes
    signature: np.ndarray  # MinHash, uint32 (num_perm,)
    profile: PassageProfile


def _features(
    config: PipelineConfig,
    entries: Broadcast[dict[str, MetadataEntry]],
    part: Iterable[tuple[int, Document | str]],
) -> Iterator[_Features | _Failed]:
    """Stage *languages, signatures, profiles* on one partition, :data:`CHUNK` documents at a time."""
    spec = ShingleSpec.parse(config.shingle)
    hasher = MinHasher(config.num_perm, config.seed)
    meta = entries.value
    chunk: list[tuple[int, Document]] = []

    def flush() -> Iterator[_Features]:
        docs = assign_languages([d for _, d in chunk])
        flat, offsets = shingle_hashes_flat([d.text for d in docs], spec)
        signatures = hasher.signatures_flat(flat, offsets)
        for slot, ((key, _), doc) in enumerate(zip(chunk, docs, strict=True)):
            profile = build_profile(doc, analyzer_for(doc.language))
            kept = doc if config.level == "rewrite" else replace(doc, text="")
            hashes = flat[offsets[slot] : offsets[slot + 1]].copy()
            yield _Features(key, kept, hashes, signatures[slot], profile)
        chunk.clear()

    for key, item in part:
        if isinstance(item, str):
            yield _Failed(key, item)
            continue
        entry = meta.get(item.id)
        chunk.append((key, entry.fields.apply_to(item) if entry is not None else item))
        if len(chunk) >= CHUNK:
            yield from flush()
    if chunk:
        yield from flush()


def _info(doc: Document) -> DocumentInfo:
    return DocumentInfo(id=doc.id, language=doc.language, outlet=doc.outlet, published=doc.published, title=doc.title)


def _meta(item: _Features | _Failed) -> tuple[int, str | None, str, DocumentInfo | None]:
    """``(key, error, origin, info)`` of a document, for the driver's checks and the result."""
    if isinstance(item, _Failed):
        return item.key, item.message, "", None
    return item.key, None, item.doc.origin, _info(item.doc)


def _is_document(item: _Features | _Failed) -> bool:
    return isinstance(item, _Features)


# --------------------------------------------------------------------------- stage: LSH banding


class _MaxParam(AccumulatorParam[int]):
    def zero(self, value: int) -> int:
        return 0

    def addInPlace(self, value1: int, value2: int) -> int:  # noqa: N802 - pyspark's name
        return max(value1, value2)


def _band_entries(bands: int, rows: int, part: Iterable[_Features]) -> Iterator[tuple[tuple[int, int], int]]:
    """``((band, band key), document)`` for every band of every non-empty document of the partition."""
    feats = [f for f in part if len(f.hashes)]
    if not feats:
        return
    sigs = np.stack([f.signature for f in feats])
    keys = [f.key for f in feats]
    for band in range(bands):
        band_keys = _band_keys(sigs[:, band * rows : (band + 1) * rows]).tolist()
        for value, key in zip(band_keys, keys, strict=True):
            yield (band, value), key


def _bucket_pairs(max_bucket: int, chained: Any, largest: Any, members: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Every pair of a bucket; consecutive members only above ``max_bucket`` (as ``LSHIndex``)."""
    docs = sorted(members)
    if len(docs) < 2:
        return
    largest.add(len(docs))
    if len(docs) > max_bucket:
        chained.add(1)
        yield from zip(docs, docs[1:], strict=False)
    else:
        yield from combinations(docs, 2)


def _lsh_candidates(features: RDD[_Features], config: PipelineConfig, threshold: float) -> RDD[tuple[int, int]]:
    """Stage *LSH banding*: candidate pairs ``(i, j)``, ``i < j``, with the local engine's bands and rows."""
    index = LSHIndex(min(threshold, 1.0 - 1e-9), config.num_perm, fp_weight=FP_WEIGHT, fn_weight=FN_WEIGHT)
    sc = features.context
    parts = features.getNumPartitions()
    chained = sc.accumulator(0)
    largest = sc.accumulator(0, _MaxParam())
    pairs = (
        features.mapPartitions(partial(_band_entries, index.bands, index.rows))
        .groupByKey(parts)
        .flatMap(lambda kv: _bucket_pairs(index.max_bucket, chained, largest, kv[1]))
        .distinct(parts)
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    pairs.count()
    if chained.value:
        warnings.warn(
            f"{chained.value} LSH bucket(s) had more than {index.max_bucket} documents (largest: {largest.value}); "
            "they were chained (consecutive members paired) instead of fully paired: clusters are "
            "preserved but not every pair inside them is reported",
            HugeBucketWarning,
            stacklevel=2,
        )
    return pairs


# --------------------------------------------------------------------------- stage: verification


def _hashes(f: _Features) -> tuple[int, np.ndarray]:
    return f.key, f.hashes


def _verified(threshold: float, row: tuple[int, tuple[tuple[int, np.ndarray], np.ndarray]]) -> bool:
    j, ((i, hi), hj) = row
    return exact_overlap(hi, hj)[0] >= threshold


def _near_duplicates(
    features: RDD[_Features], candidates: RDD[tuple[int, int]], threshold: float
) -> RDD[tuple[int, int]]:
    """Stage *verification*: the candidates whose exact shingle Jaccard is ``>= threshold`` (``verify_pairs``)."""
    hashes = features.map(_hashes)
    parts = features.getNumPartitions()
    first = candidates.join(hashes, parts).map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
    return first.join(hashes, parts).filter(partial(_verified, threshold)).map(lambda kv: (kv[1][0][0], kv[0]))


# --------------------------------------------------------------------------- stage: TF-IDF


def _bag(profile: PassageProfile) -> dict[str, int]:
    """Term counts of a document's content stems: the bag of :func:`provenance.pipeline.document_vectors`."""
    counts: dict[str, int] = {}
    for terms in profile.terms:
        for t in terms:
            counts[t] = counts.get(t, 0) + 1
    return counts


@dataclass(frozen=True)
class _Idf:
    """The fitted TF-IDF model: sorted vocabulary (term -> column) and scikit-learn's smooth idf."""

    vocabulary: dict[str, int]
    transformer: TfidfTransformer


def _fit_idf(features: RDD[_Features], n_docs: int) -> _Idf:
    """Stage *document frequencies*: ``ln((1 + n) / (1 + df)) + 1`` per term, as ``TfidfVectorizer(smooth_idf)``."""
    parts = features.getNumPartitions()
    df = dict(
        features.flatMap(lambda f: _bag(f.profile).keys()).map(lambda t: (t, 1)).reduceByKey(add, parts).collect()
    )
    terms = sorted(df)
    counts = np.array([df[t] for t in terms], dtype=np.float64) + 1.0
    idf = np.full_like(counts, fill_value=n_docs + 1, dtype=np.float64)
    idf /= counts
    np.log(idf, out=idf)
    idf += 1.0
    transformer = TfidfTransformer(sublinear_tf=True, norm="l2")
    transformer.idf_ = idf
    return _Idf({t: k for k, t in enumerate(terms)}, transformer)


def _tfidf_row(model: _Idf, profile: PassageProfile) -> sparse.csr_matrix:
    """A document's L2-normalised, sublinear TF-IDF row (1 x vocabulary), columns sorted."""
    bag = _bag(profile)
    width = max(len(model.vocabulary), 1)
    if not bag:
        return sparse.csr_matrix((1, width))
    cols = sorted(model.vocabulary[t] for t in bag)
    terms = {model.vocabulary[t]: c for t, c in bag.items()}
    counts = sparse.csr_matrix(
        (np.array([terms[c] for c in cols], dtype=np.float64), np.array(cols), np.array([0, len(cols)])),
        shape=(1, width),
    )
    return sparse.csr_matrix(model.transformer.transform(counts))


def _cosine(a: sparse.csr_matrix, b: sparse.csr_matrix) -> float:
    """The pipeline's ``(vectors[i] @ vectors[j].T)`` of two TF-IDF rows."""
    return float((a @ b.T).toarray()[0, 0])


def _neighbours(
    matrix: Broadcast[tuple[sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix]],
    keys: Broadcast[np.ndarray],
    config: PipelineConfig,
    start: int,
    stop: int,
) -> Iterator[tuple[tuple[int, int], tuple[float, int]]]:
    """Stage *TF-IDF neighbours* for rows ``start:stop``: ``((i, j), (cosine, row))`` of each row's candidates.

    :func:`provenance.pipeline.candidate_pairs`: every pair above ``story_threshold / 2``
    in a collection of up to ``all_pairs_limit`` documents, else each row's
    ``neighbors`` best through the inverted index of rare terms
    (:func:`provenance.candidates.neighbours.neighbour_block`, as there).
    """
    v, probe, inverted = matrix.value
    n = v.shape[0]
    floor = config.relation.story_threshold / 2
    if n <= config.all_pairs_limit:
        sims = (v[start:stop] @ v.T).toarray()
        sims[np.arange(stop - start), np.arange(start, stop)] = -1.0
        rows, cols = np.nonzero(sims >= floor)
        found = zip((start + rows).tolist(), cols.tolist(), sims[rows, cols].tolist(), strict=True)
    else:
        k = min(config.neighbors, n - 1)
        ri, rj, cos = neighbour_block(v, probe[start:stop], inverted, start, stop, k, floor)
        found = zip(ri.tolist(), rj.tolist(), cos.tolist(), strict=True)
    key = keys.value
    for i, j, c in found:
        pair = (int(key[i]), int(key[j])) if i < j else (int(key[j]), int(key[i]))
        yield pair, (float(c), i)


def _tfidf_candidates(
    sc: SparkContext, rows: list[tuple[int, sparse.csr_matrix]], config: PipelineConfig
) -> RDD[tuple[tuple[int, int], tuple[float, int]]]:
    """Candidate pairs of the rewrite level from the TF-IDF matrix (broadcast), in row blocks as the pipeline."""
    keys = np.array([k for k, _ in rows], dtype=np.int64)
    matrix = sparse.vstack([r for _, r in rows], format="csr") if rows else sparse.csr_matrix((0, 1))
    n = matrix.shape[0]
    block = 512 if n <= config.all_pairs_limit else NEIGHBOUR_BLOCK
    starts = list(range(0, n, block))
    m_bc, k_bc = sc.broadcast((matrix, *probe_index(matrix))), sc.broadcast(keys)
    blocks = sc.parallelize(
        [(s, min(s + block, n)) for s in starts], max(1, min(len(starts), 4 * sc.defaultParallelism))
    )
    return blocks.flatMap(lambda se: _neighbours(m_bc, k_bc, config, se[0], se[1]))


# --------------------------------------------------------------------------- stage: scoring


@dataclass(frozen=True)
class _Side:
    """One document of a candidate pair, as the scoring partition needs it."""

    doc: Document
    hashes: np.ndarray
    row: sparse.csr_matrix
    profile: PassageProfile


def _side(model: Broadcast[_Idf], f: _Features) -> tuple[int, _Side]:
    return f.key, _Side(f.doc, f.hashes, _tfidf_row(model.value, f.profile), f.profile)


def _prefer_neighbour(a: tuple[float, int] | None, b: tuple[float, int] | None) -> tuple[float, int] | None:
    """The cosine the pipeline keeps: from the last row that found the pair; a near-duplicate's only if none did."""
    if a is None:
        return b
    if b is None:
        return a
    return a if a[1] >= b[1] else b


def _score_partition(
    config: PipelineConfig,
    weights: Broadcast[TermWeights] | None,
    part: Iterable[tuple[int, tuple[tuple[int, tuple[float, int] | None, _Side], _Side]]],
) -> Iterator[tuple[int, int, PairScore]]:
    """Stage *scoring/alignment* on one partition: ``(key of a, key of b, PairScore)``.

    The partition's documents form a :class:`ScoringState` (rows follow the
    order in which they are met); pairs without a TF-IDF neighbour cosine get
    the cosine of their two rows; then :func:`score_pairs` in batches of
    :data:`SCORE_BATCH`, as the local engine.
    """
    slots: dict[int, int] = {}
    sides: list[_Side] = []
    keys: list[int] = []
    batch: list[tuple[int, int, float]] = []

    def slot(key: int, side: _Side) -> int:
        s = slots.get(key)
        if s is None:
            s = slots[key] = len(sides)
            sides.append(side)
            keys.append(key)
        return s

    for kj, ((ki, found, si), sj) in part:
        a, b = slot(ki, si), slot(kj, sj)
        batch.append((a, b, found[0] if found is not None else _cosine(si.row, sj.row)))
    if not batch:
        return
    batch.sort(key=lambda t: (keys[t[0]], keys[t[1]]))
    profiles = ProfileTable.from_profiles([s.profile for s in sides])
    rewrite = config.level == "rewrite"
    term_weights = weights.value if weights is not None else TermWeights()
    state = ScoringState(
        ids=[s.doc.id for s in sides],
        hash_sets=[s.hashes for s in sides],
        profiles=profiles,
        weights=term_weights,
        space=TermSpace(profiles, term_weights) if rewrite else None,
        params=replace(config.relation, near_duplicate_threshold=config.threshold),
        level=config.level,
        embeddings=passage_embeddings([s.doc for s in sides], profiles, [(a, b) for a, b, _ in batch], False)
        if rewrite
        else {},
    )
    key_of = {s.doc.id: k for s, k in zip(sides, keys, strict=True)}
    for start in range(0, len(batch), SCORE_BATCH):
        for p in score_pairs(batch[start : start + SCORE_BATCH], state):
            yield key_of[p.a], key_of[p.b], p


def _score(
    features: RDD[_Features],
    candidates: RDD[tuple[tuple[int, int], tuple[float, int] | None]],
    model: Broadcast[_Idf],
    weights: Broadcast[TermWeights] | None,
    config: PipelineConfig,
) -> RDD[tuple[int, int, PairScore]]:
    """Candidate pairs joined to both documents, then scored partition by partition.

    Only the documents of some pair travel: their keys are collected and
    broadcast first (at the near-duplicate level most documents have none).
    """
    candidates = candidates.persist(StorageLevel.MEMORY_AND_DISK)
    wanted = features.context.broadcast(set(candidates.flatMap(lambda kv: kv[0]).distinct().collect()))
    sides = (
        features.filter(lambda f: f.key in wanted.value)
        .map(partial(_side, model))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    by_first = candidates.map(lambda kv: (kv[0][0], (kv[0][1], kv[1])))
    parts = features.getNumPartitions()
    with_first = by_first.join(sides, parts).map(lambda kv: (kv[1][0][0], (kv[0], kv[1][0][1], kv[1][1])))
    return with_first.join(sides, parts).mapPartitions(partial(_score_partition, config, weights))


# --------------------------------------------------------------------------- stage: families


def _upgrade(
    found: Broadcast[dict[tuple[str, str], Inferred]], row: tuple[int, int, PairScore]
) -> tuple[int, int, PairScore]:
    ka, kb, pair = row
    inferred = found.value.get((pair.a, pair.b))
    return row if inferred is None else (ka, kb, upgraded(pair, inferred))


def _measure_new(kv: tuple[int, tuple[tuple[int, PairScore, _Side], _Side]]) -> tuple[int, int, PairScore]:
    kb, ((ka, pair, a), b) = kv
    lengths = (a.profile.text_length, b.profile.text_length)
    cross = a.profile.language != b.profile.language
    return ka, kb, measured(pair, (a.hashes, b.hashes), _cosine(a.row, b.row), lengths, cross)


def _families(
    scored: RDD[tuple[int, int, PairScore]],
    features: RDD[_Features],
    model: Broadcast[_Idf],
    ids: dict[int, str],
    params: FamilyParams,
) -> RDD[tuple[int, int, PairScore]]:
    """Stage *families*: the pairs of :func:`provenance.scoring.families.infer_family_pairs`, distributed.

    The links need every reuse pair at once (a passage graph across
    documents), so the reuse pairs are collected and the inferred pairs found
    on the driver; they are broadcast (a few alignments each).  A scored pair
    that is inferred too is upgraded where it lies; an inferred pair of two
    documents never scored together travels with both documents, as in the
    scoring stage, to get its overlaps, cosine and coverage.
    """
    sc = scored.context
    links = family_links(
        scored.filter(lambda t: t[2].relation in REUSE_RELATIONS).map(lambda t: t[2]).collect(), params
    )
    if not links:
        return scored
    found = sc.broadcast(links)
    present = set(scored.map(lambda t: (t[2].a, t[2].b)).filter(lambda k: k in found.value).collect())
    key_of = {doc_id: key for key, doc_id in ids.items()}
    new = [
        (key_of[a], (key_of[b], new_pair((a, b), f))) for (a, b), f in sorted(links.items()) if (a, b) not in present
    ]
    out = scored.map(partial(_upgrade, found))
    if not new:
        return out
    wanted = sc.broadcast({k for ka, (kb, _) in new for k in (ka, kb)})
    sides = features.filter(lambda f: f.key in wanted.value).map(partial(_side, model))
    parts = features.getNumPartitions()
    firsts = sc.parallelize(new, min(parts, len(new))).join(sides, parts)
    with_first = firsts.map(lambda kv: (kv[1][0][0], (kv[0], kv[1][0][1], kv[1][1])))
    return out.union(with_first.join(sides, parts).map(_measure_new))


# --------------------------------------------------------------------------- stage: clusters


def _min_label(kv: tuple[int, tuple[int, int]]) -> tuple[int, int]:
    return kv[1][0], kv[1][1]


def _components(edges: RDD[tuple[int, int]], parts: int) -> RDD[tuple[int, int]]:
    """Connected components by min-label propagation: ``(vertex, smallest vertex of its component)``.

    Each round sends every vertex's label to its neighbours and keeps the
    smallest; it stops when no label changes (rounds: the largest component's
    diameter, plus one).
    """
    adjacency = edges.flatMap(lambda e: (e, (e[1], e[0]))).persist(StorageLevel.MEMORY_AND_DISK)
    labels = adjacency.map(lambda e: (e[0], min(e))).reduceByKey(min, parts).persist(StorageLevel.MEMORY_AND_DISK)
    for _ in range(MAX_LABEL_ROUNDS):
        messages = adjacency.join(labels, parts).map(_min_label)
        updated = labels.union(messages).reduceByKey(min, parts).persist(StorageLevel.MEMORY_AND_DISK)
        updated.localCheckpoint()
        changed = updated.join(labels, parts).filter(lambda kv: kv[1][0] != kv[1][1]).count()
        labels.unpersist()
        labels = updated
        if changed == 0:
            break
    adjacency.unpersist()
    return labels


def _cluster_edges(row: tuple[int, int, PairScore]) -> Iterator[tuple[int, int]]:
    """The pair's edge in the graph of each cluster kind it links (vertex = key * kinds + kind)."""
    ka, kb, p = row
    kinds = len(_LEVELS)
    for k, relations in enumerate(_LEVELS.values()):
        if p.relation in relations:
            yield ka * kinds + k, kb * kinds + k


def _clusters(scored: RDD[tuple[int, int, PairScore]], ids: dict[int, str]) -> list[Cluster]:
    """Stage *clusters*: :func:`provenance.clusters.build_clusters` over the Spark components."""
    kinds = list(_LEVELS)
    edges = scored.flatMap(_cluster_edges).persist(StorageLevel.MEMORY_AND_DISK)
    count = edges.count()
    if count == 0:
        return []
    parts = min(scored.getNumPartitions(), count // EDGES_PER_PARTITION + 1)  # few edges: few tasks a round
    labels = _components(edges, parts)
    groups = labels.map(lambda kv: (kv[1], kv[0])).groupByKey(parts).mapValues(sorted).values().collect()
    members = sorted((m[0] % len(kinds), m[0] // len(kinds), [v // len(kinds) for v in m]) for m in groups)
    return [Cluster(kinds[kind], tuple(ids[k] for k in keys)) for kind, _, keys in members]


# --------------------------------------------------------------------------- the engine


@dataclass
class SparkAnalysis:
    """The engine's output: documents and clusters on the driver, the scored pairs still distributed."""

    documents: list[DocumentInfo]
    pairs: RDD[tuple[int, int, PairScore]]
    clusters: list[Cluster]
    skipped: list[SkippedInput]

    def result(self) -> AnalysisResult:
        """Everything collected, as :func:`provenance.pipeline.analyze` returns it (without texts)."""
        pairs = [p for _, _, p in self.pairs.collect()]
        pairs.sort(key=lambda p: (p.a, p.b))
        return AnalysisResult(documents=self.documents, pairs=pairs, clusters=self.clusters, skipped=list(self.skipped))

    def write(self, directory: str) -> dict[str, int]:
        """JSONL part files of ``pairs/``, ``clusters/`` and ``documents/`` in ``directory``, records as in the JSON.

        Pairs are written by the executors; returns the number of records of each.
        """
        out = Path(directory)
        sc = self.pairs.context
        pairs = self.pairs.map(lambda t: json.dumps(pair_to_dict(t[2]), ensure_ascii=False))
        pairs.saveAsTextFile(os.fspath(out / "pairs"))
        small = {
            "clusters": [json.dumps(cluster_to_dict(c), ensure_ascii=False) for c in self.clusters],
            "documents": [json.dumps(document_to_dict(d), ensure_ascii=False) for d in self.documents],
        }
        slices = _partitions(sc, count=len(self.documents))
        for name, lines in small.items():
            sc.parallelize(lines, min(slices, max(1, len(lines) // DOCS_PER_PARTITION + 1))).saveAsTextFile(
                os.fspath(out / name)
            )
        return {"pairs": self.pairs.count(), "clusters": len(self.clusters), "documents": len(self.documents)}


def _analyze(
    spark: SparkSession,
    items: RDD[tuple[int, Document | str]],
    config: PipelineConfig,
    skipped: list[SkippedInput],
    entries: dict[str, MetadataEntry],
) -> SparkAnalysis:
    """Every stage of the module docstring on ``(key, document or loader error)`` items."""
    sc = spark.sparkContext
    entries_bc = sc.broadcast(entries)
    parsed = items.mapPartitions(partial(_features, config, entries_bc)).persist(StorageLevel.MEMORY_AND_DISK)
    metas = sorted(parsed.map(_meta).collect(), key=lambda m: m[0])
    errors = [m for m in metas if m[1] is not None]
    if errors:
        raise InputError(errors[0][1])
    if not metas:
        raise InputError("no documents to analyse")
    infos = [m[3] for m in metas if m[3] is not None]
    check_unique_ids([Document(id=i.id, text="", origin=m[2]) for m, i in zip(metas, infos, strict=True)])
    known = {i.id for i in infos}
    skipped = skipped + [
        SkippedInput(e.origin, f"metadata for unknown id {doc_id!r}")
        for doc_id, e in entries.items()
        if doc_id not in known
    ]
    features: RDD[_Features] = parsed.filter(_is_document)  # type: ignore[assignment]
    ids = {m[0]: i.id for m, i in zip(metas, infos, strict=True)}

    threshold = min(config.threshold, config.relation.near_duplicate_threshold)
    candidates = _lsh_candidates(features, config, threshold) if len(infos) >= 2 else sc.emptyRDD()
    near = _near_duplicates(features, candidates, threshold)
    model = sc.broadcast(_fit_idf(features, len(infos)))

    weights: Broadcast[TermWeights] | None = None
    pairs: RDD[tuple[tuple[int, int], tuple[float, int] | None]] = near.map(lambda p: (p, None))
    if config.level == "rewrite":
        rows = sorted(features.map(lambda f: (f.key, _tfidf_row(model.value, f.profile))).collect(), key=lambda r: r[0])
        pairs = pairs.union(_tfidf_candidates(sc, rows, config))
        fitted = TermWeights().fit(
            features.map(lambda f: (f.doc.language or UNDETERMINED, f.profile.surface)).toLocalIterator()
        )
        weights = sc.broadcast(fitted)
    pairs = pairs.reduceByKey(_prefer_neighbour, features.getNumPartitions())
    scored = _score(features, pairs, model, weights, config).persist(StorageLevel.MEMORY_AND_DISK)
    if config.level == "rewrite" and config.families is not None:
        scored = _families(scored, features, model, ids, config.families).persist(StorageLevel.MEMORY_AND_DISK)
    clusters = _clusters(scored, ids)
    return SparkAnalysis(documents=infos, pairs=scored, clusters=clusters, skipped=skipped)


def analyze_path(spark: SparkSession, path: str, config: PipelineConfig, metadata: str | None = None) -> SparkAnalysis:
    """The collection at ``path`` (a ``.jsonl`` file, Parquet, or anything :func:`load_corpus` reads)."""
    items, skipped, entries = _read(spark, path, metadata)
    return _analyze(spark, items, config, skipped, entries)


def analyze_documents(spark: SparkSession, documents: Sequence[Document], config: PipelineConfig) -> SparkAnalysis:
    """``documents`` (already read) on Spark: the counterpart of ``analyze(documents, config=config)``."""
    sc = spark.sparkContext
    items: RDD[tuple[int, Document | str]] = sc.parallelize(
        list(enumerate(documents)), _partitions(sc, count=len(documents))
    )
    return _analyze(spark, items, config, [], {})


def run_cluster(
    path: str, config: PipelineConfig, master: str | None, metadata: str | None, output: str | None
) -> AnalysisResult | dict[str, int]:
    """``provenance cluster --engine spark``: the collected result, or the record counts written to ``output``."""
    spark = spark_session(master, progress=config.progress)
    analysis = analyze_path(spark, path, config, metadata)
    for s in analysis.skipped:
        print(f"warning: skipped {s.origin}: {s.reason}", file=sys.stderr)
    if output is not None:
        return analysis.write(output)
    return analysis.result()
