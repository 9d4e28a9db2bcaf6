"""A batch of plain texts tokenised in one compiled pass: each passage's distinct words as 64-bit hashes.

:meth:`~provenance.normalize.analyzer.Analyzer.plain_words` finds a passage's
tokens with the expression ``_PLAIN_RE`` (a number ``\\d+(?:[.,]\\d+)*`` or a
letter run ``[^\\W\\d_]+``), and the profile stage then keeps each word once per
passage and looks it up in its lexicon: several Python steps per word.  Here a
batch's texts are one array of code points (UTF-32) and one loop does it all:

* each code point's class (letter, digit, or *special*: a mark or a character of
  a script written without spaces, after which a text is not plain) is read from
  a table of every code point, made by running the expressions' character classes
  over a string of all of them (:func:`code_classes`; a test holds it equal to the
  expressions on every code point);
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
_DOT, _COMMA = ord("."), ord(",")  # the separators inside a number
_UNDERSCORE = ord("_")
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
            if table[codes[i]] & SPECIAL:
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
    """Each passage ``codes[starts[r]:ends[r]]``'s distinct words (module docstring).

    The compiled loop writes into buffers it is given (a loop that grows its own arrays is
    compiled to much slower code): sized for a word per four code points, and when one fills
    up, or a passage has more words than the set of hashes can hold, the loop stops before
    that passage and is resumed there with new buffers.
    """
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    table = code_classes()
    counts = np.zeros(len(starts), dtype=np.int64)
    opens = np.zeros(len(starts), dtype=bool)
    size = int((ends - starts).sum()) // 4 + 1024
    slots = 1024
    slot_hash, slot_stamp = np.empty(slots, dtype=np.uint64), np.full(slots, -1, dtype=np.int64)
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    r = 0
    while True:
        out = (np.empty(size, dtype=np.uint64), np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64))
        r, n, need = _scan(codes, starts, ends, table, np.uint64(seed), r, *out, counts, opens, slot_hash, slot_stamp)
        pieces.append((out[0][:n], out[1][:n], out[2][:n]))
        if r == len(starts):
            break
        if need:  # a passage with more words than half the set's slots
            while slots < need:
                slots *= 2
            slot_hash, slot_stamp = np.empty(slots, dtype=np.uint64), np.full(slots, -1, dtype=np.int64)
        elif n == 0:  # one passage's words did not fit
            size *= 2
    hashes, token_starts, token_ends = (np.concatenate(column) for column in zip(*pieces, strict=True))
    return Scanned(hashes.view(np.int64), token_starts, token_ends, counts, opens)


@jit
def is_word(table: np.ndarray, c: np.uint32) -> bool:
    """Whether the code point ``c`` is a word character to the expressions (``\\w``: a letter, a digit or ``_``)."""
    return (table[c] & (LETTER | DIGIT)) != 0 or c == _UNDERSCORE


@jit
def number_end(codes: np.ndarray, table: np.ndarray, pos: int, end: int) -> int:
    """Where the number ``\\d+(?:[.,]\\d+)*`` that starts at ``pos`` (a digit) ends."""
    pos += 1
    while True:
        while pos < end and table[codes[pos]] & DIGIT:
            pos += 1
        if pos + 1 < end and (codes[pos] == _DOT or codes[pos] == _COMMA) and table[codes[pos + 1]] & DIGIT:
            pos += 2
            continue
        return pos


@jit
def _token_end(codes: np.ndarray, table: np.ndarray, pos: int, end: int) -> int:
    """Where the token that starts at ``pos`` ends (a number, or a letter run); ``pos`` if none starts there."""
    kind = table[codes[pos]]
    if kind & DIGIT:
        return number_end(codes, table, pos, end)
    if kind & LETTER:
        pos += 1
        while pos < end and table[codes[pos]] & LETTER:
            pos += 1
        return pos
    return pos


@jit
def hash_code_points(codes: np.ndarray, start: int, end: int, seed: np.uint64) -> np.uint64:
    """The hash of the token ``codes[start:end]`` (module docstring)."""
    h = seed ^ np.uint64(end - start)
    for i in range(start, end):
        h = (h ^ np.uint64(codes[i])) * np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(32)
    return fmix64(h)


@jit
def fmix64(h: np.uint64) -> np.uint64:
    """MurmurHash3's finaliser: every bit of ``h`` moves about half of the result's."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


@jit
def _scan(
    codes: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    table: np.ndarray,
    seed: np.uint64,
    first: int,
    out_hash: np.ndarray,
    out_start: np.ndarray,
    out_end: np.ndarray,
    counts: np.ndarray,
    opens: np.ndarray,
    slot_hash: np.ndarray,
    slot_stamp: np.ndarray,
) -> tuple[int, int, int]:
    """Passages ``first``, ``first + 1``, ... into the buffers: ``(the passage it stopped before, words
    written, slots needed)``; it stops before a passage whose words do not fit in what is left of
    the buffers, or that needs more than the set's slots (then ``slots needed`` is not 0)."""
    n = 0
    capacity = len(out_hash)
    for r in range(first, len(starts)):
        lo, hi = starts[r], ends[r]
        before = n
        pos = lo
        while pos < hi:  # every token of the passage
            stop = _token_end(codes, table, pos, hi)
            if stop == pos:
                pos += 1
                continue
            if n == capacity:
                return r, before, 0
            out_hash[n] = hash_code_points(codes, pos, stop, seed)
            out_start[n] = pos
            out_end[n] = stop
            n += 1
            pos = stop
        m = n - before
        if 2 * m > len(slot_hash):
            return r, before, 2 * m
        # each hash once, in place, in order of first occurrence; the opening token first and apart
        write = before
        if m > 0 and out_start[before] == lo:
            opens[r] = True
            write += 1
        last = np.uint64(len(slot_hash) - 1)
        for k in range(write, n):
            h = out_hash[k]
            p = h & last
            while slot_stamp[p] == r and slot_hash[p] != h:
                p = (p + np.uint64(1)) & last
            if slot_stamp[p] != r:
                slot_stamp[p] = r
                slot_hash[p] = h
                out_hash[write] = h
                out_start[write] = out_start[k]
                out_end[write] = out_end[k]
                write += 1
        n = write
        counts[r] = n - before
    return len(starts), n, 0
