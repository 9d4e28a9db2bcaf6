"""``provenance index add|query|stats``: the CLI's calls into the index, and what they print."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any

from provenance.index.add import add_documents
from provenance.index.query import Match, QueryResult, query_index
from provenance.index.store import IndexFileError, IndexStore, index_stats


def run_index(args: argparse.Namespace, progress: bool) -> int:
    """Run ``provenance index ACTION`` (arguments from the CLI's parser); SQLite errors become input errors."""
    try:
        if args.index_command == "add":
            return _add(args, progress)
        with IndexStore.open_existing(args.db) as store:
            if args.index_command == "query":
                from provenance.load import load_document_file

                result = query_index(store, load_document_file(args.file), top=args.top)
                print(json.dumps(query_to_dict(result), ensure_ascii=False, indent=2) if args.format == "json"
                      else query_table(result))  # fmt: skip
            else:
                stats = index_stats(store)
                print(json.dumps(stats, ensure_ascii=False, indent=2) if args.format == "json" else stats_table(stats))
    except sqlite3.Error as exc:
        raise IndexFileError(f"{args.db}: {exc}") from None
    return 0


def _add(args: argparse.Namespace, progress: bool) -> int:
    from provenance.load import load_corpus

    corpus = load_corpus(args.path, metadata=args.metadata)
    for s in corpus.skipped:
        print(f"warning: skipped {s.origin}: {s.reason}", file=sys.stderr)
    with IndexStore.create_or_open(args.db) as store:
        report = add_documents(
            store, corpus.documents, replace=args.replace, batch_size=args.batch_size, progress=progress
        )
    print(
        f"{args.db}: {report.added} added, {report.replaced} replaced, {report.unchanged} unchanged "
        f"({report.total} documents in the index)"
    )
    return 0


def _r(x: float) -> float:
    return round(float(x), 4)


def match_to_dict(m: Match) -> dict[str, Any]:
    """The JSON form of a match (alignment offsets: ``query_*`` in the query, ``match_*`` in the match)."""
    return {
        "id": m.id,
        "relation": m.relation.value,
        "score": _r(m.score),
        "jaccard": _r(m.jaccard),
        "tfidf_cosine": _r(m.tfidf_cosine),
        "containment_query_in_match": _r(m.containment_query_in_match),
        "containment_match_in_query": _r(m.containment_match_in_query),
        "coverage_query": _r(m.coverage_query),
        "coverage_match": _r(m.coverage_match),
        "p_value": float(f"{m.p_value:.3g}"),
        "alignments": [
            {
                "query_start": a.a_start,
                "query_end": a.a_end,
                "match_start": a.b_start,
                "match_end": a.b_end,
                "score": _r(a.score),
                "in_order": a.in_order,
            }
            for a in m.alignments
        ],  # fmt: skip
        "outlet": m.outlet,
        "url": m.url,
        "title": m.title,
        "language": m.language,
        "published": m.published.isoformat() if m.published else None,
        "likely_source": m.likely_source,
        "found_by": list(m.found_by),
    }


def query_to_dict(result: QueryResult) -> dict[str, Any]:
    """The JSON document ``provenance index query --format json`` prints."""
    q = result.query
    return {
        "query": q.id,
        "language": q.language,
        "published": q.published.isoformat() if q.published else None,
        "indexed": result.indexed,
        "candidates": result.candidates,
        "context": result.context,
        "matches": [match_to_dict(m) for m in result.matches],
    }


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def query_table(result: QueryResult) -> str:
    """The matches as a table, strongest first."""
    q = result.query
    when = f", published {q.published:%Y-%m-%d %H:%M}" if q.published else ""
    head = (
        f"query {q.id} ({q.language}{when}): {len(result.matches)} match(es) among {result.indexed} indexed "
        f"documents ({result.candidates} candidates scored)"
    )
    if not result.matches:
        return head
    rows = [("id", "relation", "score", "jaccard", "p-value", "passages", "outlet", "published", "likely source")]
    for m in result.matches:
        rows.append(
            (m.id, m.relation.value, f"{m.score:.2f}", f"{m.jaccard:.3f}", f"{m.p_value:.2g}", str(len(m.alignments)),
             m.outlet or "-", f"{m.published:%Y-%m-%d %H:%M}" if m.published else "-", "yes" if m.likely_source else "")
        )  # fmt: skip
    return "\n".join([head, *_columns(rows)])


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


def stats_table(stats: dict[str, Any]) -> str:
    """``index_stats`` for the terminal."""
    p = stats["params"]
    langs = ", ".join(f"{k} {v}" for k, v in stats["languages"].items()) or "-"
    dates = stats["published"]
    rows = [
        ("documents", f"{stats['documents']:,}"),
        ("languages", langs),
        ("outlets", str(stats["outlets"])),
        ("published", f"{dates['first'] or '-'} .. {dates['last'] or '-'}"),
        ("postings", f"{stats['postings']:,}"),
        ("LSH keys", f"{stats['band_keys']:,}"),
        ("size", _size(stats["size_bytes"])),
        (
            "parameters",
            f"{p['shingle']}, threshold {p['threshold']}, num_perm {p['num_perm']}, seed {p['seed']} "
            f"({p['bands']} bands x {p['rows']} rows)",
        ),
        ("schema", str(stats["schema_version"])),
    ]
    return "\n".join([f"index {stats['db']}", *_columns(rows)])
