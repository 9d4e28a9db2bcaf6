"""A batch of plain texts tokenised in one compiled pass: each passage's distinct words as 64-bit hashes.

:meth:`~provenance.normalize.analyzer.Analyzer.plain_words` finds a passage's
tokens with the expression ``_PLAIN_RE`` (a number ``\\d+(?:[.,]\\d+)*`` or a
letter run ``[^\\W\\d_]+``), and the profile stage then keeps each word once per
passage and looks it up in its lexicon: several Python steps per word.  Here a
batch's texts are one array of code points (UTF-32) and one loop does it all:

* each code point's class (letter, digit, or *special*: a mark or a character of
  a script written without spaces, after which a text is not plain) is read from
  a table of every code point, made by running the very expressions over a string
  of all of them (:func:`code_classes`), so the classes are the expressions' own;
* a token is a digit run followed by any ``[.,]`` + digit run, or a letter run
  (the alternation tries the number first, as the expression does);
* its hash mixes its code points one after the other (a multiply and shift per
  code point, ``fmix64`` of MurmurHash3 at the end), from a seed drawn per process;
* within a passage each hash is kept once, in order of first occurrence, except
  the token that opens the passage (it starts where the passage starts), which is
  kept first and apart: a later occurrence of that word is kept again.  These are
  the rules of :func:`~provenance.scoring.parts.documents_part`.

Words are told apart by their hash alone, within a process (the lexicon of
:mod:`provenance.scoring.parts` keys them by it).  Two different words of a
process share a 64-bit hash with probability about ``n**2 / 2**65`` among ``n``
words, 3e-8 for a million, as with the ``hash()`` of
:mod:`provenance.hashindex`; the seed keeps a text from being made to collide.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from provenance.jit import jit
from provenance.scripts import CJK, MARK, SPACELESS

LETTER, DIGIT, SPECIAL = 1, 2, 4  # bits of a code point's class
_LETTER_RE = r"[^\W\d_]+"
_DIGIT_RE = r"\d+"
SEED = secrets.randbits(64)  # per process, as Python's string hash


@lru_cache(maxsize=1)
def code_classes() -> np.ndarray:
    """The class bits of every code point (``uint8``, 0x110000 of them), from the expressions' own classes.

    *Special* is ``[CJK SPACELESS]`` or ``MARK`` (the analyzer's ``_SPECIAL``), the marks looked
    for in the planes their class is made of (:mod:`provenance.scripts`); a test holds the bits
    equal to the expressions on every code point.
    """
    every = np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    table = np.zeros(0x110000, dtype=np.uint8)
    searches = (
        (LETTER, _LETTER_RE, 0, 0x110000),
        (DIGIT, _DIGIT_RE, 0, 0x110000),
        (SPECIAL, f"[{CJK}{SPACELESS}]+", 0, 0x110000),
        (SPECIAL, f"{MARK}+", 0, 0x20000),
        (SPECIAL, f"{MARK}+", 0xE0100, 0xE01F0),
    )
    for bit, pattern, lo, hi in searches:
        for m in re.compile(pattern).finditer(every, lo, hi):
            table[m.start() : m.end()] |= bit
    return table


def code_points(text: str) -> np.ndarray:
    """``text``'s code points (``uint32``: index ``i`` is ``text[i]``, a lone surrogate included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def plain_flags(codes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Whether each text ``codes[offsets[d]:offsets[d + 1]]`` has no special code point
    (:meth:`~provenance.normalize.analyzer.Analyzer.is_plain`)."""
    return np.asarray(_plain_flags(codes, offsets, code_classes()), dtype=bool)


@jit
def _plain_flags(codes: np.ndarray, offsets: np.ndarray, table: np.ndarray) -> np.ndarray:
    out = np.ones(len(offsets) - 1, np.bool_)
    for d in range(len(offsets) - 1):
        for i in range(offsets[d], offsets[d + 1]):
            if table[codes[i]] & 4:
                out[d] = False
                break
    return out


@dataclass(frozen=True)
class Scanned:
    """The distinct words of each passage (module docstring), over the code points they were scanned from.

    Token ``k`` is ``codes[starts[k]:ends[k]]``, its hash ``hashes[k]``; passage ``r``'s tokens
    are the next ``counts[r]`` after the previous passages'; ``opens[r]``: whether its first token
    opens it (that token is then its first, kept apart).
    """

    hashes: np.ndarray  # int64 (the uint64 hash's bits)
    starts: np.ndarray  # int64
    ends: np.ndarray
    counts: np.ndarray  # int64, one per passage
    opens: np.ndarray  # bool, one per passage


def scan_passages(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, seed: int = SEED) -> Scanned:
    """Each passage ``codes[starts[r]:ends[r]]``'s distinct words (module docstring)."""
    h, s, e, counts, opens = _scan(
        codes, np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64), code_classes(), np.uint64(seed)
    )
    return Scanned(h.view(np.int64), s, e, counts, opens)


@jit
def _token_end(codes: np.ndarray, table: np.ndarray, pos: int, end: int) -> int:
    """Where the token that starts at ``pos`` ends (a number, or a letter run); ``pos`` if none starts there."""
    kind = table[codes[pos]]
    if kind & 2:  # digits, then any [.,] followed by digits
        pos += 1
        while True:
            while pos < end and table[codes[pos]] & 2:
                pos += 1
            if pos + 1 < end and (codes[pos] == 46 or codes[pos] == 44) and table[codes[pos + 1]] & 2:
                pos += 2
                continue
            return pos
    if kind & 1:
        pos += 1
        while pos < end and table[codes[pos]] & 1:
            pos += 1
        return pos
    return pos


@jit
def _hash(codes: np.ndarray, start: int, end: int, seed: np.uint64) -> np.uint64:
    h = seed ^ np.uint64(end - start)
    for i in range(start, end):
        h = (h ^ np.uint64(codes[i])) * np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(32)
    h ^= h >> np.uint64(33)  # MurmurHash3's fmix64
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


@jit
def _scan(
    codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, table: np.ndarray, seed: np.uint64
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_passages = len(starts)
    counts = np.zeros(n_passages, np.int64)
    opens = np.zeros(n_passages, np.bool_)
    capacity = 1024
    out_hash = np.empty(capacity, np.uint64)
    out_start = np.empty(capacity, np.int64)
    out_end = np.empty(capacity, np.int64)
    # the passage's tokens, then its set of hashes (open addressing; a slot is taken when stamped r)
    buf_hash = np.empty(256, np.uint64)
    buf_start = np.empty(256, np.int64)
    buf_end = np.empty(256, np.int64)
    slot_hash = np.empty(512, np.uint64)
    slot_stamp = np.full(512, -1, np.int64)
    n = 0
    for r in range(n_passages):
        lo, hi = starts[r], ends[r]
        before = n
        m = 0
        pos = lo
        while pos < hi:
            stop = _token_end(codes, table, pos, hi)
            if stop == pos:
                pos += 1
                continue
            if m == len(buf_hash):
                buf_hash = np.concatenate((buf_hash, np.empty(m, np.uint64)))
                buf_start = np.concatenate((buf_start, np.empty(m, np.int64)))
                buf_end = np.concatenate((buf_end, np.empty(m, np.int64)))
            buf_hash[m] = _hash(codes, pos, stop, seed)
            buf_start[m] = pos
            buf_end[m] = stop
            m += 1
            pos = stop
        if 2 * m > len(slot_hash):
            size = len(slot_hash)
            while 2 * m > size:
                size *= 2
            slot_hash = np.empty(size, np.uint64)
            slot_stamp = np.full(size, -1, np.int64)
        if n + m > capacity:
            while n + m > capacity:
                capacity *= 2
            out_hash = np.concatenate((out_hash, np.empty(capacity - len(out_hash), np.uint64)))
            out_start = np.concatenate((out_start, np.empty(capacity - len(out_start), np.int64)))
            out_end = np.concatenate((out_end, np.empty(capacity - len(out_end), np.int64)))
        first = 0
        if m > 0 and buf_start[0] == lo:  # the opening token: kept first and apart
            opens[r] = True
            out_hash[n], out_start[n], out_end[n] = buf_hash[0], buf_start[0], buf_end[0]
            n += 1
            first = 1
        last = np.uint64(len(slot_hash) - 1)
        for k in range(first, m):
            h = buf_hash[k]
            p = h & last
            while slot_stamp[p] == r and slot_hash[p] != h:
                p = (p + np.uint64(1)) & last
            if slot_stamp[p] != r:
                slot_stamp[p] = r
                slot_hash[p] = h
                out_hash[n], out_start[n], out_end[n] = h, buf_start[k], buf_end[k]
                n += 1
        counts[r] = n - before
    return out_hash[:n].copy(), out_start[:n].copy(), out_end[:n].copy(), counts, opens
