"""Shingle-hash sets on disk: each document's sorted unique uint64 hashes, read back when a pair needs them.

The sets are the largest thing the verbatim stages make (8 bytes a shingle,
~4.4 KB for a 550-word article: 4.4 GB for a million) and each is read only
when a candidate pair that holds its document is verified or scored.
:class:`HashSetStore` appends them, a chunk of documents at a time, to a
:class:`~provenance.engines.spill.SpillFile` and reads set ``k`` back with one
``os.pread``; only the offsets stay in memory (8 bytes a document).  It is a
``Sequence[np.ndarray]``, so it goes wherever a list of sets goes
(:func:`~provenance.neardup.find_near_duplicates`, :func:`~provenance.neardup.intersection_sizes`);
:meth:`HashSetStore.size` gives a set's size without reading it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar, overload

import numpy as np

from provenance.engines.spill import SpillFile

_ITEM = np.dtype(np.uint64).itemsize
T = TypeVar("T")


class HashSetStore(Sequence[np.ndarray]):
    """Hash sets in a temporary file, in the order added; ``store[k]`` is set ``k`` (a read-only uint64 array)."""

    def __init__(self, directory: str | None = None) -> None:
        self._file = SpillFile("the shingle-hash sets", directory)
        self._sizes: np.ndarray | None = None  # cached by sizes() until the next add

    def add_flat(self, hashes: np.ndarray, offsets: np.ndarray) -> None:
        """Append the sets ``hashes[offsets[d]:offsets[d + 1]]`` (as ``shingle_hashes_flat`` gives them)."""
        offsets = np.asarray(offsets, dtype=np.int64)
        data = np.ascontiguousarray(hashes[offsets[0] : offsets[-1]], dtype=np.uint64)
        self._file.append(data.data, np.diff(offsets) * _ITEM)
        self._sizes = None

    def __len__(self) -> int:
        return len(self._file)

    @overload
    def __getitem__(self, k: int) -> np.ndarray: ...

    @overload
    def __getitem__(self, k: slice) -> list[np.ndarray]: ...

    def __getitem__(self, k: int | slice) -> np.ndarray | list[np.ndarray]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        return np.frombuffer(self._file.read(k), dtype=np.uint64)

    def apply_mapped(self, func: Callable[[np.ndarray, np.ndarray], T]) -> T:
        """``func(values, offsets)`` on every set at once, read where it lies: set ``k`` is
        ``values[offsets[k]:offsets[k + 1]]``.

        The file is mapped into memory for the call only (``func``'s result must not be a view
        of ``values``): the pages read are the operating system's page cache, not the process's
        memory, and are let go when it returns.
        """
        with self._file.mapped() as data:
            values = np.frombuffer(data, dtype=np.uint64)
            try:
                return func(values, np.frombuffer(self._file.ends(), dtype=np.int64) // _ITEM)
            finally:
                del values

    def size(self, k: int) -> int:
        """``len(store[k])`` without reading the set."""
        return self._file.record_size(k) // _ITEM

    def sizes(self) -> np.ndarray:
        """The size of every set (int64)."""
        if self._sizes is None:
            self._sizes = self._file.sizes() // _ITEM
        return self._sizes

    def close(self) -> None:
        """Delete the file now rather than when collected."""
        self._file.close()


def set_sizes(sets: Sequence[np.ndarray], rows: np.ndarray | None = None) -> np.ndarray:
    """``len(sets[k])`` of every set, or of each ``k`` of ``rows`` (without reading a :class:`HashSetStore`'s)."""
    if isinstance(sets, HashSetStore):
        return sets.sizes() if rows is None else sets.sizes()[rows]
    chosen = sets if rows is None else (sets[k] for k in rows.tolist())
    return np.fromiter(map(len, chosen), dtype=np.int64, count=len(sets) if rows is None else len(rows))


def gather_sets(sets: Sequence[np.ndarray], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sets[k]`` of each ``k`` of ``rows`` one after the other in one array: ``(values, offsets)``, set ``rows[n]``
    being ``values[offsets[n]:offsets[n + 1]]``."""
    chosen = [np.asarray(sets[k]) for k in np.asarray(rows).tolist()]
    offsets = np.zeros(len(chosen) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, chosen), dtype=np.int64, count=len(chosen)), out=offsets[1:])
    dtype = next((c.dtype for c in chosen if len(c)), np.dtype(np.uint64))  # (an empty set may be of another)
    values = np.concatenate([c.astype(dtype, copy=False) for c in chosen]) if chosen else np.zeros(0, dtype)
    return values, offsets
