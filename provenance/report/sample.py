"""Hand-made analysis results for demos, tests and screenshots.

:func:`sample_result` is a small, fully worked example (five fictional Italian
articles, a credited source outside the collection, an undetermined link);
:func:`synthetic_result` builds a large result of any size, with real offsets.
"""

from __future__ import annotations

import random
from datetime import datetime

from provenance.records import (
    Alignment,
    AnalysisResult,
    CitedSource,
    Cluster,
    ClusterKind,
    DocumentInfo,
    Evidence,
    LineageEdge,
    PairScore,
    Relation,
)

ANSA = (
    "Treni regionali, via libera al piano da 2 miliardi\n"
    "Il governo ha approvato un piano da 2 miliardi di euro per rinnovare i treni regionali entro il 2027. "
    "Secondo il ministro dei trasporti, «i primi convogli arriveranno in Liguria e in Calabria già il "
    "prossimo anno». "
    "Il piano prevede anche 300 nuove assunzioni di macchinisti e la riapertura di dodici linee sospese. "
    "I sindacati hanno accolto la notizia con cautela, chiedendo un incontro entro fine mese."
)
REP = (
    "Il governo ha approvato un piano da 2 miliardi di euro per rinnovare i treni regionali entro il 2027. "
    "Secondo il ministro dei trasporti, «i primi convogli arriveranno in Liguria e in Calabria già il "
    "prossimo anno». "
    "Le opposizioni parlano di un annuncio elettorale, fatto a pochi mesi dal voto. "
    "Il piano prevede anche 300 nuove assunzioni di macchinisti."
)
POST = (
    "Il governo ha dato il via libera a un piano di 2 miliardi per rinnovare entro il 2027 "
    "i treni regionali. "
    "Per le opposizioni si tratta di un annuncio elettorale, a pochi mesi dal voto. "
    "Il Post ha chiesto al ministero come sarà finanziato il piano, senza ricevere risposta."
)
AGI = (
    "Secondo il Financial Times, il governo valuta di affidare la manutenzione dei nuovi treni a un "
    "consorzio europeo. "
    "Secondo il ministro dei trasporti, «i primi convogli arriveranno in Liguria e in Calabria già il "
    "prossimo anno». "
    "La decisione è attesa a settembre."
)
TG = (
    "Il governo starebbe valutando di affidare la manutenzione dei nuovi treni a un consorzio europeo, "
    "scrive il Financial Times. "
    "Una decisione è attesa per settembre. "
    "Nessun commento, per ora, dalle aziende ferroviarie."
)


def _span(text: str, snippet: str) -> tuple[int, int]:
    i = text.index(snippet)
    return i, i + len(snippet)


def _al(ta: str, sa: str, tb: str, sb: str, score: float) -> Alignment:
    a0, a1 = _span(ta, sa)
    b0, b1 = _span(tb, sb)
    return Alignment(a0, a1, b0, b1, score)


def _cite(text: str, name: str, mention: str, cue: str) -> CitedSource:
    s, e = _span(text, mention)
    return CitedSource(name, mention, s, e, cue)


def sample_result() -> AnalysisResult:
    """Five fictional articles: a verbatim copy, a rewrite of the copy, two texts crediting the
    Financial Times (not in the collection), and a link whose direction is undetermined."""
    s1 = ANSA.split("\n")[1].split(". ")[0] + "."
    p1 = POST.split(". ")[0] + "."
    opp_post = "Per le opposizioni si tratta di un annuncio elettorale, a pochi mesi dal voto."
    opp_rep = "Le opposizioni parlano di un annuncio elettorale, fatto a pochi mesi dal voto."
    ft_agi = "il governo valuta di affidare la manutenzione dei nuovi treni a un consorzio europeo."
    ft_tg = "Il governo starebbe valutando di affidare la manutenzione dei nuovi treni a un consorzio europeo"
    dec_agi, dec_tg = "La decisione è attesa a settembre.", "Una decisione è attesa per settembre."
    s2 = (
        "Secondo il ministro dei trasporti, «i primi convogli arriveranno in Liguria e in Calabria già il "
        "prossimo anno»."
    )
    s3 = "Il piano prevede anche 300 nuove assunzioni di macchinisti"
    texts = {"ansa-001": ANSA, "rep-002": REP, "post-003": POST, "agi-004": AGI, "tg-005": TG}
    day = datetime(2024, 10, 24)
    docs = [
        DocumentInfo("ansa-001", "it", "ANSA", day.replace(hour=9), "Treni regionali, via libera al piano"),
        DocumentInfo(
            "rep-002", "it", "la Repubblica", day.replace(hour=10, minute=30), "Treni, piano da 2 miliardi",
            parent="ansa-001", derived_share=0.71,
        ),
        DocumentInfo(
            "post-003", "it", "Il Post", day.replace(hour=12), "Cosa sappiamo del piano per i treni",
            parent="rep-002", derived_share=0.58,
        ),
        DocumentInfo(
            "agi-004", "it", "AGI", day.replace(hour=9, minute=10), "Treni, manutenzione a consorzio Ue",
            cited_sources=[_cite(AGI, "Financial Times", "Financial Times", "secondo")],
            parent="cited:Financial Times", derived_share=0.0,
        ),
        DocumentInfo(
            "tg-005", "it", "TGCom24", day.replace(hour=11), None,
            cited_sources=[_cite(TG, "Financial Times", "Financial Times", "scrive")],
            parent="cited:Financial Times", derived_share=0.0,
        ),
    ]  # fmt: skip
    pairs = [
        PairScore(
            "ansa-001", "rep-002", Relation.NEAR_DUPLICATE, 0.62, 0.91, 0.58, 0.86,
            [_al(ANSA, s1, REP, s1, 1.0), _al(ANSA, s2, REP, s2, 1.0), _al(ANSA, s3, REP, s3, 0.97)],
            coverage_a=0.64, coverage_b=0.71, p_value=1e-12,
        ),
        PairScore(
            "post-003", "rep-002", Relation.REWRITE, 0.18, 0.66, 0.31, 0.27,
            [
                _al(POST, p1, REP, s1, 0.72),
                _al(POST, opp_post, REP, opp_rep, 0.64),
            ],
            coverage_a=0.58, coverage_b=0.52, p_value=2e-6,
        ),
        PairScore(
            "ansa-001", "post-003", Relation.REWRITE, 0.09, 0.48, 0.12, 0.21,
            [_al(ANSA, s1, POST, p1, 0.7)], coverage_a=0.22, coverage_b=0.33,
            p_value=4e-4,
        ),
        PairScore(
            "agi-004", "ansa-001", Relation.SAME_STORY, 0.21, 0.44, 0.41, 0.22,
            [_al(AGI, s2, ANSA, s2, 1.0)], coverage_a=0.43, coverage_b=0.25, p_value=3e-3,
        ),
        PairScore(
            "agi-004", "tg-005", Relation.REWRITE, 0.14, 0.58, 0.3, 0.33,
            [
                _al(AGI, ft_agi, TG, ft_tg, 0.81),
                _al(AGI, dec_agi, TG, dec_tg, 0.77),
            ],
            coverage_a=0.45, coverage_b=0.55, p_value=5e-5,
        ),
        PairScore("rep-002", "tg-005", Relation.SAME_STORY, 0.02, 0.31, 0.03, 0.04),
    ]  # fmt: skip
    edges = [
        LineageEdge(
            "ansa-001", "rep-002", 0.86,
            [
                Evidence("published", 0.4, "ANSA published 1 h 30 min earlier"),
                Evidence("containment", 0.3, "86 % of la Repubblica's shingles are in ANSA, 58 % conversely"),
                Evidence("lost-information", 0.2, "la Repubblica drops the trade unions' reaction"),
            ],
        ),
        LineageEdge(
            "rep-002", "post-003", 0.62,
            [
                Evidence("published", 0.3, "la Repubblica published 1 h 30 min earlier"),
                Evidence("shared-addition", 0.35, "both carry the opposition's comment, absent from ANSA"),
                Evidence("containment", -0.05, "containment is nearly symmetric"),
            ],
        ),
        LineageEdge(
            "cited:Financial Times", "agi-004", 0.58,
            [Evidence("citation", 0.58, "AGI credits the Financial Times (“Secondo il Financial Times”)")],
        ),
        LineageEdge(
            "cited:Financial Times", "tg-005", 0.55,
            [Evidence("citation", 0.55, "TGCom24 credits the Financial Times (“scrive il Financial Times”)")],
        ),
        LineageEdge(
            "agi-004", "ansa-001", 0.35,
            [
                Evidence("published", 0.1, "AGI published 10 minutes later"),
                Evidence("containment", -0.1, "the shared quote is a small part of both"),
            ],
            direction="undetermined",
        ),
    ]  # fmt: skip
    clusters = [
        Cluster(ClusterKind.NEAR_DUPLICATE, ("ansa-001", "rep-002")),
        Cluster(ClusterKind.REWRITE, ("ansa-001", "post-003", "rep-002")),
        Cluster(ClusterKind.REWRITE, ("agi-004", "tg-005")),
        Cluster(ClusterKind.STORY, ("agi-004", "ansa-001", "post-003", "rep-002", "tg-005")),
    ]
    return AnalysisResult(docs, pairs, clusters, edges, texts)


_WORDS = [
    *"governo piano treni regionali ministro trasporti convogli linee sindacati assunzioni porto".split(),
    *"città sindaco consiglio bilancio progetto cantiere strada ponte scuola ospedale lavori".split(),
    *"fondi europei regione comune presidente accordo incontro settimana annuncio decisione".split(),
]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 16))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def synthetic_result(n_documents: int = 1000, seed: int = 0, group: int = 5) -> AnalysisResult:
    """A large result with groups of ``group`` documents: a root, copies of it and copies of copies.

    Every third group descends from a virtual cited source instead of a root in the collection.
    """
    rng = random.Random(seed)
    docs: list[DocumentInfo] = []
    texts: dict[str, str] = {}
    pairs: list[PairScore] = []
    edges: list[LineageEdge] = []
    clusters: list[Cluster] = []
    sentences: dict[str, list[tuple[int, int]]] = {}
    for g0 in range(0, n_documents, group):
        ids = [f"doc{i:05d}" for i in range(g0, min(g0 + group, n_documents))]
        virtual = f"cited:Agency {g0 // group}" if (g0 // group) % 3 == 2 else None
        for k, doc_id in enumerate(ids):
            parent: str | None
            if k == 0:
                parent = virtual
                sents = [_sentence(rng) for _ in range(rng.randint(4, 8))]
            else:
                parent = ids[rng.randrange(k)]
                ptext = texts[parent]
                kept = [ptext[s:e] for s, e in sentences[parent] if rng.random() < 0.7]
                sents = kept + [_sentence(rng) for _ in range(rng.randint(1, 3))]
            text = " ".join(sents)
            offs, pos = [], 0
            for sent in sents:
                offs.append((pos, pos + len(sent)))
                pos += len(sent) + 1
            texts[doc_id], sentences[doc_id] = text, offs
            derived = 0.0
            if parent is not None and not parent.startswith("cited:"):
                ptext = texts[parent]
                als = []
                for cs, ce in offs:
                    j = ptext.find(text[cs:ce])
                    if j >= 0:
                        als.append((j, j + ce - cs, cs, ce))
                a, b = sorted((parent, doc_id))
                aligned = [
                    Alignment(ps, pe, cs, ce, 1.0) if a == parent else Alignment(cs, ce, ps, pe, 1.0)
                    for ps, pe, cs, ce in als
                ]
                derived = sum(ce - cs for _, _, cs, ce in als) / max(1, len(text))
                pairs.append(PairScore(a, b, Relation.NEAR_DUPLICATE, 0.5, 0.8, 0.6, 0.6, aligned))
            if parent is not None:
                edges.append(LineageEdge(parent, doc_id, round(rng.uniform(0.4, 0.95), 2), []))
            docs.append(
                DocumentInfo(
                    doc_id,
                    rng.choice(["it", "en"]),
                    f"Outlet {rng.randrange(40)}",
                    datetime(2024, 1, 1 + (g0 // group) % 28, k),
                    parent=parent,
                    derived_share=derived,
                )
            )
        clusters.append(Cluster(ClusterKind.REWRITE, tuple(ids)))
    return AnalysisResult(docs, pairs, clusters, edges, texts)
