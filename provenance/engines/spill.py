"""Records of bytes kept in an unlinked temporary file instead of the process's memory, read back by position.

A stage that produces something per document which later stages read one
document (or one pair of documents) at a time, such as the texts or the shingle-hash
sets, need not hold all of it: :class:`SpillFile` appends each record to a
temporary file and keeps only its end offset (8 bytes a record).  Writes and
reads are ``os.pwrite``/``os.pread`` at explicit offsets: there is no file
position and no Python-side buffer, so worker processes forked at any time read
the same file safely.  The operating system's page cache keeps what fits in
memory; the file is deleted when closed or collected (it has no name from the start).

The directory is ``TMPDIR``'s (or the system's default).  A write that fails,
a full disk say, is an :class:`~provenance.errors.InputError` naming the
directory and how to point it elsewhere.
"""

from __future__ import annotations

import mmap
import os
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO

import numpy as np
from scipy import sparse

from provenance.errors import InputError


class SpillFile:
    """Append-only records of bytes in a temporary file: :meth:`append` returns a record's position, :meth:`read` it.

    ``what`` names the content in error messages ("the collection's texts").
    """

    def __init__(self, what: str, directory: str | None = None) -> None:
        self._what = what
        self._directory = directory if directory is not None else tempfile.gettempdir()
        try:
            self._file: IO[bytes] = tempfile.TemporaryFile(prefix="provenance-", dir=directory, buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise self._error(exc) from None
        self._ends = array("q", [0])  # record k is bytes ends[k]..ends[k + 1]

    def append(self, data: bytes | bytearray | memoryview, lengths: np.ndarray | None = None) -> int:
        """Append ``data`` as one record, or as ``len(lengths)`` records of those byte lengths; the first's position."""
        first, view = len(self), memoryview(data).cast("B")
        if lengths is not None:
            ends = np.cumsum(np.asarray(lengths, dtype=np.int64)) + self._ends[-1]
            total = int(ends[-1]) - self._ends[-1] if len(ends) else 0
            if total != len(view):
                raise ValueError(f"record lengths sum to {total}, not {len(view)} bytes")
        self._write(view, self._ends[-1])
        if lengths is None:
            self._ends.append(self._ends[-1] + len(view))
        else:
            self._ends.extend(ends.tolist())
        return first

    def read(self, k: int) -> bytes:
        """Record ``k`` (negative counts from the end)."""
        if not -len(self) <= k < len(self):
            raise IndexError(f"record {k} of {len(self)}")
        k %= len(self)
        return self._read(self._ends[k], self._ends[k + 1])

    def read_into(self, k: int, out: np.ndarray) -> None:
        """Record ``k`` copied into the contiguous array ``out`` (of exactly its size), with no bytes object between.

        For records of gigabytes: a single read returns at most ~2 GB on Linux, so it goes on where it stopped.
        """
        view = memoryview(out.data).cast("B")
        start, end = self._ends[k], self._ends[k + 1]
        if len(view) != end - start:
            raise ValueError(f"record {k} has {end - start} bytes, the array {len(view)}")
        fd, done = self._file.fileno(), 0
        while done < len(view):
            got = os.preadv(fd, [view[done:]], start + done)
            if not got:
                raise InputError(f"the temporary file of {self._what} in {self._directory} was truncated while in use")
            done += got

    def ends(self) -> array:
        """The end offset of each record after a leading 0 (``len(self) + 1`` int64s, not a copy)."""
        return self._ends

    @contextmanager
    def mapped(self) -> Iterator[memoryview]:
        """The whole file, mapped read-only into memory for the ``with`` block (record ``k`` is bytes
        ``ends()[k]:ends()[k + 1]``); nothing is read until used, and the mapping is closed at the end."""
        size = self._ends[-1]
        if size == 0:
            yield memoryview(b"")
            return
        try:
            mapping = mmap.mmap(self._file.fileno(), size, access=mmap.ACCESS_READ)
        except OSError as exc:
            raise self._error(exc) from None
        view = memoryview(mapping)
        try:
            yield view
        finally:
            try:
                view.release()
                mapping.close()
            except BufferError:  # an array on it still lives (an error's traceback): closed when collected
                pass

    def record_size(self, k: int) -> int:
        """Bytes of record ``k``, without reading it."""
        return self._ends[k + 1] - self._ends[k]

    def sizes(self) -> np.ndarray:
        """Bytes of every record (int64)."""
        return np.diff(np.frombuffer(self._ends, dtype=np.int64))

    def __len__(self) -> int:
        return len(self._ends) - 1

    def truncate(self, count: int) -> None:
        """Forget every record from position ``count`` on (e.g. those of an input that turned out unreadable)."""
        if not 0 <= count <= len(self):
            raise IndexError(f"cannot truncate {len(self)} records to {count}")
        del self._ends[count + 1 :]
        os.ftruncate(self._file.fileno(), self._ends[-1])

    def close(self) -> None:
        """Delete the file now rather than when collected."""
        self._file.close()

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError(f"{type(self).__name__} is a handle on a local temporary file and is not pickled")

    def _write(self, view: memoryview, offset: int) -> None:
        fd = self._file.fileno()
        try:
            while len(view):
                done = os.pwrite(fd, view, offset)
                view, offset = view[done:], offset + done
        except OSError as exc:
            raise self._error(exc) from None

    def _read(self, start: int, end: int) -> bytes:
        fd = self._file.fileno()
        data = os.pread(fd, end - start, start)
        while len(data) < end - start:  # a short read (regular files rarely give one)
            more = os.pread(fd, end - start - len(data), start + len(data))
            if not more:
                raise InputError(f"the temporary file of {self._what} in {self._directory} was truncated while in use")
            data += more
        return data

    def _error(self, exc: OSError) -> InputError:
        return InputError(
            f"cannot keep {self._what} in a temporary file in {self._directory} "
            f"({exc.strerror or exc}); free some space there or point TMPDIR at a larger disk"
        )


class SpilledRows:
    """The rows of a CSR matrix in a :class:`SpillFile`: :meth:`rows` gives some of them back as a small CSR matrix.

    For a matrix that a late stage reads only a few rows of (the TF-IDF vectors, once
    the candidate pairs are found).  A row comes back with the same columns and
    values in the same order, so any per-row computation on it gives the same bits.
    """

    def __init__(self, matrix: sparse.csr_matrix, what: str = "the document vectors", directory: str | None = None):
        matrix = sparse.csr_matrix(matrix)
        self.shape: tuple[int, int] = matrix.shape
        self._index_type, self._value_type = matrix.indices.dtype, matrix.data.dtype
        self._file = SpillFile(what, directory)
        per_row = np.diff(matrix.indptr)
        self._file.append(np.ascontiguousarray(matrix.indices).data, per_row * self._index_type.itemsize)
        self._file.append(np.ascontiguousarray(matrix.data).data, per_row * self._value_type.itemsize)

    def rows(self, positions: Sequence[int]) -> sparse.csr_matrix:
        """The matrix's rows at ``positions``, in that order, as a ``(len(positions), columns)`` CSR matrix."""
        n = self.shape[0]
        indices = [np.frombuffer(self._file.read(k), dtype=self._index_type) for k in positions]
        values = [np.frombuffer(self._file.read(n + k), dtype=self._value_type) for k in positions]
        indptr = np.zeros(len(indices) + 1, dtype=np.int64)
        np.cumsum([len(i) for i in indices], out=indptr[1:])
        empty_i, empty_v = np.empty(0, self._index_type), np.empty(0, self._value_type)
        return sparse.csr_matrix(
            (
                np.concatenate(values) if values else empty_v,
                np.concatenate(indices) if indices else empty_i,
                indptr,
            ),
            shape=(len(indices), self.shape[1]),
        )

    def close(self) -> None:
        """Delete the file now rather than when collected."""
        self._file.close()


class ParkedArrays:
    """Arrays kept in a :class:`SpillFile` while a stage that does not read them runs; :meth:`restore` reads them back.

    The caller drops its own references after parking, so the memory is free for that
    stage (the candidates, say, while the profile table waits); the arrays come back
    with the same dtype, shape and bits.
    """

    def __init__(self, arrays: dict[str, np.ndarray], what: str, directory: str | None = None) -> None:
        self._file = SpillFile(what, directory)
        self._kinds: dict[str, tuple[np.dtype, tuple[int, ...]]] = {}
        for name, given in arrays.items():
            values = np.ascontiguousarray(given)
            self._kinds[name] = (values.dtype, values.shape)
            self._file.append(values.data if values.size else b"")

    def restore(self) -> dict[str, np.ndarray]:
        """The arrays, read back (the file is deleted afterwards)."""
        out = {}
        for k, (name, (dtype, shape)) in enumerate(self._kinds.items()):
            out[name] = np.empty(shape, dtype=dtype)
            if out[name].size:
                self._file.read_into(k, out[name])
        self._file.close()
        return out
