"""Strings numbered by their 64-bit ``hash()``: many looked up at once in one compiled loop.

A ``dict`` lookup of a string reads the stored key's string to compare it: a
cache miss per lookup once the dictionary outgrows the cache (three times the
cost of this table, measured on 350,000 words against a lexicon of 76,000).
:class:`HashIndex` keeps only each string's hash and value, 16 bytes a slot, in
an open-addressing table (linear probing, at most half full), and looks up a
batch's hashes in one compiled loop (:mod:`provenance.jit`).

Two different strings with the same hash would be taken for one.  Python's
string hash is SipHash with a key drawn per process, so among ``n`` strings
that happens with probability about ``n**2 / 2**65``: 3e-8 for a million
strings, 7e-7 for five million.  The tables live within one process (hashes
are not comparable across processes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from provenance.jit import jit


@jit
def _find(slots: np.ndarray, values: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """The value stored under each hash (-1 where none): open addressing, linear probing."""
    out = np.empty(len(hashes), np.int64)
    last = len(slots) - 1
    for k in range(len(hashes)):
        h = hashes[k]
        p = h & last
        while True:
            v = values[p]
            if v < 0 or slots[p] == h:
                out[k] = v
                break
            p = (p + 1) & last
    return out


@jit
def _put(slots: np.ndarray, values: np.ndarray, hashes: np.ndarray, new: np.ndarray) -> None:
    """Store ``new[k]`` under ``hashes[k]`` (a hash already there keeps its value)."""
    last = len(slots) - 1
    for k in range(len(hashes)):
        h = hashes[k]
        p = h & last
        while values[p] >= 0 and slots[p] != h:
            p = (p + 1) & last
        if values[p] < 0:
            slots[p] = h
            values[p] = new[k]


class HashIndex:
    """64-bit hash -> int64 value (module docstring): :meth:`find` many at once, :meth:`put` new ones."""

    def __init__(self) -> None:
        self.slots = np.zeros(1 << 16, dtype=np.int64)
        self.values = np.full(1 << 16, -1, dtype=np.int64)
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """The key of each hash, -1 for one not stored."""
        return np.asarray(_find(self.slots, self.values, hashes))

    def put(self, hashes: np.ndarray, new: np.ndarray) -> None:
        """Store key ``new[k]`` under ``hashes[k]`` (growing the table to stay at most half full)."""
        if 2 * (self.size + len(hashes)) > len(self.slots):  # at most half full: short probes
            capacity = len(self.slots)
            while 2 * (self.size + len(hashes)) > capacity:
                capacity *= 2
            kept = self.values >= 0
            old_hashes, old_values = self.slots[kept], self.values[kept]
            self.slots = np.zeros(capacity, dtype=np.int64)
            self.values = np.full(capacity, -1, dtype=np.int64)
            _put(self.slots, self.values, old_hashes, old_values)
        _put(self.slots, self.values, hashes, new)
        self.size = int(np.count_nonzero(self.values >= 0))


def hashes_of(items: Sequence[str]) -> np.ndarray:
    """Python's ``hash`` of each string, as int64."""
    return np.fromiter(map(hash, items), dtype=np.int64, count=len(items))


def keys_of(index: HashIndex, hashes: np.ndarray, number_new: Callable[[np.ndarray], Sequence[int]]) -> np.ndarray:
    """The value stored under each of ``hashes`` in ``index``; the hashes not there yet are given
    ``number_new(positions)``, the position of each one's first occurrence in ``hashes`` in order, and stored."""
    found = index.find(hashes)
    misses = np.flatnonzero(found < 0)
    if len(misses):
        _, first = np.unique(hashes[misses], return_index=True)
        new = misses[np.sort(first)]
        index.put(hashes[new], np.asarray(number_new(new), dtype=np.int64))
        found[misses] = index.find(hashes[misses])
    return found


def number_strings(index: HashIndex, listed: list[str], items: Sequence[str]) -> np.ndarray:
    """The number of each of ``items`` (its position in ``listed``), numbering and listing the new ones in order."""

    def listed_next(new: np.ndarray) -> range:
        listed.extend(items[k] for k in new.tolist())
        return range(len(listed) - len(new), len(listed))

    return keys_of(index, hashes_of(items), listed_next)
