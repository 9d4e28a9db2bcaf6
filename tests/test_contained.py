"""The ``contained`` relation (issue 16): a text wholly inside a longer one is reuse, not a near-duplicate.

A digest that reprints two unrelated short articles has a low Jaccard with each
(under ``--threshold``) and contains all of each.  Every producer of relations
must label both pairs ``contained``, keep the two articles out of any
near-duplicate cluster (single linkage through the digest used to chain them),
and still treat them as reuse (reuse families, lineage, report, index).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from provenance.cli import main
from provenance.index.add import add_documents
from provenance.index.query import query_index
from provenance.index.store import IndexStore
from provenance.pipeline import PipelineConfig, analyze
from provenance.records import AnalysisResult, ClusterKind, Document, Relation
from provenance.report import write_report

FLOOD = (
    "Floods hit Riverton as the Elm river bursts its banks. Heavy rain on Tuesday pushed the Elm river over "
    "its banks, flooding more than 300 homes in Riverton, officials said. Mayor Janet Okafor declared a state "
    "of emergency and asked the national guard for 40 boats. The county opened three shelters in school "
    "gymnasiums, which housed 1,200 people overnight. Forecasters at the regional weather office expect "
    "another 80 millimetres of rain before Friday. Insurers estimate the damage at 45 million dollars, the "
    "chamber of commerce said."
)
CHESS = (
    "A seventeen year old from Lisbon won the Baltic open chess tournament on Sunday. Marta Sequeira beat "
    "the top seed in the final round with the black pieces after a five hour game. She finished with eight "
    "points out of nine and collected the first prize of twelve thousand euros. Her coach said she had "
    "prepared the opening for three months with a computer and two sparring partners. The organisers "
    "expect more than four hundred players to enter next year, when the event moves to a larger hall."
)
FILLER = (
    "In other news this week. The city library will stay open until midnight during the exam season, the "
    "council announced on Monday. A new bakery on Harbour Street sold out of bread within two hours of "
    "opening. The ferry company raised its summer fares by six percent, blaming fuel prices. Astronomers "
    "at the university observatory invite the public to watch a meteor shower from the roof on Thursday "
    "night. The marathon route was changed to avoid the bridge under repair. Volunteers planted two "
    "hundred trees along the canal path, and the zoo welcomed a baby giraffe called Pepper."
)
DIGEST = f"Weekly digest.\n{FLOOD}\n{CHESS}\n{FILLER}"


def _documents() -> list[Document]:
    return [Document("digest", DIGEST), Document("flood", FLOOD), Document("chess", CHESS)]


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    return analyze(_documents())


def _clusters(result: AnalysisResult, kind: ClusterKind) -> list[tuple[str, ...]]:
    return [c.members for c in result.clusters if c.kind is kind]


def test_excerpts_are_contained_not_near_duplicates(result: AnalysisResult) -> None:
    by_pair = {frozenset((p.a, p.b)): p for p in result.pairs}
    for short in ("flood", "chess"):
        p = by_pair[frozenset(("digest", short))]
        assert p.relation is Relation.CONTAINED
        assert p.jaccard < 0.5  # under the default --threshold, so not a near-duplicate
        inside = p.containment_b_in_a if p.b == short else p.containment_a_in_b
        assert inside >= 0.8
    assert frozenset(("flood", "chess")) not in by_pair or by_pair[frozenset(("flood", "chess"))].relation not in (
        Relation.NEAR_DUPLICATE,
        Relation.CONTAINED,
    )


def test_containment_does_not_chain_near_duplicate_clusters(result: AnalysisResult) -> None:
    assert _clusters(result, ClusterKind.NEAR_DUPLICATE) == []
    # reuse: the digest and what it reprints form one reuse family
    assert _clusters(result, ClusterKind.REWRITE) == [("digest", "flood", "chess")]


def test_a_copy_of_the_digest_is_still_a_near_duplicate_and_only_it_clusters() -> None:
    docs = [*_documents(), Document("digest-copy", DIGEST.replace("Weekly digest.", "Digest of the week."))]
    result = analyze(docs, config=PipelineConfig(lineage=False))
    assert _clusters(result, ClusterKind.NEAR_DUPLICATE) == [("digest", "digest-copy")]
    assert _clusters(result, ClusterKind.REWRITE) == [("digest", "flood", "chess", "digest-copy")]


def test_lineage_takes_the_contained_text_as_the_excerpt(result: AnalysisResult) -> None:
    info = {d.id: d for d in result.documents}
    assert info["digest"].parent is None
    for short in ("flood", "chess"):
        assert info[short].parent == "digest"  # no dates, no credits: containment gives the direction
        assert info[short].derived_share is not None and info[short].derived_share >= 0.8
        edge = next(e for e in result.edges if e.target == short)
        assert [ev.weight > 0 for ev in edge.evidence if ev.kind == "coverage"] == [True]


def test_dates_outweigh_containment() -> None:
    docs = _documents()
    early = datetime.fromisoformat("2024-10-01T08:00:00+00:00")
    late = datetime.fromisoformat("2024-10-05T08:00:00+00:00")
    docs = [replace(d, published=late if d.id == "digest" else early) for d in docs]
    info = {d.id: d for d in analyze(docs).documents}
    # the articles came first: the digest derives from one of them (a forest gives it one parent only)
    assert info["digest"].parent in {"flood", "chess"}
    assert info[info["digest"].parent].parent is None


def test_reports_name_the_relation(result: AnalysisResult, tmp_path: Path) -> None:
    md = write_report(result, tmp_path / "r.md", "md").read_text(encoding="utf-8")
    assert "contained" in md
    html = write_report(result, tmp_path / "r.html", "html").read_text(encoding="utf-8")
    assert "One is contained in the other" in html and "occur verbatim in" in html


def test_cli_json_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for d in _documents():
        (tmp_path / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
    assert main(["cluster", str(tmp_path), "-q", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted(p["relation"] for p in data["pairs"] if "digest" in (p["a"], p["b"])) == ["contained"] * 2
    assert not [c for c in data["clusters"] if c["kind"] == "near-duplicate"]
    assert main(["cluster", str(tmp_path), "-q"]) == 0
    table = capsys.readouterr().out
    assert "near-duplicate clusters (verbatim reuse): none" in table
    assert "reuse families (near-duplicate, contained or rewrite): 1" in table


def test_index_query_reports_the_excerpt_as_contained(tmp_path: Path) -> None:
    with IndexStore.create_or_open(tmp_path / "news.db") as store:
        add_documents(store, [replace(Document("digest", DIGEST), published=datetime(2024, 10, 1))])
        result = query_index(store, replace(Document("flood", FLOOD), published=datetime(2024, 10, 2)))
    best = result.matches[0]
    assert best.id == "digest" and best.relation is Relation.CONTAINED
    assert best.likely_source  # reuse, published before
