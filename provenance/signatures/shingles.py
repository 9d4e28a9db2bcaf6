"""Shingles: the sets whose Jaccard similarity defines a near-duplicate.

A document is turned into the *set* of its shingles, and each shingle into a
64-bit hash, so that two documents are compared through

    J(A, B) = |A ∩ B| / |A ∪ B|

over their sets of shingle hashes.  Two kinds are supported (see
:class:`ShingleSpec`): ``word:N``, the word N-grams of the token stream, and
``char:N``, the character N-grams of the tokens joined by single spaces.

Matching form
-------------
Text is folded before tokenising: NFKC (ligatures, full-width forms, NBSP...),
lower-casing (``str.lower``: twice as fast as full case folding on non-ASCII
text and enough for matching; "ß" stays "ß"), and every non-ASCII punctuation, symbol, separator or control
character (curly quotes, guillemets, dashes, ellipsis, bullets, emoji...)
becomes a space.  A *token* is then a maximal run of ASCII letters, digits or
``_`` and of the remaining non-ASCII characters (letters, digits, marks).  So
"L’articolo" and "l'articolo" both give ``["l", "articolo"]``.

Scripts written without spaces between words (Chinese, Japanese, Thai, Lao,
Khmer, Myanmar) would give one token per clause, so a single changed character
would change every shingle of the clause: for word shingles, a run of these
characters is first split into its overlapping character bigrams, the
analyzer's fallback (:func:`provenance.scripts.split_spaceless`), so "东京今天下雨"
gives ``["东京", "京今", "今天", "天下", "下雨"]`` and ``word:5`` shingles span six
characters.  Character shingles (``char:N``) see the text unsplit.  Texts
without such characters hash exactly as before.

Hashing
-------
The hot path never touches a token as a Python object: a chunk of folded texts
is encoded once to UTF-8 and, with numpy,

* lower-casing is done on the bytes too (``bytes.lower`` for ASCII, a
  per-code-point map for the other characters; a text with a character that
  ``str.lower`` changes in length or by context, such as "İ" or "Σ", is
  lower-cased by ``str.lower``), with the same result as ``str.lower``;
* token boundaries come from a byte class table (word bytes are ``[0-9a-z_]``
  and every byte >= 0x80, which is exactly the token definition above, since
  UTF-8 encodes non-ASCII characters with bytes >= 0x80 only);
* a token hashes to the polynomial ``sum_i byte_i * B**i mod 2**64`` over its
  bytes (prefix sums, so one pass for the whole chunk), mixed with its length
  by the MurmurHash3 64-bit finaliser ``fmix64`` (a bijection);
* a word N-gram starting at token ``t`` hashes to
  ``fmix64(sum_k h[t + k] * M_k mod 2**64)`` with fixed odd constants ``M_k``.

The hashes are deterministic (independent of the corpus, process and
platform), so sets computed in different runs are comparable.  Distinct
shingles collide with probability about ``2**-64`` per pair for natural text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from provenance.scripts import SPACELESS_CHAR, split_spaceless

__all__ = [
    "ShingleSpec",
    "fold_text",
    "word_tokens",
    "shingle_hashes",
    "shingle_hashes_batch",
    "shingle_hashes_flat",
]

ShingleKind = Literal["word", "char"]

_U64 = np.uint64
_MAX_N = 64


@dataclass(frozen=True)
class ShingleSpec:
    """What a shingle is: ``kind`` ``"word"`` (word N-grams) or ``"char"`` (character N-grams), and ``n``."""

    kind: ShingleKind = "word"
    n: int = 5

    def __post_init__(self) -> None:
        if self.kind not in ("word", "char"):
            raise ValueError(f"shingle kind must be 'word' or 'char', not {self.kind!r}")
        if isinstance(self.n, bool) or not isinstance(self.n, int) or not 1 <= self.n <= _MAX_N:
            raise ValueError(f"shingle size must be an integer in 1..{_MAX_N}, not {self.n!r}")

    @classmethod
    def parse(cls, spec: str) -> ShingleSpec:
        """Parse ``"word:5"`` or ``"char:9"`` (kind, a colon, the size N)."""
        kind, sep, size = spec.strip().partition(":")
        kind = kind.strip().lower()
        if not sep or kind not in ("word", "char") or not size.strip().isdigit():
            raise ValueError(
                f"invalid shingle spec {spec!r}: expected 'word:N' or 'char:N' with N an integer "
                f"in 1..{_MAX_N}, e.g. 'word:5'"
            )
        n = int(size)
        if not 1 <= n <= _MAX_N:
            raise ValueError(f"invalid shingle spec {spec!r}: N must be in 1..{_MAX_N}")
        return cls("word" if kind == "word" else "char", n)

    def __str__(self) -> str:
        return f"{self.kind}:{self.n}"


# --------------------------------------------------------------------------- folding


def _separator_table() -> np.ndarray:
    """For each BMP code point: is it a non-ASCII token separator (Unicode category P*, S*, Z* or C*)?"""
    table = np.zeros(0x10000, dtype=bool)
    table[0x80:] = [unicodedata.category(chr(cp))[0] in "PSZC" for cp in range(0x80, 0x10000)]
    return table


# separators outside the BMP: pictographs/emoji and tag characters
_ASTRAL_SEPARATORS = ((0x1F000, 0x1FAFF), (0xE0000, 0xE007F))
_SEPARATOR_TABLE = _separator_table()


def _separator_class(table: np.ndarray) -> str:
    """The regex class (one or more) of the separators in ``table`` and :data:`_ASTRAL_SEPARATORS`."""
    edges = np.flatnonzero(np.diff(table.view(np.int8), prepend=np.int8(0), append=np.int8(0)))
    ranges = [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    ranges += list(_ASTRAL_SEPARATORS)

    def esc(cp: int) -> str:
        return f"\\U{cp:08x}"

    return "[" + "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges) + "]+"


_SEPARATORS = re.compile(_separator_class(_SEPARATOR_TABLE))


def _spaceless_table() -> np.ndarray:
    """For each code point below U+40000: is it a character of a spaceless script (``SPACELESS_CHAR``)?"""
    table = np.zeros(0x40000, dtype=bool)  # the last entry (unassigned) stands for every code point above
    every = np.arange(len(table), dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    for m in re.finditer(f"(?:{SPACELESS_CHAR.pattern})+", every):
        table[m.start() : m.end()] = True
    return table


_SPACELESS_TABLE = _spaceless_table()
_TOKEN = re.compile("[0-9a-z_\u0080-\U0010ffff]+")
# bytes of a token in the UTF-8 encoding of folded text (separators are removed separately)
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyz_", dtype=np.uint8)] = True
_WORD_BYTE[0x80:] = True


def _fold_fast(text: str) -> str:
    """NFKC and lower-casing only (separators are found on the UTF-8 bytes)."""
    return unicodedata.normalize("NFKC", text).lower()


_WORD_TRANSLATION = bytes(_WORD_BYTE.view(np.uint8))  # bytes.translate table: 1 for a token byte, else 0
_LOWER: dict[int, int] = {}  # code point -> its lower-case code point, or -1 (see _lower_code_point)
_CAPITAL_SIGMA = 0x3A3  # str.lower makes it "ς" or "σ" depending on the letters around it


def _lower_code_point(cp: int) -> int:
    """What ``str.lower`` makes of the character ``cp`` on its own, if that is one character of the same
    UTF-8 length (written in place of its bytes); -1 if it must be lower-cased as part of its text."""
    low = _LOWER.get(cp)
    if low is None:
        char = chr(cp)
        lowered = char.lower()
        if lowered == char:
            low = cp
        elif len(lowered) == 1 and len(lowered.encode("utf-8")) == len(char.encode("utf-8")) and cp != _CAPITAL_SIGMA:
            low = ord(lowered)
        else:
            low = -1
        _LOWER[cp] = low
    return low


def _code_points(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position, UTF-8 width and code point of every multi-byte character of UTF-8 ``data``."""
    leads = np.flatnonzero(data >= 0xC0)
    last = len(data) - 1
    b0 = data[leads].astype(np.int32)
    b1 = data[np.minimum(leads + 1, last)].astype(np.int32) & 0x3F
    b2 = data[np.minimum(leads + 2, last)].astype(np.int32) & 0x3F
    b3 = data[np.minimum(leads + 3, last)].astype(np.int32) & 0x3F
    width = np.where(b0 < 0xE0, 2, np.where(b0 < 0xF0, 3, 4))
    cp = np.where(
        width == 2,
        ((b0 & 0x1F) << 6) | b1,
        np.where(width == 3, ((b0 & 0x0F) << 12) | (b1 << 6) | b2, ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3),
    )
    return leads, width, cp


def _write_code_points(data: np.ndarray, leads: np.ndarray, width: np.ndarray, cp: np.ndarray) -> None:
    """Overwrite the characters at ``leads`` with the code points ``cp`` (same UTF-8 ``width``)."""
    for w, mark in ((2, 0xC0), (3, 0xE0), (4, 0xF0)):
        at = width == w
        pos, c = leads[at], cp[at]
        data[pos] = mark | (c >> (6 * (w - 1)))
        for k in range(1, w):
            data[pos + k] = 0x80 | ((c >> (6 * (w - 1 - k))) & 0x3F)


def _separators(cp: np.ndarray) -> np.ndarray:
    """Which code points are token separators: :func:`fold_text`'s table and astral ranges."""
    sep = _SEPARATOR_TABLE[np.minimum(cp, 0xFFFF)] & (cp < 0x10000)
    for lo, hi in _ASTRAL_SEPARATORS:
        sep |= (cp >= lo) & (cp <= hi)
    return sep


def _folded_bytes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The folded texts' UTF-8 bytes joined by spaces, which bytes belong to tokens, where each text ends,
    and the indices of the texts with a character of a spaceless script (:data:`_SPACELESS_TABLE`).

    Equal to encoding ``unicodedata.normalize("NFKC", t).lower()`` (and then
    blanking :func:`fold_text`'s separators), but lower-cased on the bytes: ASCII
    by ``bytes.lower``, other characters by code point (:func:`_lower_code_point`);
    a text with a character that ``str.lower`` maps otherwise (e.g. "İ", "Σ") is
    lower-cased by ``str.lower``.
    """
    normalized = [unicodedata.normalize("NFKC", t) for t in texts]
    encoded = [t.encode("utf-8", "surrogatepass") for t in normalized]
    exact = np.zeros(len(texts), dtype=bool)  # texts lower-cased by str.lower
    while True:
        joined = b" ".join(encoded).lower()
        doc_ends = np.cumsum([len(e) + 1 for e in encoded], dtype=np.int64) - 1
        word = np.frombuffer(bytearray(joined.translate(_WORD_TRANSLATION)), dtype=bool)
        if joined.isascii():
            return np.frombuffer(joined, dtype=np.uint8), word, doc_ends, np.empty(0, dtype=np.int64)
        data = np.frombuffer(bytearray(joined), dtype=np.uint8)
        leads, width, cp = _code_points(data)
        uniq, inverse = np.unique(cp, return_inverse=True)
        low = np.array([_lower_code_point(c) for c in uniq.tolist()], dtype=np.int64)[inverse]
        doc = np.searchsorted(doc_ends, leads)
        hard = (low < 0) & ~exact[doc]
        if not hard.any():
            break
        for d in np.unique(doc[hard]).tolist():
            encoded[d] = normalized[d].lower().encode("utf-8", "surrogatepass")
            exact[d] = True
    change = (low != cp) & ~exact[doc]
    if change.any():
        cp = np.where(change, low, cp)
        _write_code_points(data, leads[change], width[change], cp[change])
    sep = _separators(cp)
    for k in range(4):
        word[leads[sep & (width > k)] + k] = False
    spaceless = np.unique(doc[_SPACELESS_TABLE[np.minimum(cp, len(_SPACELESS_TABLE) - 1)]])
    return data, word, doc_ends, spaceless


def fold_text(text: str) -> str:
    """Return the matching form of ``text``: NFKC, lower-cased, non-ASCII punctuation -> space.

    ASCII punctuation is left in place (the tokeniser skips it); every mapping
    of a non-ASCII separator is to one space.  Fast for already-normalised text.
    """
    folded = _fold_fast(text)
    if folded.isascii():
        return folded
    return _SEPARATORS.sub(" ", folded)


def word_tokens(text: str, *, bigrams: bool = True) -> list[str]:
    """The tokens of ``text`` in matching form (see the module docstring).

    Runs of spaceless scripts are split into bigrams, as word shingles see
    them; with ``bigrams=False`` they stay whole, as character shingles see them.
    """
    return _TOKEN.findall(fold_text(split_spaceless(text) if bigrams else text))


# --------------------------------------------------------------------------- hashing primitives

_FNV_BASE = _U64(0x100000001B3)  # odd, so the polynomial is a bijection on the last byte


def _splitmix64(state: int, count: int) -> list[int]:
    """``count`` 64-bit outputs of SplitMix64 from ``state`` (fixed constants for the hash families)."""
    out = []
    mask = (1 << 64) - 1
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append(z ^ (z >> 31))
    return out


# M_k for the N-gram combination (odd), and the seeds of token/character hashes
_NGRAM_MULT = np.array([v | 1 for v in _splitmix64(0x5EED_5A1E, _MAX_N)], dtype=np.uint64)
_TOKEN_KEY = _U64(_splitmix64(0x70CE_4E11, 1)[0])
_CHAR_KEY = _U64(_splitmix64(0xC4A2_0000, 1)[0])


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, a bijective avalanche mix of uint64 values (returns a new array)."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> _U64(33))
        h *= _U64(0xFF51AFD7ED558CCD)
        h ^= h >> _U64(33)
        h *= _U64(0xC4CEB9FE1A85EC53)
        h ^= h >> _U64(33)
    return h


class _Powers:
    """``B**i`` and ``B**-i`` mod ``2**64`` for i < length (cached up to :attr:`CACHE` entries)."""

    CACHE = 1 << 23

    def __init__(self) -> None:
        self.forward = np.ones(1, dtype=np.uint64)
        self.inverse = np.ones(1, dtype=np.uint64)

    @staticmethod
    def _table(base: int, size: int) -> np.ndarray:
        table = np.empty(size, dtype=np.uint64)
        table[0] = 1
        with np.errstate(over="ignore"):
            np.cumprod(np.full(size - 1, base, dtype=np.uint64), out=table[1:])
        return table

    def get(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.forward) < length:
            size = max(length, min(2 * len(self.forward), self.CACHE), 1 << 16)
            forward = self._table(int(_FNV_BASE), size)
            inverse = self._table(pow(int(_FNV_BASE), -1, 1 << 64), size)
            if size > self.CACHE:  # a huge text: do not keep the tables
                return forward[:length], inverse[:length]
            self.forward, self.inverse = forward, inverse
        return self.forward[:length], self.inverse[:length]


_POWERS = _Powers()


def _token_hashes(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Hash the byte spans ``data[starts[t]:ends[t]]`` to uint64 (see the module docstring).

    With prefix sums ``P[i] = sum_{p < i} byte_p * B**p``, the polynomial of a
    token is ``(P[end] - P[start]) * B**-start`` (B is odd, so invertible mod 2**64).
    """
    if len(starts) == 0:
        return np.empty(0, dtype=np.uint64)
    forward, inverse = _POWERS.get(len(data))
    with np.errstate(over="ignore"):
        prefix = np.empty(len(data) + 1, dtype=np.uint64)
        prefix[0] = 0
        np.multiply(data, forward, out=prefix[1:])
        np.cumsum(prefix, out=prefix)
        h = prefix[ends] - prefix[starts]
        h *= inverse[starts]
        h ^= (ends - starts).astype(np.uint64) * _TOKEN_KEY
    return fmix64(h)


def _ngrams(values: np.ndarray, counts: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash the N-grams of each document's element run (elements of doc d are consecutive).

    Returns the flat N-gram hashes (documents in order) and how many each document has.
    A document with fewer than ``n`` (but at least one) elements yields one
    shingle, the hash of all its elements, so that short documents still match.
    """
    total = len(values)
    ends = np.cumsum(counts)
    starts = ends - counts
    if n == 1:
        with np.errstate(over="ignore"):
            return fmix64(values * _NGRAM_MULT[0]), counts.copy()
    m = max(total - n + 1, 0)
    with np.errstate(over="ignore"):
        h = values[:m] * _NGRAM_MULT[0]
        for k in range(1, n):
            h += values[k : k + m] * _NGRAM_MULT[k]
    # an N-gram starting at position p is valid if it ends inside the same document
    valid = np.ones(m, dtype=bool)
    per_doc = np.maximum(counts - n + 1, 0)
    for k in range(1, n):
        tail = ends - k  # positions whose N-gram would cross the document end
        tail = tail[(tail >= starts) & (tail < m)]
        valid[tail] = False
    out = h[valid]
    short = np.flatnonzero((counts > 0) & (counts < n))
    if len(short):
        extra = np.empty(len(short), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for idx, d in enumerate(short):
                seg = values[starts[d] : ends[d]]
                extra[idx] = np.sum(seg * _NGRAM_MULT[: len(seg)], dtype=np.uint64)
        # insert each short document's shingle at its place in document order
        insert_at = np.cumsum(per_doc)[short] - per_doc[short]
        out = np.insert(out, insert_at, extra)
        per_doc = per_doc.copy()
        per_doc[short] = 1
    return fmix64(out), per_doc


def _word_elements(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Token hashes of each text (flat) and the number of tokens of each.

    Texts with characters of a spaceless script are folded again with their
    runs split into bigrams (:func:`provenance.scripts.split_spaceless`); the
    others pay only a table look-up over their non-ASCII characters.
    """
    data, word, doc_ends, spaceless = _folded_bytes(texts)
    if len(spaceless):
        split = list(texts)
        for d in spaceless.tolist():
            split[d] = split_spaceless(split[d])
        data, word, doc_ends, _ = _folded_bytes(split)
    # token boundaries: where ``word`` changes (bool comparisons: numpy's fast nonzero path for bool)
    edge = np.zeros(len(word) + 1, dtype=bool)
    if len(word):
        edge[0], edge[-1] = word[0], word[-1]
        np.not_equal(word[1:], word[:-1], out=edge[1:-1])
    bounds = np.flatnonzero(edge)
    starts, ends = bounds[0::2], bounds[1::2]
    counts = np.diff(np.searchsorted(starts, doc_ends), prepend=0)
    return _token_hashes(data, starts, ends), counts


def _token_list_elements(tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Token hashes of an explicit token list (each token hashed whole, as given)."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in tokens if t]
    lengths = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
    ends = np.cumsum(lengths)
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return _token_hashes(data, ends - lengths, ends), np.array([len(encoded)], dtype=np.int64)


def _char_elements(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Mixed code points of each text's tokens (spaceless runs unsplit) joined by single spaces."""
    joined = [" ".join(word_tokens(t, bigrams=False)) for t in texts]
    counts = np.fromiter((len(t) for t in joined), dtype=np.int64, count=len(joined))
    points = np.frombuffer("".join(joined).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return fmix64(points.astype(np.uint64) ^ _CHAR_KEY), counts


def _unique_per_doc(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort and deduplicate each document's run of values; return flat values and offsets."""
    docs = len(counts)
    offsets = np.zeros(docs + 1, dtype=np.int64)
    if docs == 0 or len(values) == 0:
        return np.empty(0, dtype=np.uint64), offsets
    width = int(counts.max())
    starts = np.cumsum(counts) - counts
    grid = np.full((docs, width), np.iinfo(np.uint64).max, dtype=np.uint64)
    # element k of document d goes to row d, column k - starts[d] (one flat index: faster than a 2-d scatter)
    flat = np.arange(len(values), dtype=np.int64)
    flat += np.repeat(np.arange(docs, dtype=np.int64) * width - starts, counts)
    grid.reshape(-1)[flat] = values
    grid.sort(axis=1)
    keep = np.arange(width) < counts[:, None]
    keep[:, 1:] &= grid[:, 1:] != grid[:, :-1]
    np.cumsum(keep.sum(axis=1), out=offsets[1:])
    return grid[keep], offsets


_CHUNK_CHARS = 1 << 19  # ~0.5 MB of text per vectorised pass keeps the working set in cache


def _flat_chunk(texts: Sequence[str], spec: ShingleSpec, unique: bool) -> tuple[np.ndarray, np.ndarray]:
    if spec.kind == "word":
        values, counts = _word_elements(texts)
    else:
        values, counts = _char_elements(texts)
    shingles, per_doc = _ngrams(values, counts, spec.n)
    if unique:
        return _unique_per_doc(shingles, per_doc)
    offsets = np.zeros(len(per_doc) + 1, dtype=np.int64)
    np.cumsum(per_doc, out=offsets[1:])
    return shingles, offsets


def shingle_hash_chunks(
    texts: Iterable[str], spec: ShingleSpec, *, unique: bool = True
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """:func:`shingle_hashes_flat` of consecutive chunks of about 0.5 MB of ``texts``, one chunk at a time.

    Each text is read once, so ``texts`` may read them back from disk as it goes.
    Yields ``(hashes, offsets)`` per chunk, ``offsets`` starting at 0.
    """
    chunk: list[str] = []
    size = 0
    for text in texts:
        if chunk and size + len(text) > _CHUNK_CHARS:
            yield _flat_chunk(chunk, spec, unique)
            chunk, size = [], 0
        chunk.append(text)
        size += len(text)
    if chunk:
        yield _flat_chunk(chunk, spec, unique)


def shingle_hashes_flat(
    texts: Sequence[str], spec: ShingleSpec, *, unique: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Shingle-hash sets of many texts at once, vectorised over chunks of about 0.5 MB of text.

    Returns ``(hashes, offsets)``: the sorted unique uint64 hashes of text ``d``
    are ``hashes[offsets[d]:offsets[d + 1]]``.  With ``unique=False`` they are
    each text's shingle hashes in text order, repeats included (the same set,
    without the cost of sorting: enough for MinHash signatures, and a text has
    none exactly when its set is empty).
    """
    parts: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    for hashes, chunk_offsets in shingle_hash_chunks(texts, spec, unique=unique):
        parts.append(hashes)
        counts.append(np.diff(chunk_offsets))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    if not parts:
        return np.empty(0, dtype=np.uint64), offsets
    np.cumsum(np.concatenate(counts), out=offsets[1:])
    return (parts[0] if len(parts) == 1 else np.concatenate(parts)), offsets


def shingle_hashes_batch(texts: Sequence[str], spec: ShingleSpec) -> list[np.ndarray]:
    """Shingle-hash sets of many texts (one sorted unique uint64 array per text)."""
    hashes, offsets = shingle_hashes_flat(texts, spec)
    return [hashes[offsets[d] : offsets[d + 1]] for d in range(len(texts))]


def shingle_hashes(text_or_tokens: str | Sequence[str], spec: ShingleSpec) -> np.ndarray:
    """The sorted unique uint64 hashes of one document's shingles.

    ``text_or_tokens`` is a text, or its tokens as returned by :func:`word_tokens`
    (``bigrams=False`` for character shingles; given tokens are hashed as they
    are, and the result equals the text's).  A
    document with fewer than N words (or characters) has one shingle, the whole
    document, so short documents still match themselves; an empty one has none.
    """
    if isinstance(text_or_tokens, str):
        return shingle_hashes_batch([text_or_tokens], spec)[0]
    tokens = list(text_or_tokens)
    if spec.kind == "char":
        return shingle_hashes_batch([" ".join(tokens)], spec)[0]
    values, counts = _token_list_elements(tokens)
    shingles, per_doc = _ngrams(values, counts, spec.n)
    hashes, _ = _unique_per_doc(shingles, per_doc)
    return hashes
