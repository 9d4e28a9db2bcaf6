"""The fast path of ``provenance cluster PATH --level near-duplicate``: the engine alone, streamed.

:func:`cluster_near_duplicates` reads a collection, runs the near-duplicate
engine of :mod:`provenance.neardup` (shingles -> MinHash -> LSH -> exact
verification) and returns the :class:`~provenance.records.AnalysisResult` that
``cluster`` prints, without the rest of :func:`provenance.pipeline.analyze`:
no language detection, no passage profiles, no TF-IDF.

Same pairs as the pipeline
    The pairs are those :func:`~provenance.pipeline.analyze` labels
    ``near-duplicate`` or ``contained`` at ``level="near-duplicate"`` on the
    same input: LSH at ``min(threshold, 0.5)`` (the pipeline's search
    threshold), exact verification, then the pipeline's rules: ``near-duplicate``
    at exact Jaccard ``>= threshold``, else ``contained`` when one document is
    contained in the other (:data:`CONTAINMENT` of the shingles of a document
    of at least :data:`MIN_SHINGLES_FOR_CONTAINMENT` shingles).  The clusters
    are those :func:`provenance.clusters.build_clusters` makes of these pairs
    (connected components: of the near-duplicate pairs for near-duplicate
    clusters, of both relations for the other kinds), found with scipy.

What differs from the pipeline's result (the JSON contract is unchanged)
    * ``tfidf_cosine`` is 0.0 in every pair: no TF-IDF is computed.  (Pairs have
      no alignments, coverage 0 and p-value 1, as in the pipeline at this level.)
    * With ``--threshold`` above 0.5 the pipeline also reports, as
      ``same-story``, verified pairs between 0.5 and the threshold that are not
      contained; that label needs the TF-IDF cosine, so they are not reported here.
    * ``language`` is the declared language (lower-cased, region dropped, as the
      pipeline does), else null: it is never detected.
    * ``AnalysisResult.texts`` is empty: no output of ``cluster`` shows texts.

Input, processes and memory
    A ``.jsonl`` file is streamed in blocks of lines (:data:`_BLOCK_BYTES`) to
    worker processes (``FastConfig.jobs``, default one per available CPU;
    small inputs stay in this process) that parse, shingle and sign each
    block.  This process keeps the ids, the signatures (``4 * num_perm`` bytes
    per document, released after LSH) and the hash sets while they fit in
    ``memory_budget`` bytes (about the size of the UTF-8 text); beyond that,
    the candidate documents are re-read and re-hashed in a second pass.
    Records are read as :mod:`provenance.load` reads them (same fields, ids,
    metadata merge).  Whatever the streaming reader does not accept as
    plainly valid (a malformed line, undecodable bytes, a UTF-16 file, a
    duplicate id, an empty file...) is handed to :func:`provenance.load.load_corpus`,
    which raises its usual error naming ``path:line`` (or, if it accepts the
    file after all, its documents are used), so errors and the skip policy are
    the loader's.  Directories, ``.csv`` and ``.tsv`` files are read with
    :func:`~provenance.load.load_corpus` (which holds the texts in memory) and
    only their texts go through the engine.
"""

from __future__ import annotations

import json
import math
import mmap
import multiprocessing
import os
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, fields, replace
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import orjson

from provenance.candidates.lsh import LSHIndex
from provenance.errors import InputError
from provenance.load import load_corpus
from provenance.load.decode import looks_binary, normalize_newlines
from provenance.load.fields import (
    OPTIONAL_FIELDS,
    DocumentFields,
    RawRecord,
    document_fields,
    document_from_record,
    record_text,
    string_field,
)
from provenance.load.metadata import merge_metadata, read_metadata
from provenance.neardup import (
    FN_WEIGHT,
    FP_WEIGHT,
    NearDupPair,
    _ChunkedSets,
    _Timer,
    connected_components,
    found_in,
)
from provenance.records import (
    Alignment,
    AnalysisResult,
    Cluster,
    ClusterKind,
    Document,
    DocumentInfo,
    PairScore,
    Relation,
    SkippedInput,
)
from provenance.serialize import result_to_dict
from provenance.signatures.minhash import MinHasher
from provenance.signatures.shingles import ShingleSpec, shingle_hashes_flat

__all__ = [
    "CONTAINMENT",
    "MIN_SHINGLES_FOR_CONTAINMENT",
    "NEAR_DUPLICATE_THRESHOLD",
    "FastConfig",
    "cluster_near_duplicates",
    "write_json",
]

# The pipeline's near-duplicate rule (provenance.scoring.relation.RelationParams defaults; a test
# checks they agree).  Not imported from there: that module loads scipy.stats and wordfreq (~2 s).
NEAR_DUPLICATE_THRESHOLD = 0.5  # the pipeline searches at min(threshold, this)
CONTAINMENT = 0.8
MIN_SHINGLES_FOR_CONTAINMENT = 20

_BLOCK_BYTES = 1 << 21  # bytes of JSONL (or characters of text) per worker task: ~500 news articles
_BOM_UTF8 = b"\xef\xbb\xbf"
_OTHER_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16/32 (the UTF-32-LE mark starts with the UTF-16-LE one)
_HEAD_BYTES = 8192  # what decode.looks_binary inspects
_U_ESCAPE = re.compile(rb"\\u")


@dataclass(frozen=True)
class FastConfig:
    """Parameters of :func:`cluster_near_duplicates` (the first four as in ``PipelineConfig``).

    ``jobs``: worker processes (None: one per available CPU; 1: everything in
    this process).  ``memory_budget``: bytes of hash sets kept from the first
    pass before switching to a second pass over the candidates.
    """

    shingle: str = "word:5"
    threshold: float = 0.5
    num_perm: int = 128
    seed: int = 1
    jobs: int | None = None
    memory_budget: int = 1 << 30
    progress: bool = False


# --------------------------------------------------------------------------- worker side


@dataclass
class _Signed:
    """What a worker returns for one block: per document its id and fields, shingle count, signature, hashes.

    The counts are set sizes when the hashes are returned, else counts with repeats (only > 0 is used).
    """

    ids: list[str]
    fields: list[DocumentFields | None]  # None: the record gives no optional field
    sizes: np.ndarray
    signatures: np.ndarray
    hashes: np.ndarray | None  # flat sorted unique hashes (None if not asked for, or shared)
    offsets: np.ndarray
    shared: tuple[int, int] | None = None  # (byte offset, count): the hashes are in _SHARED_SETS there


@dataclass(frozen=True)
class _Failed:
    """The streaming reader met something it leaves to the loader (the loader words the error)."""

    where: str
    reason: str


_ENGINE: tuple[ShingleSpec, MinHasher] | None = None
# Memory shared with the worker processes forked after it is made (_Runner): a worker writes the hash
# sets of the block at file offset o, length n, at bytes 4o..4(o + n) (8 bytes a shingle, usually at most
# one shingle for two bytes of text), where this process uses them without a copy (no pickling either).
_SHARED_SETS: mmap.mmap | None = None


def _init_worker(spec: str, num_perm: int, seed: int) -> None:
    global _ENGINE
    _ENGINE = (ShingleSpec.parse(spec), MinHasher(num_perm, seed))


def _engine() -> tuple[ShingleSpec, MinHasher]:
    assert _ENGINE is not None, "_init_worker was not called"
    return _ENGINE


def _lines(block: bytes, first_line: int) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of a block of a JSONL file with their 1-based line numbers.

    Newlines as :func:`provenance.load.decode.normalize_newlines` makes them;
    a line is blank as for :func:`provenance.load.readers.parse_jsonl`
    (``str.strip``: Unicode white space too).
    """
    if b"\r" in block:
        block = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    for number, raw in enumerate(block.split(b"\n"), start=first_line):
        if raw[:1] == b"{" or (raw.strip() and raw.decode("utf-8", "replace").strip()):
            yield number, raw


def _record(raw: bytes, where: str, number: int) -> RawRecord | _Failed:
    """The JSON object of one line, parsed by orjson (what it rejects, such as ``NaN``, is left to the loader).

    orjson reads an integer beyond 64 bits as a float: a record whose id came
    out as a float is parsed again by :mod:`json`, which keeps its digits.
    """
    try:
        value = orjson.loads(raw)
        if type(value) is dict and type(value.get("id")) is float:
            value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):  # orjson.JSONDecodeError is json's
        return _Failed(where, "not a valid JSON line")
    if not isinstance(value, dict):
        return _Failed(where, "not a JSON object")
    return RawRecord(where, number, value)


def _text(record: RawRecord, raw: bytes) -> str:
    """:func:`provenance.load.fields.record_text`, without its encoding check where it cannot fail.

    The line was decoded strictly from UTF-8, so its text can hold a lone
    surrogate (which the check rejects) only through a ``\\u`` escape.
    """
    text = record.values.get("text")
    # (a one-byte test first: CPython searches two-byte needles several times slower than memchr)
    if type(text) is str and (b"\\" not in raw or not _U_ESCAPE.search(raw)) and text and not text.isspace():
        return normalize_newlines(text)
    return record_text(record)


def _sign(texts: Sequence[str], keep: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """Shingle counts, signatures and (if ``keep``) the hash sets of ``texts``.

    Without ``keep`` the shingles are not sorted into sets: the counts include
    repeats (only whether a text has any is used) and the signatures are the same.
    """
    spec, hasher = _engine()
    flat, offsets = shingle_hashes_flat(texts, spec, unique=keep)
    return np.diff(offsets), hasher.signatures_flat(flat, offsets), (flat if keep else None), offsets


def _read_block(source: bytes | tuple[int, int], origin: str) -> bytes | None:
    """A block of the JSONL file: given, or read here from ``(offset, length)`` (None if the file changed)."""
    if isinstance(source, bytes):
        return source
    offset, length = source
    with open(origin, "rb") as fh:
        block = os.pread(fh.fileno(), length, offset)
    return block if len(block) == length else None


def _sign_jsonl(
    source: bytes | tuple[int, int], first_line: int, origin: str, stem: str, keep: bool, shared: bool = False
) -> _Signed | _Failed:
    """Parse, check, shingle and sign the records of one block of a JSONL file (see :func:`_read_block`).

    With ``shared`` (and ``source`` an offset), the hash sets are written to :data:`_SHARED_SETS` if they fit.
    """
    block = _read_block(source, origin)
    if block is None:
        return _Failed(origin, "the file changed while it was read")
    ids: list[str] = []
    fields: list[DocumentFields | None] = []
    texts: list[str] = []
    for number, raw in _lines(block, first_line):
        where = f"{origin}:{number}"
        record = _record(raw, where, number)
        if isinstance(record, _Failed):
            return record
        try:
            texts.append(_text(record, raw))
            ids.append(string_field(record, "id", allow_number=True) or f"{stem}:{number}")
            given = any(record.values.get(k) is not None for k in OPTIONAL_FIELDS)
            fields.append(document_fields(record) if given else None)
        except InputError as exc:
            return _Failed(where, str(exc))
    sizes, signatures, hashes, offsets = _sign(texts, keep)
    if shared and hashes is not None and _SHARED_SETS is not None and not isinstance(source, bytes):
        start, stop = _shared_place(*source)
        if start + hashes.nbytes <= min(stop, len(_SHARED_SETS)):
            np.frombuffer(_SHARED_SETS, dtype=np.uint64, count=len(hashes), offset=start)[:] = hashes
            return _Signed(ids, fields, sizes, signatures, None, offsets, (start, len(hashes)))
    return _Signed(ids, fields, sizes, signatures, hashes, offsets)


def _sign_texts(texts: list[str], keep: bool) -> _Signed:
    sizes, signatures, hashes, offsets = _sign(texts, keep)
    return _Signed([], [], sizes, signatures, hashes, offsets)


def _hash_jsonl(block: bytes, first_line: int, wanted: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Second pass: the hash sets of the ``wanted`` records (indices among the block's records)."""
    want = set(wanted)
    texts = []
    for k, (number, raw) in enumerate(_lines(block, first_line)):
        if k in want:
            record = _record(raw, "", number)
            assert not isinstance(record, _Failed), "the file changed between the two passes"
            texts.append(_text(record, raw))
    return shingle_hashes_flat(texts, _engine()[0])


def _hash_texts(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    return shingle_hashes_flat(texts, _engine()[0])


# --------------------------------------------------------------------------- main side


class _Runner:
    """Runs tasks in order: in worker processes (bounded queue of tasks in flight) or in this process."""

    def __init__(self, config: FastConfig, work: int) -> None:
        args = (config.shingle, config.num_perm, config.seed)
        _init_worker(*args)
        self.jobs = config.jobs or _available_cpus()
        jobs = min(self.jobs, max(1, work // _BLOCK_BYTES))
        self.jobs = jobs
        self.pool: Executor | None = None
        self.in_flight = 2 * jobs + 1
        self.shared = False
        if jobs > 1:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            if "fork" in methods and work <= config.memory_budget:  # the sets may be kept (_first_pass_jsonl)
                self.shared = _map_shared_sets(4 * work + 8)
            self.pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=args)

    def map(self, fn: Callable[..., Any], tasks: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
        """``fn(*task)`` for each task, in order."""
        if self.pool is None:
            for task in tasks:
                yield fn(*task)
            return
        queue: deque[Future[Any]] = deque()
        for task in tasks:
            queue.append(self.pool.submit(fn, *task))
            if len(queue) >= self.in_flight:
                yield queue.popleft().result()
        while queue:
            yield queue.popleft().result()

    def take(self, signed: _Signed) -> _Signed:
        """``signed`` with its hashes: a view of :data:`_SHARED_SETS` if a worker wrote them there."""
        if signed.shared is not None and _SHARED_SETS is not None:
            start, count = signed.shared
            signed.hashes = np.frombuffer(_SHARED_SETS, dtype=np.uint64, count=count, offset=start)
            signed.shared = None
        return signed

    def close(self) -> None:
        global _SHARED_SETS
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.shared:
            _SHARED_SETS, self.shared = None, False  # released with the last view of it


def _map_shared_sets(size: int) -> bool:
    """Map :data:`_SHARED_SETS` (pages are only used once written), before the workers fork; False if it fails."""
    global _SHARED_SETS
    try:
        _SHARED_SETS = mmap.mmap(-1, size)  # anonymous and shared (MAP_SHARED) with forked children
    except (OSError, ValueError, OverflowError):
        _SHARED_SETS = None
    return _SHARED_SETS is not None


def _shared_place(offset: int, length: int) -> tuple[int, int]:
    """Bytes ``start:stop`` of :data:`_SHARED_SETS` for the sets of the block at ``offset`` (8-aligned)."""
    return (4 * offset + 7) & ~7, 4 * (offset + length)


def _input_size(path: Path) -> int:
    """Bytes of text to read at ``path`` (roughly: what decides whether worker processes pay off)."""
    try:
        if path.is_dir():
            return sum(e.stat().st_size for e in path.iterdir() if e.is_file())
        return path.stat().st_size
    except OSError:
        return 0


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Collection:
    """Per-document results of the first pass, in input order."""

    def __init__(self, keep: bool, budget: int) -> None:
        self.ids: list[str] = []
        self.fields: list[DocumentFields | None] = []
        self.sizes: list[np.ndarray] = []
        self.signatures: list[np.ndarray] = []
        self.block_docs: list[int] = []
        self.sets: _ChunkedSets | None = _ChunkedSets() if keep else None
        self.budget = budget

    def add(self, signed: _Signed) -> None:
        self.ids.extend(signed.ids)
        self.fields.extend(signed.fields)
        self.sizes.append(signed.sizes)
        self.signatures.append(signed.signatures)
        self.block_docs.append(len(signed.sizes))
        if self.sets is not None:
            if signed.hashes is None:
                self.sets = None
            else:
                self.sets.add(signed.hashes, signed.offsets)
                if self.sets.nbytes > self.budget:
                    self.sets = None  # too big: the candidates are re-read instead

    @property
    def keeping(self) -> bool:
        return self.sets is not None

    def take_arrays(self, num_perm: int) -> tuple[np.ndarray, np.ndarray]:
        """Shingle counts and signatures of all documents (the per-block arrays are released)."""
        sizes = np.concatenate(self.sizes) if self.sizes else np.empty(0, dtype=np.int64)
        parts, self.sizes, self.signatures = self.signatures, [], []
        signatures = np.empty((len(sizes), num_perm), dtype=np.uint32)
        start = 0
        while parts:
            part = parts.pop(0)
            signatures[start : start + len(part)] = part
            start += len(part)
        return sizes, signatures


def _progress_bar(enabled: bool, total: int | None, unit: str) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="signatures", unit=unit, unit_scale=True, file=sys.stderr, leave=False)


def _jsonl_blocks(path: Path, bar: Any = None) -> Iterator[tuple[bytes, int]]:
    """Blocks of whole lines of a JSONL file (a UTF-8 byte-order mark dropped) and their first line number."""
    for buf, length, line, _ in _jsonl_scan(path, bar):
        yield buf[:length], line


def _jsonl_blocks_at(path: Path, bar: Any = None) -> Iterator[tuple[bytes, int, int]]:
    """:func:`_jsonl_blocks` with the byte offset of each block in the file."""
    for buf, length, line, offset in _jsonl_scan(path, bar):
        yield buf[:length], line, offset


def _jsonl_places(path: Path, bar: Any = None) -> Iterator[tuple[int, int, int]]:
    """``(offset, length, first line)`` of the blocks of :func:`_jsonl_blocks` (the workers read them)."""
    for _, length, line, offset in _jsonl_scan(path, bar):
        yield offset, length, line


def _jsonl_scan(path: Path, bar: Any = None) -> Iterator[tuple[bytes, int, int, int]]:
    """The blocks of a JSONL file: ``(buffer, length, first line, offset)``, the block being ``buffer[:length]``
    (not copied out here: it is what :func:`_jsonl_places` yields from)."""
    line = 1
    pending = b""
    with path.open("rb") as fh:
        head = fh.read(len(_BOM_UTF8))
        pending = b"" if head == _BOM_UTF8 else head
        offset = len(head) - len(pending)
        while True:
            data = fh.read(_BLOCK_BYTES)
            if bar is not None:
                bar.update(len(data))
            buf = pending + data if pending else data
            if not data:
                if buf:
                    yield buf, len(buf), line, offset
                return
            cut = buf.rfind(b"\n") + 1
            if cut == 0:  # no line end yet: keep reading
                pending = buf
                continue
            if buf.find(b"\r", 0, cut) >= 0:  # "\r" alone ends a line too (decode.normalize_newlines)
                lines = buf.count(b"\n", 0, cut) + buf.count(b"\r", 0, cut) - buf.count(b"\r\n", 0, cut)
            else:
                lines = buf.count(b"\n", 0, cut)
            yield buf, cut, line, offset
            pending = buf[cut:]
            line += lines
            offset += cut


def _streamable(path: Path) -> bool:
    """Whether the streaming reader may read ``path``: a UTF-8 ``.jsonl`` file that does not look binary."""
    if path.suffix.lower() != ".jsonl" or not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(4 * _HEAD_BYTES)
    except OSError:
        return False
    if not head.strip() or head.startswith(_OTHER_BOMS) or b"\x00" in head:
        return False
    head = head.removeprefix(_BOM_UTF8)
    text = head.decode("utf-8", "replace")
    return not (looks_binary(head[:_HEAD_BYTES].decode("latin-1")) or looks_binary(text[:_HEAD_BYTES]))


class _NotStreamable(Exception):
    """The streaming reader found something it leaves to :func:`provenance.load.load_corpus`."""


def stream_jsonl(path: Path) -> Iterator[Document]:
    """The documents of a ``.jsonl`` file, as the loader reads them, one at a time: the file is never whole in memory.

    Lines, ids, fields and origins are :func:`provenance.load.readers.read_documents`'.
    Anything the streaming reader does not take as plainly valid (see :func:`_streamable`, a
    malformed line, undecodable bytes, a bad field, no record) raises ``ValueError``
    after the documents before it were yielded: the caller drops them and reads the
    file with the loader, which words the error (or accepts the file after all).
    """
    if not _streamable(path):
        raise ValueError(f"{path}: left to the loader")
    origin, stem = os.fspath(path), path.stem
    found = False
    for block, first_line in _jsonl_blocks(path):
        for number, raw in _lines(block, first_line):
            where = f"{origin}:{number}"
            record = _record(raw, where, number)
            if isinstance(record, _Failed):
                raise ValueError(f"{record.where}: {record.reason}")
            try:
                yield document_from_record(record, f"{stem}:{number}")
            except InputError as exc:
                raise ValueError(str(exc)) from None
            found = True
    if not found:
        raise ValueError(f"{origin}: no records")


def _first_pass_jsonl(path: Path, runner: _Runner, config: FastConfig) -> _Collection:
    keep = path.stat().st_size <= config.memory_budget  # hash sets take about as much as the text
    found = _Collection(keep, config.memory_budget)
    origin, stem = os.fspath(path), path.stem
    bar = _progress_bar(config.progress, path.stat().st_size, "B")
    try:
        # worker processes read their block from the file themselves: only its place is sent
        tasks = (
            ((offset, length), line, origin, stem, found.keeping, runner.shared)
            for offset, length, line in _jsonl_places(path, bar)
        )
        for signed in runner.map(_sign_jsonl, tasks):
            if isinstance(signed, _Failed):
                raise _NotStreamable(f"{signed.where}: {signed.reason}")
            found.add(runner.take(signed))
    finally:
        if bar is not None:
            bar.close()
    if not found.ids:
        raise _NotStreamable(f"{origin}: no records")
    if len(set(found.ids)) != len(found.ids):
        raise _NotStreamable(f"{origin}: duplicate ids")
    return found


def _first_pass_texts(texts: Sequence[str], runner: _Runner, config: FastConfig) -> _Collection:
    found = _Collection(True, config.memory_budget)
    bar = _progress_bar(config.progress, len(texts), "doc")
    for signed in runner.map(_sign_texts, ((chunk, found.keeping) for chunk in _text_chunks(texts))):
        found.add(signed)
        if bar is not None:
            bar.update(len(signed.sizes))
    if bar is not None:
        bar.close()
    return found


def _text_chunks(texts: Sequence[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    size = 0
    for t in texts:
        chunk.append(t)
        size += len(t)
        if size >= _BLOCK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _second_pass(
    found: _Collection,
    needed: np.ndarray,
    payloads: Iterable[Any],
    make_task: Callable[[Any, list[int]], tuple[Any, ...]],
    fn: Callable[..., tuple[np.ndarray, np.ndarray]],
    runner: _Runner,
) -> dict[int, np.ndarray]:
    """Hash sets of the ``needed`` documents, recomputed block by block (one payload per first-pass block)."""
    sets: dict[int, np.ndarray] = {}
    starts = np.concatenate(([0], np.cumsum(found.block_docs))).astype(np.int64)
    plan: deque[list[int]] = deque()

    def tasks() -> Iterator[tuple[Any, ...]]:
        for b, payload in enumerate(payloads):
            local = np.flatnonzero(needed[starts[b] : starts[b + 1]])
            if len(local):
                plan.append((local + starts[b]).tolist())
                yield make_task(payload, local.tolist())

    for flat, offsets in runner.map(fn, tasks()):
        for slot, d in enumerate(plan.popleft()):
            sets[d] = flat[offsets[slot] : offsets[slot + 1]].copy()
    return sets


def _candidate_sets(
    found: _Collection, candidates: np.ndarray, root: Path, texts: list[str] | None, runner: _Runner
) -> Callable[[int], np.ndarray]:
    """Hash set by document index, for the documents of ``candidates``: kept from the first pass, else recomputed."""
    if found.sets is not None:
        sets, found.sets = found.sets, None
        return sets.get
    needed = np.zeros(len(found.ids), dtype=bool)
    needed[candidates.ravel()] = True
    if texts is not None:
        held = texts
        starts = np.concatenate(([0], np.cumsum(found.block_docs)))[:-1].tolist()
        recomputed = _second_pass(
            found, needed, starts, lambda s, local: ([held[s + k] for k in local],), _hash_texts, runner
        )
    else:
        blocks = _jsonl_blocks(root)
        recomputed = _second_pass(found, needed, blocks, lambda b, local: (*b, local), _hash_jsonl, runner)
    return recomputed.__getitem__


def _pairs_and_clusters(
    ids: Sequence[str], sizes: Mapping[int, int], near: Iterable[NearDupPair], threshold: float
) -> tuple[list[PairScore], list[Cluster]]:
    """The pipeline's verbatim pairs (``a`` the smaller id, sorted by ``(a, b)``) and their clusters.

    A verified pair is ``near-duplicate`` at Jaccard ``>= threshold``, else
    ``contained`` by the containment rule, else dropped.  The clusters are those
    of :func:`provenance.clusters.build_clusters`: the connected components,
    members and components in input order, of the near-duplicate pairs for the
    near-duplicate kind and of all these pairs for the other kinds (a contained
    pair is reuse, but does not link near-duplicates), found with
    :func:`provenance.neardup.connected_components`, which takes a second where
    networkx takes minutes on a million documents.
    """
    pairs = []
    links: list[tuple[int, int]] = []  # near-duplicate pairs
    reuse: list[tuple[int, int]] = []  # near-duplicate or contained pairs
    for p in near:
        if p.jaccard >= threshold:
            relation = Relation.NEAR_DUPLICATE
            links.append((p.i, p.j))
        else:
            smaller = min(sizes[p.i], sizes[p.j])  # shingle set sizes
            contained = max(p.containment_i_in_j, p.containment_j_in_i) >= CONTAINMENT
            if not (contained and smaller >= MIN_SHINGLES_FOR_CONTAINMENT):
                continue
            relation = Relation.CONTAINED
        reuse.append((p.i, p.j))
        if ids[p.i] < ids[p.j]:
            a, b, c_ab, c_ba = ids[p.i], ids[p.j], p.containment_i_in_j, p.containment_j_in_i
        else:
            a, b, c_ab, c_ba = ids[p.j], ids[p.i], p.containment_j_in_i, p.containment_i_in_j
        pairs.append(PairScore(a, b, relation, p.jaccard, 0.0, c_ab, c_ba))
    pairs.sort(key=lambda p: (p.a, p.b))
    near_groups = connected_components(len(ids), links)
    reuse_groups = connected_components(len(ids), reuse) if len(reuse) > len(links) else near_groups
    clusters = [
        Cluster(kind, tuple(ids[d] for d in group))
        for kind in ClusterKind
        for group in (near_groups if kind is ClusterKind.NEAR_DUPLICATE else reuse_groups)
    ]
    return pairs, clusters


def _info(doc_id: str, fields: DocumentFields | None) -> DocumentInfo:
    if fields is None:
        return DocumentInfo(id=doc_id, language=None, outlet=None, published=None)
    language = fields.language.lower().split("-")[0] if fields.language else None  # as pipeline.assign_languages
    return DocumentInfo(doc_id, language, fields.outlet, fields.published, fields.title)


def _fields_of(doc: Document) -> DocumentFields | None:
    if doc.outlet is doc.published is doc.language is doc.title is None:
        return None
    return DocumentFields(doc.outlet, doc.url, doc.published, doc.language, doc.title)


def _with_metadata(found: _Collection, metadata: str | os.PathLike[str]) -> list[SkippedInput]:
    """Apply a metadata file to the streamed documents as :func:`provenance.load.load_corpus` does."""
    entries = read_metadata(metadata)
    position = {doc_id: d for d, doc_id in enumerate(found.ids)}
    for doc_id, entry in entries.items():
        d = position.get(doc_id)
        if d is not None:
            fields = found.fields[d] or DocumentFields()
            doc = Document(doc_id, "", fields.outlet, fields.url, fields.published, fields.language, fields.title)
            found.fields[d] = _fields_of(entry.fields.apply_to(doc))
    _, unknown = merge_metadata([], {k: v for k, v in entries.items() if k not in position})
    return unknown


def cluster_near_duplicates(
    path: str | os.PathLike[str],
    metadata: str | os.PathLike[str] | None = None,
    config: FastConfig | None = None,
    timings: dict[str, float] | None = None,
) -> AnalysisResult:
    """Near-duplicate pairs and clusters of the collection at ``path`` (see the module docstring).

    Raises :class:`~provenance.errors.InputError` as :func:`provenance.load.load_corpus` does.
    Stage wall times are added to ``timings`` if given.
    """
    timer = _Timer(timings)
    config = config or FastConfig()
    ShingleSpec.parse(config.shingle)  # a ValueError for a bad spec, before any reading
    if not 0.0 < config.threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {config.threshold!r}")
    search = min(config.threshold, NEAR_DUPLICATE_THRESHOLD)
    root = Path(path)
    runner = _Runner(config, _input_size(root))
    try:
        texts: list[str] | None = None
        skipped: list[SkippedInput] = []
        found: _Collection | None = None
        if _streamable(root):
            try:
                found = _first_pass_jsonl(root, runner, config)
            except _NotStreamable:
                found = None  # the loader reads it (and raises its own error if it is invalid)
            if found is not None and metadata is not None:
                skipped = _with_metadata(found, metadata)
        if found is None:
            corpus = load_corpus(root, metadata=metadata)
            skipped = corpus.skipped
            texts = [d.text for d in corpus.documents]
            found = _first_pass_texts(texts, runner, config)
            found.ids = [d.id for d in corpus.documents]
            found.fields = [_fields_of(d) for d in corpus.documents]
            del corpus
        timer.lap("first_pass")
        counts, signatures = found.take_arrays(config.num_perm)
        if found.keeping:
            runner.close()  # the rest runs in processes forked from this one as it is now (_Forks)
        # (forks only from a process without the first pass's pool: its threads hold locks at times)
        lsh_jobs = runner.jobs if runner.pool is None else 1
        candidates = _lsh_candidates_forked(signatures, counts > 0, search, config.num_perm, lsh_jobs)
        timer.lap("lsh_candidates")
        del signatures  # not needed any more: the MinHash estimate of a pair is not reported
        get = _candidate_sets(found, candidates, root, texts, runner)
        texts = None
        runner.close()
        timer.lap("second_pass")
        with _Forks(runner.jobs, get=get, candidates=candidates) as forks:
            slices = _slices(len(candidates), forks.jobs * 4 if forks.jobs > 1 else 1)
            pending = forks.map(_count_overlaps, slices)
            documents = [_info(doc_id, f) for doc_id, f in zip(found.ids, found.fields, strict=True)]
            overlaps = [part for part in pending]
        near, set_sizes = _verified(candidates, overlaps, search)
        del get  # the hash sets are released before the result is built
        timer.lap("verification")
    finally:
        runner.close()
    pairs, clusters = _pairs_and_clusters(found.ids, set_sizes, near, config.threshold)
    timer.lap("pairs_and_clusters")
    return AnalysisResult(documents=documents, pairs=pairs, clusters=clusters, skipped=skipped)


# --------------------------------------------------------------------------- after the first pass: forks


_SHARED: dict[str, Any] = {}  # what the forked processes read (set in this process before they fork)


class _Forks:
    """Worker processes forked from this process as it is now: they read ``shared`` without copying it.

    ``jobs`` of 1, or a platform without ``fork``: the tasks run here.
    ``map`` submits every task at once and returns an iterator of the results
    in order (this process can do other work before reading them).
    """

    def __init__(self, jobs: int, **shared: Any) -> None:
        self.jobs = jobs if "fork" in multiprocessing.get_all_start_methods() else 1
        self.shared = shared
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Forks:
        _SHARED.clear()
        _SHARED.update(self.shared)
        if self.jobs > 1:
            self.pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork"))
        return self

    def map(self, fn: Callable[..., Any], tasks: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
        if self.pool is None:
            return (fn(*task) for task in tasks)
        futures = [self.pool.submit(fn, *task) for task in tasks]
        return (f.result() for f in futures)

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        _SHARED.clear()


def _slices(total: int, parts: int) -> list[tuple[int, int]]:
    bounds = np.linspace(0, total, max(1, min(parts, total)) + 1).astype(np.int64).tolist()
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def _band_codes(index: LSHIndex, bands: range) -> tuple[np.ndarray, int, int]:
    return index.band_codes(_SHARED["signatures"], bands)


def _lsh_candidates_forked(
    signatures: np.ndarray, nonempty: np.ndarray, threshold: float, num_perm: int, jobs: int
) -> np.ndarray:
    """:func:`provenance.neardup._lsh_candidates`, its bands shared among forked processes."""
    keep = np.flatnonzero(nonempty)
    if len(keep) < 2:
        return np.empty((0, 2), dtype=np.int64)
    sigs = signatures[keep] if len(keep) < len(signatures) else signatures
    if threshold >= 1.0:
        threshold = 1.0 - 1e-9  # identical sets: one band of all slots is the natural index
    index = LSHIndex(threshold=threshold, num_perm=num_perm, fp_weight=FP_WEIGHT, fn_weight=FN_WEIGHT)
    with _Forks(jobs, signatures=sigs) as forks:
        split = _slices(index.bands, forks.jobs)
        parts = list(forks.map(_band_codes, [(index, range(a, b)) for a, b in split]))
    return keep[index.pairs_from_codes(len(sigs), parts)]


def _count_overlaps(start: int, stop: int) -> np.ndarray:
    """``(|A ∩ B|, |A|, |B|)`` of the candidates ``start:stop`` (rows), as :func:`provenance.neardup.exact_overlap`."""
    get, candidates = _SHARED["get"], _SHARED["candidates"]
    out = np.zeros((stop - start, 3), dtype=np.int64)
    for row, (i, j) in enumerate(candidates[start:stop].tolist()):
        a, b = get(i), get(j)
        out[row, 1], out[row, 2] = len(a), len(b)
        if len(a) and len(b):
            if len(a) > len(b):
                a, b = b, a
            out[row, 0] = np.count_nonzero(found_in(b, a))
    return out


def _verified(
    candidates: np.ndarray, overlaps: list[np.ndarray], threshold: float
) -> tuple[list[NearDupPair], dict[int, int]]:
    """The candidates whose exact Jaccard is ``>= threshold`` (as :func:`provenance.neardup.verify_pairs`
    finds them, the same floats) and the set sizes of their documents."""
    counts = np.concatenate(overlaps) if overlaps else np.zeros((0, 3), dtype=np.int64)
    inter, size_i, size_j = counts[:, 0], counts[:, 1], counts[:, 2]
    union = size_i + size_j - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    rows = np.flatnonzero((jaccard >= threshold) & (size_i > 0) & (size_j > 0))
    near = [
        NearDupPair(i, j, jac, 1.0, n / a, n / b)  # the estimate is not reported (1.0: as verify_pairs without it)
        for (i, j), jac, n, a, b in zip(
            candidates[rows].tolist(),
            jaccard[rows].tolist(),
            inter[rows].tolist(),
            size_i[rows].tolist(),
            size_j[rows].tolist(),
            strict=True,
        )
    ]
    sizes = {}
    for p, a, b in zip(near, size_i[rows].tolist(), size_j[rows].tolist(), strict=True):
        sizes[p.i], sizes[p.j] = a, b
    return near, sizes


# --------------------------------------------------------------------------- JSON output


def write_json(result: AnalysisResult, out: TextIO, slice_size: int = 2048) -> None:
    """Write ``provenance.present.as_json(result)`` to ``out``: the same text, built piece by piece.

    The JSON form is :func:`provenance.serialize.result_to_dict`'s, indented as
    ``json.dumps(..., ensure_ascii=False, indent=2)`` does, but the list fields
    of the result (``documents``, ``pairs``...) are serialised ``slice_size``
    items at a time, so a million documents never exist as dictionaries, or as
    one string, all at once; and the indentation is done here, several times
    faster than the json module's own (pure Python when it indents).
    """
    lists = {f.name for f in fields(result) if isinstance(getattr(result, f.name), list)}
    no_items: dict[str, Any] = {name: [] for name in lists}
    empty = replace(result, **no_items)
    head = result_to_dict(empty)
    out.write("{" if head else "{}")
    for n, (key, value) in enumerate(head.items()):
        out.write(("\n  " if n == 0 else ",\n  ") + encode_basestring(key) + ": ")
        items = getattr(result, key) if key in lists and value == [] else None
        if not items:
            out.write(_json(value, 1))
            continue
        fast = _ITEM_JSON.get(key)
        for start in range(0, len(items), slice_size):
            chunk = items[start : start + slice_size]
            try:
                if fast is None:
                    raise _Unusual
                texts = [fast(item, result) for item in chunk]
            except _Unusual:
                part = result_to_dict(replace(empty, **{key: chunk}))[key]
                texts = [_json(item, 2) for item in part]
            lead = "[\n    " if start == 0 else ",\n    "
            out.write(lead + ",\n    ".join(texts))
        out.write("\n  ]")
    if head:
        out.write("\n}")


class _Unusual(Exception):
    """An item the direct encoders below do not cover: it goes through ``result_to_dict`` and :func:`_json`."""


def _scalar(value: Any) -> str:
    """A scalar as json's C encoder writes it (``ensure_ascii=False``); :class:`_Unusual` for anything else."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value) if value - value == 0.0 else json.dumps(value)  # NaN, Infinity as json
    raise _Unusual


def _r4(x: float) -> str:
    value = round(float(x), 4)  # serialize._r
    return float.__repr__(value) if value - value == 0.0 else json.dumps(value)


# a document with nothing but its id (as the near-duplicate level gives them without metadata)
_PLAIN_DOCUMENT_TAIL = (
    ',\n      "language": null,\n      "outlet": null,\n      "published": null,\n      "title": null,'
    '\n      "cited_sources": [],\n      "parent": null,\n      "derived_share": 0.0,'
    '\n      "is_reference_source": false,\n      "url": null\n    }'
)


def _document_item(d: DocumentInfo, result: AnalysisResult) -> str:
    """``_json(result_to_dict(...)["documents"][k], 2)`` for a document without cited sources."""
    if d.cited_sources:
        raise _Unusual
    share = d.derived_share
    if (
        d.language is d.outlet is d.published is d.title is d.parent is None
        and d.is_reference_source is False
        and type(d.id) is str
        and type(share) is float
        and share == 0.0
        and math.copysign(1.0, share) > 0.0
        and not result.urls
    ):
        return '{\n      "id": ' + encode_basestring(d.id) + _PLAIN_DOCUMENT_TAIL
    published = d.published.isoformat() if d.published else None
    return (
        f'{{\n      "id": {_scalar(d.id)},\n      "language": {_nullable(d.language)},'
        f'\n      "outlet": {_nullable(d.outlet)},\n      "published": {_nullable(published)},'
        f'\n      "title": {_nullable(d.title)},\n      "cited_sources": [],\n      "parent": {_nullable(d.parent)},'
        f'\n      "derived_share": {_r4(d.derived_share)},'
        f'\n      "is_reference_source": {_scalar(d.is_reference_source)},'
        f'\n      "url": {_nullable(result.urls.get(d.id)) if result.urls else "null"}\n    }}'
    )


def _nullable(value: Any) -> str:
    return "null" if value is None else _scalar(value)


def _cluster_item(c: Cluster, result: AnalysisResult) -> str:
    """``_json(result_to_dict(...)["clusters"][k], 2)`` for a cluster with members."""
    if not c.members:
        raise _Unusual
    members = ",\n        ".join(map(_scalar, c.members))
    return f'{{\n      "kind": {_scalar(c.kind.value)},\n      "members": [\n        {members}\n      ]\n    }}'


def _pair_item(p: PairScore, result: AnalysisResult) -> str:
    """``_json(result_to_dict(...)["pairs"][k], 2)``, its intermediates and aligned passages included."""
    via = "[\n        " + ",\n        ".join(map(_scalar, p.via)) + "\n      ]" if p.via else "[]"
    alignments = (
        "[\n        " + ",\n        ".join(map(_alignment_item, p.alignments)) + "\n      ]" if p.alignments else "[]"
    )
    return (
        f'{{\n      "a": {_scalar(p.a)},\n      "b": {_scalar(p.b)},\n      "relation": {_scalar(p.relation.value)},'
        f'\n      "jaccard": {_r4(p.jaccard)},\n      "tfidf_cosine": {_r4(p.tfidf_cosine)},'
        f'\n      "containment_a_in_b": {_r4(p.containment_a_in_b)},'
        f'\n      "containment_b_in_a": {_r4(p.containment_b_in_a)},'
        f'\n      "coverage_a": {_r4(p.coverage_a)},\n      "coverage_b": {_r4(p.coverage_b)},'
        f'\n      "p_value": {_scalar(float(f"{p.p_value:.3g}"))},'
        f'\n      "cross_language": {_scalar(p.cross_language)},'
        f'\n      "via": {via},\n      "alignments": {alignments}\n    }}'
    )


def _alignment_item(al: Alignment) -> str:
    """``_json(alignment_to_dict(al), 4)``."""
    return (
        f'{{\n          "a_start": {_scalar(al.a_start)},\n          "a_end": {_scalar(al.a_end)},'
        f'\n          "b_start": {_scalar(al.b_start)},\n          "b_end": {_scalar(al.b_end)},'
        f'\n          "score": {_r4(al.score)},\n          "in_order": {_scalar(al.in_order)}\n        }}'
    )


# the items written without building their dictionaries (the bulk of a near-duplicate result)
_ITEM_JSON: dict[str, Callable[[Any, AnalysisResult], str]] = {
    "documents": _document_item,
    "pairs": _pair_item,
    "clusters": _cluster_item,
}


# json's C encoder with separators that cannot occur in its output otherwise (it always escapes
# control characters): a dict of scalars is encoded in C, then given json's indentation.
_FLAT_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=("\x1f", "\x1e"), check_circular=False)
_SCALARS = frozenset({str, int, float, bool, type(None)})
_CONTAINERS = frozenset({list, dict})


def _flat_encoder() -> Callable[[Any], str]:
    encoder = _FLAT_ENCODER
    if c_make_encoder is None:  # pragma: no cover - Python without the C accelerator
        return encoder.encode
    c_encode = c_make_encoder(
        None, encoder.default, encode_basestring, None, "\x1e", "\x1f", False, False, True
    )  # the arguments JSONEncoder.iterencode passes (no circular check)
    return lambda value: "".join(c_encode(value, 0))


_encode_flat = _flat_encoder()


def _json(value: Any, level: int) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it at nesting ``level``."""
    if type(value) is dict and value:
        types = set(map(type, value.values()))
        if types <= _SCALARS or (
            types <= _SCALARS | _CONTAINERS and not any(v for v in value.values() if type(v) in _CONTAINERS)
        ):
            inner = "\n" + "  " * (level + 1)
            body = _encode_flat(value)[1:-1].replace("\x1f", "," + inner).replace("\x1e", ": ")
            return "{" + inner + body + "\n" + "  " * level + "}"
    try:
        return _scalar(value)
    except _Unusual:
        pass
    inner = "\n" + "  " * (level + 1)
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        if set(map(type, value)) == {str}:  # e.g. a cluster's members
            return "[" + inner + ("," + inner).join(map(encode_basestring, value)) + "\n" + "  " * level + "]"
        return "[" + inner + ("," + inner).join(_json(v, level + 1) for v in value) + "\n" + "  " * level + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (_json(k if isinstance(k, str) else json.dumps(k).strip('"'), 0) + ": " + _json(v, level + 1)
                 for k, v in value.items())  # fmt: skip
        return "{" + inner + ("," + inner).join(items) + "\n" + "  " * level + "}"
    return json.dumps(value)  # anything else: json's own error (or its encoding)
