"""Typed records passed between the pipeline stages.

Every stage of the pipeline (load -> normalize -> signatures -> candidates ->
scoring/alignment -> clusters -> lineage -> report) takes and returns these
records, so each stage's output can be inspected, serialised and tested on its
own.  Character offsets always point into ``Document.text``, the text as it was
read (after decoding and BOM removal), never into a normalised copy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


@dataclass(frozen=True)
class Document:
    """One article of the collection."""

    id: str
    text: str
    outlet: str | None = None
    url: str | None = None
    published: datetime | None = None
    language: str | None = None
    title: str | None = None
    origin: str = ""  # where it was read from, e.g. "seeds/001.txt" or "corpus.jsonl:12"


def with_language(doc: Document, language: str | None) -> Document:
    """``replace(doc, language=language)`` without ``dataclasses.replace``'s field walk (once per document)."""
    return Document(doc.id, doc.text, doc.outlet, doc.url, doc.published, language, doc.title, doc.origin)


def with_text(doc: Document, text: str) -> Document:
    """``replace(doc, text=text)`` without ``dataclasses.replace``'s field walk (once per document)."""
    return Document(doc.id, text, doc.outlet, doc.url, doc.published, doc.language, doc.title, doc.origin)


@dataclass(frozen=True)
class SkippedInput:
    """An input that was not turned into a document, and why (never silent)."""

    origin: str
    reason: str


@dataclass
class Corpus:
    """The documents of a collection plus what was skipped while reading it."""

    documents: Sequence[Document]  # a list, or StoredDocuments (texts on disk) from load_corpus(on_disk=True)
    skipped: list[SkippedInput] = field(default_factory=list)


@dataclass(frozen=True)
class Token:
    """A normalised word with its span in the original text.

    ``norm`` is the matching form (NFKC, case-folded, quotes folded); ``stem``
    the language-specific stem used for paraphrase-tolerant matching.
    """

    norm: str
    stem: str
    start: int
    end: int
    is_stopword: bool = False


@dataclass(frozen=True)
class Passage:
    """A sentence-like unit of a document (a span of the original text)."""

    doc_id: str
    index: int
    start: int
    end: int


class Relation(StrEnum):
    """How two documents relate, from strongest to weakest reuse."""

    NEAR_DUPLICATE = "near-duplicate"  # verbatim reuse: shingle Jaccard at or above the threshold
    CONTAINED = "contained"  # verbatim reuse of one text inside a longer one (an excerpt; Jaccard below it)
    REWRITE = "rewrite"  # paraphrased reuse of the same text
    SAME_STORY = "same-story"  # same event, independent wording
    UNRELATED = "unrelated"


VERBATIM_RELATIONS = frozenset({Relation.NEAR_DUPLICATE, Relation.CONTAINED})  # shared shingles measure the reuse
REUSE_RELATIONS = frozenset({*VERBATIM_RELATIONS, Relation.REWRITE})  # one text made from the other


@dataclass(frozen=True)
class Alignment:
    """Two aligned passages: character spans in each document's original text."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    score: float
    in_order: bool = True  # part of the order-preserving chain of matches


@dataclass
class PairScore:
    """Similarity of one candidate pair (a < b by id)."""

    a: str
    b: str
    relation: Relation
    jaccard: float  # exact Jaccard of the shingle sets
    tfidf_cosine: float
    containment_a_in_b: float  # share of a's shingles found in b
    containment_b_in_a: float
    alignments: list[Alignment] = field(default_factory=list)
    coverage_a: float = 0.0  # share of a's characters inside aligned passages
    coverage_b: float = 0.0
    p_value: float = 1.0  # chance of this much aligned text between unrelated texts of the story
    cross_language: bool = False  # the two documents are in different languages (aligned on meaning)
    via: tuple[str, ...] = ()  # inferred through these documents' passages (scoring/families.py); () = direct


class ClusterKind(StrEnum):
    NEAR_DUPLICATE = "near-duplicate"
    REWRITE = "rewrite"
    STORY = "story"


@dataclass(frozen=True)
class Cluster:
    kind: ClusterKind
    members: tuple[str, ...]


@dataclass(frozen=True)
class CitedSource:
    """An outlet or agency a document credits, e.g. "secondo il Wall Street Journal"."""

    name: str  # canonical outlet name, e.g. "Wall Street Journal"
    mention: str  # the text as written, e.g. "Wsj"
    start: int  # span of the mention in the original text
    end: int
    cue: str = ""  # the attribution cue that licensed it, e.g. "secondo", "(ANSA)"
    via: str = ""  # the outlet that relays this credit ("X, citing Y": Y's credit is via X); "" if direct


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence about the direction of a copying edge.

    ``weight`` is signed: positive supports source -> target, negative the reverse.
    """

    kind: str  # "published", "citation", "containment", "lost-information", ...
    weight: float
    detail: str


@dataclass
class LineageEdge:
    source: str  # a document id or a virtual id "cited:NAME"
    target: str
    confidence: float  # 0..1
    evidence: list[Evidence] = field(default_factory=list)
    direction: str = "determined"  # or "undetermined", "common-ancestor"


@dataclass
class DocumentInfo:
    """Per-document results of the lineage stage."""

    id: str
    language: str | None
    outlet: str | None
    published: datetime | None
    title: str | None = None
    cited_sources: list[CitedSource] = field(default_factory=list)
    parent: str | None = None
    derived_share: float = 0.0  # share of its text aligned to its parent
    is_reference_source: bool = False


class Rendering(NamedTuple):
    """How one document renders a passage of an absent source: a span of its original text."""

    doc_id: str
    start: int
    end: int
    text: str


@dataclass
class PassageGroup:
    """One passage of an absent source, as several of the documents deriving from it render it."""

    renderings: list[Rendering]  # one per document, in the order of the node's children
    score: float = 0.0  # best alignment score among the aligned passages that joined it
    p_value: float = 1.0  # lowest p-value of the pairs whose alignments joined it
    significant: bool = False  # joined by a reuse pair (near-duplicate/rewrite), not only by chance-level ones
    reuse_docs: list[str] = field(default_factory=list)  # renderings aligned by a reuse pair; others: chance only


@dataclass
class VirtualNode:
    """A lineage node without text (``cited:NAME``, ``ancestor:A+B``) and what its children say of it."""

    id: str
    name: str  # readable, e.g. "Wall Street Journal"
    kind: str  # "cited" (credited by its children) or "ancestor" (inferred)
    children: list[str] = field(default_factory=list)
    passages: list[PassageGroup] = field(default_factory=list)  # see provenance.lineage.reconstruct


@dataclass
class AnalysisResult:
    """Everything the CLI and the report show: the output of the whole pipeline."""

    documents: list[DocumentInfo]
    pairs: list[PairScore]
    clusters: list[Cluster]
    edges: list[LineageEdge] = field(default_factory=list)
    texts: Mapping[str, str] = field(default_factory=dict)  # id -> original text, for display (may read from disk)
    skipped: list[SkippedInput] = field(default_factory=list)
    virtual_nodes: list[VirtualNode] = field(default_factory=list)  # absent sources, reconstructed
    urls: dict[str, str] = field(default_factory=dict)  # id -> url of the document, when known
