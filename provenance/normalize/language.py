"""Per-document language identification, offline.

Uses py3langid (a maintained fork of langid.py: a multinomial naive Bayes model
over byte n-grams that ships inside the package, 97 languages).  The raw
log-probabilities are turned into a posterior with a softmax; below
``min_confidence`` or for texts with too few letters the language is reported
as ``"und"`` (undetermined, ISO 639-2) and the language-independent fallback
analysis is used.  Only a prefix of the text is read (:data:`PREFIX_CHARS`):
a news article's language is settled by its first paragraphs, and the model's
cost grows with the text.  The model's byte automaton is walked by a compiled
loop (:mod:`provenance.jit`), many texts side by side (:func:`_feature_arrays`),
instead of byte by byte in Python; the features and their counts are exactly
py3langid's, the posterior is its ``LanguageIdentifier._decide`` up to float
rounding (:func:`_posteriors`).

In a collection (:func:`detect_languages`), a text the model finds ambiguous
on its own (posterior below ``settled``, 0.9: a short caption, a name-heavy
paragraph, text the model was not trained on) is decided with the
collection's language distribution as its prior instead of the model's
uniform one: the mixture weights of the languages, estimated by
expectation-maximisation over the posteriors of all the collection's texts
(maximum likelihood).  So it takes the language its collection is written in
instead of "und" or a neighbouring language, while a text the model is sure
of keeps its language however rare it is in the collection.  This matters beyond the label: documents in
different languages are analysed with different stemmers and compared across
languages (anchors and sentence vectors), so a collection whose copies flip
between "it" and "und" would lose its rewrites and pay for the encoder.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from provenance.jit import jit

UNDETERMINED = "und"
PREFIX_CHARS = 3000  # characters of a document read by the language model (about 450 words)


@dataclass(frozen=True)
class LanguageGuess:
    code: str  # ISO 639-1 code, or "und"
    confidence: float


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _enough_letters(sample: str, min_letters: int) -> bool:
    """Whether ``sample`` has at least ``min_letters`` letters (``str.isalpha``; usually settled by its start)."""
    head = sum(map(str.isalpha, sample[: 4 * min_letters]))
    return head >= min_letters or sum(map(str.isalpha, sample)) >= min_letters


@lru_cache(maxsize=1)
def _automaton() -> tuple[np.ndarray, int, np.ndarray]:
    """py3langid's byte automaton as one array indexed by ``row base of the state + byte``.

    Entry ``i`` packs two int32 halves (little-endian order, read through an int32 view):
    first the row base (state row << 8) of the next state, then the feature the next
    state emits (-1 for none); one gather per byte instead of two, from one table (a
    walk's cost is the cache misses of its gathers).  The second: the row base of state 0,
    where walks start; the third: the model's feature x language table in float32 (exact;
    numpy's product of the float16 table with float32 counts computes in float32 too, so
    the scores are the same, without the cast per text).
    """
    ident = _identifier()
    nextmove = np.frombuffer(ident.tk_nextmove, dtype=np.dtype(ident.tk_nextmove.typecode)).astype(np.int64)
    rowbase = np.asarray(ident.tk_row, dtype=np.int64) << 8
    output = np.asarray(ident.tk_output, dtype=np.int32)
    table = np.asarray(ident.nb_ptc, dtype=np.float32)
    halves = np.empty((len(nextmove), 2), dtype="<i4")
    halves[:, 0] = rowbase[nextmove]
    halves[:, 1] = output[nextmove]
    return halves.view("<i8").ravel(), int(rowbase[0]), table


WALK_LANES = 32  # texts walked side by side: a step's table read waits on the step before, so a lone walk
# waits on memory at every byte (the table is 78 MB); 32 independent walks keep that many reads in flight


@jit
def _walk(packed: np.ndarray, start: int, data: np.ndarray, offsets: np.ndarray, lanes: int) -> np.ndarray:
    """The feature the automaton emits at each byte of ``data`` (-1 for none); text ``t`` is
    ``data[offsets[t]:offsets[t + 1]]``, each walked from state ``start``, ``lanes`` texts at a time."""
    emitted = np.empty(len(data), np.int32)
    n = len(offsets) - 1
    base = np.empty(lanes, np.int64)
    at = np.empty(lanes, np.int64)
    end = np.empty(lanes, np.int64)
    for first in range(0, n, lanes):
        width = min(n, first + lanes) - first
        longest = 0
        for g in range(width):
            base[g] = start
            at[g] = offsets[first + g]
            end[g] = offsets[first + g + 1]
            longest = max(longest, end[g] - at[g])
        for _ in range(longest):
            for g in range(width):
                p = at[g]
                if p < end[g]:
                    step = packed[base[g] + data[p]]
                    base[g] = step & 0xFFFFFFFF  # the low half: the next state's row base
                    emitted[p] = step >> 32  # the high half: the feature (-1 stays -1)
                    at[g] = p + 1
    return emitted


@jit
def _count(
    emitted: np.ndarray, offsets: np.ndarray, rank: np.ndarray, n_features: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per text of :func:`_walk`, its features in order of first occurrence and their counts:
    ``(features, counts, bounds)``, text ``t``'s in ``bounds[t]:bounds[t + 1]``.  Text ``t`` was
    walked as text ``rank[t]`` (``emitted[offsets[rank[t]]:offsets[rank[t] + 1]]``)."""
    n = len(offsets) - 1
    seen = np.zeros(n_features, np.int64)
    features = np.empty(len(emitted), np.int64)
    counts = np.empty(len(emitted), np.int64)
    bounds = np.zeros(n + 1, np.int64)
    m = 0
    for t in range(n):
        first = m
        for p in range(offsets[rank[t]], offsets[rank[t] + 1]):
            f = emitted[p]
            if f >= 0:
                if seen[f] == 0:
                    features[m] = f
                    m += 1
                seen[f] += 1
        for q in range(first, m):
            counts[q] = seen[features[q]]
            seen[features[q]] = 0
        bounds[t + 1] = m
    return features[:m], counts[:m], bounds


def _feature_arrays(encoded: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_count`'s ``(features, counts, bounds)`` of the texts, in their order.

    Compiled loops (:mod:`provenance.jit`): the texts, longest first, are walked
    :data:`WALK_LANES` at a time (:func:`_walk`), then each text's emissions counted (:func:`_count`).
    """
    packed, start, table = _automaton()
    order = np.argsort(-np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), kind="stable")
    lengths = np.fromiter((len(encoded[k]) for k in order), dtype=np.int64, count=len(order))
    offsets = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = np.frombuffer(b"".join(encoded[k] for k in order), dtype=np.uint8)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    features, counts, bounds = _count(_walk(packed, start, data, offsets, WALK_LANES), offsets, rank, len(table))
    return features.astype(np.intp), counts, bounds


def _feature_counts(encoded: Sequence[bytes]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per text, the automaton's features in order of first occurrence and their counts (py3langid's ``Counter``)."""
    features, counts, bounds = _feature_arrays(encoded)
    return [(features[bounds[t] : bounds[t + 1]], counts[bounds[t] : bounds[t + 1]]) for t in range(len(encoded))]


@jit
def _raw_scores(table: np.ndarray, features: np.ndarray, weights: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Per text ``t``, ``weights @ table[features]`` over its features ``bounds[t]:bounds[t + 1]``, summed in
    float64 and rounded to float32 (py3langid: float32 BLAS); the table's rows are read in place, not gathered."""
    n, width = len(bounds) - 1, table.shape[1]
    out = np.zeros((n, width), np.float32)
    acc = np.zeros(width)
    for t in range(n):
        acc[:] = 0.0
        for q in range(bounds[t], bounds[t + 1]):
            w = np.float64(weights[q])
            row = table[features[q]]
            for c in range(width):
                acc[c] += w * row[c]
        for c in range(width):
            out[t, c] = acc[c]
    return out


def _posteriors(features: np.ndarray, counts: np.ndarray, bounds: np.ndarray, n_bytes: np.ndarray) -> np.ndarray:
    """py3langid's ``_decide`` (normalised probabilities) of each text from the walk's features and counts
    (:func:`_count`'s arrays): one float64 row a text.

    The scores are py3langid's up to float rounding (the products summed in float64 instead of
    float32 BLAS: at most a few units in the last float32 place of the probabilities, and the
    same on every machine); the rest is its arithmetic, on all the texts' rows at once.
    """
    ident = _identifier()
    weights = np.log1p(counts.astype(np.float32))
    scores = _raw_scores(_automaton()[2], features, weights, bounds)
    scores[np.diff(bounds) > 0] += ident.nb_pc  # (a text without features: zeros, as py3langid)
    scores *= (1.0 / np.sqrt(np.maximum(n_bytes, 1))).astype(np.float32)[:, None]
    np.exp(scores - scores.max(axis=1, keepdims=True), out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in ident._alias_pairs:
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    return np.asarray(scores, dtype=np.float64)


def _encode(sample: str) -> bytes:
    """The bytes py3langid reads for ``sample`` (``LanguageIdentifier._encode``)."""
    if sample.isupper():
        sample = sample.lower()
    return unicodedata.normalize("NFC", sample).encode("utf8", errors="surrogatepass")


def load_model() -> None:
    """Load the model and its arrays now (before forking workers, which then share them)."""
    _automaton()


def language_probabilities(text: str) -> np.ndarray:
    """The model's posterior over its labels (``labels()``) for the prefix of ``text`` (uniform prior)."""
    return _probabilities([text[:PREFIX_CHARS]])[0]


def _probabilities(samples: Sequence[str]) -> np.ndarray:
    """:func:`_posteriors` of the samples: one row each."""
    encoded = [_encode(s) for s in samples]
    n_bytes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    return _posteriors(*_feature_arrays(encoded), n_bytes)


def labels() -> list[str]:
    """The model's label of each column of :func:`language_probabilities`."""
    return list(_identifier().nb_classes)


def detect_language(text: str, min_confidence: float = 0.5, min_letters: int = 20) -> LanguageGuess:
    """Guess the language of ``text`` on its own (only the first :data:`PREFIX_CHARS` characters are read)."""
    return detect_languages([text], min_confidence, min_letters, collection_prior=False)[0]


EM_ROUNDS = 50
EM_BLOCK = 2_048  # posterior rows worked on at a time: a block (2.3 MB) stays in cache across its passes


@dataclass(frozen=True)
class Posteriors:
    """The model's posteriors of many texts as one matrix (:func:`sample_posteriors`).

    ``known[k]``: whether text ``k`` has enough letters to be identified; ``matrix[k]``: its
    posterior over :func:`labels` (a row of zeros where it has not).  One float64 array rather
    than an array object per text: 0.8 GB at a million texts instead of ~1.7 GB with their
    headers, and a collection's statistics are taken over it in blocks of rows.
    """

    known: np.ndarray  # bool, (n,)
    matrix: np.ndarray  # float64, (n, len(labels()))

    def __len__(self) -> int:
        return len(self.known)

    @staticmethod
    def join(parts: Iterable[Posteriors], n: int) -> Posteriors:
        """The posteriors of ``n`` texts from consecutive parts, copied into one matrix as they come."""
        known = np.zeros(n, dtype=bool)
        matrix = np.zeros((n, len(labels())), dtype=np.float64)
        at = 0
        for part in parts:
            known[at : at + len(part)] = part.known
            matrix[at : at + len(part)] = part.matrix
            at += len(part)
        if at != n:
            raise ValueError(f"the parts hold {at} posteriors, not {n}")
        return Posteriors(known, matrix)


def _column_sums(rows: Iterable[np.ndarray], width: int) -> np.ndarray:
    """Column sums of blocks of rows, added row after row as numpy sums one (m, width) array over axis 0.

    The running sum goes first into each block's reduction, so the result has the same
    bits as ``np.concatenate(blocks).sum(axis=0)`` without that concatenation.
    """
    total = np.zeros(width)
    for block in rows:
        total = np.add.reduce(np.concatenate([total[None], block]), axis=0)
    return total


def _known_blocks(posteriors: Posteriors) -> Iterator[tuple[slice, np.ndarray]]:
    """Each block of :data:`EM_BLOCK` rows with the positions (within it) of its known texts."""
    for start in range(0, len(posteriors), EM_BLOCK):
        rows = slice(start, min(start + EM_BLOCK, len(posteriors)))
        yield rows, np.flatnonzero(posteriors.known[rows])


def _collection_prior(posteriors: Posteriors, rounds: int = EM_ROUNDS, tol: float = 1e-6) -> np.ndarray:
    """Maximum-likelihood language proportions of a collection, by EM over the known texts' uniform-prior posteriors.

    Each round takes the mean over the texts of ``p(language | text)`` under the current
    prior, block by block (no full-size transient).  A block's reweighed rows are written
    after the running sum in one buffer that is reused, which is reduced as
    :func:`_column_sums` reduces the running sum and the block: the same bits, without a
    copy of the block (a view where all its texts are known) or of the sum per block.
    """
    m = int(posteriors.known.sum())
    width = posteriors.matrix.shape[1]
    prior = _column_sums((_known_rows(posteriors, r, k) for r, k in _known_blocks(posteriors)), width) / m
    buffer = np.empty((min(EM_BLOCK, len(posteriors)) + 1, width))

    def mean_posterior() -> np.ndarray:
        total = np.zeros(width)
        for r, k in _known_blocks(posteriors):
            sums = buffer[: len(k) + 1]
            sums[0] = total
            post = sums[1:]
            np.multiply(_known_rows(posteriors, r, k), prior, out=post)
            post /= np.maximum(post.sum(axis=1, keepdims=True), 1e-300)
            total = np.add.reduce(sums, axis=0)
        return total / m

    for _ in range(rounds):
        new = mean_posterior()
        done = float(np.abs(new - prior).max()) < tol
        prior = new
        if done:
            break
    return np.asarray(prior)


def _known_rows(posteriors: Posteriors, rows: slice, known: np.ndarray) -> np.ndarray:
    """The posteriors of the known texts of block ``rows`` (a view when all of them are known)."""
    block = posteriors.matrix[rows]
    return block if len(known) == len(block) else block[known]


def sample_posteriors(texts: Sequence[str], min_letters: int = 20) -> Posteriors:
    """:func:`language_probabilities` of each text as one :class:`Posteriors`.

    A text of fewer than ``min_letters`` letters is not known (a row of zeros).
    """
    samples = [text[:PREFIX_CHARS] for text in texts]
    known = np.fromiter((_enough_letters(s, min_letters) for s in samples), dtype=bool, count=len(samples))
    matrix = np.zeros((len(texts), len(labels())), dtype=np.float64)
    rows = np.flatnonzero(known)
    matrix[rows] = _probabilities([samples[k] for k in rows])
    return Posteriors(known, matrix)


def detect_languages(
    texts: Sequence[str],
    min_confidence: float = 0.5,
    min_letters: int = 20,
    collection_prior: bool = True,
    settled: float = 0.9,
    probabilities: Posteriors | None = None,
) -> list[LanguageGuess]:
    """Guess the language of each text, with the collection's language distribution as the prior (module doc).

    ``probabilities``: the texts' :func:`sample_posteriors`, when already computed (e.g. in parallel).
    Taken in blocks of rows: beside the posteriors (0.8 GB at a million texts), no full-size copy.
    """
    names = labels()
    given = sample_posteriors(texts, min_letters) if probabilities is None else probabilities
    if len(given) != len(texts):
        raise ValueError(f"{len(given)} posteriors for {len(texts)} texts")
    guesses = [LanguageGuess(UNDETERMINED, 0.0)] * len(texts)
    unsure_rows = given.known & (given.matrix.max(axis=1) < settled)  # one flag a text
    mixing = collection_prior and int(given.known.sum()) > 1 and bool(unsure_rows.any())
    prior = _collection_prior(given) if mixing else None
    for r, k in _known_blocks(given):
        post = given.matrix[r][k]
        unsure = unsure_rows[r][k]
        if prior is not None and unsure.any():
            mixed = post[unsure] * prior
            post[unsure] = mixed / np.maximum(mixed.sum(axis=1, keepdims=True), 1e-300)
        best = post.argmax(axis=1)
        conf = post[np.arange(len(best)), best]
        for at, b, c in zip((r.start + k).tolist(), best.tolist(), conf.tolist(), strict=True):
            guesses[at] = LanguageGuess(names[b] if c >= min_confidence else UNDETERMINED, c)
    return guesses
