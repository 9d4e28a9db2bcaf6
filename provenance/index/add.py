"""Adding documents to an index, batch by batch, idempotently."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from provenance.index.features import DocumentFeatures, pack_ints, profile_to_bytes, text_hash, unpack_ints
from provenance.index.store import IndexFileError, IndexStore
from provenance.pipeline import assign_languages
from provenance.records import Document

BATCH_SIZE = 500


class ChangedTextError(IndexFileError):
    """A document id is already indexed with another text (and replacing was not asked for)."""


@dataclass
class AddReport:
    """What :func:`add_documents` did."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    total: int = 0  # documents in the index afterwards


def _changed_error(ids: list[str], store: IndexStore) -> ChangedTextError:
    shown = ", ".join(repr(i) for i in ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
    return ChangedTextError(
        f"{store.path}: {len(ids)} document id(s) already indexed with another text: {shown}; "
        "give --replace to re-index them"
    )


def add_documents(
    store: IndexStore,
    documents: Sequence[Document],
    *,
    replace: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: bool = False,
) -> AddReport:
    """Add ``documents`` to the index, one transaction per ``batch_size`` documents.

    A document whose id is indexed with the same text is left as it is
    (counted ``unchanged``); with another text it is re-indexed if ``replace``,
    else :class:`ChangedTextError` is raised before anything is written.
    Languages not given are detected (:func:`~provenance.pipeline.assign_languages`).
    A batch is re-checked inside its transaction, so concurrent writers never
    duplicate a document.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    report = AddReport()
    hashes = [text_hash(d.text) for d in documents]
    indexed = store.text_hashes([d.id for d in documents])
    changed = [d.id for d, h in zip(documents, hashes, strict=True) if d.id in indexed and indexed[d.id][1] != h]
    if changed and not replace:
        raise _changed_error(changed, store)
    todo = [d for d, h in zip(documents, hashes, strict=True) if indexed.get(d.id, (0, ""))[1] != h]
    report.unchanged = len(documents) - len(todo)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(documents), initial=report.unchanged, desc="indexing", unit="doc", file=sys.stderr)
    try:
        for start in range(0, len(todo), batch_size):
            batch = assign_languages(todo[start : start + batch_size])
            _write_batch(store, batch, store.params.features(batch), replace, report)
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
    report.total = store.count()
    return report


def _write_batch(
    store: IndexStore, batch: list[Document], features: list[DocumentFeatures], replace: bool, report: AddReport
) -> None:
    added = datetime.now(UTC).isoformat(timespec="seconds")
    with store.transaction() as conn:
        indexed = store.text_hashes([d.id for d in batch])  # authoritative: inside the write lock
        changed = [
            d.id for d, f in zip(batch, features, strict=True) if indexed.get(d.id, (0, f.text_hash))[1] != f.text_hash
        ]
        if changed and not replace:
            raise _changed_error(changed, store)
        band_rows: list[tuple[int, int, int]] = []
        term_rows: list[tuple[int, int]] = []
        for d, f in zip(batch, features, strict=True):
            old = indexed.get(d.id)
            if old is not None and old[1] == f.text_hash:
                report.unchanged += 1  # indexed meanwhile by another writer
                continue
            values = (
                d.id, f.text_hash, d.text, d.outlet, d.url, d.published.isoformat() if d.published else None,
                d.language, d.title, d.origin, added, len(f.shingles), f.signature.astype("<u4").tobytes(),
                pack_ints(f.band_keys), pack_ints(f.terms), profile_to_bytes(f.profile),
            )  # fmt: skip
            if old is None:
                cur = conn.execute(
                    "INSERT INTO documents (id, text_hash, text, outlet, url, published, language, title, origin, "
                    "added, shingles, signature, band_keys, terms, profile) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
                doc = int(cur.lastrowid or 0)
                report.added += 1
            else:
                doc = old[0]
                _unpost(conn, doc)
                conn.execute(
                    "UPDATE documents SET id = ?, text_hash = ?, text = ?, outlet = ?, url = ?, published = ?, "
                    "language = ?, title = ?, origin = ?, added = ?, shingles = ?, signature = ?, band_keys = ?, "
                    "terms = ?, profile = ? WHERE doc = ?",
                    (*values, doc),
                )
                report.replaced += 1
            band_rows.extend((b, k, doc) for b, k in enumerate(f.band_keys))
            term_rows.extend((t, doc) for t in f.terms)
        conn.executemany("INSERT INTO bands (band, key, doc) VALUES (?, ?, ?)", band_rows)
        conn.executemany("INSERT INTO postings (term, doc) VALUES (?, ?)", term_rows)


def _unpost(conn: sqlite3.Connection, doc: int) -> None:
    """Remove a document's LSH keys and postings (before it is re-indexed)."""
    keys, terms = conn.execute("SELECT band_keys, terms FROM documents WHERE doc = ?", (doc,)).fetchone()
    old_keys = [(b, k, doc) for b, k in enumerate(unpack_ints(keys))]
    conn.executemany("DELETE FROM bands WHERE band = ? AND key = ? AND doc = ?", old_keys)
    conn.executemany("DELETE FROM postings WHERE term = ? AND doc = ?", [(t, doc) for t in unpack_ints(terms)])
