"""Texts kept on disk while a collection is analysed: UTF-8 in one unlinked temporary file, read back by offset.

Why: a news article is ~4 KB of UTF-8 but ~8 KB as a Python string (a single
character beyond Latin-1, a curly quote say, makes CPython store the whole
string at 2 bytes a character).  Every stage reads a text a few times, one
document at a time; none needs all of them at once.  Holding them all made the
texts the largest single part of the memory of a big run (8.6 GB at a million
synthetic documents).  :class:`TextStore` writes each text once, as it is read,
and gives it back by position (``os.pread``: no shared file position, so forked
workers read the same store safely).  The operating system's page cache keeps
what fits in memory; the process itself holds 8 bytes of offset per text.

:class:`StoredDocuments` is a read-only ``Sequence[Document]`` over such a store:
each access builds the document with its text read back.  Its :attr:`~StoredDocuments.fields`
are the documents without their texts, for loops that need only ids, languages or outlets.
The temporary file is named in ``TMPDIR`` (or the system's default) and deleted
when the store is closed or collected; a write that fails (a full disk) is an
:class:`~provenance.errors.InputError` saying where and how to change it.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TypeVar, overload

import numpy as np

from provenance.engines.spill import SpillFile
from provenance.records import Document, with_text

_ENCODING = "utf-8"
_ERRORS = "surrogatepass"  # any Python string round-trips, even one a reader would have refused
WRITE_BYTES = 1 << 22  # texts written together by StoredDocuments.write (one system call)


class TextStore:
    """Append-only texts in a temporary file (:class:`~provenance.engines.spill.SpillFile`, UTF-8): :meth:`add`
    returns a text's position, ``store[k]`` reads it back."""

    def __init__(self, directory: str | None = None) -> None:
        self._file = SpillFile("the collection's texts", directory)

    def add(self, text: str) -> int:
        """Append ``text``; returns its position."""
        return self._file.append(self.encode(text))

    def add_encoded(self, encoded: Sequence[bytes]) -> int:
        """Append texts already encoded by :meth:`encode`, in one write; returns the first one's position."""
        return self._file.append(b"".join(encoded), np.fromiter(map(len, encoded), np.int64, len(encoded)))

    @staticmethod
    def encode(text: str) -> bytes:
        """``text`` as the store keeps it (UTF-8; any Python string, even with lone surrogates)."""
        return text.encode(_ENCODING, _ERRORS)

    def __len__(self) -> int:
        return len(self._file)

    def __getitem__(self, k: int) -> str:
        return self._file.read(k).decode(_ENCODING, _ERRORS)

    def text_length(self, k: int) -> int:
        """Bytes of text ``k`` in UTF-8 (an upper bound of its characters)."""
        return self._file.record_size(k)

    def truncate(self, size: int) -> None:
        """Forget every text from position ``size`` on (e.g. those of a file that turned out unreadable)."""
        self._file.truncate(size)

    def close(self) -> None:
        """Delete the file now rather than when collected."""
        self._file.close()


class StoredTexts(Sequence[str]):
    """The texts of some positions of a :class:`TextStore`, read back on each access."""

    def __init__(self, store: TextStore, rows: Sequence[int]) -> None:
        self._store = store
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, k: int) -> str: ...

    @overload
    def __getitem__(self, k: slice) -> list[str]: ...

    def __getitem__(self, k: int | slice) -> str | list[str]:
        if isinstance(k, slice):
            return [self._store[r] for r in self._rows[k]]
        return self._store[self._rows[k]]


class StoredDocuments(Sequence[Document]):
    """Documents whose texts stay in a :class:`TextStore` (module doc); ``docs[k]`` reads document ``k``'s text back."""

    def __init__(self, fields: Sequence[Document], rows: Sequence[int], store: TextStore) -> None:
        if len(fields) != len(rows):
            raise ValueError(f"{len(fields)} documents but {len(rows)} stored texts")
        self._fields = list(fields)
        self._rows = array("q", rows)
        self._store = store

    @classmethod
    def write(cls, documents: Iterable[Document], store: TextStore | None = None) -> StoredDocuments:
        """``documents`` with their texts moved into ``store`` (a new one by default), read one at a time.

        The texts are written :data:`WRITE_BYTES` at a time; if ``documents`` fails half-way, none
        of them is kept in the store.
        """
        store = store if store is not None else TextStore()
        fields: list[Document] = []
        rows: list[int] = []
        mark = len(store)
        pending: list[bytes] = []  # written WRITE_BYTES at a time, not one system call per text
        held = 0
        try:
            for d in documents:
                pending.append(store.encode(d.text))
                fields.append(with_text(d, ""))
                held += len(pending[-1])
                if held >= WRITE_BYTES:
                    rows.extend(range(store.add_encoded(pending), len(store)))
                    pending, held = [], 0
            if pending:
                rows.extend(range(store.add_encoded(pending), len(store)))
        except BaseException:
            store.truncate(mark)  # nothing of a collection that failed half-way is kept
            raise
        return cls(fields, rows, store)

    @property
    def fields(self) -> Sequence[Document]:
        """The documents with empty texts: ids, languages, outlets… without reading a text back."""
        return self._fields

    @property
    def texts(self) -> StoredTexts:
        """The documents' texts, in order, each read back when accessed."""
        return StoredTexts(self._store, self._rows)

    def __len__(self) -> int:
        return len(self._fields)

    @overload
    def __getitem__(self, k: int) -> Document: ...

    @overload
    def __getitem__(self, k: slice) -> StoredDocuments: ...

    def __getitem__(self, k: int | slice) -> Document | StoredDocuments:
        if isinstance(k, slice):
            return StoredDocuments(self._fields[k], self._rows[k], self._store)
        return with_text(self._fields[k], self._store[self._rows[k]])

    def __iter__(self) -> Iterator[Document]:
        for k in range(len(self)):
            yield self[k]

    def take(self, positions: Iterable[int]) -> StoredDocuments:
        """The documents at ``positions``, in that order (their texts are not read)."""
        keep = list(positions)
        return StoredDocuments([self._fields[k] for k in keep], [self._rows[k] for k in keep], self._store)

    def with_fields(self, fields: Sequence[Document]) -> StoredDocuments:
        """The same texts under new fields (e.g. with languages set); ``fields[k]`` describes document ``k``."""
        return StoredDocuments(fields, self._rows, self._store)

    def after(self, documents: Sequence[Document]) -> StoredDocuments:
        """``documents`` (their texts added to this store) followed by these documents."""
        head = StoredDocuments.write(documents, self._store)
        return StoredDocuments([*head._fields, *self._fields], [*head._rows, *self._rows], self._store)

    def by_id(self) -> Mapping[str, Document]:
        """The documents by id, each read back when looked up."""
        return _ById((f.id for f in self._fields), self.__getitem__)

    def texts_by_id(self) -> Mapping[str, str]:
        """The texts by document id, each read back when looked up."""
        return _ById((f.id for f in self._fields), self.texts.__getitem__)


V = TypeVar("V")


class _ById(Mapping[str, V]):
    """``read(k)`` of document ``k``, looked up by the document's id."""

    def __init__(self, ids: Iterable[str], read: Callable[[int], V]) -> None:
        self._position = {doc_id: k for k, doc_id in enumerate(ids)}
        self._read = read

    def __getitem__(self, doc_id: str) -> V:
        return self._read(self._position[doc_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)


def fields_of(documents: Sequence[Document]) -> Sequence[Document]:
    """What to loop over for the documents' fields: :attr:`StoredDocuments.fields` (no text read back), else themselves.

    Only for ids, languages, outlets, dates, titles, urls and origins: a stored document's text is empty there.
    """
    return documents.fields if isinstance(documents, StoredDocuments) else documents


def texts_of(documents: Sequence[Document]) -> Sequence[str]:
    """The documents' texts in order: read back one at a time from a store, else a list."""
    return documents.texts if isinstance(documents, StoredDocuments) else [d.text for d in documents]


def documents_by_id(documents: Sequence[Document]) -> Mapping[str, Document]:
    """The documents by id (a stored collection's are read back when looked up)."""
    return documents.by_id() if isinstance(documents, StoredDocuments) else {d.id: d for d in documents}
