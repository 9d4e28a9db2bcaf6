"""Per-corpus metadata: outlet, url, published, language and title by document id.

* Formats: ``.csv``, ``.tsv`` or ``.jsonl`` with an ``id`` column/key plus any
  of ``outlet``, ``url``, ``published``, ``language``, ``title`` (same value
  rules as the corpus files; other columns are ignored).
* Discovery: a directory's ``metadata.csv``, ``metadata.tsv`` or
  ``metadata.jsonl`` is used automatically (two of them at once is an error);
  an explicit metadata path replaces discovery.
* Merge: a value given in the metadata replaces the document's own value; a
  blank metadata cell leaves it unchanged.
* An id listed twice, or a row without an id, is an :class:`InputError`.  Ids
  matching no document are not an error: each is returned as a
  ``SkippedInput`` with reason "metadata for unknown id '…'".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import InputError
from provenance.load.decode import UnreadableFile
from provenance.load.fields import DocumentFields, document_fields, string_field
from provenance.load.readers import TABLE_SUFFIXES, read_records, suffix_of
from provenance.records import Document, SkippedInput

METADATA_NAMES = ("metadata.csv", "metadata.tsv", "metadata.jsonl")


@dataclass(frozen=True)
class MetadataEntry:
    """The metadata of one document id and the ``path:line`` it came from."""

    origin: str
    fields: DocumentFields


def find_metadata(directory: Path) -> Path | None:
    """The metadata file of ``directory``, if it has one (see the module rules)."""
    found = [directory / name for name in METADATA_NAMES if (directory / name).is_file()]
    if len(found) > 1:
        names = " and ".join(p.name for p in found)
        raise InputError(f"{directory}: found both {names}; pass the metadata file to use explicitly")
    return found[0] if found else None


def read_metadata(path: str | os.PathLike[str]) -> dict[str, MetadataEntry]:
    """The entries of a metadata file by id; any problem is an :class:`InputError`."""
    if suffix_of(path) not in TABLE_SUFFIXES:
        raise InputError(f"{os.fspath(path)}: metadata must be a .csv, .tsv or .jsonl file")
    try:
        records = read_records(path, required="id")
    except UnreadableFile as exc:
        raise InputError(f"metadata file {exc}") from None
    entries: dict[str, MetadataEntry] = {}
    for record in records:
        doc_id = string_field(record, "id", allow_number=True)
        if doc_id is None:
            raise InputError(f'{record.origin}: metadata row without an "id"')
        if doc_id in entries:
            raise InputError(
                f"{record.origin}: metadata for id {doc_id!r} given twice (first at {entries[doc_id].origin})"
            )
        entries[doc_id] = MetadataEntry(record.origin, document_fields(record))
    return entries


def merge_metadata(
    documents: list[Document], entries: dict[str, MetadataEntry]
) -> tuple[list[Document], list[SkippedInput]]:
    """``documents`` with their metadata applied, and one skip entry per unknown id."""
    merged = [entries[d.id].fields.apply_to(d) if d.id in entries else d for d in documents]
    known = {d.id for d in documents}
    unknown = [
        SkippedInput(entry.origin, f"metadata for unknown id {doc_id!r}")
        for doc_id, entry in entries.items()
        if doc_id not in known
    ]
    return merged, unknown
