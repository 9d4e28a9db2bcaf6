"""Cited sources: which outlets and agencies a document credits.

Public API::

    OutletCatalog.load(extra=None) -> OutletCatalog      # packaged catalog (+ a user TSV)
    OutletCatalog.canonical(name) -> str | None          # "Wsj" -> "Wall Street Journal"
    OutletCatalog.kind(name) -> str | None               # "agency", "institution", ...
    extract_cited_sources(doc, catalog=None) -> list[CitedSource]
    cited_outlets(mentions) -> list[str]                 # canonical names, first mention first
    mentions_outlet(doc, outlet, catalog=None) -> bool   # "B credits A's outlet"

The matching rules are documented in :mod:`provenance.sources.catalog` and
:mod:`provenance.sources.citations`.
"""

from provenance.sources.catalog import (
    INSTITUTION,
    KINDS,
    MEDIA_KINDS,
    Alias,
    OutletCatalog,
    OutletEntry,
    default_catalog,
    fold_name,
)
from provenance.sources.citations import (
    CREDIT,
    MENTION,
    cited_outlets,
    extract_cited_sources,
    mentions_outlet,
)

__all__ = [
    "CREDIT",
    "INSTITUTION",
    "KINDS",
    "MEDIA_KINDS",
    "MENTION",
    "Alias",
    "OutletCatalog",
    "OutletEntry",
    "cited_outlets",
    "default_catalog",
    "extract_cited_sources",
    "fold_name",
    "mentions_outlet",
]
