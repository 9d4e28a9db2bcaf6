"""Turning one raw record (a JSONL object or a CSV row) into document fields.

Field rules:

* ``text`` (documents only) must be a non-empty, non-blank string; it is kept
  as written apart from newline normalisation (never stripped, so offsets
  stay valid).
* ``id``, ``outlet``, ``url``, ``language``, ``title`` are strings (a JSON
  number is accepted for ``id``); they are stripped, and an empty value counts
  as absent.  ``language`` is kept as declared (the pipeline lower-cases it).
* ``published`` is an ISO-8601 date or date-time (``2024-10-25``,
  ``2024-10-25T14:30``, ``2024-10-25T14:30:00+02:00``, ``…Z``).  A date alone
  means midnight; a value without a time zone is taken as UTC, so every
  returned datetime is timezone-aware.
* Other keys or columns are ignored.

Every problem raises :class:`InputError` naming the record's origin (``path:line``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime

from provenance.errors import InputError
from provenance.load.decode import normalize_newlines
from provenance.records import Document

OPTIONAL_FIELDS = ("outlet", "url", "published", "language", "title")


@dataclass(frozen=True)
class RawRecord:
    """One record as read from a structured file: where it starts and its values by key."""

    origin: str  # "path:line"
    line: int  # 1-based line on which the record starts
    values: dict[str, object]


@dataclass(frozen=True)
class DocumentFields:
    """The optional descriptive fields of a document (None: not given)."""

    outlet: str | None = None
    url: str | None = None
    published: datetime | None = None
    language: str | None = None
    title: str | None = None

    def apply_to(self, doc: Document) -> Document:
        """``doc`` with every field given here replacing its value (absent ones leave it as is)."""
        given = {name: value for name in _FIELD_NAMES if (value := getattr(self, name)) is not None}
        return replace(doc, **given) if given else doc


_FIELD_NAMES = tuple(f.name for f in fields(DocumentFields))


def parse_published(value: str, origin: str) -> datetime:
    """Parse an ISO-8601 date or date-time; naive values are taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{origin}: cannot parse published date {value!r} "
            "(expected ISO-8601, e.g. 2024-10-25 or 2024-10-25T14:30:00+02:00)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def string_field(record: RawRecord, key: str, allow_number: bool = False) -> str | None:
    """The stripped string value of ``key`` (None if absent, null or blank)."""
    value = record.values.get(key)
    if value is None:
        return None
    if allow_number and isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InputError(f'{record.origin}: "{key}" must be a string, found {_json_type(value)}')
    _check_encodable(value, key, record.origin)
    return normalize_newlines(value).strip() or None


def document_fields(record: RawRecord) -> DocumentFields:
    """The optional fields of ``record`` (see the module rules)."""
    published = string_field(record, "published")
    return DocumentFields(
        outlet=string_field(record, "outlet"),
        url=string_field(record, "url"),
        published=parse_published(published, record.origin) if published else None,
        language=string_field(record, "language"),
        title=string_field(record, "title"),
    )


def record_text(record: RawRecord) -> str:
    """The ``text`` of ``record``: required, a string, not blank; newlines normalised."""
    if "text" not in record.values or record.values["text"] is None:
        raise InputError(f'{record.origin}: missing "text"')
    text = record.values["text"]
    if not isinstance(text, str):
        raise InputError(f'{record.origin}: "text" must be a string, found {_json_type(text)}')
    if not text.strip():
        raise InputError(f'{record.origin}: empty "text"')
    _check_encodable(text, "text", record.origin)
    return normalize_newlines(text)


def document_from_record(record: RawRecord, default_id: str) -> Document:
    """A :class:`Document` from ``record``; its id is ``default_id`` unless the record gives one."""
    text = record_text(record)
    doc_id = string_field(record, "id", allow_number=True) or default_id
    return document_fields(record).apply_to(Document(id=doc_id, text=text, origin=record.origin))


def _check_encodable(value: str, key: str, origin: str) -> None:
    """Reject lone surrogates (possible through JSON ``\\ud800`` escapes): they cannot be written out."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f'{origin}: "{key}" contains an invalid character (lone surrogate U+{ord(value[exc.start]):04X})'
        ) from None


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)
