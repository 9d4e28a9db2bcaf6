"""The ``provenance index`` sub-commands' arguments (light: imports nothing of the pipeline)."""

from __future__ import annotations

import argparse


def _positive(value: str) -> int:
    """An argparse type: a whole number >= 1."""
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, not {value!r}")
    return int(value)


def add_index_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``index`` with its actions ``add``, ``query`` and ``stats`` to the CLI's sub-commands."""
    p = sub.add_parser(
        "index",
        help="an incremental index for daily monitoring (add, query, stats)",
        description="Keep articles in an index file (SQLite) as they come, and find which indexed articles a new "
        "one reuses, or is reused by, without re-reading the whole collection.",
    )
    actions = p.add_subparsers(dest="index_command", required=True, metavar="ACTION")

    a = actions.add_parser(
        "add",
        help="add documents to the index (creating it)",
        description="Add the documents of PATH to the index. Re-adding a document with the same id and text does "
        "nothing; the same id with another text is an error unless --replace. Each batch is one transaction: an "
        "interrupted add leaves the index usable, and running it again completes it.",
    )
    a.add_argument("path", help="a directory of .txt/.md files, a .jsonl file or a .csv file")
    a.add_argument("--db", required=True, metavar="FILE", help="the index file (created if missing)")
    a.add_argument(
        "--metadata", metavar="FILE", help="CSV/JSONL of outlet, url, published, language, title per id "
        "(default: metadata.csv beside the texts, if present)",
    )  # fmt: skip
    a.add_argument("--replace", action="store_true", help="re-index documents whose id is indexed with another text")
    a.add_argument(
        "--batch-size", type=_positive, default=500, metavar="N", help="documents per transaction (default: 500)"
    )
    a.add_argument("--quiet", "-q", action="store_true", help="no progress bar on stderr")

    q = actions.add_parser(
        "query",
        help="find the indexed documents a new article is related to",
        description="Find near-duplicate (LSH) and rewrite (shared rare words) candidates of FILE in the index and "
        "score them as 'provenance cluster' does; earlier-published reuse is flagged as a likely source.",
    )
    q.add_argument("file", help="the new article (.txt/.md, or a one-row .jsonl/.csv with its metadata)")
    q.add_argument("--db", required=True, metavar="FILE", help="the index file")
    q.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    q.add_argument("--top", type=_positive, default=10, metavar="K", help="show the K best matches (default: 10)")
    q.add_argument("--quiet", "-q", action="store_true", help="no progress bars on stderr")

    s = actions.add_parser("stats", help="what the index holds", description="Documents, parameters and size.")
    s.add_argument("--db", required=True, metavar="FILE", help="the index file")
    s.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
