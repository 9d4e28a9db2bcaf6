"""Reading the supported file formats into documents.

* ``.txt`` / ``.md``: the whole file is one document; its id is the file name
  without its extension and its origin the path.
* ``.jsonl``: one JSON object per line (blank lines are allowed).  ``text`` is
  required; ``id``, ``outlet``, ``url``, ``published``, ``language`` and ``title``
  are optional.  The id defaults to ``<file stem>:<line>``, the origin is
  ``path:line``.
* ``.csv`` / ``.tsv``: a header row, then one document per row, with the same
  columns (matched case-insensitively).  Fields may hold quoted newlines and be
  many megabytes long.  A ``.csv`` whose header has semicolons but no commas is
  read as semicolon-separated.  Rows that are entirely blank are ignored.  The
  origin and default id use the line on which the row starts.

File-level problems (missing, binary, undecodable, empty, unsupported type)
raise :class:`~provenance.load.decode.UnreadableFile`; problems inside a
structured file (invalid JSON, missing column, bad date, …) raise
:class:`~provenance.errors.InputError` naming ``path:line``.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

from provenance.errors import InputError
from provenance.load.decode import UnreadableFile, read_text
from provenance.load.fields import RawRecord, document_from_record
from provenance.records import Document

TEXT_SUFFIXES = frozenset({".txt", ".md"})
TABLE_SUFFIXES = frozenset({".jsonl", ".csv", ".tsv"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | TABLE_SUFFIXES

_FIELD_SIZE_LIMIT = 2**31 - 1  # csv's default (128 KiB) is far too small for long articles


def suffix_of(path: str | os.PathLike[str]) -> str:
    """The lower-cased extension of ``path`` (``""`` if none)."""
    return Path(path).suffix.lower()


def read_documents(path: str | os.PathLike[str]) -> list[Document]:
    """All documents of one file (any supported format); see the module rules."""
    origin = os.fspath(path)
    suffix = suffix_of(path)
    if suffix in TEXT_SUFFIXES:
        return [Document(id=Path(path).stem, text=read_text(path), origin=origin)]
    if suffix not in TABLE_SUFFIXES:
        raise UnreadableFile(origin, unsupported_reason(suffix))
    stem = Path(path).stem
    return [document_from_record(r, f"{stem}:{r.line}") for r in read_records(path, required="text")]


def unsupported_reason(suffix: str) -> str:
    """The reason given for a file of an unsupported type."""
    found = f"'{suffix}'" if suffix else "no extension"
    return f"unsupported file type ({found}; expected .txt, .md, .jsonl, .csv or .tsv)"


def read_records(path: str | os.PathLike[str], required: str) -> list[RawRecord]:
    """The records of a ``.jsonl``, ``.csv`` or ``.tsv`` file.

    ``required`` names the column a table must have (checked on the header, so
    that a header-only file fails too).  JSONL records are checked by the caller.
    """
    origin = os.fspath(path)
    suffix = suffix_of(path)
    text = read_text(path)
    if suffix == ".jsonl":
        return parse_jsonl(text, origin)
    if suffix in (".csv", ".tsv"):
        delimiter = "\t" if suffix == ".tsv" else _csv_delimiter(text)
        return parse_table(text, origin, delimiter, required)
    raise UnreadableFile(origin, f"unsupported file type for records ('{suffix}'; expected .jsonl, .csv or .tsv)")


def parse_jsonl(text: str, origin: str) -> list[RawRecord]:
    """One record per non-blank line of ``text``; each line must be a JSON object."""
    records = []
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        records.append(RawRecord(where, number, _json_object(line, where)))
    return records


def _lines(text: str) -> Iterator[str]:
    """``text.split("\n")``, one line at a time (a list of every line would double the file's memory).

    Lines end at ``"\n"`` only, not ``str.splitlines``' other breaks: U+2028 and friends may
    legally appear inside JSON strings.
    """
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def parse_table(text: str, origin: str, delimiter: str, required: str) -> list[RawRecord]:
    """Records of a delimited table with a header row (see the module rules)."""
    if csv.field_size_limit() < _FIELD_SIZE_LIMIT:
        csv.field_size_limit(_FIELD_SIZE_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns: list[str] | None = None
    records = []
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = _header(row, origin, required)
                continue
            records.append(_row_record(row, columns, f"{origin}:{line}", line))
    except csv.Error as exc:
        raise InputError(f"{origin}:{reader.line_num}: malformed CSV: {exc}") from None
    if columns is None:
        raise InputError(f"{origin}: no header row")
    return records


def _json_object(line: str, where: str) -> dict[str, object]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{where}: invalid JSON: nested too deeply") from None
    if not isinstance(value, dict):
        kind = "an array" if isinstance(value, list) else type(value).__name__
        raise InputError(f"{where}: expected a JSON object, found {kind}")
    return value


def _csv_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if ";" in header and "," not in header else ","


def _header(row: list[str], origin: str, required: str) -> list[str]:
    columns = [cell.strip().lower() for cell in row]
    if required not in columns:
        found = ", ".join(repr(cell) for cell in row)
        raise InputError(f'{origin}: no "{required}" column (columns found: {found})')
    seen = set()
    for name in columns:
        if name and name in seen:
            raise InputError(f'{origin}: column "{name}" appears twice in the header')
        seen.add(name)
    return columns


def _row_record(row: list[str], columns: list[str], where: str, line: int) -> RawRecord:
    extra = row[len(columns) :]
    if any(cell.strip() for cell in extra):
        raise InputError(f"{where}: {len(row)} fields but the header has {len(columns)} columns")
    values: dict[str, object] = {name: cell for name, cell in zip(columns, row, strict=False) if name}
    return RawRecord(where, line, values)
