"""What the index keeps of a document, computed with the library's own stages.

For each document (its language already assigned):

* ``text_hash``: SHA-256 of the UTF-8 text, to tell "already indexed" from
  "same id, other text";
* the shingle-hash set (:func:`~provenance.signatures.shingles.shingle_hashes_batch`)
  and its MinHash signature (:class:`~provenance.signatures.minhash.MinHasher`);
* the LSH band keys of the signature: band ``b`` covers slots
  ``b * rows .. (b + 1) * rows - 1`` and its key is the band-key function of
  :mod:`provenance.candidates.lsh`, so two documents share a key in some band
  exactly when ``provenance cluster`` would make them a near-duplicate
  candidate (same bands and rows, from :func:`~provenance.candidates.lsh.optimal_params`
  with the weights of :mod:`provenance.neardup`);
* the passage profile (:func:`~provenance.scoring.align.build_profile`): the
  content stems of every passage, which the query scores alignments on;
* the posting terms, the rewrite candidate generator: the ``terms_per_passage``
  rarest content stems of every passage plus the document's ``min_terms``
  rarest ones, at most ``max_terms`` in all.  A stem's rarity is its
  background probability (:func:`~provenance.scoring.weights.background_doc_probability`
  of its surface form: the chance that an article of the language contains
  it), ties broken by the stem's hash, so it is known when a document is added,
  whatever else the index holds, and two texts sharing a passage tend to pick
  the same stems in it.  Terms are stored as signed 64-bit hashes (xxh64) of the stems.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xxhash

from provenance.candidates.lsh import _band_keys as band_key  # the LSH stage's own key function
from provenance.normalize.analyzer import analyzer_for
from provenance.records import Document, Passage
from provenance.scoring.align import PassageProfile, build_profile
from provenance.scoring.weights import background_doc_probability
from provenance.signatures.minhash import MinHasher
from provenance.signatures.shingles import ShingleSpec, shingle_hashes_batch

PROFILE_FORMAT = 1


@dataclass(frozen=True)
class TermSelection:
    """How many rare stems a document posts (see the module docstring)."""

    terms_per_passage: int = 2
    min_terms: int = 16
    max_terms: int = 64


@dataclass(frozen=True)
class DocumentFeatures:
    """One document's entries in the index."""

    text_hash: str
    shingles: np.ndarray  # sorted unique uint64 shingle hashes
    signature: np.ndarray  # uint32, num_perm slots
    band_keys: list[int]  # one signed 64-bit key per band; empty for a text without shingles
    terms: list[int]  # posting terms (signed 64-bit stem hashes), sorted
    profile: PassageProfile


def text_hash(text: str) -> str:
    """Hex SHA-256 of the text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def term_hash(stem: str) -> int:
    """The stem as a signed 64-bit integer (xxh64), the form postings store."""
    return xxhash.xxh64_intdigest(stem.encode("utf-8", "surrogatepass")) - (1 << 63)


@lru_cache(maxsize=1 << 18)
def _rarity(form: str, language: str) -> float:
    return background_doc_probability(form, language)


def posting_terms(profile: PassageProfile, selection: TermSelection) -> list[int]:
    """The hashed rare stems a document posts: per passage and document-wide (module docstring)."""
    stems: set[str] = set().union(*profile.terms)
    key = {s: (_rarity(profile.surface.get(s, s), profile.language), term_hash(s)) for s in stems}
    chosen: set[str] = set()
    for passage in profile.terms:
        chosen.update(heapq.nsmallest(selection.terms_per_passage, passage, key=key.__getitem__))
    chosen.update(heapq.nsmallest(selection.min_terms, stems, key=key.__getitem__))
    ranked = heapq.nsmallest(selection.max_terms, chosen, key=key.__getitem__)
    return sorted(key[s][1] for s in ranked)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``(N, bands)`` signed 64-bit LSH keys of ``(N, num_perm)`` signatures."""
    keys = np.empty((len(signatures), bands), dtype=np.uint64)
    for b in range(bands):
        keys[:, b] = band_key(signatures[:, b * rows : (b + 1) * rows])
    return keys.view(np.int64)


def document_features(
    documents: Sequence[Document],
    spec: ShingleSpec,
    hasher: MinHasher,
    bands: int,
    rows: int,
    selection: TermSelection,
) -> list[DocumentFeatures]:
    """Features of documents whose ``language`` is set (see :func:`provenance.pipeline.assign_languages`)."""
    if not documents:
        return []
    hash_sets = shingle_hashes_batch([d.text for d in documents], spec)
    signatures = hasher.signatures(hash_sets)
    keys = band_keys(signatures, bands, rows)
    out = []
    for d, hs, sig, k in zip(documents, hash_sets, signatures, keys, strict=True):
        profile = build_profile(d, analyzer_for(d.language))
        out.append(
            DocumentFeatures(
                text_hash=text_hash(d.text),
                shingles=hs,
                signature=sig,
                band_keys=k.tolist() if len(hs) else [],
                terms=posting_terms(profile, selection),
                profile=profile,
            )
        )
    return out


def pack_ints(values: Sequence[int]) -> bytes:
    """Signed 64-bit integers as little-endian bytes (for BLOB columns)."""
    return np.asarray(values, dtype="<i8").tobytes()


def unpack_ints(data: bytes) -> list[int]:
    """The inverse of :func:`pack_ints`."""
    return np.frombuffer(data, dtype="<i8").tolist()


def profile_to_bytes(profile: PassageProfile) -> bytes:
    """A passage profile as compressed JSON: every stem once, passages as indices into that vocabulary."""
    vocab = list(dict.fromkeys([*profile.surface, *(t for ts in profile.terms for t in ts)]))
    vocab += [a for a in dict.fromkeys(a for ts in profile.anchors for a in ts) if a not in profile.surface]
    index = {t: i for i, t in enumerate(vocab)}
    payload = {
        "format": PROFILE_FORMAT,
        "language": profile.language,
        "text_length": profile.text_length,
        "spans": [[p.start, p.end] for p in profile.passages],
        "vocab": vocab,
        "forms": [profile.surface.get(t) for t in vocab],
        "terms": [sorted(index[t] for t in ts) for ts in profile.terms],
        "anchors": [sorted(index[t] for t in ts) for ts in profile.anchors],
    }
    return zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def profile_from_bytes(data: bytes, doc_id: str) -> PassageProfile:
    """The profile :func:`profile_to_bytes` stored, for document ``doc_id``."""
    raw = json.loads(zlib.decompress(data).decode("utf-8"))
    vocab: list[str] = raw["vocab"]
    surface = {t: f for t, f in zip(vocab, raw["forms"], strict=True) if f is not None}
    passages = tuple(Passage(doc_id, k, s, e) for k, (s, e) in enumerate(raw["spans"]))
    return PassageProfile(
        doc_id,
        passages,
        tuple(frozenset(vocab[i] for i in ts) for ts in raw["terms"]),
        surface,
        int(raw["text_length"]),
        str(raw["language"]),
        tuple(frozenset(vocab[i] for i in ts) for ts in raw["anchors"]),
    )
