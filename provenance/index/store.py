"""The SQLite file of an incremental index: schema, parameters, transactions.

Tables (``SCHEMA_VERSION`` 1)::

    meta(key TEXT PRIMARY KEY, value TEXT)
        format = "provenance-index", schema_version = "1", params = JSON of IndexParams
    documents(doc INTEGER PRIMARY KEY, id TEXT UNIQUE, text_hash TEXT, text TEXT,
              outlet, url, published (ISO-8601), language, title, origin, added (ISO-8601, UTC),
              shingles INTEGER (size of the shingle set), signature BLOB (num_perm x uint32 LE),
              band_keys BLOB (bands x int64 LE), terms BLOB (posting terms, int64 LE),
              profile BLOB (zlib JSON passage profile))
    bands(band, key, doc)  PRIMARY KEY (band, key, doc), WITHOUT ROWID  -- LSH buckets
    postings(term, doc)    PRIMARY KEY (term, doc), WITHOUT ROWID       -- rare stem -> documents

The file is in WAL mode: readers query while one writer adds; writers take
the lock with ``BEGIN IMMEDIATE`` and wait up to ``BUSY_TIMEOUT_S`` for each
other.  Every batch of documents is one transaction, so a killed writer leaves
the documents of the committed batches, complete, and nothing of the others.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from provenance.candidates.lsh import optimal_params
from provenance.errors import InputError
from provenance.index.features import DocumentFeatures, TermSelection, document_features
from provenance.neardup import FN_WEIGHT, FP_WEIGHT
from provenance.pipeline import PipelineConfig
from provenance.records import Document
from provenance.signatures.minhash import MinHasher
from provenance.signatures.shingles import ShingleSpec

FORMAT = "provenance-index"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 60.0

_DEFAULTS = PipelineConfig()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    text_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    outlet TEXT,
    url TEXT,
    published TEXT,
    language TEXT NOT NULL,
    title TEXT,
    origin TEXT,
    added TEXT NOT NULL,
    shingles INTEGER NOT NULL,
    signature BLOB NOT NULL,
    band_keys BLOB NOT NULL,
    terms BLOB NOT NULL,
    profile BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL, key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (band, key, doc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS postings (
    term INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (term, doc)
) WITHOUT ROWID;
"""


class IndexFileError(InputError):
    """The index file is missing, not an index, of another schema or parameters, or unusable."""


@dataclass(frozen=True)
class IndexParams:
    """What an index's keys mean; stored in ``meta`` and checked whenever the file is opened.

    The near-duplicate parameters are those of the CLI's defaults
    (:class:`~provenance.pipeline.PipelineConfig`).
    """

    shingle: str = _DEFAULTS.shingle
    threshold: float = _DEFAULTS.threshold
    num_perm: int = _DEFAULTS.num_perm
    seed: int = _DEFAULTS.seed
    selection: TermSelection = field(default_factory=TermSelection)

    def __post_init__(self) -> None:
        ShingleSpec.parse(self.shingle)  # raises ValueError on a bad spec
        MinHasher(self.num_perm, self.seed)
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), not {self.threshold!r}")

    @property
    def bands_rows(self) -> tuple[int, int]:
        """LSH bands and rows, as :mod:`provenance.neardup` chooses them for the threshold."""
        return optimal_params(self.threshold, self.num_perm, FP_WEIGHT, FN_WEIGHT)

    def as_dict(self) -> dict[str, Any]:
        bands, rows = self.bands_rows
        return {**asdict(self), "bands": bands, "rows": rows}

    def features(self, documents: list[Document]) -> list[DocumentFeatures]:
        """:func:`~provenance.index.features.document_features` with these parameters."""
        bands, rows = self.bands_rows
        spec = ShingleSpec.parse(self.shingle)
        return document_features(documents, spec, self._hasher, bands, rows, self.selection)

    @cached_property
    def _hasher(self) -> MinHasher:
        return MinHasher(self.num_perm, self.seed)


def _open_error(file: Path, exc: sqlite3.DatabaseError) -> IndexFileError:
    if isinstance(exc, sqlite3.OperationalError) and "unable to open" in str(exc):
        return IndexFileError(f"{file}: cannot open the index ({exc})")
    return IndexFileError(f"{file}: not a provenance index ({exc})")


def _connect(target: str, uri: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(target, uri=uri, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA cache_size = -65536")  # 64 MB of pages: the key and posting B-trees are updated at random
    return conn


class IndexStore:
    """An open index file.  Use :meth:`create_or_open` to add, :meth:`open_existing` to read."""

    def __init__(self, path: Path, conn: sqlite3.Connection, params: IndexParams) -> None:
        self.path = path
        self.conn = conn
        self.params = params

    # ------------------------------------------------------------------ opening

    @classmethod
    def create_or_open(cls, path: str | os.PathLike[str], params: IndexParams | None = None) -> IndexStore:
        """Open ``path`` for writing, creating the index (and the file) if it does not exist yet."""
        params = params or IndexParams()
        file = Path(path)
        if file.is_dir():
            raise IndexFileError(f"{file}: is a directory, expected an index file")
        if not file.parent.is_dir():
            raise IndexFileError(f"{file}: no such directory {str(file.parent)!r}")
        try:
            conn = _connect(str(file), uri=False)
            store = cls(file, conn, params)
            store._initialise()
        except sqlite3.DatabaseError as exc:
            raise _open_error(file, exc) from None
        return store

    @classmethod
    def open_existing(
        cls, path: str | os.PathLike[str], params: IndexParams | None = None, readonly: bool = True
    ) -> IndexStore:
        """Open an index that must exist (read-only unless ``readonly`` is false)."""
        params = params or IndexParams()
        file = Path(path)
        if not file.exists():
            raise IndexFileError(f"{file}: no such index (create it with 'provenance index add PATH --db {file}')")
        if not file.is_file():
            raise IndexFileError(f"{file}: not a regular file")
        try:
            conn = _connect(file.resolve().as_uri() + ("?mode=ro" if readonly else ""), uri=True)
            store = cls(file, conn, params)
            store._check()
        except sqlite3.DatabaseError as exc:
            raise _open_error(file, exc) from None
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> IndexStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _initialise(self) -> None:
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: a crash loses at most the last commits
        with self.transaction():
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                meta = {"format": FORMAT, "schema_version": str(SCHEMA_VERSION), "params": self._params_json()}
                self.conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        self._check()

    def _params_json(self) -> str:
        return json.dumps(self.params.as_dict(), sort_keys=True)

    def _check(self) -> None:
        try:
            meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.OperationalError:
            meta = {}
        if meta.get("format") != FORMAT:
            raise IndexFileError(f"{self.path}: not a provenance index (no index metadata in this SQLite file)")
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            raise IndexFileError(
                f"{self.path}: index schema version {meta.get('schema_version')}, this provenance reads version "
                f"{SCHEMA_VERSION}; rebuild the index"
            )
        stored = json.loads(meta.get("params", "{}"))
        expected = json.loads(self._params_json())
        if stored != expected:
            diff = ", ".join(
                f"{k}={stored.get(k)!r} (expected {expected.get(k)!r})"
                for k in sorted(set(stored) | set(expected))
                if stored.get(k) != expected.get(k)
            )
            raise IndexFileError(f"{self.path}: index built with other parameters: {diff}; rebuild the index")

    # ------------------------------------------------------------------ writing

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``): committed on exit, rolled back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # ------------------------------------------------------------------ reading

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every read inside sees the index as of its first read, whatever writers commit."""
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            self.conn.execute("ROLLBACK")

    def count(self) -> int:
        """Number of indexed documents."""
        return int(self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def text_hashes(self, ids: list[str], chunk: int = 500) -> dict[str, tuple[int, str]]:
        """``id -> (doc number, text hash)`` of those of ``ids`` that are indexed."""
        out: dict[str, tuple[int, str]] = {}
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            marks = ",".join("?" * len(part))
            for id_, doc, h in self.conn.execute(
                f"SELECT id, doc, text_hash FROM documents WHERE id IN ({marks})", part
            ):
                out[id_] = (doc, h)
        return out

    def size_bytes(self) -> int:
        """Bytes on disk: the database file and its write-ahead log."""
        wal = self.path.with_name(self.path.name + "-wal")
        return self.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)

    def meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    def band_matches(self, keys: list[int], per_bucket: int = 1000) -> dict[int, int]:
        """``doc -> number of bands`` in which the document shares the key of ``keys`` (one per band).

        At most ``per_bucket`` documents are read from one bucket (a text repeated
        thousands of times fills one; its first members are enough to report it).
        """
        out: dict[int, int] = {}
        for band, key in enumerate(keys):
            for (doc,) in self.conn.execute(
                "SELECT doc FROM bands WHERE band = ? AND key = ? LIMIT ?", (band, key, per_bucket)
            ):
                out[doc] = out.get(doc, 0) + 1
        return out

    def postings(self, terms: list[int], max_df: int) -> tuple[dict[int, int], dict[int, list[int]]]:
        """Document frequencies of ``terms`` (counted up to ``max_df + 1``) and ``doc -> its terms among them``.

        Terms posted by more than ``max_df`` documents are not rare in this
        index: they are counted but their documents are not listed.
        """
        df: dict[int, int] = {}
        docs: dict[int, list[int]] = {}
        for term in terms:
            (count,) = self.conn.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM postings WHERE term = ? LIMIT ?)", (term, max_df + 1)
            ).fetchone()
            df[term] = int(count)
            if 0 < count <= max_df:
                for (doc,) in self.conn.execute("SELECT doc FROM postings WHERE term = ?", (term,)):
                    docs.setdefault(doc, []).append(term)
        return df, docs

    def doc_numbers(self) -> list[int]:
        """Every document number, in order."""
        return [d for (d,) in self.conn.execute("SELECT doc FROM documents ORDER BY doc")]

    def doc_sample(self, size: int) -> list[int]:
        """About ``size`` document numbers spread evenly from the first to the last (the same for equal indexes)."""
        first, last = self.conn.execute("SELECT MIN(doc), MAX(doc) FROM documents").fetchone()
        if first is None or size < 1:
            return []
        wanted = sorted({first + round(k * (last - first) / max(size - 1, 1)) for k in range(size)})
        return sorted(self.rows(wanted, ()))

    def rows(self, docs: list[int], columns: tuple[str, ...], chunk: int = 500) -> dict[int, dict[str, Any]]:
        """``doc -> {column: value}`` for the given document numbers (columns of ``documents``)."""
        unknown = set(columns) - _DOCUMENT_COLUMNS
        if unknown:
            raise ValueError(f"no such column(s): {sorted(unknown)}")
        out: dict[int, dict[str, Any]] = {}
        names = ", ".join(("doc", *columns))
        for start in range(0, len(docs), chunk):
            part = docs[start : start + chunk]
            marks = ",".join("?" * len(part))
            cur = self.conn.execute(f"SELECT {names} FROM documents WHERE doc IN ({marks})", part)
            for row in cur:
                out[row[0]] = dict(zip(columns, row[1:], strict=True))
        return out


_DOCUMENT_COLUMNS = frozenset(
    "id text_hash text outlet url published language title origin added shingles signature band_keys terms "
    "profile".split()
)


def index_stats(store: IndexStore) -> dict[str, Any]:
    """What an index holds: documents (by language), outlets, date range, rows, parameters, bytes on disk."""
    with store.snapshot():
        return _stats(store)


def _stats(store: IndexStore) -> dict[str, Any]:
    conn = store.conn
    meta = store.meta()
    languages = dict(conn.execute("SELECT language, COUNT(*) FROM documents GROUP BY language ORDER BY 2 DESC, 1"))
    dates = [
        datetime.fromisoformat(p)
        for (p,) in conn.execute("SELECT published FROM documents WHERE published IS NOT NULL")
    ]
    return {
        "db": str(store.path),
        "documents": store.count(),
        "languages": languages,
        "outlets": int(conn.execute("SELECT COUNT(DISTINCT outlet) FROM documents").fetchone()[0]),
        "published": {
            "first": min(dates).isoformat() if dates else None,
            "last": max(dates).isoformat() if dates else None,
        },
        "postings": int(conn.execute("SELECT COUNT(*) FROM postings").fetchone()[0]),
        "band_keys": int(conn.execute("SELECT COUNT(*) FROM bands").fetchone()[0]),
        "size_bytes": store.size_bytes(),
        "schema_version": int(meta["schema_version"]),
        "params": json.loads(meta["params"]),
    }
