"""Loading a whole collection: a directory, or one file of any supported format."""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path

from provenance.errors import InputError
from provenance.load.decode import UnreadableFile
from provenance.load.metadata import METADATA_NAMES, find_metadata, merge_metadata, read_metadata
from provenance.load.readers import SUPPORTED_SUFFIXES, read_documents, suffix_of, unsupported_reason
from provenance.load.store import StoredDocuments, TextStore
from provenance.records import Corpus, Document, SkippedInput

_SUMMARY_ITEMS = 3  # skipped files named in the "no documents found" message
_HIDDEN_ITEMS = 5  # hidden entries reported one by one; more are reported in one summary entry


def load_corpus(
    path: str | os.PathLike[str], metadata: str | os.PathLike[str] | None = None, on_disk: bool = False
) -> Corpus:
    """Read the collection at ``path`` (a directory or one file); see the package docstring.

    ``on_disk``: the texts go to a temporary file as each input file is read, and
    ``Corpus.documents`` is a :class:`~provenance.load.store.StoredDocuments` that
    reads them back on access (:mod:`provenance.load.store`); for big collections.

    Raises :class:`InputError` if the path does not exist, yields no document,
    contains a malformed structured file, or if two documents share an id.
    """
    root = Path(path)
    store = TextStore() if on_disk else None
    if root.is_dir():
        documents, skipped = _load_directory(root, metadata, store)
        metadata_path: Path | None = Path(metadata) if metadata is not None else find_metadata(root)
    elif root.is_file():
        documents, skipped = _streamed(root, store) or _kept(_load_single_file(root), store), []
        metadata_path = Path(metadata) if metadata is not None else None
    elif root.exists():
        raise InputError(f"{root}: not a regular file or directory")
    else:
        raise InputError(f"{root}: {_symlink_problem(root) or 'no such file or directory'}")
    check_unique_ids(documents)
    if metadata_path is not None:
        documents, unknown = merge_metadata(documents, read_metadata(metadata_path))
        skipped.extend(unknown)
    if store is not None:  # the texts were written in the order of the documents
        return Corpus(documents=StoredDocuments(documents, range(len(documents)), store), skipped=skipped)
    return Corpus(documents=documents, skipped=skipped)


def _streamed(file: Path, store: TextStore | None) -> list[Document] | None:
    """With a store: the documents of a ``.jsonl`` file read line by line, texts into the store, as they come.

    None (the store as it was) when the streaming reader leaves the file to the
    loader (:func:`provenance.fastpath.stream_jsonl`): the loader reads it, or words its error.
    """
    if store is None or suffix_of(file) != ".jsonl":
        return None
    from provenance.fastpath import stream_jsonl  # (it imports this package)

    try:
        return list(StoredDocuments.write(stream_jsonl(file), store).fields)
    except ValueError:
        return None


def _kept(documents: list[Document], store: TextStore | None) -> list[Document]:
    """``documents``, or with a store: their texts appended to it, and the documents without them."""
    if store is None:
        return documents
    return list(StoredDocuments.write(documents, store).fields)


def load_document_file(path: str | os.PathLike[str]) -> Document:
    """Read one file as one document (``.txt``/``.md``, or a ``.jsonl``/``.csv``/``.tsv`` with one row).

    Any problem, including a table with zero or several rows, is an :class:`InputError`.
    """
    file = Path(path)
    if file.is_dir():
        raise InputError(f"{file}: is a directory, expected a single file")
    if file.exists() and not file.is_file():
        raise InputError(f"{file}: not a regular file")
    documents = read_documents(file)
    if len(documents) != 1:
        raise InputError(f"{file}: expected exactly one document, found {len(documents)}")
    return documents[0]


def check_unique_ids(documents: Sequence[Document]) -> None:
    """Raise :class:`InputError` naming both origins if two documents share an id."""
    seen: dict[str, str] = {}
    for doc in documents:
        if doc.id in seen:
            raise InputError(f"duplicate document id {doc.id!r}: {seen[doc.id]} and {doc.origin}")
        seen[doc.id] = doc.origin


def _load_single_file(file: Path) -> list[Document]:
    documents = read_documents(file)  # problems are InputErrors: a file given directly must be readable
    if not documents:
        raise InputError(f"{file}: no documents found (the table has a header but no rows)")
    return documents


def _load_directory(
    directory: Path, metadata: str | os.PathLike[str] | None, store: TextStore | None = None
) -> tuple[list[Document], list[SkippedInput]]:
    explicit_metadata = _resolved(Path(metadata)) if metadata is not None else None
    documents: list[Document] = []
    skipped: list[SkippedInput] = []
    hidden: list[Path] = []
    for entry in _entries(directory):
        if entry.name.startswith("."):
            hidden.append(entry)
            continue
        if entry.name.lower() in METADATA_NAMES or (explicit_metadata and _resolved(entry) == explicit_metadata):
            continue  # metadata files are read as metadata, not reported
        try:
            found = _read_entry(entry, store)
        except UnreadableFile as exc:
            skipped.append(SkippedInput(exc.origin, exc.reason))
            continue
        if not found:
            skipped.append(SkippedInput(str(entry), "no rows below the header"))
        documents.extend(found)
    skipped.extend(_hidden_skips(directory, hidden))
    if not documents:
        raise InputError(f"{directory}: no documents found ({_skipped_summary(skipped)})")
    return documents, skipped


def _entries(directory: Path) -> list[Path]:
    try:
        return sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise InputError(f"{directory}: cannot list directory ({exc.strerror or exc})") from None


def _resolved(path: Path) -> Path | None:
    """``path`` with its symbolic links resolved; None for a symbolic link loop."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # "Symlink loop" (RuntimeError up to Python 3.12, OSError ELOOP after)
        return None


def _hidden_skips(directory: Path, hidden: list[Path]) -> list[SkippedInput]:
    """One skip entry per hidden entry, or a single summary beyond :data:`_HIDDEN_ITEMS` of them."""
    if len(hidden) <= _HIDDEN_ITEMS:
        kinds = ("hidden directory" if h.is_dir() else "hidden file" for h in hidden)
        return [SkippedInput(str(h), f"{kind} (name starts with '.')") for h, kind in zip(hidden, kinds, strict=True)]
    names = ", ".join(h.name for h in hidden[:_SUMMARY_ITEMS])
    more = len(hidden) - _SUMMARY_ITEMS
    why = f"{len(hidden)} hidden files or directories (names start with '.'): {names} and {more} more"
    return [SkippedInput(str(directory / ".*"), why)]


def _symlink_problem(entry: Path) -> str | None:
    """Why a symbolic link cannot be followed (a loop, a missing target), or None."""
    if not entry.is_symlink():
        return None
    try:
        entry.resolve(strict=True)
    except (RuntimeError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            return "broken symbolic link (its target does not exist)"
        if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
            return "symbolic link loop"
        return f"symbolic link cannot be followed ({exc.strerror or exc})"
    return None


def _read_entry(entry: Path, store: TextStore | None = None) -> list[Document]:
    """The documents of one directory entry (texts into ``store`` if any); file-level problems raise UnreadableFile."""
    origin = str(entry)
    problem = _symlink_problem(entry)
    if problem:
        raise UnreadableFile(origin, problem)
    if entry.is_dir():
        raise UnreadableFile(origin, "subdirectory (directories are read non-recursively)")
    if not entry.is_file():
        raise UnreadableFile(origin, "not a regular file")
    if suffix_of(entry) not in SUPPORTED_SUFFIXES:
        raise UnreadableFile(origin, unsupported_reason(suffix_of(entry)))
    return _streamed(entry, store) or _kept(read_documents(entry), store)


def _skipped_summary(skipped: list[SkippedInput]) -> str:
    if not skipped:
        return "the directory has no .txt, .md, .jsonl, .csv or .tsv files"
    shown = "; ".join(f"{Path(s.origin).name}: {s.reason}" for s in skipped[:_SUMMARY_ITEMS])
    more = f"; and {len(skipped) - _SUMMARY_ITEMS} more" if len(skipped) > _SUMMARY_ITEMS else ""
    noun = "file" if len(skipped) == 1 else "files"
    return f"{len(skipped)} {noun} skipped: {shown}{more}"
