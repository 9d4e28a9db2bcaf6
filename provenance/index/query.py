"""Querying an index with a new article: candidates, then the library's own pair scoring.

Candidates
    * near-duplicates: the indexed documents that share the query's LSH key
      in at least one band (the buckets ``provenance cluster`` would put them
      in), most shared bands first;
    * rewrites: the documents sharing posted rare stems with the query
      (:mod:`provenance.index.features`), ranked by the sum over shared stems
      of ``ln((N + 1) / (df + 0.5))``, ``df`` the number of indexed documents
      posting the stem; at least ``min(2, query terms)`` shared stems, and stems
      posted by more than ``max(50, N / 100)`` documents are not rare enough to
      search.

    At most ``max_candidates`` (30) documents are scored, the LSH ones first.

Scoring
    The query and its candidates are scored as
    :func:`provenance.pipeline.analyze` scores a collection, with
    :func:`~provenance.pipeline.score_pairs`: exact shingle overlaps, TF-IDF
    cosine and passage alignment, with term weights and TF-IDF fitted on the
    query, the candidates and a *context*: every other indexed document when
    the index holds at most ``context_size`` (100) documents (the relations are
    then exactly those of ``provenance cluster`` on the indexed documents plus
    the query), otherwise ``context_size`` documents spread evenly over the
    index (the same for every query), i.e. the pairs are weighed as
    ``provenance cluster`` weighs them in a collection of about a hundred
    articles drawn from the archive.  (On the story families of
    ``benchmarks/data/stories``, this finds more of the true reuse pairs at the
    same precision than a context of the query's own story.)

Each match carries its relation, overlaps, p-value and aligned passages
(``query_*`` offsets into the query's text, ``match_*`` into the match's), and
``likely_source``: a near-duplicate or rewrite published before the query (an
undated query counts as published now; an undated match is never a likely
source).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime

from provenance.index.features import DocumentFeatures, profile_from_bytes
from provenance.index.store import IndexStore
from provenance.lineage.direction import publication_order
from provenance.pipeline import ScoringState, assign_languages, document_vectors, score_pairs
from provenance.records import REUSE_RELATIONS, Alignment, Document, PairScore, Relation
from provenance.scoring.align import PassageProfile, TermSpace
from provenance.scoring.relation import RelationParams
from provenance.scoring.table import ProfileTable
from provenance.scoring.weights import TermWeights
from provenance.signatures.shingles import ShingleSpec, shingle_hashes_batch

QUERY_ID = "\x00query"  # the query's id while scoring: unique, and sorts first (so it is always side "a")
MAX_CANDIDATES = 30
CONTEXT_SIZE = 100
_REUSE = REUSE_RELATIONS
_RANK = {r: k for k, r in enumerate(Relation)}


@dataclass
class Match:
    """One indexed document related to the query."""

    id: str
    relation: Relation
    score: float  # max(shingle Jaccard, mean of the two aligned coverages)
    jaccard: float
    tfidf_cosine: float
    containment_query_in_match: float
    containment_match_in_query: float
    coverage_query: float
    coverage_match: float
    p_value: float
    alignments: list[Alignment]  # a_* spans in the query, b_* in the match
    outlet: str | None
    url: str | None
    title: str | None
    language: str | None
    published: datetime | None
    likely_source: bool
    found_by: tuple[str, ...]  # "lsh" and/or "terms"


@dataclass
class QueryResult:
    query: Document  # with its language assigned
    indexed: int  # documents in the index
    candidates: int  # documents scored
    context: int  # further documents in the collection statistics
    matches: list[Match] = field(default_factory=list)


def _ranked_terms(store: IndexStore, terms: list[int], n: int) -> list[tuple[int, float, int]]:
    """``(doc, score, shared stems)`` of the documents sharing posted stems with the query, best first."""
    df, docs = store.postings(terms, max_df=max(50, n // 100))
    scored = [(doc, sum(math.log((n + 1) / (df[t] + 0.5)) for t in ts), len(ts)) for doc, ts in docs.items()]
    return sorted(scored, key=lambda x: (-x[1], x[0]))


def _restricted(profile: PassageProfile, keep: set[str]) -> PassageProfile:
    """A context profile reduced to the terms of the scored documents.

    The weights and TF-IDF vectors of the scored documents depend on the
    context only through the number of documents and the document frequency
    of their own terms, so they are the same as with the whole profile.
    """
    return replace(
        profile,
        terms=tuple(ts & keep for ts in profile.terms),
        anchors=tuple(ts & keep for ts in profile.anchors),
        surface={t: f for t, f in profile.surface.items() if t in keep},
    )


def _score(
    store: IndexStore,
    query: Document,
    features: DocumentFeatures,
    candidates: list[int],
    context: list[int],
) -> list[tuple[int, PairScore]]:
    """``(doc, PairScore)`` of the candidates that are not unrelated to the query."""
    cand = store.rows(candidates, ("id", "text", "language", "profile"))
    ctx = store.rows(context, ("id", "language", "profile"))
    cand_profiles = [profile_from_bytes(cand[d]["profile"], cand[d]["id"]) for d in candidates]
    profiles = [features.profile, *cand_profiles]
    scored_terms: set[str] = set().union(*(p.surface.keys() for p in profiles))
    ctx_profiles = [_restricted(profile_from_bytes(ctx[d]["profile"], ctx[d]["id"]), scored_terms) for d in context]
    every = [*profiles, *ctx_profiles]
    languages = [query.language, *(cand[d]["language"] for d in candidates), *(ctx[d]["language"] for d in context)]
    vectors = document_vectors(ProfileTable.from_profiles(every))
    cosines = (vectors[1 : len(profiles)] @ vectors[0].T).toarray().ravel()
    weights = TermWeights().fit((lang, p.surface) for lang, p in zip(languages, every, strict=True))
    spec = ShingleSpec.parse(store.params.shingle)
    table = ProfileTable.from_profiles(profiles)
    state = ScoringState(
        ids=[QUERY_ID, *(cand[d]["id"] for d in candidates)],
        hash_sets=[features.shingles, *shingle_hashes_batch([cand[d]["text"] for d in candidates], spec)],
        profiles=table,
        weights=weights,
        space=TermSpace(table, weights),
        params=replace(RelationParams(), near_duplicate_threshold=store.params.threshold),
    )
    by_id = {cand[d]["id"]: d for d in candidates}
    pairs = score_pairs([(0, k + 1, float(c)) for k, c in enumerate(cosines)], state)
    return [(by_id[p.b], p) for p in pairs]


def query_index(
    store: IndexStore,
    document: Document,
    *,
    top: int | None = 10,
    max_candidates: int = MAX_CANDIDATES,
    context_size: int = CONTEXT_SIZE,
) -> QueryResult:
    """The indexed documents related to ``document``, strongest relation first, then by score.

    The document itself (same id and text) is never its own match.  See the
    module docstring for how candidates are found and scored.  The query reads
    one snapshot of the index, whatever a concurrent writer commits meanwhile.
    """
    with store.snapshot():
        return _query(store, document, top, max_candidates, context_size)


def _query(
    store: IndexStore, document: Document, top: int | None, max_candidates: int, context_size: int
) -> QueryResult:
    query = assign_languages([document])[0]
    features = store.params.features([replace(query, id=QUERY_ID)])[0]
    n = store.count()
    itself = store.text_hashes([query.id]).get(query.id)
    excluded = {itself[0]} if itself is not None and itself[1] == features.text_hash else set()
    lsh = store.band_matches(features.band_keys)
    by_terms = _ranked_terms(store, features.terms, n)
    min_shared = min(2, len(features.terms))
    found: dict[int, list[str]] = {}
    for doc in sorted(lsh, key=lambda d: (-lsh[d], d)):
        found.setdefault(doc, []).append("lsh")
    for doc, _, shared in by_terms:
        if shared >= min_shared:
            found.setdefault(doc, []).append("terms")
    candidates = [d for d in found if d not in excluded][:max_candidates]
    taken = excluded | set(candidates)
    sample = store.doc_numbers() if n <= context_size else store.doc_sample(context_size)
    context = [d for d in sample if d not in taken]
    result = QueryResult(query=query, indexed=n, candidates=len(candidates), context=len(context))
    if not candidates:
        return result
    scored = _score(store, query, features, candidates, context)
    meta = store.rows([d for d, _ in scored], ("outlet", "url", "title", "language", "published"))
    for doc, p in scored:
        m = meta[doc]
        published = datetime.fromisoformat(m["published"]) if m["published"] else None
        earlier = publication_order(published, query.published) > 0 or (
            query.published is None and published is not None
        )
        result.matches.append(
            Match(
                id=p.b,
                relation=p.relation,
                score=max(p.jaccard, (p.coverage_a + p.coverage_b) / 2),
                jaccard=p.jaccard,
                tfidf_cosine=p.tfidf_cosine,
                containment_query_in_match=p.containment_a_in_b,
                containment_match_in_query=p.containment_b_in_a,
                coverage_query=p.coverage_a,
                coverage_match=p.coverage_b,
                p_value=p.p_value,
                alignments=p.alignments,
                outlet=m["outlet"],
                url=m["url"],
                title=m["title"],
                language=m["language"],
                published=published,
                likely_source=p.relation in _REUSE and earlier,
                found_by=tuple(found[doc]),
            )
        )
    result.matches.sort(key=lambda x: (_RANK[x.relation], -x.score, x.id))
    if top is not None:
        result.matches = result.matches[:top]
    return result
