"""The labelled benchmark set: real source text, rewrite operations and the copying-tree generator."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from benchmarks.lineage_quality import error_kind, evaluate_lineage
from benchmarks.metrics import Score
from benchmarks.rewrite_ops import (
    PRESETS,
    FillerPool,
    RewriteLog,
    Strength,
    clause_reorder,
    compress,
    draft_from_article,
    lexical_paraphrase,
    number_format_change,
    rewrite,
)
from benchmarks.rewrite_quality import evaluate_rewrites, jaccard, word_shingles
from benchmarks.synthetic_lineage import GroundTruth, LineageConfig, SyntheticCorpus, generate, write_corpus
from benchmarks.textsource import LANGUAGES, load_articles, split_sentences
from provenance.records import (
    Alignment,
    AnalysisResult,
    Cluster,
    ClusterKind,
    DocumentInfo,
    PairScore,
    Relation,
)

SMALL = LineageConfig(n_trees=2, docs_per_tree=(5, 7), generations=(2, 3), seed=3)


@pytest.fixture(scope="module")
def corpus() -> SyntheticCorpus:
    return generate(SMALL)


# ---------------------------------------------------------------------------- source text


@pytest.mark.parametrize("language", LANGUAGES)
def test_shipped_source_text(language: str) -> None:
    arts = load_articles(language)
    assert len(arts) >= 40
    topics = {a.topic for a in arts}
    assert len(topics) >= 10
    assert all(300 <= a.n_words <= 800 for a in arts)
    assert len({a.id for a in arts}) == len(arts)
    seed_dir = Path(__file__).resolve().parents[1] / "seeds"
    seeds = " ".join(p.read_text(encoding="utf-8") for p in seed_dir.glob("*.txt"))
    assert "Peskov" in seeds and not any("Peskov" in a.text for a in arts)  # not the seeds


def test_split_sentences() -> None:
    text = "Debian 12 è uscito. Il sig. Rossi, ad es. il manutentore, ha detto: “Sì!” Poi D. Peskov parla. 3. punto"
    assert split_sentences(text) == [
        "Debian 12 è uscito.",
        "Il sig. Rossi, ad es. il manutentore, ha detto: “Sì!”",
        "Poi D. Peskov parla.",
        "3. punto",
    ]


# ---------------------------------------------------------------------------- rewrite operations


def test_number_and_date_formats() -> None:
    rng = random.Random(0)
    text, n = number_format_change("Il 16 agosto 1993 erano 3 su 10000, il 50%.", "it", 1.0, rng)
    assert text == "Il 16/08/1993 erano tre su 10.000, il 50 per cento."
    assert n == 4
    text, _ = number_format_change("On August 16th, 1993 version 2.6.32 had 12000 users.", "en", 1.0, rng)
    assert text == "On 1993-08-16 version 2.6.32 had 12,000 users."


def test_clause_reordering_and_compression() -> None:
    rng = random.Random(0)
    proper = frozenset({"Debian"})
    assert clause_reorder("Il sistema si riavvia quando il kernel viene aggiornato.", "it", rng, proper) == (
        "Quando il kernel viene aggiornato, il sistema si riavvia."
    )
    assert clause_reorder("Debian said that the archive would be frozen soon.", "en", rng, proper) == (
        "The archive would be frozen soon, said Debian."
    )
    assert clause_reorder("According to Reuters, the vote was delayed again.", "en", rng, proper) == (
        "The vote was delayed again, according to Reuters."
    )
    assert compress("Il programma (scritto in C) gestisce la rete locale.", "it", rng) == (
        "Il programma gestisce la rete locale."
    )
    short = "Tutto qui."
    assert compress(short, "it", rng) == short


def test_lexical_paraphrase_is_seeded_and_case_preserving() -> None:
    text = "Tuttavia il programma permette di utilizzare molti computer."
    a = lexical_paraphrase(text, "it", 1.0, random.Random(5))
    b = lexical_paraphrase(text, "it", 1.0, random.Random(5))
    assert a == b and a[1] >= 4
    assert a[0][0].isupper() and "Tuttavia" not in a[0]
    assert lexical_paraphrase(text, "it", 0.0, random.Random(5)) == (text, 0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_strength_orders_the_amount_of_change(language: str) -> None:
    arts = load_articles(language)
    means = []
    for strength in Strength:
        values = []
        for k, art in enumerate(arts[:12]):
            draft = draft_from_article(art)
            out = rewrite(draft, PRESETS[strength], random.Random(k), language, FillerPool(arts[20:], random.Random(k)))
            values.append(jaccard(word_shingles(draft.render().text), word_shingles(out.render().text)))
        means.append(sum(values) / len(values))
    light, moderate, strong = means
    assert light > moderate + 0.1 > strong + 0.2, means


def test_rewrite_keeps_origins_and_min_share() -> None:
    arts = load_articles("en")
    draft = draft_from_article(arts[0])
    log = RewriteLog()
    params = replace(PRESETS[Strength.STRONG], drop=1.0)
    out = rewrite(draft, params, random.Random(1), "en", FillerPool(arts[30:], random.Random(1)), log)
    body = [s for s in draft.sentences if not s.title]
    kept = {o for s in out.sentences if not s.title for o in s.origins if not o.startswith("filler:")}
    assert log.counts["drop"] == int(len(body) * (1 - params.min_keep))  # drop=1 is capped by min_keep
    assert len(kept) == len(body) - log.counts["drop"]  # merged sentences keep both origins
    assert out.sentences[0].title and out.sentences[0].origins == draft.sentences[0].origins


# ---------------------------------------------------------------------------- generator


def test_generator_is_deterministic(corpus: SyntheticCorpus) -> None:
    again = generate(SMALL)
    assert again.documents == corpus.documents
    assert again.truth.to_json() == corpus.truth.to_json()
    other = generate(replace(SMALL, seed=4))
    assert [d.text for d in other.documents] != [d.text for d in corpus.documents]


def test_tree_shape(corpus: SyntheticCorpus) -> None:
    truth = corpus.truth
    trees = truth.trees()
    main = {t: m for t, m in trees.items() if not truth.docs[m[0]].hard_negative}
    negatives = {t: m for t, m in trees.items() if truth.docs[m[0]].hard_negative}
    assert len(main) == SMALL.n_trees and len(negatives) == SMALL.n_trees * SMALL.negatives_per_tree
    for members in main.values():
        assert SMALL.docs_per_tree[0] <= len(members) <= SMALL.docs_per_tree[1]
        depth = max(truth.docs[m].generation for m in members)
        assert SMALL.generations[0] <= depth <= SMALL.generations[1]
    for tree, members in trees.items():
        roots = [m for m in members if truth.docs[m].parent is None]
        assert len(roots) == 1
        for m in members:
            d = truth.docs[m]
            assert d.root == roots[0] and d.tree == tree
            if d.parent is not None:
                assert truth.docs[d.parent].tree == tree
                assert d.generation == truth.docs[d.parent].generation + 1
        outlets = [truth.docs[m].outlet for m in members]
        assert len(set(outlets)) == len(outlets)
    # a hard negative shares the topic, not the text
    for members in negatives.values():
        topic = truth.docs[members[0]].topic
        partner = next(t for t, m in main.items() if truth.docs[m[0]].topic == topic)
        for a in members:
            for b in main[partner]:
                assert truth.shared_origins(a, b) == 0
    assert [d.id for d in corpus.documents] == sorted(truth.docs)


def test_sentence_spans_render_the_mapped_sentences(corpus: SyntheticCorpus) -> None:
    truth = corpus.truth
    texts = {d.id: d.text for d in corpus.documents}
    originals = {}
    for lang in LANGUAGES:
        for art in load_articles(lang):
            originals[f"{art.id}#title"] = art.title
            originals.update({f"{art.id}#{k}": s for k, s in enumerate(art.sentences)})
            originals.update({f"filler:{art.id}#{k}": s for k, s in enumerate(art.sentences)})

    def words(s: str) -> set[str]:
        return {w for w in re.findall(r"\w+", s.casefold()) if len(w) >= 4}

    shares, wrong = [], []
    for doc_id, spans in truth.spans.items():
        text = texts[doc_id]
        assert [s.start for s in spans] == sorted(s.start for s in spans)
        rebuilt = text
        for s in spans:
            assert 0 <= s.start < s.end <= len(text) and s.origins
            piece = text[s.start : s.end]
            assert piece == piece.strip() and "\n" not in piece
            rebuilt = rebuilt.replace(piece, "", 1)
            source = set().union(*(words(originals[o]) for o in s.origins))
            if source:
                shares.append(len(words(piece) & source) / len(words(piece) | source))
                other = words(originals[min(originals)])
                wrong.append(len(words(piece) & other) / max(1, len(words(piece) | other)))
        assert rebuilt.strip(" \n") == ""  # spans cover the whole text
        if truth.docs[doc_id].parent is None:  # the root renders its article exactly
            art = next(a for a in load_articles(SMALL.language) if a.id == truth.docs[doc_id].article)
            assert text == art.text
    assert min(shares) > 0.1 and sum(shares) / len(shares) > 0.5
    assert sum(wrong) / len(wrong) < 0.1


def test_timestamps_follow_the_configuration() -> None:
    none = generate(replace(SMALL, timestamp_rate=0.0))
    assert all(d.published is None for d in none.documents)
    full = generate(replace(SMALL, timestamp_rate=1.0, date_only_rate=0.0))
    published = {d.id: d.published for d in full.documents}
    assert all(isinstance(p, datetime) and p.tzinfo is not None for p in published.values())
    for d in full.truth.docs.values():
        if d.parent is not None:
            assert published[d.id] > published[d.parent]  # type: ignore[operator]
    some = generate(replace(SMALL, timestamp_rate=0.5, seed=11))
    known = [d.published is not None for d in some.documents]
    assert any(known) and not all(known)


def test_citations_follow_the_configuration() -> None:
    from provenance.sources import OutletCatalog, extract_cited_sources

    silent = generate(replace(SMALL, citation_rate=0.0))
    assert all(not d.credits for d in silent.truth.docs.values())
    loud = generate(replace(SMALL, citation_rate=1.0, root_citation_rate=1.0, language="en"))
    truth = loud.truth
    catalog = OutletCatalog.load()
    by_id = {d.id: d for d in loud.documents}
    for d in truth.docs.values():
        if d.parent is None:
            continue
        expected = truth.docs[d.root].outlet  # root_citation_rate=1: every copy credits the root's outlet
        assert expected in d.credits and expected in by_id[d.id].text
        found = {c.name for c in extract_cited_sources(by_id[d.id], catalog)}
        assert expected in found, (expected, by_id[d.id].text[:300])


def test_written_corpus_loads_with_provenance(tmp_path: Path, corpus: SyntheticCorpus) -> None:
    from provenance.load import load_corpus

    docs_path, truth_path = write_corpus(corpus, tmp_path)
    loaded = load_corpus(docs_path).documents
    assert [d.id for d in loaded] == [d.id for d in corpus.documents]
    for a, b in zip(loaded, corpus.documents, strict=True):
        assert (a.text, a.outlet, a.language, a.published) == (b.text, b.outlet, b.language, b.published)
    truth = GroundTruth.from_json(json.loads(truth_path.read_text(encoding="utf-8")))
    assert truth.to_json() == corpus.truth.to_json()
    assert truth.reuse_pairs() == corpus.truth.reuse_pairs()


# ---------------------------------------------------------------------------- harness with stand-in predictors


def _perfect_result(corpus: SyntheticCorpus) -> AnalysisResult:
    """A stand-in predictor that returns the truth (tests the harness only)."""
    truth = corpus.truth
    pairs = []
    for a, b in sorted(truth.reuse_pairs()):
        aligned = [Alignment(sa.start, sa.end, sb.start, sb.end, 1.0) for sa, sb in truth.passage_pairs(a, b)]
        pairs.append(PairScore(a, b, Relation.REWRITE, 0.0, 0.0, 0.0, 0.0, aligned))
    docs = [
        DocumentInfo(d.id, d.language, d.outlet, d.published, parent=truth.docs[d.id].parent) for d in corpus.documents
    ]
    clusters = [Cluster(ClusterKind.REWRITE, tuple(m)) for m in truth.trees().values() if len(m) > 1]
    return AnalysisResult(docs, pairs, clusters)


def _empty_result(corpus: SyntheticCorpus) -> AnalysisResult:
    docs = [DocumentInfo(d.id, d.language, d.outlet, d.published, parent="cited:Nobody") for d in corpus.documents]
    return AnalysisResult(docs, [], [])


def test_wrong_parent_kinds(corpus: SyntheticCorpus) -> None:
    truth = corpus.truth
    deep = next(d for d in truth.docs.values() if d.generation == 2)
    parent = truth.docs[deep.parent]  # type: ignore[index]
    assert error_kind(deep.id, deep.root, truth) == "ancestor"
    assert error_kind(parent.id, deep.id, truth) == "descendant"
    other = next(d for d in truth.docs.values() if d.tree != deep.tree)
    assert error_kind(deep.id, other.id, truth) == "other family"
    assert error_kind(deep.id, "cited:ANSA", truth) == error_kind(deep.id, None, truth) == "none/virtual"
    sibling = next((d for d in truth.docs.values() if d.parent == parent.id and d.id != deep.id), None)
    if sibling is not None:
        assert error_kind(deep.id, sibling.id, truth) == "same tree, other branch"


def test_harness_scores_a_perfect_and_an_empty_prediction(corpus: SyntheticCorpus) -> None:
    texts = {d.id: d.text for d in corpus.documents}
    good = evaluate_rewrites(_perfect_result(corpus), corpus.truth, texts)
    assert good.reuse.f1 == 1.0 and good.passages.f1 == 1.0 and good.parent_child.value == 1.0
    assert good.rewrite_ari == [1.0] and good.hard_negative_fp.value == 0.0
    lin = evaluate_lineage(_perfect_result(corpus), corpus.truth, corpus.documents).score
    assert lin.edge.value == lin.tree_root.value == lin.ancestry.f1 == lin.root.f1 == 1.0

    bad = evaluate_rewrites(_empty_result(corpus), corpus.truth, texts)
    assert bad.reuse.recall == 0.0 and bad.passages.recall == 0.0 and bad.reuse.precision == 1.0
    assert bad.reuse == Score(0, 0, 0, len(corpus.truth.reuse_pairs()))
    empty = evaluate_lineage(_empty_result(corpus), corpus.truth, corpus.documents)
    lin = empty.score
    assert lin.edge.value == 0.0 and lin.root.recall == 1.0 and lin.ancestry.recall == 0.0
    assert set(empty.errors) == {"none/virtual"}
    n_roots = sum(d.parent is None for d in corpus.truth.docs.values())
    assert lin.root.precision == n_roots / len(corpus.documents)
