"""Command line: parses arguments and calls the library; nothing else lives here.

Exit codes: 0 ok, 1 input error (one-line message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from provenance import __version__
from provenance.errors import ProvenanceError

if TYPE_CHECKING:
    from provenance.records import AnalysisResult

FORMATS_CLUSTER = ("table", "json", "csv")
FORMATS_LINEAGE = ("table", "json", "dot")
FORMATS_REPORT = ("html", "md", "json")


def _threshold(value: str) -> float:
    try:
        t = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 < t <= 1.0:
        raise argparse.ArgumentTypeError("must be in (0, 1]")
    return t


MAX_NUM_PERM = 1024  # LSH parameter search and signatures grow with it (2048: 2 s and 300 MB before any input)


def _int_in(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer in ``low..high`` (anything else is a usage error)."""

    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"must be an integer in {low}..{high}, not {n}")
        return n

    return parse


def _shingle(value: str) -> str:
    from provenance.signatures.shingles import ShingleSpec

    try:
        ShingleSpec.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="a directory of .txt/.md files, a .jsonl file or a .csv file")
    p.add_argument(
        "--metadata",
        metavar="FILE",
        help="CSV/JSONL giving outlet, url, published, language, title per id "
        "(default: metadata.csv beside the texts, if present)",
    )
    p.add_argument(
        "--threshold",
        type=_threshold,
        default=0.5,
        help="near-duplicate threshold on the exact Jaccard similarity of the shingle sets; "
        "the LSH bands/rows are derived from it. A pair below it whose shorter text has 80%% of its shingles "
        "in the other is 'contained' (reuse, but not a near-duplicate) (default: 0.5)",
    )
    p.add_argument(
        "--shingle",
        type=_shingle,
        default="word:5",
        help="shingles for near-duplicate detection: word:N (word N-grams) or char:N (character N-grams) "
        "(default: word:5)",
    )
    p.add_argument(
        "--num-perm",
        type=_int_in(1, MAX_NUM_PERM),
        default=128,
        help=f"MinHash permutations, 1..{MAX_NUM_PERM} (default: 128)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars on stderr")


def _sources(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="FILE",
        help="a known original (e.g. the scoop being rewritten); repeatable. Documents that rewrite it are "
        "reported and it is never put under another document",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provenance",
        description="Find near-duplicate and rewritten news articles and reconstruct who copied whom.",
    )
    parser.add_argument("--version", action="version", version=f"provenance {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "cluster",
        help="cluster near-duplicates, rewrites and same-story documents",
        description="Score candidate pairs and print clusters at three levels: near-duplicate (verbatim reuse), "
        "rewrite (paraphrased reuse, found by passage alignment) and story (same event).",
    )
    _common(p)
    p.add_argument("--format", choices=FORMATS_CLUSTER, default="table", help="output format (default: table)")
    p.add_argument(
        "--level",
        choices=("rewrite", "near-duplicate"),
        default="rewrite",
        help="'near-duplicate' skips passage alignment: verbatim reuse only, for very large corpora (default: rewrite)",
    )
    p.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="'spark' runs the same stages on Spark (needs the spark extra and Java 17; docs/spark.md) "
        "(default: local)",
    )
    p.add_argument("--master", metavar="URL", help="Spark master: local[*] (default), local[N] or spark://HOST:PORT")
    p.add_argument(
        "-o", "--output", metavar="DIR", help="with --engine spark: write pairs/, clusters/, documents/ as JSONL to DIR"
    )

    p = sub.add_parser(
        "compare",
        help="align two documents side by side",
        description="Align the passages of two files and print them side by side with scores and the relation.",
    )
    p.add_argument("a", help="first document (.txt/.md, or a one-row .jsonl/.csv)")
    p.add_argument("b", help="second document")
    p.add_argument(
        "--corpus",
        metavar="PATH",
        help="the collection the two come from (directory, .jsonl or .csv): its documents are not compared, "
        "but they set how rare each word is, so the story's own vocabulary is not taken as evidence of reuse "
        "and the result matches 'provenance cluster PATH' (default: the two documents alone)",
    )
    p.add_argument("--metadata", help="metadata file for --corpus (default: metadata.csv beside its texts)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars on stderr")

    p = sub.add_parser(
        "lineage",
        help="reconstruct who copied whom",
        description="Build the most likely copying forest (maximum branching over the direction evidence), "
        "with cited sources absent from the collection as virtual nodes.",
    )
    _common(p)
    _sources(p)
    p.add_argument("--format", choices=FORMATS_LINEAGE, default="table", help="output format (default: table)")

    p = sub.add_parser(
        "report",
        help="write the provenance report (HTML, Markdown or JSON)",
        description="Write a report a journalist can read: which text derives from which, passage by passage.",
    )
    _common(p)
    _sources(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output file")
    p.add_argument(
        "--format", choices=FORMATS_REPORT, default=None, help="report format (default: from OUT's suffix, else html)"
    )
    from provenance.index.arguments import add_index_parser

    add_index_parser(sub)  # provenance index add|query|stats
    return parser


def _progress_enabled(args: argparse.Namespace) -> bool:
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def _cluster_near_duplicates(args: argparse.Namespace) -> int:
    """``cluster --level near-duplicate``: the near-duplicate engine alone, streamed (provenance.fastpath)."""
    from provenance.fastpath import FastConfig, cluster_near_duplicates
    from provenance.present import cluster_table, pairs_csv

    config = FastConfig(args.shingle, args.threshold, args.num_perm, progress=_progress_enabled(args))
    result = cluster_near_duplicates(args.path, metadata=args.metadata, config=config)
    for s in result.skipped:
        print(f"warning: skipped {s.origin}: {s.reason}", file=sys.stderr)
    if args.format != "json":
        _print_output({"table": cluster_table, "csv": pairs_csv}[args.format](result).rstrip("\n"))
        return 0
    _write_json(result)
    return 0


def _write_json(result: AnalysisResult) -> None:
    """Print ``as_json(result)`` on stdout, written piece by piece (:func:`provenance.fastpath.write_json`).

    The same text, without the json module's indenting encoder (pure Python) or the whole text in memory.
    """
    from provenance.fastpath import write_json

    try:
        write_json(result, sys.stdout)
    except BrokenPipeError:
        raise
    except OSError as exc:
        _discard_stdout()
        raise ProvenanceError(f"cannot write to standard output ({exc.strerror or exc})") from None
    _print_output("")


def _cluster_spark(args: argparse.Namespace) -> int:
    """``cluster --engine spark``: the pipeline's stages on Spark (provenance.engines.spark)."""
    from provenance.engines import spark_engine
    from provenance.pipeline import PipelineConfig
    from provenance.present import as_json, cluster_table, pairs_csv

    config = PipelineConfig(
        shingle=args.shingle,
        threshold=args.threshold,
        num_perm=args.num_perm,
        level=args.level,
        lineage=False,
        progress=_progress_enabled(args),
    )
    out = spark_engine().run_cluster(args.path, config, args.master, args.metadata, args.output)
    if isinstance(out, dict):
        print(f"wrote {args.output}: " + ", ".join(f"{n} {name}" for name, n in out.items()), file=sys.stderr)
    else:
        _print_output({"table": cluster_table, "json": as_json, "csv": pairs_csv}[args.format](out).rstrip("\n"))
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "cluster" and args.engine == "spark":
        return _cluster_spark(args)
    if args.command == "cluster" and (args.master or args.output):
        raise ProvenanceError("--master and -o/--output go with --engine spark")
    if args.command == "cluster" and args.level == "near-duplicate":
        return _cluster_near_duplicates(args)
    from provenance.load import load_corpus, load_document_file
    from provenance.pipeline import PipelineConfig, analyze
    from provenance.present import as_json, cluster_table, lineage_dot, lineage_tree, pairs_csv, side_by_side
    from provenance.records import Document

    progress = _progress_enabled(args)
    if args.command == "index":
        from provenance.index.commands import run_index

        return run_index(args, progress)
    if args.command == "compare":
        docs = [load_document_file(args.a), load_document_file(args.b)]
        if docs[0].id == docs[1].id:
            docs[1] = type(docs[1])(**{**docs[1].__dict__, "id": docs[1].id + "#2"})
        context: list[Document] = []
        if args.corpus:
            corpus = load_corpus(args.corpus, metadata=args.metadata)
            for s in corpus.skipped:
                print(f"warning: skipped {s.origin}: {s.reason}", file=sys.stderr)
            texts = {d.text for d in docs}
            context = [d for d in corpus.documents if d.text not in texts]  # the pair itself is not context
        else:
            print(
                "note: compared on their own, so words of the story count as rare; "
                "give --corpus PATH to weigh them as in their collection",
                file=sys.stderr,
            )
        result = analyze(docs, config=PipelineConfig(lineage=False, progress=progress), context=context)
        if args.format == "json":
            _print_output(as_json(result))
        elif result.pairs:
            _print_output(side_by_side(result, result.pairs[0]))
        else:
            _print_output(f"{docs[0].id} vs {docs[1].id}: unrelated (no shared vocabulary above the story threshold)")
        return 0

    corpus = load_corpus(args.path, metadata=args.metadata, on_disk=True)  # texts read back when needed
    for s in corpus.skipped:
        print(f"warning: skipped {s.origin}: {s.reason}", file=sys.stderr)
    sources = [load_document_file(f) for f in getattr(args, "source", [])]
    config = PipelineConfig(
        shingle=args.shingle,
        threshold=args.threshold,
        num_perm=args.num_perm,
        level=getattr(args, "level", "rewrite"),
        lineage=args.command != "cluster",
        progress=progress,
    )
    result = analyze(corpus.documents, sources=sources, config=config, skipped=corpus.skipped)

    if args.command in ("cluster", "lineage") and args.format == "json":
        _write_json(result)
    elif args.command == "cluster":
        out = {"table": cluster_table, "csv": pairs_csv}[args.format](result)
        _print_output(out.rstrip("\n"))
    elif args.command == "lineage":
        out = {"table": lineage_tree, "dot": lineage_dot}[args.format](result)
        _print_output(out.rstrip("\n"))
    elif args.command == "report":
        from provenance.report import write_report

        try:
            path = write_report(result, Path(args.output), args.format)
        except OSError as exc:  # disk full, no permission, a directory in the way...
            raise ProvenanceError(f"{args.output}: cannot write the report ({exc.strerror or exc})") from None
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _print_output(text: str) -> None:
    """Print the result on stdout; failing to write it (e.g. a full disk) is an error, a closed pipe is not."""
    try:
        print(text)
        sys.stdout.flush()  # a write error must surface here, not in the flush at exit
    except BrokenPipeError:
        raise
    except OSError as exc:
        _discard_stdout()
        raise ProvenanceError(f"cannot write to standard output ({exc.strerror or exc})") from None


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the text still buffered is not written (and fails again) at exit."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (e.g. captured by a test): nothing is flushed at exit
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Library warnings (e.g. an oversized LSH bucket) as one line on stderr, without source locations."""
    print(f"provenance: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():  # restores the default display when main() returns
            warnings.showwarning = _show_warning
            return _run(args)
    except ProvenanceError as exc:
        print(f"provenance: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `provenance cluster big/ | head`
        _discard_stdout()
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
