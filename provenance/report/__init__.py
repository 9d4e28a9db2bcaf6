"""The provenance report: which text derives from which, for a journalist.

Public API::

    render_report(result, fmt="html", title=None) -> str   # fmt: html | md | json
    write_report(result, out, fmt=None) -> Path            # fmt inferred from the suffix
    passage_sources(result, doc_id) -> list[SourcedSpan]   # one document's provenance map

The HTML is one self-contained file (inline CSS and SVG, a few lines of inline
JS, nothing loaded from the network).  Size rules for large collections are in
:mod:`provenance.report.model` and :mod:`provenance.report.graph`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from provenance.records import AnalysisResult
from provenance.report.provenance_map import SourcedSpan, passage_sources
from provenance.serialize import result_to_dict

__all__ = ["FORMATS", "SourcedSpan", "passage_sources", "render_report", "write_report"]

FORMATS = ("html", "md", "json")
_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json"}


def render_report(result: AnalysisResult, fmt: str = "html", title: str | None = None) -> str:
    """The report as a string; ``fmt`` is ``html``, ``md`` or ``json`` (ValueError otherwise)."""
    key = fmt.lower().lstrip(".")
    key = {"markdown": "md", "htm": "html"}.get(key, key)
    if key == "json":
        return json.dumps(result_to_dict(result), ensure_ascii=False, indent=2)
    if key == "html":
        from provenance.report.html import render_html

        return render_html(result, title)
    if key == "md":
        from provenance.report.markdown import render_markdown

        return render_markdown(result, title)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")


def write_report(result: AnalysisResult, out: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write the report to ``out`` (UTF-8) and return its path.

    When ``fmt`` is None it is inferred from the suffix (.html/.htm, .md/.markdown,
    .json), html for any other suffix; an unknown ``fmt`` raises ValueError.
    """
    path = Path(out)
    if fmt is None:
        fmt = _SUFFIXES.get(path.suffix.lower(), "html")
    text = render_report(result, fmt)
    if path.parent != Path(""):
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return path
